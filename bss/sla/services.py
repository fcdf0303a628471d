"""SLA use cases: the only writers of calendars, targets, escalation steps and clocks.

An owning app calls, from its own services (in their transaction):

    sla_clock_start(obj=order, clock_type="orders.customer_order", committed_at=..., actor=actor)
    sla_clock_pause(obj=order, clock_type="orders.customer_order", reason="waiting on the customer", actor=actor)
    sla_clock_resume(obj=order, clock_type="orders.customer_order", actor=actor)
    sla_clock_stop(obj=order, clock_type="orders.customer_order", completed=True, actor=actor)

Pause, resume, stop and the updates are no-ops (they return None) when the object has no open clock
of that type and step, so an app may call them whether or not a target was configured. The Celery
beat task runs ``sla_scan`` every minute: it moves jeopardy statuses and fires escalation steps.
"""

from __future__ import annotations

import gc
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from bss.actors import Actor
from bss.audit.services import (
    UNSET,
    history_record,
    history_record_created,
    history_record_many,
    history_row_target,
    track_changes,
)
from bss.errors import DomainValidationError
from bss.events import publish
from bss.events.services import publish_many
from bss.fsm import fsm_transition

from . import clock as sla_time
from . import jeopardy
from .calendar import ALWAYS_OPEN, WorkingCalendar, add_business_time, business_time_between
from .events import JEOPARDY_ALERT, SLA_ESCALATION, render_sla_clock
from .models import (
    BusinessCalendar,
    Escalation,
    EscalationStep,
    Holiday,
    SlaClock,
    SlaPause,
    SlaTarget,
    TimeBasis,
    WorkingHours,
)
from .registry import ClockType
from .registry import clock_type as clock_type_info

log = logging.getLogger(__name__)
SYSTEM = Actor.system("sla")
SCAN_BATCH = 200
RETRY_BROKEN = timedelta(minutes=5)


def _full_clean(obj, **kwargs) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as e:
        raise DomainValidationError(e.message_dict) from None


def _apply(obj, fields: dict) -> None:
    for name, value in fields.items():
        if value is not UNSET:
            setattr(obj, name, value)


# --- business calendars ---------------------------------------------------------------------------

@transaction.atomic
def business_calendar_create(*, name: str, time_zone: str = "UTC", region: str = "", always_open: bool = False,
                             description: str = "", actor: Actor) -> BusinessCalendar:
    calendar = BusinessCalendar(name=name, time_zone=time_zone, region=(region or "").upper(),
                                always_open=always_open, description=description)
    _full_clean(calendar)
    calendar.save()
    history_record_created(obj=calendar, actor=actor, action="sla.business_calendar.created")
    return calendar


@transaction.atomic
def business_calendar_update(*, calendar: BusinessCalendar, actor: Actor, name=UNSET, time_zone=UNSET,
                             region=UNSET, always_open=UNSET, description=UNSET) -> BusinessCalendar:
    calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    with track_changes(calendar, action="sla.business_calendar.updated", actor=actor):
        _apply(calendar, {"name": name, "time_zone": time_zone, "always_open": always_open,
                          "description": description,
                          "region": region if region is UNSET else (region or "").upper()})
        _full_clean(calendar)
        calendar.save()
    _recheck_clocks(Q(calendar=calendar))
    return calendar


@dataclass(frozen=True)
class HoursInput:
    weekday: int
    start: time
    end: time  # time(0) = midnight at the end of the day


@transaction.atomic
def business_calendar_set_hours(*, calendar: BusinessCalendar, hours: list[HoursInput], actor: Actor) -> None:
    """Replace the calendar's working hours (several intervals per weekday allowed)."""
    calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    rows = [WorkingHours(calendar=calendar, weekday=h.weekday, start=h.start, end=h.end) for h in hours]
    errors = {}
    for i, row in enumerate(rows):
        try:
            row.full_clean(exclude=["calendar"])
        except ValidationError as e:
            errors[f"hours[{i}]"] = [m for ms in e.message_dict.values() for m in ms]
    if errors:
        raise DomainValidationError(errors)
    before = [str(wh) for wh in calendar.working_hours.all()]
    calendar.working_hours.all().delete()
    WorkingHours.objects.bulk_create(rows)
    after = [str(wh) for wh in calendar.working_hours.all()]
    if before != after:
        history_record(obj=calendar, action="sla.business_calendar.hours_set", actor=actor,
                       changes={"working_hours": [before, after]})
    _recheck_clocks(Q(calendar=calendar))


@dataclass(frozen=True)
class HolidayInput:
    date: date
    name: str


@transaction.atomic
def business_calendar_set_holidays(*, calendar: BusinessCalendar, holidays: list[HolidayInput],
                                   actor: Actor) -> None:
    """Replace the calendar's own holidays (shared regional holidays are kept with holiday_create)."""
    calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    dates = [h.date for h in holidays]
    if len(set(dates)) != len(dates):
        raise DomainValidationError({"holidays": "Each date once."})
    for i, h in enumerate(holidays):
        if not (h.name or "").strip():
            raise DomainValidationError({f"holidays[{i}]": "A holiday needs a name."})
    before = [f"{h.date} {h.name}" for h in calendar.holidays.all()]
    calendar.holidays.all().delete()
    Holiday.objects.bulk_create(Holiday(calendar=calendar, date=h.date, name=h.name.strip()) for h in holidays)
    after = [f"{h.date} {h.name}" for h in calendar.holidays.all()]
    if before != after:
        history_record(obj=calendar, action="sla.business_calendar.holidays_set", actor=actor,
                       changes={"holidays": [before, after]})
    _recheck_clocks(Q(calendar=calendar))


