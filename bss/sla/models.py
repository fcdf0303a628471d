"""SLA clocks and jeopardy (eTOM 1.1.1.5.4 "monitor the jeopardy status ... escalating as necessary").

Configured data: business calendars (hours, holidays), SLA targets per clock type and step, and the
escalation steps of each target ("local policy"). Runtime data: one clock per tracked object, clock
type and step, its pauses while waiting on the customer, and every escalation that fired.

bss imports no domain app: a clock refers to what it tracks through contenttypes.
"""

from __future__ import annotations

import zoneinfo
from datetime import date

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition

from .calendar import WorkingCalendar


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"'{value}' is not a known time zone (IANA name, e.g. Europe/Berlin).")


def region_and_parents(region: str) -> list[str]:
    """'DE-BY' observes holidays of 'DE' and 'DE-BY' (ISO 3166-2 style codes)."""
    parts = [p for p in (region or "").upper().split("-") if p]
    return ["-".join(parts[: i + 1]) for i in range(len(parts))]


class TimeBasis(models.TextChoices):
    BUSINESS = "business", "Business time (calendar's working hours)"
    CALENDAR = "calendar", "Calendar time (24x7)"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class BusinessCalendar(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone],
                                 help_text="IANA time zone the working hours are in, e.g. Europe/Berlin.")
    region = models.CharField(
        max_length=20, blank=True,
        help_text="Holiday region, ISO 3166-2 style (e.g. DE-BY): observes the shared holidays of "
                  "'DE' and 'DE-BY' and those without a region, besides its own.")
    always_open = models.BooleanField("24x7", default=False,
                                      help_text="Every moment counts: no working hours, no holidays.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def observed_holidays(self) -> models.QuerySet:
        return Holiday.objects.filter(
            Q(calendar=self) | Q(calendar__isnull=True, region="")
            | Q(calendar__isnull=True, region__in=region_and_parents(self.region))
        )

    def working_calendar(self, *, holidays: frozenset[date] | None = None) -> WorkingCalendar:
        """The pure calendar the arithmetic in calendar.py works on (2 queries)."""
        if self.always_open:
            return WorkingCalendar.twenty_four_seven(self.time_zone)
        hours: dict[int, list] = {}
        for wh in self.working_hours.all():
            hours.setdefault(wh.weekday, []).append(wh.as_interval())
        if holidays is None:
            holidays = frozenset(self.observed_holidays().values_list("date", flat=True))
        return WorkingCalendar.build(self.time_zone, hours, holidays=holidays)


class WorkingHours(models.Model):
    """One working interval of a weekday; several per day are allowed (e.g. 08-12 and 13-17)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField(help_text="00:00 means midnight at the end of the day.")

    class Meta:
        ordering = ["calendar", "weekday", "start"]
        verbose_name_plural = "working hours"

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"

    def as_interval(self) -> tuple[int, int]:
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute or 24 * 60
        return start, end

    def clean(self):
        if self.start is not None and self.end is not None:
            start, end = self.as_interval()
            if start >= end:
                raise ValidationError("The interval must end after it starts (00:00 = end of day).")


class Holiday(models.Model):
    """A non-working date. With a calendar: that calendar's own; without: a shared holiday of a
    region (blank region: observed by every calendar)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100)
    region = models.CharField(max_length=20, blank=True, help_text="e.g. DE or DE-BY; blank: everywhere.")

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], condition=Q(calendar__isnull=False),
                                    name="sla_holiday_unique_per_calendar"),
            models.UniqueConstraint(fields=["date", "region"], condition=Q(calendar__isnull=True),
                                    name="sla_holiday_unique_per_region"),
        ]
        indexes = [models.Index(fields=["region", "date"], name="sla_holiday_region_idx")]

    def __str__(self):
        where = self.calendar.name if self.calendar_id else (self.region or "everywhere")
        return f"{self.date} {self.name} ({where})"


