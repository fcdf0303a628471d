"""Contact admin with its contact media (saves through customers.services)."""


from django.contrib import admin

from bss.admin_mixins import ServiceSavedAdmin
from customers import services
from customers.models import (
    Contact,
    ContactMedium,
)


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