@transaction.atomic
def holiday_create(*, date: date, name: str, region: str = "", actor: Actor) -> Holiday:
    """A shared holiday: observed by every calendar (blank region) or by the calendars of a region."""
    holiday = Holiday(calendar=None, date=date, name=name, region=(region or "").upper())
    _full_clean(holiday)
    holiday.save()
    history_record_created(obj=holiday, actor=actor, action="sla.holiday.created")
    _recheck_clocks(Q(time_basis=TimeBasis.BUSINESS))
    return holiday


@transaction.atomic
def holiday_update(*, holiday: Holiday, actor: Actor, date=UNSET, name=UNSET, region=UNSET) -> Holiday:
    holiday = Holiday.objects.select_for_update().get(pk=holiday.pk)
    with track_changes(holiday, action="sla.holiday.updated", actor=actor):
        _apply(holiday, {"date": date, "name": name, "region": region if region is UNSET else (region or "").upper()})
        _full_clean(holiday)
        holiday.save()
    _recheck_clocks(Q(time_basis=TimeBasis.BUSINESS))
    return holiday


def _recheck_clocks(condition: Q) -> None:
    """Configuration changed: running clocks it concerns are looked at by the next scan (their due
    dates stay: a clock keeps what it was started with)."""
    SlaClock.objects.filter(condition, state=SlaClock.State.RUNNING).update(next_check_at=sla_time.now())


# --- targets and escalation steps -----------------------------------------------------------------

def _check_target(target: SlaTarget) -> None:
    errors = {}
    try:
        info = clock_type_info(target.clock_type)
    except DomainValidationError as e:
        errors.update(e.field_errors)
        info = None
    if info is not None and info.steps and target.step and target.step not in info.steps:
        errors["step"] = [f"'{target.step}' is not a step of {target.clock_type} ({', '.join(info.steps)})."]
    known_types = info.known_types() if info is not None and target.type_code else None
    if known_types is not None and target.type_code not in known_types:
        errors["type_code"] = [f"'{target.type_code}' is not a type of {target.clock_type} "
                               f"({', '.join(sorted(known_types)) or 'none configured'})."]
    if target.time_basis == TimeBasis.BUSINESS and target.calendar_id is None:
        errors["calendar"] = ["Business time needs a calendar."]
    if errors:
        raise DomainValidationError(errors)
    _full_clean(target)


@transaction.atomic
def sla_target_create(*, name: str, clock_type: str, duration_minutes: int, step: str = "", priority: str = "",
                      segment: str = "", type_code: str = "", time_basis: str = TimeBasis.BUSINESS,
                      calendar: BusinessCalendar | None = None, jeopardy_margin_minutes: int = 0,
                      active: bool = True, description: str = "", actor: Actor) -> SlaTarget:
    target = SlaTarget(name=name, clock_type=clock_type, step=step or "", priority=priority or "",
                       segment=segment or "", type_code=type_code or "", time_basis=time_basis, calendar=calendar,
                       duration_minutes=duration_minutes, jeopardy_margin_minutes=jeopardy_margin_minutes,
                       active=active, description=description)
    _check_target(target)
    target.save()
    history_record_created(obj=target, actor=actor, action="sla.sla_target.created")
    return target


@transaction.atomic
def sla_target_update(*, target: SlaTarget, actor: Actor, name=UNSET, clock_type=UNSET, step=UNSET,
                      priority=UNSET, segment=UNSET, type_code=UNSET, time_basis=UNSET, calendar=UNSET,
                      duration_minutes=UNSET, jeopardy_margin_minutes=UNSET, active=UNSET,
                      description=UNSET) -> SlaTarget:
    """Clocks already started keep the duration, calendar and margin they started with."""
    target = SlaTarget.objects.select_for_update().get(pk=target.pk)
    with track_changes(target, action="sla.sla_target.updated", actor=actor):
        _apply(target, {"name": name, "clock_type": clock_type, "step": step, "priority": priority,
                        "segment": segment, "type_code": type_code, "time_basis": time_basis, "calendar": calendar,
                        "duration_minutes": duration_minutes, "jeopardy_margin_minutes": jeopardy_margin_minutes,
                        "active": active, "description": description})
        _check_target(target)
        target.save()
    return target


@dataclass(frozen=True)
class EscalationStepInput:
    level: int
    trigger: str
    delay_minutes: int = 0
    action: str = EscalationStep.Action.NOTIFY_ROLE
    role: str = ""
    message: str = ""


@transaction.atomic
def sla_target_set_escalation_steps(*, target: SlaTarget, steps: list[EscalationStepInput],
                                    actor: Actor) -> list[EscalationStep]:
    """Replace the target's escalation policy. A step that already fired for some clock is kept
    (its level may not be reused with another meaning) and updated in place."""
    target = SlaTarget.objects.select_for_update().get(pk=target.pk)
    levels = [s.level for s in steps]
    if len(set(levels)) != len(levels):
        raise DomainValidationError({"escalation_steps": "Each level once."})
    errors = {}
    for i, s in enumerate(steps):
        row = EscalationStep(target=target, level=s.level, trigger=s.trigger, delay_minutes=s.delay_minutes,
                             action=s.action, role=s.role or "", message=s.message or "")
        try:
            row.full_clean(exclude=["target"], validate_unique=False, validate_constraints=False)
        except ValidationError as e:
            errors[f"escalation_steps[{i}]"] = [m for ms in e.message_dict.values() for m in ms]
        if s.action in (EscalationStep.Action.NOTIFY_ROLE,) and not (s.role or "").strip():
            errors.setdefault(f"escalation_steps[{i}]", []).append("Notifying a role needs the role.")
    if errors:
        raise DomainValidationError(errors)
    existing = {st.level: st for st in target.escalation_steps.all()}
    before = [str(st) for st in existing.values()]
    fired_levels = set(Escalation.objects.filter(step__target=target).values_list("step__level", flat=True))
    wanted = {s.level: s for s in steps}
    gone = [lvl for lvl in existing if lvl not in wanted]
    if fired := sorted(set(gone) & fired_levels):
        raise DomainValidationError({"escalation_steps": f"Level(s) {fired} already fired; they stay."})
    EscalationStep.objects.filter(target=target, level__in=gone).delete()
    out = []
    for level, s in sorted(wanted.items()):
        row = existing.get(level) or EscalationStep(target=target, level=level)
        row.trigger, row.delay_minutes, row.action = s.trigger, s.delay_minutes, s.action
        row.role, row.message = s.role or "", s.message or ""
        row.save()
        out.append(row)
    after = [str(st) for st in out]
    if before != after:
        history_record(obj=target, action="sla.sla_target.escalation_steps_set", actor=actor,
                       changes={"escalation_steps": [before, after]})
    _recheck_clocks(Q(target=target))
    return out


