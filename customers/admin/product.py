"""Product inventory admin."""


from django.contrib import admin

from bss.admin_mixins import AuditedAdmin
from customers.models import (
    Product,
)


@admin.register(Product)
class ProductAdmin(AuditedAdmin):
    history_root_field = "customer"
    list_display = ("name", "offering_name", "product_serial", "customer", "status", "start_date", "end_date")
    list_filter = ("status", "offering_name")
    search_fields = ("name", "product_serial", "offering_id", "customer__customer_number")
    readonly_fields = ("status",)
    raw_id_fields = ("customer", "billing_account", "place")
