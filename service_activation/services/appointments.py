"""Appointments for manual work orders (field installation, CPE delivery; eTOM 1.1.2.2.3 scheduling): a team's
bookable slots, each with a configured capacity, and the window agreed with the customer for one work order.

- ``appointment_slots_open``: open a team's slots over a range of days (windows of the day, weekdays, capacity);
  an existing slot keeps its capacity (``appointment_slot_set_capacity`` changes one, never below what is booked).
- ``appointment_book`` / ``appointment_rebook`` / ``appointment_cancel``: under the service order's and the work
  order's locks (the order every writer takes), then the slot's: two bookings never take a slot past its capacity.
  The booked window is copied onto the work order (``appointment_start`` / ``appointment_end``), which the
  worklist and the service order page show. A booking is for a manual step still to be done, in a future slot of
  the work order's team (the assignment rule's team, else its specialty). Each is one history row on the work
  order and one ServiceOrderAttributeValueChangeEvent.
- A work order with a booked appointment cannot be completed before its window starts
  (``appointment_check_completion``, called by work_order_complete): the visit has not happened. If it did happen
  earlier, rebook the appointment to when it happened, then complete it. Completing late (after the window) is
  allowed: the work was done.
- A cancelled service order gives its appointments' places back (``appointments_release_for``, on the order's state
  change); a cancelled work order's booking no longer counts against the slot meanwhile.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from bss.actors import Actor
from bss.audit.services import history_record
from bss.errors import ApplicationError, DomainValidationError
from bss.events import publish
from bss.fsm import fsm_transition
from service_activation.events import SERVICE_ORDER_ATTRIBUTE_VALUE_CHANGE
from service_activation.models import Appointment, AppointmentSlot, ServiceOrder, WorkOrder

A = Appointment.Status
WO = WorkOrder.Status
BOOKABLE_STATUSES = (WO.WAITING, WO.READY, WO.IN_PROGRESS)
ORDER_STATES = (ServiceOrder.State.ACKNOWLEDGED, ServiceOrder.State.IN_PROGRESS, ServiceOrder.State.HELD,
                ServiceOrder.State.PENDING)
MAX_SLOTS_OPENED = 2000
MAX_DAYS = 365


def _counting() -> Q:
    """The bookings that hold a place in their slot: booked, for a work order that still needs the visit."""
    return Q(appointments__status=A.BOOKED) & ~Q(appointments__work_order__status__in=[WO.CANCELLED, WO.DONE,
                                                                                        WO.ROLLED_BACK])


def slots_with_load(qs=None):
    """Slots annotated with ``booked`` (places taken) and ``free`` (places left)."""
    from django.db.models import F

    qs = AppointmentSlot.objects.all() if qs is None else qs
    return qs.annotate(booked=Count("appointments", filter=_counting())).annotate(free=F("capacity") - F("booked"))


def free_slots(*, team: str, now: dt.datetime | None = None, days: int = 21):
    """The team's future slots with a place left, soonest first."""
    now = now or timezone.now()
    return slots_with_load(AppointmentSlot.objects.filter(
        team=team, starts_at__gt=now, starts_at__lt=now + dt.timedelta(days=days))).filter(free__gt=0).order_by(
        "starts_at", "pk")


def work_order_team(wo: WorkOrder) -> str:
    from service_activation.services.assignment import work_order_team as team

    return team(wo)


# --- slots -----------------------------------------------------------------------------------------------

def _parse_windows(windows) -> list[tuple[dt.time, dt.time]]:
    out = []
    for w in windows or []:
        parts = list(w) if isinstance(w, list | tuple) else str(w).split("-", 1)
        try:
            start, end = (p if isinstance(p, dt.time) else dt.time.fromisoformat(str(p).strip()) for p in parts)
        except (ValueError, TypeError):
            raise DomainValidationError({"windows": f"'{w}' is not a window such as 08:00-12:00."}) from None
        if end <= start:
            raise DomainValidationError({"windows": f"The window {start:%H:%M}-{end:%H:%M} ends before it starts."})
        out.append((start, end))
    if not out:
        raise DomainValidationError({"windows": "At least one window of the day, such as 08:00-12:00."})
    return out