def sla_target_for(*, clock_type: str, step: str = "", qualifiers: dict | None = None) -> SlaTarget | None:
    """The most specific active target: same step, then the qualifiers it names (blank = any).

    A target that names the clock's type (the ``type`` qualifier, e.g. the order type's code) beats one
    that does not, whatever else they name; then the priority counts, then the segment."""
    qualifiers = {k: str(v) for k, v in (qualifiers or {}).items() if v is not None}
    priority, segment, type_code = (qualifiers.get(k, "") for k in ("priority", "segment", "type"))
    candidates = SlaTarget.objects.filter(
        clock_type=clock_type, step=step or "", active=True,
        type_code__in={"", type_code}, priority__in={"", priority}, segment__in={"", segment},
    )
    best = sorted(candidates, key=lambda t: (bool(t.type_code), bool(t.priority), bool(t.segment), t.pk),
                  reverse=True)
    return best[0] if best else None


# --- clocks: loading and evaluation ---------------------------------------------------------------

class _Context:
    """What evaluating clocks needs, loaded once per scan batch or service call."""

    def __init__(self):
        self.calendars: dict[int, WorkingCalendar] = {}
        self.steps: dict[int, list[EscalationStep]] = {}

    def calendar(self, clock: SlaClock) -> WorkingCalendar:
        if clock.time_basis == TimeBasis.CALENDAR or clock.calendar_id is None:
            return ALWAYS_OPEN
        if clock.calendar_id not in self.calendars:
            cal = BusinessCalendar.objects.get(pk=clock.calendar_id)
            self.calendars[clock.calendar_id] = cal.working_calendar()
        return self.calendars[clock.calendar_id]

    def load_steps(self, target_ids) -> None:
        missing = {t for t in target_ids if t is not None and t not in self.steps}
        for t in missing:
            self.steps[t] = []
        for step in EscalationStep.objects.filter(target_id__in=missing).order_by("level"):
            self.steps[step.target_id].append(step)

    def steps_of(self, clock: SlaClock) -> list[EscalationStep]:
        if clock.target_id is None:
            return []
        self.load_steps([clock.target_id])
        return self.steps[clock.target_id]


def _tracked_objects(clocks: list[SlaClock], *, follow: bool = False) -> dict[tuple[int, str], models.Model]:
    """The tracked objects of a batch of clocks: one query per content type. ``follow`` (the
    set-based scan): load only the fields, and prefetch the relations, that the clock types' href,
    history root and str() read (see _learn_reads)."""
    by_type: dict[int, list[str]] = {}
    for c in clocks:
        by_type.setdefault(c.content_type_id, []).append(c.object_id)
    out = {}
    for ct_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None:
            continue
        pk_field = model._meta.pk
        pks = {pk_field.to_python(i) for i in ids}
        queryset = model._base_manager.filter(pk__in=pks)
        relations: list[str] = []
        if follow:
            infos = [info for t in sorted({c.clock_type for c in clocks if c.content_type_id == ct_id})
                     if (info := _safe_info(t)) is not None]
            fields, relations = _learn_reads(model, sorted(pks, key=str)[0], infos)
            queryset = queryset.only(*fields)
        loaded = list(queryset)
        if relations:
            models.prefetch_related_objects(loaded, *relations)
        for obj in loaded:
            out[(ct_id, str(obj.pk))] = obj
    return out


def _learn_reads(model: type[models.Model], pk, infos: list[ClockType]) -> tuple[list[str], list[str]]:
    """Which fields and relations the clock types' href and history root, and str(), read: learned
    on one object loaded with nothing but its key (each field it reads is loaded on first access,
    each relation it follows is cached on it). The others are then loaded with exactly those, and
    the relations in one query each, instead of every column and a query per object. An object a
    callable treats differently still works: it loads what else it reads itself."""
    probe = model._base_manager.only(model._meta.pk.name).filter(pk=pk).first()
    if probe is None:
        return [model._meta.pk.name], []
    for info in infos:
        info.root_of(probe)
        if info.href:
            info.href(probe)
    str(probe)
    deferred = probe.get_deferred_fields()
    fields = [f.attname for f in model._meta.concrete_fields if f.attname not in deferred]
    return fields, sorted(set(_cached_relations(probe)))


def _cached_relations(obj: models.Model, prefix: str = ""):
    for name, value in obj._state.fields_cache.items():
        if value is None or isinstance(value, models.Model):
            yield prefix + name
            if value is not None:
                yield from _cached_relations(value, f"{prefix}{name}__")


def _timings(steps: list[EscalationStep]) -> list[jeopardy.StepTiming]:
    return [jeopardy.StepTiming(key=s.pk, level=s.level, trigger=s.trigger, delay=timedelta(minutes=s.delay_minutes))
            for s in steps]


