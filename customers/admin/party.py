"""Party admin (saves through customers.services)."""


from django.contrib import admin

from bss.admin_mixins import ServiceSavedAdmin
from customers import services
from customers.models import (
    Party,
)

from .base import editable_fields


@admin.register(Party)
class PartyAdmin(ServiceSavedAdmin):
    list_display = ("id", "display_name", "kind", "status", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("given_name", "family_name", "trading_name", "legal_name", "registration_number")
    service_fields = editable_fields(Party)

    def create(self, request, data):
        return services.party_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        return services.party_update(party=obj, actor=self.actor(request), **data)