class SlaTarget(models.Model):
    """How long a clock type (and step) may take, and when it counts as at risk.

    A target is for one step (blank: the clock over the whole lifecycle). Among the active targets
    of that clock type and step, the most specific wins: one that names the clock's type (e.g. the
    customer order's order type), priority or segment beats one that leaves it blank (blank = any);
    the type weighs more than the priority, and the priority more than the segment.
    """

    name = models.CharField(max_length=100)
    clock_type = models.CharField(max_length=100, db_index=True,
                                  help_text="e.g. orders.customer_order, service_activation.service_order")
    step = models.CharField(max_length=50, blank=True, help_text="e.g. acknowledged; blank: the whole lifecycle")
    priority = models.CharField(max_length=30, blank=True, help_text="blank: any priority")
    segment = models.CharField(max_length=30, blank=True, help_text="blank: any segment")
    type_code = models.CharField(
        "type", max_length=60, blank=True,
        help_text="The tracked object's type, e.g. the order type's code for orders.customer_order; blank: any type")
    time_basis = models.CharField(max_length=10, choices=TimeBasis.choices, default=TimeBasis.BUSINESS)
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="targets", help_text="Required for business time.")
    duration_minutes = models.PositiveIntegerField(help_text="Target duration, in the time basis.")
    jeopardy_margin_minutes = models.PositiveIntegerField(
        default=0, help_text="At risk when the projected completion is within this margin of the due date.")
    active = models.BooleanField(default=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["clock_type", "step", "type_code", "priority", "segment"]
        constraints = [
            models.UniqueConstraint(fields=["clock_type", "step", "type_code", "priority", "segment"],
                                    condition=Q(active=True), name="sla_target_one_active_per_type_key"),
        ]

    def __str__(self):
        qualifiers = ", ".join(q for q in (self.type_code, self.priority, self.segment) if q)
        return f"{self.clock_type}{'/' + self.step if self.step else ''}{f' [{qualifiers}]' if qualifiers else ''}"


class EscalationStep(models.Model):
    """One level of a target's escalation policy, as data: when it fires and whom it tells."""

    class Trigger(models.TextChoices):
        AT_RISK = "at_risk", "At risk"
        BREACHED = "breached", "Breached (in jeopardy: overdue)"

    class Action(models.TextChoices):
        NOTIFY_ROLE = "notify_role", "Notify a role"
        NOTIFY_SUPERVISOR = "notify_supervisor", "Notify the assignee's supervisor"
        RAISE_PRIORITY = "raise_priority", "Raise the priority"

    target = models.ForeignKey(SlaTarget, on_delete=models.CASCADE, related_name="escalation_steps")
    level = models.PositiveSmallIntegerField()
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    delay_minutes = models.PositiveIntegerField(
        default=0, help_text="Fires this long after the trigger, in the target's time basis.")
    action = models.CharField(max_length=30, choices=Action.choices, default=Action.NOTIFY_ROLE)
    role = models.CharField(max_length=50, blank=True, help_text="Who is told, e.g. Supervisor.")
    message = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["target", "level"]
        constraints = [models.UniqueConstraint(fields=["target", "level"], name="sla_escalation_step_level")]

    def __str__(self):
        return f"L{self.level} {self.get_trigger_display()} +{self.delay_minutes}m: {self.get_action_display()}"


class SlaClock(models.Model):
    """The clock of one tracked object for one clock type (and step)."""

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        MET = "met", "Met"
        BREACHED = "breached", "Breached"
        STOPPED = "stopped", "Stopped"

    class Jeopardy(models.TextChoices):
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        IN_JEOPARDY = "in_jeopardy", "In jeopardy (overdue)"

    OPEN_STATES = (State.RUNNING, State.PAUSED)

    # No index of its own: sla_clock_object_idx (content_type, object_id) serves it, and every index
    # costs the scan's UPDATE of each clock that moves (next_check_at changes: no HOT update).
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    object_id = models.CharField(max_length=64)
    tracked_object = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=200, blank=True)
    clock_type = models.CharField(max_length=100)
    step = models.CharField(max_length=50, blank=True)
    qualifiers = models.JSONField(default=dict, blank=True)
    target = models.ForeignKey(SlaTarget, on_delete=models.PROTECT, null=True, blank=True, related_name="clocks")
    # Copied from the target when the clock starts, so later edits of the target do not move it.
    time_basis = models.CharField(max_length=10, choices=TimeBasis.choices, default=TimeBasis.CALENDAR)
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    jeopardy_margin_minutes = models.PositiveIntegerField(default=0)

    state = FSMField(default=State.RUNNING, choices=State.choices, protected=True)
    started_at = models.DateTimeField()
    committed_at = models.DateTimeField(null=True, blank=True,
                                        help_text="Agreed committed date; wins over the target's due date.")
    target_due_at = models.DateTimeField(null=True, blank=True, help_text="Started + the target's duration.")
    due_at = models.DateTimeField(null=True, blank=True,
                                  help_text="Committed (or target) date, moved on by the paused time.")
    projected_at = models.DateTimeField(null=True, blank=True, help_text="Projected completion, as last known.")
    jeopardy_status = models.CharField(max_length=20, choices=Jeopardy.choices, default=Jeopardy.ON_TRACK)
    at_risk_since = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True, help_text="When it first became overdue.")
    escalation_level = models.PositiveSmallIntegerField(default=0)
    stopped_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True,
                                         help_text="The scan looks at the clock again from this moment.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "clock_type", "step"],
                                    condition=Q(state__in=["running", "paused"]), name="sla_clock_one_open"),
        ]
        indexes = [
            # The scan: running clocks whose next check has come, oldest first (bss.sla.services).
            models.Index(fields=["state", "next_check_at"], name="sla_clock_scan_idx"),
            models.Index(fields=["content_type", "object_id"], name="sla_clock_object_idx"),
        ]

    def __str__(self):
        return f"{self.clock_type}{'/' + self.step if self.step else ''} of {self.object_repr or self.object_id}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @transition(field=state, source=State.RUNNING, target=State.PAUSED)
    def pause(self):
        pass

    @transition(field=state, source=State.PAUSED, target=State.RUNNING)
    def resume(self):
        pass

    @transition(field=state, source=[State.RUNNING, State.PAUSED], target=State.MET)
    def meet(self):
        pass

    @transition(field=state, source=[State.RUNNING, State.PAUSED], target=State.BREACHED)
    def breach(self):
        pass

    @transition(field=state, source=[State.RUNNING, State.PAUSED], target=State.STOPPED)
    def stop(self):
        pass