def _evaluate(clock: SlaClock, *, now: datetime, ctx: _Context, obj, info: ClockType | None, fired: set,
              use_provider: bool = True) -> SlaClock:
    """Assess a running clock (locked by the caller): jeopardy status, escalation steps due, the
    next moment to look again. Records history, publishes events and saves the clock."""
    cal = ctx.calendar(clock)
    if use_provider and info is not None and info.projection is not None and obj is not None:
        clock.projected_at = info.projection(obj, clock)
    margin = timedelta(minutes=clock.jeopardy_margin_minutes)
    status = jeopardy.jeopardy_status(cal, now=now, due=clock.due_at, projected=clock.projected_at, margin=margin)
    if status != clock.jeopardy_status:
        old = clock.jeopardy_status
        clock.jeopardy_status = status
        if status == jeopardy.ON_TRACK:
            clock.at_risk_since = None
        elif clock.at_risk_since is None:
            clock.at_risk_since = now
        if status == jeopardy.IN_JEOPARDY:
            # The moment it became overdue, however late the scan: "X minutes after the breach"
            # steps are timed from it.
            clock.breached_at = clock.breached_at or clock.due_at
        else:
            clock.breached_at = None
        root = info.root_of(obj) if info else obj
        history_record(
            obj=obj if obj is not None else clock, root=root if root is not None else clock,
            action="sla.clock.jeopardy_changed", actor=SYSTEM,
            changes={"jeopardy_status": [old, status]},
            reason=_describe(clock, f"{clock.get_jeopardy_status_display().lower()}"),
        )
        publish(JEOPARDY_ALERT, clock, payload=render_sla_clock(clock, obj=obj))
    steps = ctx.steps_of(clock)
    timings = _timings(steps)
    by_id = {s.pk: s for s in steps}
    for timing in jeopardy.steps_due(cal, timings, now=now, fired=fired, at_risk_since=clock.at_risk_since,
                                     breached_at=clock.breached_at):
        escalation = _fire(clock, by_id[timing.key], now=now, obj=obj, info=info)
        if escalation is not None:
            fired.add(timing.key)
    recheck = timedelta(minutes=info.recheck_minutes) if info and info.projection else None
    clock.next_check_at = jeopardy.next_check(
        cal, now=now, status=status, due=clock.due_at, margin=margin, steps=timings, fired=fired,
        at_risk_since=clock.at_risk_since, breached_at=clock.breached_at, recheck=recheck)
    clock.save()
    return clock


def _describe(clock: SlaClock, what: str) -> str:
    due = clock.due_at.isoformat() if clock.due_at else "none"
    projected = clock.projected_at.isoformat() if clock.projected_at else "none"
    step = f"/{clock.step}" if clock.step else ""
    return f"SLA {clock.clock_type}{step} {what} (due {due}, projected {projected})"


def _fire(clock: SlaClock, step: EscalationStep, *, now: datetime, obj, info) -> Escalation | None:
    """Record and publish one escalation; None when it had already fired (exactly once)."""
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                clock=clock, step=step, level=step.level, trigger=step.trigger, action=step.action, role=step.role,
                message=step.message, fired_at=now, due_at=clock.due_at, projected_at=clock.projected_at)
    except IntegrityError:
        return None
    old_level = clock.escalation_level
    clock.escalation_level = max(clock.escalation_level, step.level)  # saved by the caller
    root = info.root_of(obj) if info else obj
    history_record(
        obj=obj if obj is not None else clock, root=root if root is not None else clock,
        action="sla.clock.escalated", actor=SYSTEM,
        changes={"escalation_level": [old_level, clock.escalation_level]},
        reason=_escalation_reason(clock, step),
    )
    publish(SLA_ESCALATION, clock, payload=render_sla_clock(clock, obj=obj, escalation=escalation))
    return escalation


def _escalation_reason(clock: SlaClock, step: EscalationStep) -> str:
    action = step.get_action_display().lower()
    who = f" {step.role}" if step.role else ""
    return _describe(clock, f"escalated to level {step.level} ({step.get_trigger_display().lower()}): "
                            f"{action}{who}{': ' + step.message if step.message else ''}")


def _fired(clock_ids) -> dict[int, set]:
    out: dict[int, set] = {}
    for clock_id, step_id in Escalation.objects.filter(clock_id__in=list(clock_ids)).values_list("clock_id", "step_id"):
        out.setdefault(clock_id, set()).add(step_id)
    return out


def _open_clock(obj, clock_type: str, step: str | None) -> SlaClock | None:
    """The object's open clock of that type and step, locked."""
    return (SlaClock.objects.select_for_update()
            .filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk),
                    clock_type=clock_type, step=step or "", state__in=SlaClock.OPEN_STATES)
            .first())


def _reevaluate(clock: SlaClock, *, obj, now: datetime, use_provider: bool = True) -> SlaClock:
    info = clock_type_info(clock.clock_type)
    fired = _fired([clock.pk]).get(clock.pk, set())
    return _evaluate(clock, now=now, ctx=_Context(), obj=obj, info=info, fired=fired, use_provider=use_provider)


def _validated_qualifiers(info: ClockType, qualifiers: dict | None) -> dict:
    qualifiers = {k: v for k, v in (qualifiers or {}).items() if v not in (None, "")}
    unknown = sorted(set(qualifiers) - set(info.qualifiers))
    if unknown:
        raise DomainValidationError({"qualifiers": f"Unknown qualifier(s) {unknown}; known: {list(info.qualifiers)}."})
    return {k: str(v) for k, v in qualifiers.items()}


# --- clocks: use cases ----------------------------------------------------------------------------

