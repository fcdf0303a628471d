"""Admin for credit authorization: the policy, the simulated bureau's rules, and the checks
(read-only; Supervisors approve or decline referred checks through an action with a reason)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse

from bss.admin_mixins import AuditedAdmin, ServiceSavedAdmin
from bss.errors import DomainValidationError
from orders.models import BureauSimulationRule, CreditCheck, CreditPolicy
from orders.services import credit as services
from orders.services import credit_policy as policy_services

__all__ = ["BureauSimulationRuleAdmin", "CreditCheckAdmin", "CreditPolicyAdmin"]


@admin.register(CreditPolicy)
class CreditPolicyAdmin(ServiceSavedAdmin):
    list_display = ("name", "is_active", "check_credit_limit", "decline_credit_classes", "refer_credit_classes",
                    "max_outstanding_balance", "use_bureau", "bureau_min_amount", "deposit_percent_when_referred")
    list_filter = ("is_active", "use_bureau")
    actions = ["make_active"]

    service_fields = ("is_active", *policy_services.CREDIT_POLICY_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "is_active") if obj else self.readonly_fields  # "Make active" switches

    def service_check(self, request, obj, data, change):
        errors = policy_services.credit_policy_errors(data, policy_id=getattr(obj, "pk", None))
        if errors:
            raise DomainValidationError(errors)

    def create(self, request, data):
        return policy_services.credit_policy_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        data.pop("is_active", None)
        return policy_services.credit_policy_update(policy=obj, actor=self.actor(request), **data)

    @admin.action(description="Make the selected policy the active one", permissions=["change"])
    def make_active(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one policy to make active.", level="error")
            return
        self.run_service(request, lambda p: services.credit_policy_activate(policy_id=p.pk,
                                                                             actor=self.actor(request)), queryset)


@admin.register(BureauSimulationRule)
class BureauSimulationRuleAdmin(ServiceSavedAdmin):
    list_display = ("priority", "name", "credit_classes", "name_contains", "min_amount", "outcome", "score",
                    "is_active")
    list_display_links = ("name",)
    list_filter = ("outcome", "is_active")
    search_fields = ("name", "name_contains")
    ordering = ("priority", "id")

    service_fields = policy_services.BUREAU_RULE_FIELDS

    def create(self, request, data):
        return policy_services.bureau_rule_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        return policy_services.bureau_rule_update(rule=obj, actor=self.actor(request), **data)


class ReviewReasonForm(forms.Form):
    """The reason for the decision; approving also shows each pending check's proposed terms (deposit, credit
    limit) prefilled, for the reviewer to amend (a deposit of 0 waives it)."""

    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))

    def __init__(self, *args, checks=(), approve=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.term_rows = []  # (check, deposit bound field, credit limit bound field)
        if not approve:
            return
        for check in checks:
            if check.status != CreditCheck.Status.PENDING_REVIEW:
                continue
            terms = check.terms or {}
            for key, label in services.REVIEW_TERMS.items():
                self.fields[f"{key}_{check.pk}"] = forms.DecimalField(
                    label=f"{label} ({check.currency})", required=False, min_value=0, max_digits=12, decimal_places=2,
                    initial=terms.get(key) or ("0.00" if key == "deposit" else None))
            self.term_rows.append((check, self[f"deposit_{check.pk}"], self[f"credit_limit_{check.pk}"]))

    def terms_for(self, check) -> dict | None:
        """The terms this form approves ``check`` with (None: the form showed no terms for it)."""
        if f"deposit_{check.pk}" not in self.fields:
            return None
        values = {key: self.cleaned_data.get(f"{key}_{check.pk}") for key in services.REVIEW_TERMS}
        return {key: str(value) for key, value in values.items() if value is not None}


@admin.register(CreditCheck)
class CreditCheckAdmin(AuditedAdmin):
    history_root_field = "customer"  # the check's history is also on the customer's page
    list_display = ("id", "created_at", "customer", "amount", "currency", "decision", "status", "score", "bureau",
                    "reason")
    list_filter = ("status", "decision", "bureau")
    search_fields = ("customer__customer_number", "customer__name", "order_reference", "bureau_reference")
    list_select_related = ("customer",)
    date_hierarchy = "created_at"
    actions = ["approve_selected", "decline_selected"]
    fields = ("customer", "billing_account", "amount", "currency", "order_reference", "status", "decision", "score",
              "reason", "terms", "findings", "bureau", "bureau_reference", "requested_by", "reviewed_by",
              "review_reason", "reviewed_at", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # checks are run through the credit service (portal, API, order flow)

    def has_change_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request):
        return services.can_review(request.user)

    def _review(self, request, queryset, approve: bool):
        checks = list(queryset)
        form = ReviewReasonForm(request.POST if "apply" in request.POST else None, checks=checks, approve=approve)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]

            def decide(check):
                terms = form.terms_for(check) if approve else None
                return services.credit_check_review(check_id=check.pk, approve=approve, reason=reason,
                                                    actor=self.actor(request),
                                                    **({"terms": terms} if terms is not None else {}))

            self.run_service(request, decide, checks)
            return None
        return TemplateResponse(request, "admin/orders/credit_review.html", {
            **self.admin_site.each_context(request), "title": f"{'Approve' if approve else 'Decline'} credit checks",
            "opts": self.model._meta, "checks": checks, "form": form, "approve": approve,
            "action": request.POST.get("action"), "action_checkbox_name": ACTION_CHECKBOX_NAME,
        })

    @admin.action(description="Approve selected referred checks (with a reason)", permissions=["review"])
    def approve_selected(self, request, queryset):
        return self._review(request, queryset, approve=True)

    @admin.action(description="Decline selected referred checks (with a reason)", permissions=["review"])
    def decline_selected(self, request, queryset):
        return self._review(request, queryset, approve=False)
