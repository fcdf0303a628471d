"""Appointments for manual work orders that need a visit or a delivery (field installation, CPE delivery, eTOM
1.1.2.2.3 scheduling): a team's bookable slots, each with a configured capacity (how many visits the team can do in
that window), and the appointment a customer agreed to for one work order. The booked window is copied onto the
work order (``appointment_start`` / ``appointment_end``) so the worklist and the service order page show it."""

from django.conf import settings
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition


class AppointmentSlot(models.Model):
    team = models.CharField(max_length=60, help_text="the team that does the visits (a work order's team)")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField(help_text="how many appointments the team can take in this slot")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "team", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "starts_at"], name="appointment_slot_team_start_uniq"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="appointment_slot_window_order"),
        ]

    def __str__(self):
        return f"{self.team} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class Appointment(FSMModelMixin, models.Model):
    """The window agreed with the customer for one work order. Rebooking closes this one (``rescheduled``, pointing
    at its replacement) and books another; cancelling gives the slot's place back."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        RESCHEDULED = "rescheduled", "Rebooked"
        CANCELLED = "cancelled", "Cancelled"

    work_order = models.ForeignKey("service_activation.WorkOrder", on_delete=models.PROTECT,
                                   related_name="appointments")
    slot = models.ForeignKey(AppointmentSlot, on_delete=models.PROTECT, related_name="appointments")
    window_start = models.DateTimeField(help_text="the window agreed with the customer (within the slot)")
    window_end = models.DateTimeField()
    status = FSMField(max_length=12, choices=Status.choices, default=Status.BOOKED, protected=True)
    note = models.CharField(max_length=500, blank=True, help_text="access details, who agreed, how to reach them")
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="replaces")
    cancellation_reason = models.CharField(max_length=500, blank=True)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["work_order"], condition=models.Q(status="booked"),
                                    name="appointment_one_booked_per_work_order"),
            models.CheckConstraint(condition=models.Q(window_end__gt=models.F("window_start")),
                                   name="appointment_window_order"),
        ]

    def __str__(self):
        return f"Appointment {self.pk}"

    @transition(field=status, source=Status.BOOKED, target=Status.RESCHEDULED)
    def reschedule(self):
        pass

    @transition(field=status, source=Status.BOOKED, target=Status.CANCELLED)
    def cancel(self):
        pass