@transaction.atomic
def sla_clock_start(*, obj, clock_type: str, step: str | None = None, committed_at: datetime | None = None,
                    qualifiers: dict | None = None, actor: Actor) -> SlaClock:
    """Start the object's clock of this type (and step) now. The due date is the explicit committed
    date when given, else started + the most specific active target's duration (in its time basis).
    Starting a clock that is already open returns it unchanged (safe to repeat)."""
    info = clock_type_info(clock_type)
    step = step or ""
    if info.steps and step and step not in info.steps:
        raise DomainValidationError({"step": f"'{step}' is not a step of {clock_type}."})
    qualifiers = _validated_qualifiers(info, qualifiers)
    if committed_at is not None and committed_at.tzinfo is None:
        raise DomainValidationError({"committed_at": "The committed date needs a time zone."})
    existing = _open_clock(obj, clock_type, step)
    if existing is not None:
        return existing
    now = sla_time.now()
    target = sla_target_for(clock_type=clock_type, step=step, qualifiers=qualifiers)
    clock = SlaClock(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk), object_repr=str(obj)[:200],
        clock_type=clock_type, step=step, qualifiers=qualifiers, target=target, started_at=now,
        committed_at=committed_at, next_check_at=now,
    )
    if target is not None:
        clock.time_basis, clock.calendar_id = target.time_basis, target.calendar_id
        clock.jeopardy_margin_minutes = target.jeopardy_margin_minutes
        cal = _Context().calendar(clock)
        clock.target_due_at = add_business_time(cal, now, timedelta(minutes=target.duration_minutes))
    clock.due_at = committed_at or clock.target_due_at
    try:
        with transaction.atomic():
            clock.save()
    except IntegrityError:  # started concurrently by another request: that clock it is
        return _open_clock(obj, clock_type, step)
    history_record_created(obj=clock, actor=actor, action="sla.clock.started", root=info.root_of(obj))
    return _reevaluate(clock, obj=obj, now=now)


@transaction.atomic
def sla_clock_pause(*, obj, clock_type: str, step: str | None = None, reason: str, actor: Actor) -> SlaClock | None:
    """Stop counting (e.g. waiting on the customer); the paused time is not counted."""
    if not (reason or "").strip():
        raise DomainValidationError({"reason": "Say why the clock is paused."})
    clock = _open_clock(obj, clock_type, step)
    if clock is None or clock.state == SlaClock.State.PAUSED:
        return clock
    now = sla_time.now()
    clock.next_check_at = None
    fsm_transition(clock, "pause", actor=actor, reason=reason, action="sla.clock.paused",
                   root=clock_type_info(clock_type).root_of(obj), state_field="state")
    SlaPause.objects.create(clock=clock, paused_at=now, reason=reason.strip()[:300], paused_by=actor.label)
    return clock


def _close_pause(clock: SlaClock, *, now: datetime, actor: Actor) -> None:
    """End the open pause; the due date moves on by the business time paused before it."""
    pause = clock.pauses.select_for_update().filter(resumed_at__isnull=True).first()
    if pause is None:
        return
    pause.resumed_at, pause.resumed_by = now, actor.label
    pause.save(update_fields=["resumed_at", "resumed_by"])
    if clock.due_at is not None and pause.paused_at < clock.due_at:
        cal = _Context().calendar(clock)
        clock.due_at = add_business_time(cal, clock.due_at, business_time_between(cal, pause.paused_at, now))


@transaction.atomic
def sla_clock_resume(*, obj, clock_type: str, step: str | None = None, actor: Actor,
                     reason: str = "") -> SlaClock | None:
    clock = _open_clock(obj, clock_type, step)
    if clock is None or clock.state == SlaClock.State.RUNNING:
        return clock
    now = sla_time.now()
    _close_pause(clock, now=now, actor=actor)
    fsm_transition(clock, "resume", actor=actor, reason=reason, action="sla.clock.resumed",
                   root=clock_type_info(clock_type).root_of(obj), state_field="state")
    return _reevaluate(clock, obj=obj, now=now)


@transaction.atomic
def sla_clock_stop(*, obj, clock_type: str, step: str | None = None, completed: bool = True, actor: Actor,
                   reason: str = "") -> SlaClock | None:
    """Stop the clock: completed work is *met* when done by the due date, else *breached*; work
    that will not be completed (e.g. a cancelled order) is *stopped*."""
    clock = _open_clock(obj, clock_type, step)
    if clock is None:
        return None
    now = sla_time.now()
    _close_pause(clock, now=now, actor=actor)
    if not completed:
        transition = "stop"
    elif clock.due_at is None or now <= clock.due_at:
        transition = "meet"
    else:
        transition = "breach"
    clock.stopped_at, clock.next_check_at = now, None
    fsm_transition(clock, transition, actor=actor, reason=reason, action=f"sla.clock.{clock_state_word(transition)}",
                   root=clock_type_info(clock_type).root_of(obj), state_field="state")
    return clock


def clock_state_word(transition: str) -> str:
    return {"stop": "stopped", "meet": "met", "breach": "breached"}[transition]


@transaction.atomic
def sla_clock_update_projection(*, obj, clock_type: str, step: str | None = None,
                                projected_at: datetime | None, actor: Actor) -> SlaClock | None:
    """The owning app's projected completion changed (for clock types without a provider)."""
    if projected_at is not None and projected_at.tzinfo is None:
        raise DomainValidationError({"projected_at": "The projected date needs a time zone."})
    clock = _open_clock(obj, clock_type, step)
    if clock is None:
        return None
    if clock.projected_at != projected_at:
        with track_changes(clock, action="sla.clock.projection_updated", actor=actor,
                           root=clock_type_info(clock_type).root_of(obj)):
            clock.projected_at = projected_at
            clock.save(update_fields=["projected_at", "updated_at"])
    if clock.state == SlaClock.State.RUNNING:
        _reevaluate(clock, obj=obj, now=sla_time.now(), use_provider=False)
    return clock


