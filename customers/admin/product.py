"""Product inventory admin."""


from django.contrib import admin

from bss.admin_mixins import ServiceSavedAdmin
from customers import services
from customers.models import (
    Product,
)


@admin.register(Product)
class ProductAdmin(ServiceSavedAdmin):
    """Saves through product_create / product_update: a product's account and address must be its
    own customer's; the status moves through product_transition only."""

    history_root_field = "customer"
    list_display = ("name", "offering_name", "product_serial", "customer", "status", "start_date", "end_date")
    list_filter = ("status", "offering_name")
    search_fields = ("name", "product_serial", "offering_code", "customer__customer_number")
    readonly_fields = ("status",)
    raw_id_fields = ("customer", "billing_account", "place")
    service_fields = ("customer", *services.PRODUCT_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "customer") if obj else self.readonly_fields  # stays with its customer

    def create(self, request, data):
        return services.product_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        data.pop("customer", None)
        return services.product_update(product=obj, actor=self.actor(request), **data)
