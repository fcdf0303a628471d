"""Customer, note and self-service access admin (saves through customers.services)."""


from django.contrib import admin

from bss.admin_mixins import ServiceSavedAdmin
from customers import services
from customers.models import (
    BillingAccount,
    Contact,
    Customer,
    CustomerNote,
    SelfServiceAccess,
)


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
        verb = {Customer.Status.ACTIVE: "activate", Customer.Status.SUSPENDED: "suspend",
                Customer.Status.CLOSED: "close"}.get(status, "change")
        return self.confirm_with_reason(
            request, queryset, verb, lambda c, reason: services.customer_change_status(
                customer_id=c.pk, status=status, actor=self.actor(request), reason=reason),
            consequences=(lambda qs: _close_consequences(qs)) if status == Customer.Status.CLOSED else None)

    @admin.action(description="Activate selected customers", permissions=["change"])
    def activate(self, request, queryset):
        return self._status(request, queryset, Customer.Status.ACTIVE)

    @admin.action(description="Suspend selected customers", permissions=["change"])
    def suspend(self, request, queryset):
        return self._status(request, queryset, Customer.Status.SUSPENDED)

    @admin.action(description="Resume selected customers", permissions=["change"])
    def resume(self, request, queryset):
        return self._status(request, queryset, Customer.Status.ACTIVE)

    @admin.action(description="Close selected customers", permissions=["change"])
    def close(self, request, queryset):
        return self._status(request, queryset, Customer.Status.CLOSED)


def _close_consequences(queryset) -> list[str]:
    sentences = []
    for customer in queryset:
        consequences, blockers = services.customer_status_consequences(customer, Customer.Status.CLOSED)
        sentences += [f"{customer}: {s}" for s in consequences[:-1] + blockers]
    return sentences or ["No billing accounts to close."]


@admin.register(CustomerNote)
class CustomerNoteAdmin(ServiceSavedAdmin):
    """Notes are append-only: added through customer_note_add (author and channel from the
    admin user), never changed."""

    history_root_field = "customer"
    list_display = ("customer", "created_at", "author", "channel", "text")
    search_fields = ("text", "customer__customer_number")
    raw_id_fields = ("customer",)
    readonly_fields = ("author", "channel")
    service_fields = ("customer", "text")

    def has_change_permission(self, request, obj=None):
        return False

    def create(self, request, data):
        return services.customer_note_add(customer=data["customer"], text=data["text"], actor=self.actor(request))


@admin.register(SelfServiceAccess)
class SelfServiceAccessAdmin(ServiceSavedAdmin):
    """Access is granted through self_service_grant (no staff logins; the login joins the
    Customer group); an existing link is not re-pointed here."""

    history_root_field = "customer"
    list_display = ("user", "customer", "created_at")
    search_fields = ("user__username", "customer__customer_number")
    raw_id_fields = ("user", "customer")
    service_fields = ("user", "customer")

    def has_change_permission(self, request, obj=None):
        return False  # a link is granted, not re-pointed

    def create(self, request, data):
        return services.self_service_grant(customer=data["customer"], user=data["user"], actor=self.actor(request))