@transaction.atomic
def sla_clock_set_committed(*, obj, clock_type: str, step: str | None = None, committed_at: datetime | None,
                            actor: Actor, reason: str = "") -> SlaClock | None:
    """A (re)negotiated committed date: it becomes the due date (None: back to the target's)."""
    if committed_at is not None and committed_at.tzinfo is None:
        raise DomainValidationError({"committed_at": "The committed date needs a time zone."})
    clock = _open_clock(obj, clock_type, step)
    if clock is None:
        return None
    with track_changes(clock, action="sla.clock.committed_date_set", actor=actor, reason=reason,
                       root=clock_type_info(clock_type).root_of(obj)):
        clock.committed_at = committed_at
        clock.due_at = committed_at or clock.target_due_at
        clock.save()
    if clock.state == SlaClock.State.RUNNING:
        _reevaluate(clock, obj=obj, now=sla_time.now())
    return clock


# --- the scan -------------------------------------------------------------------------------------
#
# Two paths over the running clocks whose next_check_at has come (index sla_clock_scan_idx):
#
# - set-based, for clocks on plain elapsed time (calendar time, no calendar, or a 24x7 calendar) whose
#   type has no projection provider: the common case, e.g. customer orders due at their committed date.
#   One statement per batch locks the batch (FOR UPDATE SKIP LOCKED), moves the jeopardy statuses,
#   inserts the escalation steps that are due (ON CONFLICT on the (clock, step) unique row: once) and
#   sets the next check, all in SQL. Python then writes the history rows and outbox events of the
#   clocks whose status changed or that escalated, with one multi-row INSERT each.
# - per clock, for business-time calendars and provider-backed clock types (and as the fallback when
#   a set-based batch fails): each clock assessed in Python (bss.sla.jeopardy), as before.
#
# Both give the same statuses, escalations, history and events (tests/bss/sla/test_scan_set_based.py).

SET_SCAN_BATCH = 5000
FAN_OUT_CHUNK = 500  # outbox events fanned out per Celery message (celery.starmap)


def sla_scan(*, now: datetime | None = None, batch_size: int = SCAN_BATCH, max_batches: int = 1000,
             set_batch_size: int = SET_SCAN_BATCH, set_based: bool = True) -> dict:
    """Evaluate every running clock that is due for a look (``next_check_at <= now``), in batches,
    each in its own transaction with the rows locked (SKIP LOCKED: two scans at once share the work,
    never do it twice). Re-running it at the same moment changes nothing.

    Clocks on plain elapsed time without a projection provider go the set-based way (``set_based``,
    ``set_batch_size`` rows a statement, on PostgreSQL); the others are assessed one by one (``batch_size``)."""
    now = now or sla_time.now()
    totals = {"clocks": 0, "escalations": 0, "jeopardy_changes": 0, "failed": 0}
    plain = _PlainTime.now_configured()
    per_clock = SlaClock.objects.all()
    from django.db import connection

    # The set-based statement is PostgreSQL's; the embedded SQLite run assesses clocks one by one.
    if set_based and connection.vendor == "postgresql":
        try:
            _scan_set_based(now=now, plain=plain, batch_size=set_batch_size, max_batches=max_batches,
                            totals=totals)
        except Exception:  # e.g. an app's href or history root failing on one object: assess per clock
            log.exception("set-based SLA scan failed; the remaining clocks are assessed one by one")
        else:
            per_clock = per_clock.filter(plain.excluded())
    _scan_per_clock(per_clock, now=now, batch_size=batch_size, max_batches=max_batches, totals=totals)
    return totals


def _scan_per_clock(clocks: models.QuerySet, *, now: datetime, batch_size: int, max_batches: int,
                    totals: dict) -> None:
    for _ in range(max_batches):
        with transaction.atomic():
            batch = list(
                clocks.select_for_update(skip_locked=True)
                .filter(state=SlaClock.State.RUNNING, next_check_at__lte=now)
                .order_by("next_check_at", "pk")[:batch_size]
            )
            if not batch:
                break
            ctx = _Context()
            ctx.load_steps({c.target_id for c in batch})
            fired = _fired(c.pk for c in batch)
            objects = _tracked_objects(batch)
            escalations_before = sum(len(v) for v in fired.values())
            for clock in batch:
                before = clock.jeopardy_status
                info = _safe_info(clock.clock_type)
                try:
                    with transaction.atomic():
                        _evaluate(clock, now=now, ctx=ctx,
                                  obj=objects.get((clock.content_type_id, clock.object_id)),
                                  info=info, fired=fired.setdefault(clock.pk, set()))
                except Exception:  # one broken clock (e.g. a provider failing) must not stop the scan
                    log.exception("SLA clock %s could not be evaluated; retried in %s", clock.pk, RETRY_BROKEN)
                    SlaClock.objects.filter(pk=clock.pk).update(next_check_at=now + RETRY_BROKEN)
                    totals["failed"] += 1
                    continue
                totals["jeopardy_changes"] += clock.jeopardy_status != before
            totals["clocks"] += len(batch)
            totals["escalations"] += sum(len(v) for v in fired.values()) - escalations_before
        if len(batch) < batch_size:
            break


def _safe_info(key: str) -> ClockType | None:
    """A clock of a type no app registers any more is still assessed (without a provider)."""
    try:
        return clock_type_info(key)
    except DomainValidationError:
        return None


# --- the scan, set-based --------------------------------------------------------------------------