@transaction.atomic
def appointment_slots_open(*, team: str, first_day: dt.date, last_day: dt.date, windows, capacity: int,
                           actor: Actor, weekdays=(0, 1, 2, 3, 4)) -> int:
    """Open the team's slots: each window on each chosen weekday (0 is Monday) from ``first_day`` to ``last_day``
    (times in the project's time zone). A slot already open is left as it is. Returns how many were opened."""
    errors = {}
    team = (team or "").strip()
    if not team:
        errors["team"] = ["Name the team."]
    if capacity is None or int(capacity) < 1:
        errors["capacity"] = ["At least 1 appointment a slot."]
    if first_day and last_day and last_day < first_day:
        errors["last_day"] = ["The last day is before the first."]
    elif first_day and last_day and (last_day - first_day).days > MAX_DAYS:
        errors["last_day"] = [f"At most {MAX_DAYS + 1} days at once."]
    weekdays = sorted({int(d) for d in weekdays or []})
    if not weekdays or any(d not in range(7) for d in weekdays):
        errors["weekdays"] = ["Choose the days of the week (0 is Monday)."]
    try:
        parsed = _parse_windows(windows)
    except DomainValidationError as e:
        errors.update(e.field_errors)
    if errors:
        raise DomainValidationError(errors)
    days = [first_day + dt.timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    zone = timezone.get_current_timezone()
    rows = [AppointmentSlot(team=team, capacity=int(capacity),
                            starts_at=timezone.make_aware(dt.datetime.combine(d, s), zone),
                            ends_at=timezone.make_aware(dt.datetime.combine(d, e), zone))
            for d in days if d.weekday() in weekdays for s, e in parsed]
    if len(rows) > MAX_SLOTS_OPENED:
        raise DomainValidationError({"last_day": f"At most {MAX_SLOTS_OPENED} slots at once: open fewer days."})
    existing = set(AppointmentSlot.objects.filter(team=team, starts_at__in=[r.starts_at for r in rows])
                   .values_list("starts_at", flat=True))
    new = [r for r in rows if r.starts_at not in existing]
    AppointmentSlot.objects.bulk_create(new)
    for slot in AppointmentSlot.objects.filter(team=team, starts_at__in=[r.starts_at for r in new]):
        history_record(obj=slot, action="service_activation.appointment_slot.opened", actor=actor,
                       changes={"capacity": [None, slot.capacity]})
    return len(new)


@transaction.atomic
def appointment_slot_set_capacity(*, slot_id: int, capacity: int, actor: Actor, reason: str = "") -> AppointmentSlot:
    slot = AppointmentSlot.objects.select_for_update().filter(pk=slot_id).first()
    if slot is None:
        raise DomainValidationError({"slot": "Not found."})
    booked = slots_with_load(AppointmentSlot.objects.filter(pk=slot.pk)).get().booked
    if capacity is None or int(capacity) < booked:
        raise DomainValidationError({"capacity": f"{booked} appointments are booked in this slot: rebook some "
                                                 "before lowering its capacity below that."})
    if int(capacity) != slot.capacity:
        history_record(obj=slot, action="service_activation.appointment_slot.capacity", actor=actor, reason=reason,
                       changes={"capacity": [slot.capacity, int(capacity)]})
        slot.capacity = int(capacity)
        slot.save(update_fields=["capacity"])
    return slot


# --- booking ---------------------------------------------------------------------------------------------

def _lock(work_order_id: int) -> tuple[ServiceOrder, WorkOrder]:
    """The service order first, then the work order: the lock order of every work order writer (services.
    service_orders)."""
    so_id = WorkOrder.objects.filter(pk=work_order_id).values_list("item__service_order_id", flat=True).first()
    if so_id is None:
        raise DomainValidationError({"work_order": "Not found."})
    so = ServiceOrder.objects.select_for_update(of=("self",)).select_related("customer").get(pk=so_id)
    wo = WorkOrder.objects.select_for_update(of=("self",)).select_related("item").get(pk=work_order_id)
    return so, wo


def _bookable(so: ServiceOrder, wo: WorkOrder) -> None:
    if not wo.manual:
        raise ApplicationError(f"“{wo.name}” is done by the network: it needs no appointment.")
    if wo.status not in BOOKABLE_STATUSES:
        raise ApplicationError(f"“{wo.name}” is {wo.get_status_display().lower()}: there is no visit to book.")
    if so.state not in ORDER_STATES:
        raise ApplicationError(f"Service order {so.order_number} is {so.get_state_display().lower()}.")


def _slot_for(wo: WorkOrder, slot_id, *, window_start=None, window_end=None, now=None, ignore=None):
    """Lock the chosen slot and check it can take this work order; returns (slot, window_start, window_end)."""
    now = now or timezone.now()
    slot = AppointmentSlot.objects.select_for_update().filter(pk=slot_id).first() if slot_id else None
    if slot is None:
        raise DomainValidationError({"slot": "Choose one of the team's open slots."})
    team = work_order_team(wo)
    errors = {}
    if slot.team != team:
        errors["slot"] = [f"That slot is the {slot.team} team's; “{wo.name}” is for {team or 'no team'}."]
    elif slot.starts_at <= now:
        errors["slot"] = ["That slot has already started: choose a later one."]
    start, end = window_start or slot.starts_at, window_end or slot.ends_at
    if not (slot.starts_at <= start < end <= slot.ends_at):
        errors["window_start"] = [f"The agreed window lies within the slot ({slot.starts_at:%H:%M}–"
                                  f"{slot.ends_at:%H:%M}) and ends after it starts."]
    if errors:
        raise DomainValidationError(errors)
    taken = slot.appointments.filter(status=A.BOOKED).exclude(
        work_order__status__in=[WO.CANCELLED, WO.DONE, WO.ROLLED_BACK])
    if ignore is not None:
        taken = taken.exclude(pk=ignore.pk)
    if taken.count() >= slot.capacity:
        raise ApplicationError(f"The slot {slot} is full ({slot.capacity} booked): choose another.",
                               code="slot_full")
    return slot, start, end


def _booked(wo: WorkOrder) -> Appointment | None:
    return wo.appointments.select_for_update().filter(status=A.BOOKED).first()


def _show_on(wo: WorkOrder, appointment: Appointment | None) -> None:
    wo.appointment_start = appointment.window_start if appointment else None
    wo.appointment_end = appointment.window_end if appointment else None
    wo.save(update_fields=["appointment_start", "appointment_end"])


def _record(so, wo, *, action: str, actor: Actor, before, after, reason: str = "") -> None:
    def show(a):
        return None if a is None else f"{a.window_start:%Y-%m-%d %H:%M}–{a.window_end:%H:%M} ({a.slot.team})"

    history_record(obj=wo, action=f"service_activation.work_order.appointment_{action}", actor=actor,
                   root=so.customer or so, reason=reason, changes={"appointment": [show(before), show(after)]})
    publish(SERVICE_ORDER_ATTRIBUTE_VALUE_CHANGE, so)


@transaction.atomic
def appointment_book(*, work_order_id: int, slot_id: int, actor: Actor, window_start: dt.datetime | None = None,
                     window_end: dt.datetime | None = None, note: str = "",
                     now: dt.datetime | None = None) -> Appointment:
    """Book the window the customer agreed to, in one of the team's slots (409 when the slot is full or the work
    order already has one: rebook it instead)."""
    so, wo = _lock(work_order_id)
    _bookable(so, wo)
    if _booked(wo) is not None:
        raise ApplicationError(f"“{wo.name}” already has an appointment: rebook it instead.", code="already_booked")
    slot, start, end = _slot_for(wo, slot_id, window_start=window_start, window_end=window_end, now=now)
    appointment = Appointment.objects.create(work_order=wo, slot=slot, window_start=start, window_end=end,
                                             note=(note or "")[:500], booked_by=actor.user if actor.user_id else None)
    _show_on(wo, appointment)
    _record(so, wo, action="booked", actor=actor, before=None, after=appointment, reason=note)
    return appointment


@transaction.atomic
def appointment_rebook(*, work_order_id: int, slot_id: int, actor: Actor, reason: str,
                       window_start: dt.datetime | None = None, window_end: dt.datetime | None = None,
                       note: str = "", now: dt.datetime | None = None) -> Appointment:
    """Move the work order's appointment to another slot (or another window in the same slot): the old one is kept,
    ``rescheduled``, pointing at the new one."""
    if not (reason or "").strip():
        raise DomainValidationError({"reason": "Say why the appointment moves (who asked)."})
    so, wo = _lock(work_order_id)
    _bookable(so, wo)
    old = _booked(wo)
    if old is None:
        raise ApplicationError(f"“{wo.name}” has no appointment to rebook: book one.", code="not_booked")
    slot, start, end = _slot_for(wo, slot_id, window_start=window_start, window_end=window_end, now=now, ignore=old)
    fsm_transition(old, "reschedule", actor=actor, record=False)
    new = Appointment.objects.create(work_order=wo, slot=slot, window_start=start, window_end=end,
                                     note=(note or old.note)[:500], booked_by=actor.user if actor.user_id else None)
    old.replaced_by = new
    old.cancellation_reason = reason[:500]
    old.save(update_fields=["replaced_by", "cancellation_reason", "updated_at"])
    _show_on(wo, new)
    _record(so, wo, action="rebooked", actor=actor, before=old, after=new, reason=reason)
    return new


@transaction.atomic
def appointment_cancel(*, work_order_id: int, actor: Actor, reason: str) -> Appointment:
    """Cancel the work order's appointment; its place in the slot is free again."""
    if not (reason or "").strip():
        raise DomainValidationError({"reason": "Say why the appointment is cancelled."})
    so, wo = _lock(work_order_id)
    appointment = _booked(wo)
    if appointment is None:
        raise ApplicationError(f"“{wo.name}” has no appointment to cancel.", code="not_booked")
    appointment.cancellation_reason = reason[:500]
    fsm_transition(appointment, "cancel", actor=actor, record=False)
    _show_on(wo, None)
    _record(so, wo, action="cancelled", actor=actor, before=appointment, after=None, reason=reason)
    return appointment


def appointment_check_completion(wo: WorkOrder, *, now: dt.datetime | None = None) -> None:
    """Refuse completing a work order before its booked window starts (the caller holds the work order's lock)."""
    appointment = wo.appointments.filter(status=A.BOOKED).first()
    now = now or timezone.now()
    if appointment is not None and appointment.window_start > now:
        raise ApplicationError(
            f"“{wo.name}” has an appointment from {appointment.window_start:%d %b %Y %H:%M}: it cannot be done "
            "before the visit. If the visit happened earlier, rebook the appointment to when it happened first.",
            code="appointment_not_started", extra={"appointment_start": appointment.window_start.isoformat()})


@transaction.atomic
def appointments_release_for(*, service_order_id: int, actor: Actor) -> int:
    """A cancelled service order gives its booked appointments' places back (idempotent). Returns how many."""
    booked = list(Appointment.objects.select_for_update(of=("self",)).select_related("work_order").filter(
        work_order__item__service_order_id=service_order_id, status=A.BOOKED))
    if not booked:
        return 0
    so = ServiceOrder.objects.select_related("customer").get(pk=service_order_id)
    for appointment in booked:
        appointment.cancellation_reason = f"service order {so.order_number} cancelled"
        fsm_transition(appointment, "cancel", actor=actor, record=False)
        wo = appointment.work_order
        _show_on(wo, None)
        history_record(obj=wo, action="service_activation.work_order.appointment_cancelled", actor=actor,
                       root=so.customer or so, reason=appointment.cancellation_reason,
                       changes={"appointment": [f"{appointment.window_start:%Y-%m-%d %H:%M}", None]})
    return len(booked)
