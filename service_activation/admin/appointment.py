"""Appointment slots and appointments in admin: a slot's capacity changes through services.appointments (slots are
opened in the portal or the API, over days and windows); appointments are read only (booked, rebooked and
cancelled through the service, from the work order's appointment page or the API)."""

from django.contrib import admin

from bss.admin_mixins import AuditedAdmin, ReadOnlyAdmin, ServiceSavedAdmin
from service_activation.models import Appointment, AppointmentSlot
from service_activation.services import appointments as services


@admin.register(AppointmentSlot)
class AppointmentSlotAdmin(ServiceSavedAdmin):
    list_display = ("team", "starts_at", "ends_at", "capacity")
    list_filter = ("team",)
    date_hierarchy = "starts_at"
    fields = ("team", "starts_at", "ends_at", "capacity")
    readonly_fields = ("team", "starts_at", "ends_at")
    service_fields = ("capacity",)

    def has_add_permission(self, request):
        return False  # opened over days and windows: /csr/provisioning/appointment-slots/ or the API

    def update(self, request, obj, data):
        return services.appointment_slot_set_capacity(slot_id=obj.pk, capacity=data["capacity"],
                                                      actor=self.actor(request), reason="changed in admin")


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin, AuditedAdmin):
    list_display = ("pk", "work_order", "slot", "window_start", "window_end", "status")
    list_filter = ("status", "slot__team")
    list_select_related = ("work_order__item__service_order", "slot")
