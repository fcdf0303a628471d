"""Bill cycle and billing account admin."""

from decimal import Decimal

from django.contrib import admin

from bss.admin_mixins import ServiceSavedAdmin
from customers import services
from customers.models import (
    BillCycle,
    BillingAccount,
)

from .base import editable_fields


@admin.register(BillCycle)
class BillCycleAdmin(ServiceSavedAdmin):
    list_display = ("code", "name", "day_of_month", "payment_terms_days", "active")
    list_filter = ("active",)
    search_fields = ("code", "name")
    service_fields = services.BILL_CYCLE_FIELDS

    def create(self, request, data):
        return services.bill_cycle_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        return services.bill_cycle_update(bill_cycle=obj, actor=self.actor(request), **data)


@admin.register(BillingAccount)
class BillingAccountAdmin(ServiceSavedAdmin):
    history_root_field = "customer"
    list_display = ("account_number", "name", "customer", "bill_cycle", "currency", "payment_method", "status")
    list_filter = ("status", "bill_cycle", "currency", "payment_method")
    search_fields = ("account_number", "name", "customer__customer_number", "customer__name")
    readonly_fields = ("account_number", "status", "created_at", "updated_at")
    raw_id_fields = ("customer", "parent", "billing_address", "bill_contact")
    actions = ["suspend", "resume", "close"]
    service_fields = editable_fields(BillingAccount)

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "customer") if obj else self.readonly_fields  # accounts stay with it

    def service_check(self, request, obj, data, change):
        customer = obj.customer if change else data.get("customer")
        if customer is None:
            return
        services.billing_account_check(
            customer=customer, billing_address=data.get("billing_address"), bill_cycle=data.get("bill_cycle"),
            parent=data.get("parent"), credit_limit=data.get("credit_limit") or Decimal("0"),
            account=obj if change else None, bill_contact=data.get("bill_contact"))

    def create(self, request, data):
        return services.billing_account_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        return services.billing_account_update(account=obj, actor=self.actor(request), **data)

    def _transition(self, request, queryset, name):
        return self.confirm_with_reason(request, queryset, name, lambda a, reason: services.billing_account_transition(
            account_id=a.pk, transition=name, actor=self.actor(request), reason=reason))

    @admin.action(description="Suspend", permissions=["change"])
    def suspend(self, request, queryset):
        return self._transition(request, queryset, "suspend")

    @admin.action(description="Resume", permissions=["change"])
    def resume(self, request, queryset):
        return self._transition(request, queryset, "resume")

    @admin.action(description="Close", permissions=["change"])
    def close(self, request, queryset):
        return self._transition(request, queryset, "close")
