"""Admin for work order assignment rules (saved through services.assignment) and the assignments they made (read
only: they are decided when a work order is created)."""

from django.contrib import admin

from bss.admin_mixins import ReadOnlyAdmin, ServiceSavedAdmin
from service_activation.models import WorkOrderAssignment, WorkOrderAssignmentRule
from service_activation.services import assignment as services


@admin.register(WorkOrderAssignmentRule)
class WorkOrderAssignmentRuleAdmin(ServiceSavedAdmin):
    list_display = ("position", "name", "specialty", "work_order_kind", "specification", "area_code",
                    "max_priority", "team", "assignee", "active")
    list_display_links = ("name",)
    list_filter = ("active", "work_order_kind", "team")
    search_fields = ("name", "team", "specialty", "area_code")
    service_fields = services.RULE_FIELDS
    readonly_fields = ("created_at", "updated_at")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignee":
            kwargs["queryset"] = services.assignable_users()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def service_check(self, request, obj, data, change):
        services.validate_rule_data({k: v for k, v in data.items() if k in services.RULE_FIELDS})

    def create(self, request, data):
        return services.assignment_rule_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        return services.assignment_rule_update(rule_id=obj.pk, actor=self.actor(request), **data)


@admin.register(WorkOrderAssignment)
class WorkOrderAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("work_order", "team", "rule", "assigned_at")
    list_filter = ("team",)
    list_select_related = ("work_order__item__service_order", "rule")
