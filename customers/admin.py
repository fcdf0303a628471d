from decimal import Decimal

from django.contrib import admin

from bss.admin_mixins import AuditedAdmin

from . import services
from .models import (
    Address,
    BillCycle,
    BillingAccount,
    Contact,
    ContactMedium,
    Customer,
    CustomerNote,
    Party,
    Product,
    SelfServiceAccess,
)


@admin.register(Party)
class PartyAdmin(AuditedAdmin):
    list_display = ("id", "display_name", "kind", "status", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("given_name", "family_name", "trading_name", "legal_name", "registration_number")


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ("given_name", "family_name", "role", "is_primary", "preferred_channel", "preferred_language")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class BillingAccountInline(admin.TabularInline):
    model = BillingAccount
    fk_name = "customer"
    extra = 0
    fields = ("account_number", "name", "bill_cycle", "currency", "status")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(AuditedAdmin):
    list_display = ("customer_number", "name", "status", "segment", "credit_class", "created_at")
    list_filter = ("status", "segment", "credit_class")
    search_fields = ("customer_number", "name", "contacts__family_name", "billing_accounts__account_number")
    readonly_fields = ("customer_number", "status", "engaged_party_ref", "created_at", "updated_at")
    raw_id_fields = ("party",)
    inlines = [ContactInline, BillingAccountInline]
    actions = ["activate", "suspend", "resume", "close"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = {f: form.cleaned_data.get(f) for f in ("party", "segment", "credit_class", "valid_from", "valid_to",
                                                       "status_reason")}
        created = services.customer_create(actor=self.actor(request), name=form.cleaned_data["name"], **data)
        obj.pk, obj.customer_number = created.pk, created.customer_number

    def _status(self, request, queryset, status):
        self.run_service(request, lambda c: services.customer_change_status(
            customer_id=c.pk, status=status, actor=self.actor(request), reason="admin action"), queryset)

    @admin.action(description="Activate selected customers", permissions=["change"])
    def activate(self, request, queryset):
        self._status(request, queryset, Customer.Status.ACTIVE)

    @admin.action(description="Suspend selected customers", permissions=["change"])
    def suspend(self, request, queryset):
        self._status(request, queryset, Customer.Status.SUSPENDED)

    @admin.action(description="Resume selected customers", permissions=["change"])
    def resume(self, request, queryset):
        self._status(request, queryset, Customer.Status.ACTIVE)

    @admin.action(description="Close selected customers", permissions=["change"])
    def close(self, request, queryset):
        self._status(request, queryset, Customer.Status.CLOSED)


class ContactMediumInline(admin.TabularInline):
    model = ContactMedium
    extra = 1
    fields = ("kind", "value", "preferred")


@admin.register(Contact)
class ContactAdmin(AuditedAdmin):
    history_root_field = "customer"
    list_display = ("full_name", "customer", "role", "is_primary", "preferred_channel")
    list_filter = ("role", "is_primary", "preferred_channel", "preferred_language")
    search_fields = ("given_name", "family_name", "customer__customer_number", "media__value")
    raw_id_fields = ("customer", "postal_address")
    inlines = [ContactMediumInline]


@admin.register(Address)
class AddressAdmin(AuditedAdmin):
    list_display = ("one_line", "area_code", "customer")
    list_filter = ("country", "area_code")
    search_fields = ("street1", "city", "postcode", "customer__customer_number")
    raw_id_fields = ("customer",)

    def _root(self, obj):
        return obj.customer or obj


@admin.register(BillCycle)
class BillCycleAdmin(AuditedAdmin):
    list_display = ("code", "name", "day_of_month", "payment_terms_days", "active")
    list_filter = ("active",)
    search_fields = ("code", "name")


@admin.register(BillingAccount)
class BillingAccountAdmin(AuditedAdmin):
    history_root_field = "customer"
    list_display = ("account_number", "name", "customer", "bill_cycle", "currency", "payment_method", "status")
    list_filter = ("status", "bill_cycle", "currency", "payment_method")
    search_fields = ("account_number", "name", "customer__customer_number", "customer__name")
    readonly_fields = ("account_number", "status", "created_at", "updated_at")
    raw_id_fields = ("customer", "parent", "billing_address", "bill_contact")
    actions = ["suspend", "resume", "close"]

    def service_check(self, request, obj, data, change):
        if data.get("customer") is None:
            return
        services.billing_account_check(
            customer=data["customer"], billing_address=data.get("billing_address"), bill_cycle=data.get("bill_cycle"),
            parent=data.get("parent"), credit_limit=data.get("credit_limit") or Decimal("0"),
            account=obj if change else None, bill_contact=data.get("bill_contact"))

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        d = dict(form.cleaned_data)
        created = services.billing_account_create(actor=self.actor(request), **d)
        obj.pk, obj.account_number = created.pk, created.account_number

    def _transition(self, request, queryset, name):
        self.run_service(request, lambda a: services.billing_account_transition(
            account_id=a.pk, transition=name, actor=self.actor(request), reason="admin action"), queryset)

    @admin.action(description="Suspend", permissions=["change"])
    def suspend(self, request, queryset):
        self._transition(request, queryset, "suspend")

    @admin.action(description="Resume", permissions=["change"])
    def resume(self, request, queryset):
        self._transition(request, queryset, "resume")

    @admin.action(description="Close", permissions=["change"])
    def close(self, request, queryset):
        self._transition(request, queryset, "close")


@admin.register(Product)
class ProductAdmin(AuditedAdmin):
    history_root_field = "customer"
    list_display = ("name", "offering_name", "product_serial", "customer", "status", "start_date", "end_date")
    list_filter = ("status", "offering_name")
    search_fields = ("name", "product_serial", "offering_id", "customer__customer_number")
    readonly_fields = ("status",)
    raw_id_fields = ("customer", "billing_account", "place")


@admin.register(CustomerNote)
class CustomerNoteAdmin(AuditedAdmin):
    history_root_field = "customer"
    list_display = ("customer", "created_at", "author", "channel", "text")
    search_fields = ("text", "customer__customer_number")
    raw_id_fields = ("customer",)
    readonly_fields = ("author", "channel")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SelfServiceAccess)
class SelfServiceAccessAdmin(AuditedAdmin):
    history_root_field = "customer"
    list_display = ("user", "customer", "created_at")
    search_fields = ("user__username", "customer__customer_number")
    raw_id_fields = ("user", "customer")