class SlaPause(models.Model):
    """A span during which the clock did not count (e.g. waiting on the customer)."""

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="pauses")
    paused_at = models.DateTimeField()
    resumed_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300)
    paused_by = models.CharField(max_length=150, blank=True)
    resumed_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["clock", "paused_at"]
        constraints = [models.UniqueConstraint(fields=["clock"], condition=Q(resumed_at__isnull=True),
                                               name="sla_pause_one_open")]

    def __str__(self):
        return f"{self.paused_at:%Y-%m-%d %H:%M} - {self.resumed_at or '…'}: {self.reason}"


class Escalation(models.Model):
    """An escalation step that fired for a clock: once per clock and step."""

    clock = models.ForeignKey(SlaClock, on_delete=models.PROTECT, related_name="escalations")
    step = models.ForeignKey(EscalationStep, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField()
    trigger = models.CharField(max_length=20, choices=EscalationStep.Trigger.choices)
    action = models.CharField(max_length=30, choices=EscalationStep.Action.choices)
    role = models.CharField(max_length=50, blank=True)
    message = models.CharField(max_length=300, blank=True)
    fired_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True)
    projected_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["clock", "level"]
        constraints = [models.UniqueConstraint(fields=["clock", "step"], name="sla_escalation_once")]

    def __str__(self):
        return f"L{self.level} {self.clock}"