@dataclass(frozen=True)
class _PlainTime:
    """Which clocks the set-based path may take: elapsed-time arithmetic (calendar time, no calendar,
    or a 24x7 calendar) and no projection provider to call."""

    provider_types: tuple[str, ...]

    @classmethod
    def now_configured(cls) -> _PlainTime:
        from .registry import clock_types

        return cls(provider_types=tuple(sorted(k for k, t in clock_types().items() if t.projection is not None)))

    def excluded(self) -> Q:
        """The clocks the set-based path leaves to the per-clock path."""
        business = ~Q(time_basis=TimeBasis.CALENDAR) & Q(
            calendar_id__in=BusinessCalendar.objects.filter(always_open=False).values("pk"))
        return business | Q(clock_type__in=self.provider_types)


# What the statement returns of each clock: what rendering its events and history reads.
_RETURNED = ("id", "content_type_id", "object_id", "object_repr", "clock_type", "step", "target_id", "time_basis",
             "state", "started_at", "committed_at", "target_due_at", "due_at", "projected_at", "jeopardy_status",
             "at_risk_since", "breached_at", "escalation_level")


class _ClockRow:
    """A clock as the set-based statement returned it, with the attributes render_sla_clock and the
    history reasons read: no model instance per clock."""

    __slots__ = _RETURNED
    _labels = None

    def __init__(self, values):
        for name, value in zip(_RETURNED, values, strict=True):
            setattr(self, name, value)

    @property
    def pk(self):
        return self.id

    def get_jeopardy_status_display(self) -> str:
        if _ClockRow._labels is None:
            _ClockRow._labels = dict(SlaClock._meta.get_field("jeopardy_status").flatchoices)
        return _ClockRow._labels.get(self.jeopardy_status, self.jeopardy_status)

    def as_model(self) -> SlaClock:
        """For history on the clock itself (its tracked object is gone) and the outbox's type check."""
        return SlaClock(**{name: getattr(self, name) for name in _RETURNED})


class _FiredStep:
    """An escalation the statement inserted, as _escalation_reason and render_sla_clock read it."""

    __slots__ = ("id", "step_id", "level", "trigger", "action", "role", "message", "fired_at")
    _labels = None

    def __init__(self, values, fired_at):
        self.id, self.step_id, self.level, self.trigger, self.action, self.role, self.message = values
        self.fired_at = fired_at

    @classmethod
    def _label(cls, field: str, value: str) -> str:
        if cls._labels is None:
            cls._labels = {f: dict(EscalationStep._meta.get_field(f).flatchoices) for f in ("trigger", "action")}
        return cls._labels[field].get(value, value)

    def get_trigger_display(self) -> str:
        return self._label("trigger", self.trigger)

    def get_action_display(self) -> str:
        return self._label("action", self.action)


def set_scan_statement() -> str:
    """The one statement a set-based batch runs (bench/bench_order_jeopardy.py EXPLAINs it).

    Parameters: now, wall (updated_at), after_at / after_id (keyset: the batch starts after the last
    clock of the previous one), provider_types, limit. The jeopardy rules are those of
    bss.sla.jeopardy on elapsed time: in jeopardy from the due date; at risk once the projection (or
    now, whichever is later) is within the margin of it; a step fires at its trigger + delay; the next
    check is the earliest of the margin's start, the due date and the next unfired step, if after now.
    Every value is computed from the row as locked (picked), never from an earlier snapshot."""
    clock, step, escalation, calendar = (SlaClock._meta.db_table, EscalationStep._meta.db_table,
                                         Escalation._meta.db_table, BusinessCalendar._meta.db_table)
    returning = ", ".join(f'c."{column}"' for column in _RETURNED)
    margin = "p.jeopardy_margin_minutes * INTERVAL '1 minute'"
    return f"""
WITH picked AS MATERIALIZED (
    SELECT id, target_id, due_at, projected_at, jeopardy_margin_minutes, jeopardy_status AS old_status,
           at_risk_since AS old_since, breached_at AS old_breached, escalation_level AS old_level,
           next_check_at AS old_check
    FROM {clock}
    WHERE state = 'running' AND next_check_at <= %(now)s
      AND next_check_at >= %(after_at)s AND (next_check_at, id) > (%(after_at)s, %(after_id)s)
      AND (time_basis = 'calendar' OR calendar_id IS NULL
           OR calendar_id IN (SELECT id FROM {calendar} WHERE always_open))
      AND clock_type <> ALL(%(provider_types)s)
    ORDER BY next_check_at, id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
), assessed AS MATERIALIZED (
    SELECT p.*, s.status,
           CASE WHEN s.status = p.old_status THEN p.old_since
                WHEN s.status = 'on_track' THEN NULL
                ELSE COALESCE(p.old_since, %(now)s) END AS since,
           CASE WHEN s.status = p.old_status THEN p.old_breached
                WHEN s.status = 'in_jeopardy' THEN COALESCE(p.old_breached, p.due_at) END AS breached,
           p.due_at - {margin} AS at_risk_from
    FROM picked p CROSS JOIN LATERAL (SELECT CASE
        WHEN p.due_at IS NULL THEN 'on_track'
        WHEN %(now)s >= p.due_at THEN 'in_jeopardy'
        WHEN GREATEST(p.projected_at, %(now)s) >= p.due_at - {margin} THEN 'at_risk'
        ELSE 'on_track' END AS status) s
), timed AS MATERIALIZED (
    SELECT a.id AS clock_id, st.id AS step_id, st.level,
           CASE st.trigger WHEN 'at_risk' THEN a.since ELSE a.breached END
               + st.delay_minutes * INTERVAL '1 minute' AS fires_at
    FROM assessed a JOIN {step} st ON st.target_id = a.target_id
    WHERE NOT EXISTS (SELECT 1 FROM {escalation} e WHERE e.clock_id = a.id AND e.step_id = st.id)
), fired AS (
    INSERT INTO {escalation} (clock_id, step_id, level, trigger, action, role, message, fired_at, due_at,
                              projected_at)
    SELECT a.id, st.id, st.level, st.trigger, st.action, st.role, st.message, %(now)s, a.due_at, a.projected_at
    FROM timed t JOIN assessed a ON a.id = t.clock_id JOIN {step} st ON st.id = t.step_id
    WHERE t.fires_at <= %(now)s
    ORDER BY a.old_check, a.id, st.level
    ON CONFLICT (clock_id, step_id) DO NOTHING
    RETURNING id, clock_id, step_id, level, trigger, action, role, message
), fired_by_clock AS (
    SELECT clock_id, max(level) AS top,
           json_agg(json_build_array(id, step_id, level, trigger, action, role, message) ORDER BY level) AS fired
    FROM fired GROUP BY clock_id
), next_step AS (
    SELECT clock_id, min(fires_at) AS at FROM timed WHERE fires_at > %(now)s GROUP BY clock_id
)
UPDATE {clock} c SET
    jeopardy_status = a.status,
    at_risk_since = a.since,
    breached_at = a.breached,
    escalation_level = GREATEST(a.old_level, COALESCE(f.top, 0)),
    next_check_at = LEAST(
        CASE WHEN a.status = 'on_track' AND a.at_risk_from > %(now)s THEN a.at_risk_from END,
        CASE WHEN a.status <> 'in_jeopardy' AND a.due_at > %(now)s THEN a.due_at END,
        n.at),
    updated_at = %(wall)s
FROM assessed a LEFT JOIN fired_by_clock f ON f.clock_id = a.id LEFT JOIN next_step n ON n.clock_id = a.id
WHERE c.id = a.id
RETURNING {returning}, a.old_status, a.old_level, a.old_check, f.fired
"""


