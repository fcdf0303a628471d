"""TMF641 cancelServiceOrder requests in admin: read only (they are made through the API; the service order moves
through services.cancellation)."""

from django.contrib import admin

from bss.admin_mixins import AuditedAdmin, ReadOnlyAdmin
from service_activation.models import CancelServiceOrder


@admin.register(CancelServiceOrder)
class CancelServiceOrderAdmin(ReadOnlyAdmin, AuditedAdmin):
    list_display = ("pk", "service_order", "state", "cancellation_reason", "outcome", "created_at")
    list_filter = ("state",)
    search_fields = ("service_order__order_number", "cancellation_reason", "outcome")
    list_select_related = ("service_order",)
