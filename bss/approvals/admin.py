"""Admin: policies and limits saved through the services; requests read-only, decided by actions
(with a reason) that call the same services as every other door."""

from django.contrib import admin

from bss.admin_mixins import AuditedAdmin, ServiceSavedAdmin

from . import services
from .models import ApprovalPolicy, ApprovalRequest, ApproverLimit


@admin.register(ApprovalPolicy)
class ApprovalPolicyAdmin(ServiceSavedAdmin):
    list_display = ("approval_type", "name", "approver_roles", "amount_applies", "escalation_role", "updated_at")
    search_fields = ("approval_type", "name")
    service_fields = ("approval_type", "name", "approver_roles", "amount_applies", "escalation_role")

    def get_readonly_fields(self, request, obj=None):
        return ("approval_type",) if obj is not None else ()  # the key requests and limits refer to

    def service_check(self, request, obj, data, change):
        services.validate_policy({f: data[f] for f in self.service_fields if f in data})

    def create(self, request, data):
        return services.approval_policy_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        data.pop("approval_type", None)
        return services.approval_policy_update(policy=obj, actor=self.actor(request), **data)


@admin.register(ApproverLimit)
class ApproverLimitAdmin(ServiceSavedAdmin):
    list_display = ("approval_type", "role", "user", "currency", "max_amount", "period", "period_limit")
    list_filter = ("approval_type", "role", "currency", "period")
    search_fields = ("approval_type", "role", "user__username")
    list_select_related = ("user",)
    service_fields = ("approval_type", "role", "user", "currency", "max_amount", "period", "period_limit")
    KEY = ("approval_type", "role", "user", "currency")

    def get_readonly_fields(self, request, obj=None):
        return self.KEY if obj is not None else ()

    def service_check(self, request, obj, data, change):
        fields = [f for f in self.service_fields if f in data and not (change and f in self.KEY)]
        values = {f: data[f] for f in fields}
        if change and {"period", "period_limit"} & set(values):
            values = {"period": obj.period, "period_limit": obj.period_limit, **values}
        services.validate_limit(values)

    def create(self, request, data):
        return services.approver_limit_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        for key in self.KEY:
            data.pop(key, None)
        return services.approver_limit_update(limit=obj, actor=self.actor(request), **data)


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(AuditedAdmin):
    list_display = ("id", "created_at", "approval_type", "subject_repr", "amount", "currency", "state",
                    "escalated_to_role", "requested_by", "decided_by", "decided_at")
    list_filter = ("state", "approval_type", "currency")
    search_fields = ("subject_repr", "reason", "decision_reason", "requested_by__username", "decided_by__username")
    list_select_related = ("requested_by", "decided_by")
    date_hierarchy = "created_at"
    actions = ["approve_selected", "reject_selected"]
    fields = ("approval_type", "subject_type", "subject_id", "subject_repr", "amount", "currency", "reason",
              "requested_by", "state", "escalated_to_role", "decided_by", "decided_at", "decision_reason",
              "created_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # requests are made by the owning app's use case

    def has_change_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, verb: str, service):
        return self.confirm_with_reason(request, queryset, verb, lambda r, reason: service(
            request_id=r.pk, reason=reason, actor=self.actor(request)))

    @admin.action(description="Approve selected requests (with a reason)", permissions=["view"])
    def approve_selected(self, request, queryset):
        return self._decide(request, queryset, "approve", services.approval_approve)

    @admin.action(description="Reject selected requests (with a reason)", permissions=["view"])
    def reject_selected(self, request, queryset):
        return self._decide(request, queryset, "reject", services.approval_reject)
