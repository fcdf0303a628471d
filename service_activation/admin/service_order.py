"""Admin for service orders, work orders, the service inventory and the simulated network's record: read-only
(they move through service_activation.services); actions ask for a reason."""

from django.contrib import admin

from bss.admin_mixins import AuditedAdmin, ReadOnlyAdmin, ServiceSavedAdmin
from service_activation import services
from service_activation.models import (
    NetworkConfiguration,
    PlannedOutage,
    Service,
    ServiceOrder,
    ServiceOrderItem,
    WorkOrder,
)

__all__ = ["NetworkConfigurationAdmin", "PlannedOutageAdmin", "ServiceAdmin", "ServiceOrderAdmin", "WorkOrderAdmin"]


class ServiceOrderItemInline(admin.TabularInline):
    model = ServiceOrderItem
    fields = ("item_id", "action", "state", "specification", "service", "customer_order_item_id")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ServiceOrder)
class ServiceOrderAdmin(ReadOnlyAdmin, AuditedAdmin):
    list_display = ("order_number", "customer", "state", "origin", "customer_order_ref", "order_date")
    list_filter = ("state", "origin")
    search_fields = ("order_number", "customer_order_ref", "external_id", "customer__name")
    history_root_field = "customer"
    inlines = [ServiceOrderItemInline]
    actions = ["cancel_orders"]

    @admin.action(description="Cancel the selected service orders (with a reason)", permissions=["view"])
    def cancel_orders(self, request, queryset):
        return self.confirm_with_reason(
            request, queryset, "cancel", lambda so, reason: services.service_order_cancel(
                service_order_id=so.pk, reason=reason, actor=self.actor(request)),
            consequences=lambda qs: ["Steps already done are rolled back through their adapters first.",
                                     "An activated service is not cancelled: a recovery order ends it."])


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin, AuditedAdmin):
    list_display = ("pk", "item", "kind", "code", "status", "specialty", "adapter", "attempts", "last_error")
    list_filter = ("status", "kind", "specialty", "adapter", "manual")
    search_fields = ("code", "name", "item__service_order__order_number")
    actions = ["retry"]

    @admin.action(description="Retry the selected failed steps (say what was repaired)", permissions=["view"])
    def retry(self, request, queryset):
        return self.confirm_with_reason(
            request, queryset, "retry", lambda wo, reason: services.work_order_retry(
                work_order_id=wo.pk, reason=reason, actor=self.actor(request)))


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdmin, AuditedAdmin):
    list_display = ("pk", "name", "customer", "state", "specification", "product", "start_date")
    list_filter = ("state", "specification")
    search_fields = ("name", "customer__name")
    history_root_field = "customer"


@admin.register(NetworkConfiguration)
class NetworkConfigurationAdmin(ReadOnlyAdmin, AuditedAdmin):
    list_display = ("idempotency_key", "element", "operation", "service_ref", "applied_at")
    list_filter = ("element", "operation")


@admin.register(PlannedOutage)
class PlannedOutageAdmin(ServiceSavedAdmin):
    """Announcing an outage tells the affected customers; an announced outage is not edited (announce a new
    one); it moves through its window by itself (planned_outages_tick)."""

    list_display = ("title", "starts_at", "ends_at", "status", "affected")
    list_filter = ("status",)
    filter_horizontal = ("specifications",)
    service_fields = ("title", "description", "starts_at", "ends_at", "specifications", "area_codes")
    readonly_fields = ("status", "affected_customers", "created_at")

    @admin.display(description="Customers affected")
    def affected(self, obj):
        return len(obj.affected_customers or [])

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def create(self, request, data):
        from service_activation.services.outage import planned_outage_announce

        return planned_outage_announce(
            title=data["title"], description=data.get("description", ""), starts_at=data["starts_at"],
            ends_at=data["ends_at"], specification_ids=[s.pk for s in data.get("specifications") or []],
            area_codes=data.get("area_codes") or [], actor=self.actor(request))

    def update(self, request, obj, data):
        raise TypeError("an announced outage is not edited")
