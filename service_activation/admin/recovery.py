"""Admin for service recovery (1.1.2.2.10): drafted recovery plans are edited (their steps and review note)
and approved through services.recovery; the recoveries themselves are read-only (they move with their service
order)."""

from django.contrib import admin

from bss.admin_mixins import AuditedAdmin, ReadOnlyAdmin, ServiceSavedAdmin
from service_activation.models import RecoveryPlan, ServiceRecovery
from service_activation.services import recovery as services

__all__ = ["RecoveryPlanAdmin", "ServiceRecoveryAdmin"]


@admin.register(RecoveryPlan)
class RecoveryPlanAdmin(ServiceSavedAdmin):
    list_display = ("specification", "status", "created_at", "reviewed_by", "approved_at")
    list_filter = ("status",)
    search_fields = ("specification__code", "specification__name")
    service_fields = ("steps", "review_note")
    readonly_fields = ("specification", "status", "drafted_from", "reviewed_by", "approved_at", "created_at")
    fields = ("specification", "status", "drafted_from", "steps", "review_note", "reviewed_by", "approved_at",
              "created_at")
    actions = ["approve"]

    def has_add_permission(self, request):
        return False  # drafted by the recovery of a service whose specification has no plan

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != RecoveryPlan.Status.DRAFT:
            return self.fields
        return self.readonly_fields

    def create(self, request, data):
        raise TypeError("recovery plans are drafted by services.recovery")

    def update(self, request, obj, data):
        return services.recovery_plan_update(plan_id=obj.pk, actor=self.actor(request),
                                             steps=data.get("steps", obj.steps), review_note=data.get("review_note"))

    @admin.action(description="Approve the selected recovery plans (held recoveries go on)", permissions=["change"])
    def approve(self, request, queryset):
        return self.confirm_with_reason(
            request, queryset, "approve", lambda plan, reason: services.recovery_plan_approve(
                plan_id=plan.pk, review_note=reason, actor=self.actor(request)),
            consequences=lambda qs: ["Each plan becomes its service specification's recovery plan.",
                                     "Recoveries held for it start (unless they still wait for an authorization)."])


@admin.register(ServiceRecovery)
class ServiceRecoveryAdmin(ReadOnlyAdmin, AuditedAdmin):
    list_display = ("pk", "service", "item", "status", "authorization", "started_notified_at", "ended_notified_at")
    list_filter = ("status", "authorization")
    search_fields = ("service__name", "item__service_order__order_number")
