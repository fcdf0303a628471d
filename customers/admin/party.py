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
    readonly_fields = ("status",)  # the lifecycle moves through the actions (FSM transitions)
    service_fields = editable_fields(Party, "status")
    actions = ["validate", "close", "reopen"]

    def get_readonly_fields(self, request, obj=None):
        # An individual stays an individual: party_update does not take the kind.
        return (*self.readonly_fields, "kind") if obj else self.readonly_fields

    def create(self, request, data):
        return services.party_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        return services.party_update(party=obj, actor=self.actor(request), **data)

    def _status(self, request, queryset, status, verb):
        return self.confirm_with_reason(request, queryset, verb, lambda p, reason: services.party_change_status(
            party_id=p.pk, status=status, actor=self.actor(request), reason=reason))

    @admin.action(description="Validate selected parties", permissions=["change"])
    def validate(self, request, queryset):
        return self._status(request, queryset, Party.Status.VALIDATED, "validate")

    @admin.action(description="Close selected parties", permissions=["change"])
    def close(self, request, queryset):
        return self._status(request, queryset, Party.Status.CLOSED, "close")

    @admin.action(description="Reopen selected parties", permissions=["change"])
    def reopen(self, request, queryset):
        return self._status(request, queryset, Party.Status.VALIDATED, "reopen")
