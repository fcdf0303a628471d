"""Admin of the resource pools (eTOM 1.1.2.2.2). Pools save through service_activation.services; resources are
read-only here (they move through reserve / confirm / release), except the "Release" action, which asks for a
reason and calls resource_release. Loads go through the native API (POST /api/v1/resource-pools/{id}/load-*/)."""

from django.contrib import admin

from bss.admin_mixins import AuditedAdmin, ServiceSavedAdmin
from service_activation import services
from service_activation.models import Resource, ResourcePool

__all__ = ["ResourceAdmin", "ResourcePoolAdmin"]


@admin.register(ResourcePool)
class ResourcePoolAdmin(ServiceSavedAdmin):
    list_display = ("code", "name", "kind", "reservation_minutes", "quarantine_days", "access_node", "updated_at")
    list_filter = ("kind",)
    search_fields = ("code", "name", "access_node")
    readonly_fields = ("created_at", "updated_at")
    service_fields = ("kind", "code", *services.RESOURCE_POOL_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "kind", "code") if obj else self.readonly_fields

    def create(self, request, data):
        return services.resource_pool_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        data.pop("kind", None)
        data.pop("code", None)
        return services.resource_pool_update(pool=obj, actor=self.actor(request), **data)


@admin.register(Resource)
class ResourceAdmin(AuditedAdmin):
    list_display = ("value", "pool", "kind", "category", "state", "holder", "reserved_until", "quarantined_until")
    list_filter = ("kind", "state", "category", "pool")
    search_fields = ("value", "iccid", "imsi", "holder")
    list_select_related = ("pool",)
    show_full_result_count = False  # pools run to millions of rows
    actions = ["release"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_release_permission(self, request):
        return request.user.has_perm("service_activation.change_resource")

    @admin.action(description="Release (a reservation frees, an allocation goes to quarantine)",
                  permissions=["release"])
    def release(self, request, queryset):
        return self.confirm_with_reason(
            request, queryset, "release",
            lambda r, reason: services.resource_release(resource_id=r.pk, actor=self.actor(request), reason=reason),
            consequences=lambda qs: ["A reserved resource becomes free at once; an allocated one rests in its "
                                     "pool's quarantine before anyone else gets it."])
