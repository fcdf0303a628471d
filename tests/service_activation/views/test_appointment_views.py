"""Appointments in the staff portal: a manual work order's appointment page (book the customer's window in a free
slot of its team, rebook with a reason, cancel), shown on the worklist and the service order page, the refusal to
complete before the visit, and the teams' slots page (supervisors open slots; CSRs look)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from bss.actors import Actor
from bss.roles import Role
from service_activation.models import Appointment, AppointmentSlot, WorkOrder
from service_activation.services import appointments as svc
from service_activation.services import service_orders
from service_activation.services.service_orders import ServiceItemInput, service_order_issue
from tests.factories import ActivationStepFactory, CustomerFactory, ServiceSpecificationFactory, staff_user

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")
TOMORROW = timezone.localdate() + dt.timedelta(days=1)


def login(role) -> Client:
    client = Client()
    client.force_login(staff_user(role))
    return client


@pytest.fixture
def wo() -> WorkOrder:
    spec = ServiceSpecificationFactory(lifecycle_status="active")
    ActivationStepFactory(specification=spec, sequence=1, code="install-ont", name="Install the ONT", kind="manual",
                          specialty="field-install")
    so = service_order_issue(actor=SYSTEM, customer_id=CustomerFactory().pk, start=False, origin="api",
                             items=[ServiceItemInput(item_id="1", specification_id=spec.pk)])
    service_orders.service_order_run(service_order_id=so.pk, actor=SYSTEM)
    return WorkOrder.objects.get(item__service_order=so, code="install-ont")


@pytest.fixture
def slots():
    svc.appointment_slots_open(team="field-install", first_day=TOMORROW, last_day=TOMORROW, weekdays=range(7),
                               windows=["08:00-12:00", "13:00-17:00"], capacity=2, actor=SYSTEM)
    return list(AppointmentSlot.objects.order_by("starts_at"))


def url(wo):
    return f"/csr/provisioning/work-orders/{wo.pk}/appointment/"


def test_a_csr_books_the_customers_window_and_it_shows_everywhere(wo, slots):
    morning, afternoon = slots
    client = login(Role.CSR)
    page = client.get(url(wo))
    assert page.status_code == 200 and b"0 of 2 free" not in page.content and b"2 of 2 free" in page.content
    resp = client.post(url(wo), {"book": "1", "slot": str(morning.pk), "window_from": "09:00", "window_until": "11:00",
                                 "note": "gate code 1234"})
    assert resp.status_code == 302, resp.content.decode()[:3000]
    wo.refresh_from_db()
    assert wo.appointment_start.hour == 9 and wo.appointment_end.hour == 11
    engineer = login(Role.PROVISIONING)
    worklist = engineer.get("/csr/provisioning/worklist/").content.decode()
    assert "Rebook visit" in worklist and f"{wo.appointment_start:%H}:00" in worklist
    detail = engineer.get(f"/csr/provisioning/service-orders/{wo.item.service_order_id}/").content.decode()
    assert "data-appointment-window" in detail and "09:00–11:00" in detail
    # rebooking needs a reason; then the afternoon, the morning kept as rebooked
    bad = client.post(url(wo), {"book": "1", "slot": str(afternoon.pk)})
    assert bad.status_code == 400 and b"Say why the appointment moves" in bad.content
    ok = client.post(url(wo), {"book": "1", "slot": str(afternoon.pk), "reason": "customer works mornings"})
    assert ok.status_code == 302
    assert list(Appointment.objects.filter(work_order=wo).values_list("status", flat=True).order_by("pk")) == [
        "rescheduled", "booked"]
    earlier = client.get(url(wo)).content.decode()
    assert 'data-earlier="rescheduled"' in earlier and "customer works mornings" in earlier
    cancelled = client.post(url(wo), {"cancel": "1", "cancel_reason": "customer will call back"})
    assert cancelled.status_code == 302
    wo.refresh_from_db()
    assert wo.appointment_start is None and not Appointment.objects.filter(status="booked").exists()


def test_a_full_slot_or_a_window_outside_it_is_refused_on_the_form(wo, slots):
    morning = slots[0]
    morning.capacity = 0
    morning.save(update_fields=["capacity"])
    client = login(Role.PROVISIONING)
    offered = client.get(url(wo)).content.decode()
    assert "08:00–12:00" not in offered and "13:00–17:00" in offered  # the full slot is not offered
    full = client.post(url(wo), {"book": "1", "slot": str(morning.pk)})
    assert full.status_code == 400  # not among the free slots offered
    outside = client.post(url(wo), {"book": "1", "slot": str(slots[1].pk), "window_from": "07:00"})
    assert outside.status_code == 400 and b"within the slot" in outside.content
    assert not Appointment.objects.exists()


def test_completing_before_the_visit_is_refused_on_the_page(wo, slots):
    svc.appointment_book(work_order_id=wo.pk, slot_id=slots[0].pk, actor=SYSTEM)
    client = login(Role.PROVISIONING)
    resp = client.post(f"/csr/provisioning/work-orders/{wo.pk}/complete/", {"note": "done"})
    assert resp.status_code == 400 and "before the visit" in resp.content.decode()
    wo.refresh_from_db()
    assert wo.status == "ready"


def test_no_free_slot_says_so_and_links_to_the_slots(wo):
    page = login(Role.SUPERVISOR).get(url(wo))
    assert page.status_code == 403  # a supervisor looks; booking is for CSRs and provisioning
    page = login(Role.PROVISIONING).get(url(wo)).content.decode()
    assert "data-no-slots" in page and "/csr/provisioning/appointment-slots/" in page


def test_the_slots_page_opens_slots_for_supervisors_only(wo, slots):
    svc.appointment_book(work_order_id=wo.pk, slot_id=slots[0].pk, actor=SYSTEM)
    supervisor = login(Role.SUPERVISOR)
    page = supervisor.get("/csr/provisioning/appointment-slots/").content.decode()
    assert "field-install" in page and "Open the slots" in page
    day = (TOMORROW + dt.timedelta(days=7)).isoformat()
    resp = supervisor.post("/csr/provisioning/appointment-slots/", {
        "team": "cpe-delivery", "first_day": day, "last_day": day, "windows": "09:00-13:00, 14:00-18:00",
        "capacity": "5", "weekdays": [str(d) for d in range(7)]})
    assert resp.status_code == 302
    assert AppointmentSlot.objects.filter(team="cpe-delivery", capacity=5).count() == 2
    bad = supervisor.post("/csr/provisioning/appointment-slots/", {
        "team": "cpe-delivery", "first_day": day, "last_day": day, "windows": "18:00-09:00", "capacity": "5",
        "weekdays": ["0"]})
    assert bad.status_code == 400 and b"ends before it starts" in bad.content
    csr = login(Role.CSR).get("/csr/provisioning/appointment-slots/").content.decode()
    assert "field-install" in csr and "Open the slots" not in csr
