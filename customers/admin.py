"""Customer inventory admin. Every add and change of a party, customer, contact (with its contact
media), address, billing account and self-service access goes through customers.services: the
same rules, history (channel 'admin') and events as every other front door; the services'
refusals show as form errors.
"""

from decimal import Decimal

from django.contrib import admin

from bss.admin_mixins import AuditedAdmin, ServiceSavedAdmin

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


def _editable_fields(model, *exclude) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.concrete_fields
                 if f.editable and not f.primary_key and f.name not in exclude)


@admin.register(Party)
class PartyAdmin(ServiceSavedAdmin):
    list_display = ("id", "display_name", "kind", "status", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("given_name", "family_name", "trading_name", "legal_name", "registration_number")
    service_fields = _editable_fields(Party)

    def create(self, request, data):
        return services.party_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        return services.party_update(party=obj, actor=self.actor(request), **data)


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
class CustomerAdmin(ServiceSavedAdmin):
    list_display = ("customer_number", "name", "status", "segment", "credit_class", "created_at")
    list_filter = ("status", "segment", "credit_class")
    search_fields = ("customer_number", "name", "contacts__family_name", "billing_accounts__account_number")
    readonly_fields = ("customer_number", "status", "engaged_party_ref", "created_at", "updated_at")
    raw_id_fields = ("party",)
    inlines = [ContactInline, BillingAccountInline]
    actions = ["activate", "suspend", "resume", "close"]
    service_fields = ("name", "party", "segment", "credit_class", "valid_from", "valid_to", "status_reason",
                      "characteristics", "related_party_refs", "tmf_extra")

    def create(self, request, data):
        return services.customer_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        return services.customer_update(customer=obj, actor=self.actor(request), **data)

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
    """Edited with the contact: ContactAdmin hands the whole list to the contact service."""

    model = ContactMedium
    extra = 1
    fields = ("kind", "value", "preferred")


CONTACT_FIELDS = ("customer", "role", "is_primary", "title", "given_name", "family_name", "job_title",
                  "postal_address", "preferred_channel", "preferred_language", "is_active")


@admin.register(Contact)
class ContactAdmin(ServiceSavedAdmin):
    history_root_field = "customer"
    list_display = ("full_name", "customer", "role", "is_primary", "preferred_channel")
    list_filter = ("role", "is_primary", "preferred_channel", "preferred_language")
    search_fields = ("given_name", "family_name", "customer__customer_number", "media__value")
    raw_id_fields = ("customer", "postal_address")
    inlines = [ContactMediumInline]
    actions = ["make_primary"]
    service_fields = CONTACT_FIELDS

    def get_readonly_fields(self, request, obj=None):
        # A contact stays with its customer; the primary contact changes with "make primary".
        return (*self.readonly_fields, "customer", "is_primary") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        # The contact and its media are saved together, in one service call (save_related).
        request._admin_contact_data = self.form_data(form, change)

    def save_related(self, request, form, formsets, change):
        data, media = dict(request._admin_contact_data), None
        for formset in formsets:
            if formset.model is ContactMedium and (not change or formset.has_changed()):
                media = [{f: f_form.cleaned_data.get(f) for f in ("kind", "value", "preferred")}
                         for f_form in formset.forms
                         if f_form.cleaned_data and not formset._should_delete_form(f_form)]
            self._no_change_message(formset)
        actor = self.actor(request)
        if not change:
            customer = data.pop("customer")
            self.adopt(form.instance, services.contact_create(customer=customer, actor=actor, media=media or [],
                                                              **data))
        elif data or media is not None:
            services.contact_update(contact=form.instance, actor=actor, media=media, **data)

    @admin.action(description="Make primary contact of their customer", permissions=["change"])
    def make_primary(self, request, queryset):
        self.run_service(request, lambda c: services.contact_make_primary(contact=c, actor=self.actor(request)),
                         queryset)


@admin.register(Address)
class AddressAdmin(ServiceSavedAdmin):
    list_display = ("one_line", "area_code", "customer")
    list_filter = ("country", "area_code")
    search_fields = ("street1", "city", "postcode", "customer__customer_number")
    raw_id_fields = ("customer",)
    service_fields = _editable_fields(Address)

    def get_readonly_fields(self, request, obj=None):
        # Contacts and billing accounts of its customer use it: an address stays with its customer.
        return (*self.readonly_fields, "customer") if obj else self.readonly_fields

    def create(self, request, data):
        return services.address_create(actor=self.actor(request), customer=data.pop("customer", None), **data)

    def update(self, request, obj, data):
        return services.address_update(address=obj, actor=self.actor(request), **data)

    def _root(self, obj):
        return obj.customer or obj


@admin.register(BillCycle)
class BillCycleAdmin(AuditedAdmin):
    list_display = ("code", "name", "day_of_month", "payment_terms_days", "active")
    list_filter = ("active",)
    search_fields = ("code", "name")


@admin.register(BillingAccount)
class BillingAccountAdmin(ServiceSavedAdmin):
    history_root_field = "customer"
    list_display = ("account_number", "name", "customer", "bill_cycle", "currency", "payment_method", "status")
    list_filter = ("status", "bill_cycle", "currency", "payment_method")
    search_fields = ("account_number", "name", "customer__customer_number", "customer__name")
    readonly_fields = ("account_number", "status", "created_at", "updated_at")
    raw_id_fields = ("customer", "parent", "billing_address", "bill_contact")
    actions = ["suspend", "resume", "close"]
    service_fields = _editable_fields(BillingAccount)

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
class SelfServiceAccessAdmin(ServiceSavedAdmin):
    """Access is granted through self_service_grant (no staff logins; the login joins the
    Customer group); an existing link is not re-pointed here."""

    history_root_field = "customer"
    list_display = ("user", "customer", "created_at")
    search_fields = ("user__username", "customer__customer_number")
    raw_id_fields = ("user", "customer")
    service_fields = ("user", "customer")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "user", "customer") if obj else self.readonly_fields

    def create(self, request, data):
        return services.self_service_grant(customer=data["customer"], user=data["user"], actor=self.actor(request))
