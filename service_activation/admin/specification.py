"""Admin for the service specifications that product specifications are realized by (the link
itself is kept, and edited, on the product specification in orders)."""

from django.contrib import admin

from bss.admin_mixins import AuditedAdmin

from service_activation.models import ServiceSpecification


@admin.register(ServiceSpecification)
class ServiceSpecificationAdmin(AuditedAdmin):
    list_display = ("code", "name", "lifecycle_status", "updated_at")
    list_filter = ("lifecycle_status",)
    search_fields = ("code", "name", "description")
    readonly_fields = ("created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "code") if obj else self.readonly_fields
