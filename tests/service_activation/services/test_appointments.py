"""Appointments for manual work orders (field installation, CPE delivery): a team's slots with a configured capacity,
booking / rebooking / cancelling the customer's agreed window under locks (a slot never takes more than its
capacity, also from two connections at once), the window shown on the work order, no completion before the visit,
and a cancelled service order giving its places back."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from bss.actors import Actor
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError, DomainValidationError
from bss.events.models import Event
from service_activation.models import Appointment, AppointmentSlot, WorkOrder
from service_activation.services import appointments as svc
from service_activation.services import service_orders
from service_activation.services.service_orders import ServiceItemInput, service_order_issue
from tests.factories import ActivationStepFactory, CustomerFactory, ServiceSpecificationFactory

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")
TOMORROW = timezone.localdate() + dt.timedelta(days=1)


def _install_spec():
    spec = ServiceSpecificationFactory(lifecycle_status="active")
    ActivationStepFactory(specification=spec, sequence=1, code="install-ont", name="Install the ONT", kind="manual",
                          specialty="field-install")
    ActivationStepFactory(specification=spec, sequence=2, code="configure-port", specialty="olt",
                          depends_on=["install-ont"])
    return spec


def _work_order(spec=None) -> WorkOrder:
    so = service_order_issue(actor=SYSTEM, customer_id=CustomerFactory().pk, start=False, origin="api",
                             items=[ServiceItemInput(item_id="1", specification_id=(spec or _install_spec()).pk)])
    service_orders.service_order_run(service_order_id=so.pk, actor=SYSTEM)
    wo = WorkOrder.objects.get(item__service_order=so, code="install-ont")
    assert wo.status == "ready"
    return wo


def _slots(capacity=1, team="field-install", day=TOMORROW):
    svc.appointment_slots_open(team=team, first_day=day, last_day=day, windows=["08:00-12:00", "13:00-17:00"],
                               capacity=capacity, weekdays=range(7), actor=SYSTEM)
    return list(AppointmentSlot.objects.filter(team=team, starts_at__date=day).order_by("starts_at"))


def test_slots_open_per_weekday_and_window_once():
    monday = TOMORROW + dt.timedelta(days=(7 - TOMORROW.weekday()) % 7)
    opened = svc.appointment_slots_open(team="field-install", first_day=monday, last_day=monday + dt.timedelta(days=6),
                                        windows=["08:00-12:00", "13:00-17:00"], capacity=4, actor=SYSTEM)
    assert opened == 10  # Monday to Friday, two windows each
    again = svc.appointment_slots_open(team="field-install", first_day=monday, last_day=monday, capacity=9,
                                       windows=["08:00-12:00", "17:00-19:00"], actor=SYSTEM)
    assert again == 1  # only the new evening window; the morning keeps its capacity
    assert AppointmentSlot.objects.get(team="field-install", starts_at__date=monday,
                                       starts_at__hour=8).capacity == 4
    with pytest.raises(DomainValidationError) as e:
        svc.appointment_slots_open(team=" ", first_day=monday, last_day=monday - dt.timedelta(days=1),
                                   windows=["12:00-08:00"], capacity=0, weekdays=[], actor=SYSTEM)
    assert set(e.value.field_errors) == {"team", "capacity", "last_day", "weekdays", "windows"}


def test_booking_shows_the_window_on_the_work_order_and_respects_capacity():
    morning, afternoon = _slots(capacity=1)
    first, second = _work_order(), _work_order()
    window = morning.starts_at + dt.timedelta(hours=1), morning.starts_at + dt.timedelta(hours=3)
    appointment = svc.appointment_book(work_order_id=first.pk, slot_id=morning.pk, actor=SYSTEM,
                                       window_start=window[0], window_end=window[1], note="ring twice")
    first.refresh_from_db()
    assert (first.appointment_start, first.appointment_end) == window
    assert appointment.status == "booked" and appointment.note == "ring twice"
    assert HistoryEntry.objects.filter(action="service_activation.work_order.appointment_booked",
                                       object_id=str(first.pk)).exists()
    assert Event.objects.filter(event_type="ServiceOrderAttributeValueChangeEvent",
                                resource_id=str(first.item.service_order_id)).exists()
    with pytest.raises(ApplicationError, match="full"):
        svc.appointment_book(work_order_id=second.pk, slot_id=morning.pk, actor=SYSTEM)
    with pytest.raises(ApplicationError, match="rebook"):
        svc.appointment_book(work_order_id=first.pk, slot_id=afternoon.pk, actor=SYSTEM)
    assert svc.free_slots(team="field-install").get().pk == afternoon.pk
    svc.appointment_cancel(work_order_id=first.pk, actor=SYSTEM, reason="customer away that day")
    first.refresh_from_db()
    assert first.appointment_start is None
    svc.appointment_book(work_order_id=second.pk, slot_id=morning.pk, actor=SYSTEM)  # its place is free again
    assert Appointment.objects.filter(status="booked").count() == 1


def test_what_cannot_be_booked():
    slot = _slots()[0]
    wo = _work_order()
    other_team = _slots(team="cpe-delivery")[0]
    with pytest.raises(DomainValidationError) as e:
        svc.appointment_book(work_order_id=wo.pk, slot_id=other_team.pk, actor=SYSTEM)
    assert "cpe-delivery team" in e.value.field_errors["slot"][0]
    with pytest.raises(DomainValidationError) as e:
        svc.appointment_book(work_order_id=wo.pk, slot_id=slot.pk, actor=SYSTEM,
                             window_start=slot.starts_at - dt.timedelta(hours=1), window_end=slot.ends_at)
    assert "window_start" in e.value.field_errors
    with pytest.raises(DomainValidationError) as e:
        svc.appointment_book(work_order_id=wo.pk, slot_id=slot.pk, actor=SYSTEM,
                             now=slot.starts_at + dt.timedelta(minutes=1))
    assert "already started" in e.value.field_errors["slot"][0]
    automatic = WorkOrder.objects.get(item=wo.item, code="configure-port")
    with pytest.raises(ApplicationError, match="by the network"):
        svc.appointment_book(work_order_id=automatic.pk, slot_id=slot.pk, actor=SYSTEM)
    assert not Appointment.objects.exists()


def test_rebooking_keeps_the_old_appointment_pointing_at_the_new():
    morning, afternoon = _slots(capacity=1)
    wo = _work_order()
    old = svc.appointment_book(work_order_id=wo.pk, slot_id=morning.pk, actor=SYSTEM)
    with pytest.raises(DomainValidationError):
        svc.appointment_rebook(work_order_id=wo.pk, slot_id=afternoon.pk, actor=SYSTEM, reason=" ")
    new = svc.appointment_rebook(work_order_id=wo.pk, slot_id=afternoon.pk, actor=SYSTEM,
                                 reason="customer asked for the afternoon")
    old.refresh_from_db()
    wo.refresh_from_db()
    assert old.status == "rescheduled" and old.replaced_by == new and new.status == "booked"
    assert (wo.appointment_start, wo.appointment_end) == (afternoon.starts_at, afternoon.ends_at)
    assert svc.free_slots(team="field-install").get().pk == morning.pk
    # a narrower window in the same (full) slot is a rebooking too
    svc.appointment_rebook(work_order_id=wo.pk, slot_id=afternoon.pk, actor=SYSTEM, reason="after school",
                           window_start=afternoon.starts_at + dt.timedelta(hours=2), window_end=afternoon.ends_at)
    assert Appointment.objects.filter(work_order=wo).count() == 3


def test_no_completion_before_the_visit():
    wo = _work_order()
    future = _slots()[0]
    svc.appointment_book(work_order_id=wo.pk, slot_id=future.pk, actor=SYSTEM)
    with pytest.raises(ApplicationError, match="before the visit"):
        service_orders.work_order_complete(work_order_id=wo.pk, actor=SYSTEM, note="done")
    wo.refresh_from_db()
    assert wo.status == "ready"
    # the visit happened this morning: rebooked to then (booked while it was still to come), then completed
    earlier = _slots(day=timezone.localdate() - dt.timedelta(days=1))[0]
    svc.appointment_rebook(work_order_id=wo.pk, slot_id=earlier.pk, actor=SYSTEM, reason="came early",
                           now=earlier.starts_at - dt.timedelta(hours=1))
    service_orders.work_order_complete(work_order_id=wo.pk, actor=SYSTEM, note="installed")
    wo.refresh_from_db()
    assert wo.status == "done"


def test_a_slot_capacity_is_never_lowered_below_its_bookings():
    slot = _slots(capacity=2)[0]
    svc.appointment_book(work_order_id=_work_order().pk, slot_id=slot.pk, actor=SYSTEM)
    svc.appointment_book(work_order_id=_work_order().pk, slot_id=slot.pk, actor=SYSTEM)
    with pytest.raises(DomainValidationError) as e:
        svc.appointment_slot_set_capacity(slot_id=slot.pk, capacity=1, actor=SYSTEM)
    assert "2 appointments" in e.value.field_errors["capacity"][0]
    assert svc.appointment_slot_set_capacity(slot_id=slot.pk, capacity=3, actor=SYSTEM).capacity == 3


def test_a_cancelled_service_order_gives_its_places_back(django_capture_on_commit_callbacks):
    slot = _slots(capacity=1)[0]
    wo = _work_order()
    svc.appointment_book(work_order_id=wo.pk, slot_id=slot.pk, actor=SYSTEM)
    with django_capture_on_commit_callbacks(execute=True):
        service_orders.service_order_cancel(service_order_id=wo.item.service_order_id, reason="moved", actor=SYSTEM)
    appointment = Appointment.objects.get()
    wo.refresh_from_db()
    assert appointment.status == "cancelled" and "cancelled" in appointment.cancellation_reason
    assert wo.appointment_start is None
    assert svc.free_slots(team="field-install").filter(pk=slot.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_two_bookings_at_once_never_overfill_a_slot():
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    slot = _slots(capacity=1)[0]
    work_orders = [_work_order() for _ in range(4)]
    barrier, outcomes = threading.Barrier(len(work_orders)), []

    def book(wo):
        from django.db import connections

        try:
            barrier.wait()
            svc.appointment_book(work_order_id=wo.pk, slot_id=slot.pk, actor=SYSTEM)
            outcomes.append("booked")
        except ApplicationError:
            outcomes.append("full")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(wo,)) for wo in work_orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["booked", "full", "full", "full"]
    assert Appointment.objects.filter(slot=slot, status="booked").count() == 1
