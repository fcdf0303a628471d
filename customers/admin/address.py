"""Address admin (saves through customers.services)."""


from django.contrib import admin

from bss.admin_mixins import ServiceSavedAdmin
from customers import services
from customers.models import (
    Address,
)

from .base import editable_fields


@admin.register(Address)
class AddressAdmin(ServiceSavedAdmin):
    list_display = ("one_line", "area_code", "customer")
    list_filter = ("country", "area_code")
    search_fields = ("street1", "city", "postcode", "customer__customer_number")
    raw_id_fields = ("customer",)
    service_fields = editable_fields(Address)

    def get_readonly_fields(self, request, obj=None):
        # Contacts and billing accounts of its customer use it: an address stays with its customer.
        return (*self.readonly_fields, "customer") if obj else self.readonly_fields

    def create(self, request, data):
        return services.address_create(actor=self.actor(request), customer=data.pop("customer", None), **data)

    def update(self, request, obj, data):
        return services.address_update(address=obj, actor=self.actor(request), **data)

    def _root(self, obj):
        return obj.customer or obj