def set_scan_parameters(*, now: datetime, limit: int, plain: _PlainTime | None = None, after=None) -> dict:
    plain = plain or _PlainTime.now_configured()
    after_at, after_id = after or (datetime(1, 1, 1, tzinfo=UTC), 0)
    return {"now": now, "wall": timezone.now(), "after_at": after_at, "after_id": after_id,
            "provider_types": list(plain.provider_types),
            "limit": limit}


def _scan_set_based(*, now: datetime, plain: _PlainTime, batch_size: int, max_batches: int, totals: dict) -> None:
    sql, after, width = set_scan_statement(), None, len(_RETURNED)
    for _ in range(max_batches):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, set_scan_parameters(now=now, plain=plain, limit=batch_size, after=after))
            rows = cursor.fetchall()
            if not rows:
                break
            rows.sort(key=lambda r: (r[width + 2], r[0]))  # as picked: (next_check_at before, id)
            after = (rows[-1][width + 2], rows[-1][0])
            with _no_cyclic_gc():
                batch = [(_ClockRow(row[:width]), row[width], row[width + 1], row[width + 3] or []) for row in rows]
                changes, escalations = _record_set_batch(batch, now=now)
            totals["clocks"] += len(batch)
            totals["jeopardy_changes"] += changes
            totals["escalations"] += escalations
        if len(rows) < batch_size:
            break


@contextmanager
def _no_cyclic_gc():
    """Rendering a batch allocates hundreds of thousands of short-lived, acyclic objects (rows,
    dicts, strings); the cyclic collector's passes over the whole process during it cost about a
    third of the Python time and free nothing. Reference counting still frees them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _record_set_batch(batch: list, *, now: datetime) -> tuple[int, int]:
    """History and outbox rows for a batch the statement moved: per clock, as the per-clock path
    writes them (the jeopardy change, then each escalation, lowest level first)."""
    todo = [b for b in batch if b[0].jeopardy_status != b[1] or b[3]]
    if not todo:
        return 0, 0
    objects = _tracked_objects([b[0] for b in todo], follow=True)
    history: list[dict] = []
    events: list[tuple] = []
    changes = escalations = 0
    infos: dict[str, ClockType | None] = {}
    for clock, old_status, old_level, fired in todo:
        if clock.clock_type not in infos:
            infos[clock.clock_type] = _safe_info(clock.clock_type)
        info = infos[clock.clock_type]
        obj = objects.get((clock.content_type_id, clock.object_id))
        subject = obj if obj is not None else clock.as_model()
        root = info.root_of(obj) if info else obj
        where = history_row_target(subject, root if root is not None else subject)
        final_level, clock.escalation_level = clock.escalation_level, old_level
        if clock.jeopardy_status != old_status:
            changes += 1
            history.append({**where, "action": "sla.clock.jeopardy_changed",
                            "changes": {"jeopardy_status": [old_status, clock.jeopardy_status]},
                            "reason": _describe(clock, f"{clock.get_jeopardy_status_display().lower()}")})
            events.append((JEOPARDY_ALERT, clock.id, render_sla_clock(clock, obj=obj)))
        for values in fired:
            escalations += 1
            step = _FiredStep(values, now)
            before, clock.escalation_level = clock.escalation_level, max(clock.escalation_level, step.level)
            history.append({**where, "action": "sla.clock.escalated",
                            "changes": {"escalation_level": [before, clock.escalation_level]},
                            "reason": _escalation_reason(clock, step)})
            events.append((SLA_ESCALATION, clock.id, render_sla_clock(clock, obj=obj, escalation=step)))
        clock.escalation_level = final_level
    history_record_many(history, actor=SYSTEM)  # one INSERT each: bss.audit, bss.events
    publish_many(events, sample=todo[0][0].as_model(), chunk=FAN_OUT_CHUNK, json_ready=True)  # render_sla_clock
    return changes, escalations


