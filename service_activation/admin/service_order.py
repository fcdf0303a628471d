"""Admin for service orders, work orders, the service inventory and the simulated network's record: read-only
(they move through service_activation.services); actions ask for a reason."""

from django.contrib import admin

from bss.admin_mixins import AuditedAdmin, ReadOnlyAdmin
from service_activation import services
from service_activation.models import NetworkConfiguration, Service, ServiceOrder, ServiceOrderItem, WorkOrder

__all__ = ["NetworkConfigurationAdmin", "ServiceAdmin", "ServiceOrderAdmin", "WorkOrderAdmin"]


class ServiceOrderItemInline(admin.TabularInline):
    model = ServiceOrderItem
    fields = ("item_id", "action", "state", "specification", "service", "customer_order_item_id")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ServiceOrder)
class ServiceOrderAdmin(ReadOnlyAdmin, AuditedAdmin):
    list_display = ("order_number", "customer", "state", "origin", "customer_order_ref", "order_date")
    list_filter = ("state", "origin")
    search_fields = ("order_number", "customer_order_ref", "external_id", "customer__name")
    history_root_field = "customer"
    inlines = [ServiceOrderItemInline]
    actions = ["cancel_orders"]

    @admin.action(description="Cancel the selected service orders (with a reason)", permissions=["view"])
    def cancel_orders(self, request, queryset):
        return self.confirm_with_reason(
            request, queryset, "cancel", lambda so, reason: services.service_order_cancel(
                service_order_id=so.pk, reason=reason, actor=self.actor(request)),
            consequences=lambda qs: ["Steps already done are rolled back through their adapters first.",
                                     "An activated service is not cancelled: a recovery order ends it."])


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin, AuditedAdmin):
    list_display = ("pk", "item", "kind", "code", "status", "specialty", "adapter", "attempts", "last_error")
    list_filter = ("status", "kind", "specialty", "adapter", "manual")
    search_fields = ("code", "name", "item__service_order__order_number")
    actions = ["retry"]

    @admin.action(description="Retry the selected failed steps (say what was repaired)", permissions=["view"])
    def retry(self, request, queryset):
        return self.confirm_with_reason(
            request, queryset, "retry", lambda wo, reason: services.work_order_retry(
                work_order_id=wo.pk, reason=reason, actor=self.actor(request)))


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdmin, AuditedAdmin):
    list_display = ("pk", "name", "customer", "state", "specification", "product", "start_date")
    list_filter = ("state", "specification")
    search_fields = ("name", "customer__name")
    history_root_field = "customer"


@admin.register(NetworkConfiguration)
class NetworkConfigurationAdmin(ReadOnlyAdmin, AuditedAdmin):
    list_display = ("idempotency_key", "element", "operation", "service_ref", "applied_at")
    list_filter = ("element", "operation")
