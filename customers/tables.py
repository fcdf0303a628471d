"""Portal tables of the customer inventory (the list pattern: bss/tables.py)."""

import django_tables2 as tables
from django.utils.html import format_html

from bss.tables import BssTable

from .models import Customer


class CustomerTable(BssTable):
    noun, noun_plural = "customer", "customers"

    customer_number = tables.Column(verbose_name="Number", linkify=("csr:customer", {"pk": tables.A("pk")}))
    name = tables.Column(verbose_name="Name")
    status = tables.Column(verbose_name="Status")
    segment = tables.Column(verbose_name="Segment")
    credit_class = tables.Column(verbose_name="Credit class")
    created_at = tables.DateColumn(verbose_name="Customer since", format="Y-m-d")

    class Meta(BssTable.Meta):
        model = Customer
        fields = ("customer_number", "name", "status", "segment", "credit_class", "created_at")
        order_by = ("-created_at",)
        empty_text = "No customer matches these filters."

    def render_status(self, value, record):
        return format_html('<span class="badge {}">{}</span>', record.status, record.get_status_display())
