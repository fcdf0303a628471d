"""Admin for customer orders: orders, cancellation requests and configuration defects are read-only here (they
move through orders.services.ordering; actions ask for a reason); order types with their steps and milestone
statuses are configured data saved through orders.services.order_config."""

from __future__ import annotations

from django.contrib import admin

from bss.admin_mixins import AuditedAdmin, ReadOnlyAdmin, ServiceSavedAdmin
from orders.models import (
    CancelProductOrder,
    ConfigurationDefect,
    CustomerOrder,
    MilestoneStatus,
    OrderItem,
    OrderTask,
    OrderType,
    OrderTypeStep,
)
from orders.services import investigation, order_config, ordering

__all__ = ["CancelProductOrderAdmin", "ConfigurationDefectAdmin", "CustomerOrderAdmin", "MilestoneStatusAdmin",
           "OrderTypeAdmin"]


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    fields = ("item_id", "action", "state", "offering", "quantity", "product", "place")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderTaskInline(OrderItemInline):
    model = OrderTask
    fields = ("sequence", "step", "status", "team", "assigned_to", "done_at")
    readonly_fields = fields


@admin.register(CustomerOrder)
class CustomerOrderAdmin(ReadOnlyAdmin, AuditedAdmin):
    list_display = ("order_number", "customer", "state", "channel", "priority", "order_date", "committed_date")
    list_filter = ("state", "channel", "priority", "requires_special_handling", "archived")
    search_fields = ("order_number", "external_id", "customer__name", "customer__customer_number")
    history_root_field = "customer"
    inlines = [OrderItemInline, OrderTaskInline]
    actions = ["cancel_orders"]

    @admin.action(description="Cancel the selected orders (with a reason)", permissions=["view"])
    def cancel_orders(self, request, queryset):
        return self.confirm_with_reason(
            request, queryset, "cancel", lambda o, reason: ordering.customer_order_cancel(
                order_id=o.pk, reason=reason, actor=self.actor(request)),
            consequences=lambda qs: ["Open service orders are cancelled too; steps already done are rolled back.",
                                     "Orders past activation are refused: raise a termination order instead."])


@admin.register(CancelProductOrder)
class CancelProductOrderAdmin(ReadOnlyAdmin, AuditedAdmin):
    list_display = ("pk", "order", "state", "cancellation_reason", "created_at")
    list_filter = ("state",)


@admin.register(ConfigurationDefect)
class ConfigurationDefectAdmin(ReadOnlyAdmin, AuditedAdmin):
    list_display = ("pk", "kind", "status", "order", "offering", "rule", "created_at")
    list_filter = ("kind", "status")
    actions = ["resolve"]

    @admin.action(description="Mark reconfigured (with what was changed)", permissions=["view"])
    def resolve(self, request, queryset):
        return self.confirm_with_reason(
            request, queryset, "resolve", lambda d, reason: investigation.configuration_defect_resolve(
                defect_id=d.pk, resolution=reason, actor=self.actor(request)))


@admin.register(MilestoneStatus)
class MilestoneStatusAdmin(ServiceSavedAdmin):
    list_display = ("code", "name", "customer_visible")
    search_fields = ("code", "name")
    service_fields = ("code", "name", "descriptions", "customer_visible")

    def create(self, request, data):
        return order_config.milestone_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        data.pop("code", None)
        return order_config.milestone_update(milestone=obj, actor=self.actor(request), **data)


class OrderTypeStepInline(admin.TabularInline):
    model = OrderTypeStep
    fields = order_config.STEP_FIELDS
    extra = 1


@admin.register(OrderType)
class OrderTypeAdmin(ServiceSavedAdmin):
    list_display = ("code", "name", "kind", "is_default", "expected_minutes")
    list_filter = ("kind", "is_default")
    inlines = [OrderTypeStepInline]
    service_fields = ("code", "name", "kind", "description", "expected_minutes", "is_default")

    def create(self, request, data):
        return order_config.order_type_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        data.pop("code", None)
        return order_config.order_type_update(order_type=obj, actor=self.actor(request), **data)

    def save_formset(self, request, form, formset, change):
        if formset.model is OrderTypeStep and formset.has_changed():
            steps = [{f: f_form.cleaned_data.get(f) for f in order_config.STEP_FIELDS} for f_form in formset.forms
                     if f_form.cleaned_data and not formset._should_delete_form(f_form)]
            order_config.order_type_update(order_type=form.instance, actor=self.actor(request), steps=steps)
        self._no_change_message(formset)
