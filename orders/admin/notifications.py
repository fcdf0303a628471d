"""Internal notification lists (1.1.1.5.7 Report): created and changed through orders.services.order_config."""

from django import forms
from django.contrib import admin

from bss.admin_mixins import ServiceSavedAdmin
from orders.models.ordering import OrderNotificationList
from orders.services import order_config


class NotificationListForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(choices=OrderNotificationList.EventKind.choices, required=False,
                                            widget=forms.CheckboxSelectMultiple,
                                            help_text="none ticked: state changes only")

    class Meta:
        model = OrderNotificationList
        fields = ("name", "active", "event_types", "states", "order_type", "customer_segment", "users", "teams",
                  "email_addresses")


@admin.register(OrderNotificationList)
class OrderNotificationListAdmin(ServiceSavedAdmin):
    form = NotificationListForm
    list_display = ("name", "active", "order_type", "customer_segment")
    list_filter = ("active", "customer_segment", "order_type")
    search_fields = ("name", "email_addresses")
    filter_horizontal = ("users", "teams")
    service_fields = ("name", "active", "event_types", "states", "order_type", "customer_segment",
                      "email_addresses", "users", "teams")

    def form_data(self, form, change):
        data = super().form_data(form, change)
        if "event_types" in data:
            data["event_types"] = list(data["event_types"])
        return data

    def create(self, request, data):
        return order_config.notification_list_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        return order_config.notification_list_update(notification_list=obj, actor=self.actor(request), **data)
