"""TMF641 ServiceOrderItem.appointment (AppointmentRef, v4 and v3): the visit booked for one of the item's manual
work orders (services.appointments) shows on the item as ``{id, href, description, @referredType}``, its href
being the native appointment resource (/api/v1/appointments/<id>/), in the spec's shape; read-only (an item sent
with an ``appointment`` is 400 and nothing is stored); the list reads it without a query per order; the
service order's events carry it too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bss.actors import Actor
from bss.events.models import Event
from service_activation.models import ServiceOrder, WorkOrder
from service_activation.services import appointments as svc
from service_activation.services import service_orders
from service_activation.services.service_orders import ServiceItemInput, service_order_issue
from tests.factories import ActivationStepFactory, CustomerFactory, ServiceSpecificationFactory
from tests.tmf_spec import assert_tmf_error, load_spec, spec_problems

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")
V4 = "TMF641-ServiceOrdering-v4.0.0.swagger.json"
V3 = "TMF641-ServiceOrdering-v3.0.0.swagger.json"
VERSIONS = {4: ("tmf641", "serviceOrderItem", V4), 3: ("tmf641v3", "orderItem", V3)}
EXTENSIONS = frozenset({"orderNumber", "customerOrder", "rejectionReason"})
DAY = timezone.localdate() + dt.timedelta(days=3)


@pytest.fixture
def client(integrator):
    c = APIClient()
    c.force_authenticate(integrator)
    return c


@pytest.fixture
def spec():
    """Two visits: the ONT installation, then the CPE delivery; an automatic port step after both."""
    s = ServiceSpecificationFactory(lifecycle_status="active")
    ActivationStepFactory(specification=s, sequence=1, code="install-ont", name="Install the ONT", kind="manual",
                          specialty="field-install")
    ActivationStepFactory(specification=s, sequence=2, code="ship-cpe", name="Deliver the router", kind="manual",
                          specialty="cpe-delivery")
    ActivationStepFactory(specification=s, sequence=3, code="configure-port", specialty="olt",
                          depends_on=["install-ont", "ship-cpe"])
    return s


def _slots(team):
    svc.appointment_slots_open(team=team, first_day=DAY, last_day=DAY, windows=["08:00-12:00", "13:00-17:00"],
                               capacity=50, weekdays=range(7), actor=SYSTEM)
    from service_activation.models import AppointmentSlot

    return list(AppointmentSlot.objects.filter(team=team, starts_at__date=DAY).order_by("starts_at"))


def _order(spec) -> ServiceOrder:
    so = service_order_issue(actor=SYSTEM, customer_id=CustomerFactory().pk, start=False, origin="api",
                             items=[ServiceItemInput(item_id="1", specification_id=spec.pk)])
    service_orders.service_order_run(service_order_id=so.pk, actor=SYSTEM)
    return so


def _wo(so, code) -> WorkOrder:
    return WorkOrder.objects.get(item__service_order=so, code=code)


def url(version, pk=None):
    ns = VERSIONS[version][0]
    return reverse(f"{ns}:serviceorder-detail", kwargs={"pk": pk}) if pk else reverse(f"{ns}:serviceorder-list")


def _item(data, version):
    [item] = data[VERSIONS[version][1]]
    return item


@pytest.mark.parametrize("version", [4, 3])
def test_a_booked_appointment_shows_on_its_item_as_an_appointment_ref_with_a_working_href(client, spec, version):
    morning, _ = _slots("field-install")
    so = _order(spec)
    install = _wo(so, "install-ont")
    assert install.status == "ready"
    start = morning.starts_at + dt.timedelta(hours=1)
    appointment = svc.appointment_book(work_order_id=install.pk, slot_id=morning.pk, actor=SYSTEM,
                                       window_start=start, window_end=start + dt.timedelta(hours=2))

    resp = client.get(url(version, so.pk))
    assert resp.status_code == 200
    data = resp.json()
    assert spec_problems(load_spec(VERSIONS[version][2]), "ServiceOrder", data, extensions=EXTENSIONS) == []
    ref = _item(data, version)["appointment"]
    assert ref["id"] == str(appointment.pk) and ref["@referredType"] == "Appointment"
    assert ref["href"] == f"http://testserver/api/v1/appointments/{appointment.pk}/"
    assert ref["description"] == f"Visit {start.astimezone(dt.UTC):%Y-%m-%d %H:%M}\u2013" \
                                 f"{(start + dt.timedelta(hours=2)).astimezone(dt.UTC):%H:%M} UTC"
    followed = client.get(ref["href"])  # the integrator may read appointments: the href works
    assert followed.status_code == 200, followed.content
    assert followed.json()["id"] == appointment.pk and followed.json()["work_order"] == install.pk
    assert followed.json()["status"] == "booked"
    [listed] = [o for o in client.get(url(version)).json() if o["id"] == str(so.pk)]
    assert _item(listed, version)["appointment"] == ref


def test_no_booked_appointment_no_ref_and_the_visit_still_to_come_is_the_one_shown(client, spec):
    install_slot, _ = _slots("field-install")
    _, cpe_slot = _slots("cpe-delivery")
    so = _order(spec)
    assert "appointment" not in _item(client.get(url(4, so.pk)).json(), 4)

    install, cpe = _wo(so, "install-ont"), _wo(so, "ship-cpe")
    cpe_visit = svc.appointment_book(work_order_id=cpe.pk, slot_id=cpe_slot.pk, actor=SYSTEM)
    install_visit = svc.appointment_book(work_order_id=install.pk, slot_id=install_slot.pk, actor=SYSTEM)
    # two booked visits: the item shows one (the spec has one appointment per item), the earliest still to come
    assert _item(client.get(url(4, so.pk)).json(), 4)["appointment"]["id"] == str(install_visit.pk)
    with pytest.MonkeyPatch.context() as mp:  # the installation happened: the delivery is the visit to come
        mp.setattr(timezone, "now", lambda: install_visit.window_end + dt.timedelta(minutes=5))
        service_orders.work_order_complete(work_order_id=install.pk, actor=SYSTEM, note="ONT installed")
    assert _item(client.get(url(4, so.pk)).json(), 4)["appointment"]["id"] == str(cpe_visit.pk)

    rebooked = svc.appointment_rebook(work_order_id=cpe.pk, slot_id=cpe_slot.pk, actor=SYSTEM,
                                      reason="customer asked", window_start=cpe_slot.starts_at,
                                      window_end=cpe_slot.starts_at + dt.timedelta(hours=1))
    assert _item(client.get(url(4, so.pk)).json(), 4)["appointment"]["id"] == str(rebooked.pk)
    svc.appointment_cancel(work_order_id=cpe.pk, actor=SYSTEM, reason="customer collects it")
    # only the done installation's visit is booked now: the visit made
    assert _item(client.get(url(4, so.pk)).json(), 4)["appointment"]["id"] == str(install_visit.pk)


def test_the_service_order_event_of_a_booking_carries_the_appointment_ref(spec):
    morning, _ = _slots("field-install")
    so = _order(spec)
    appointment = svc.appointment_book(work_order_id=_wo(so, "install-ont").pk, slot_id=morning.pk, actor=SYSTEM)
    event = Event.objects.filter(event_type="ServiceOrderAttributeValueChangeEvent",
                                 resource_id=str(so.pk)).latest("pk")
    [item] = event.payload["event"]["serviceOrder"]["serviceOrderItem"]
    assert item["appointment"]["id"] == str(appointment.pk)
    assert item["appointment"]["href"].endswith(f"/api/v1/appointments/{appointment.pk}/")


@pytest.mark.parametrize("version", [4, 3])
def test_appointment_is_read_only_on_create(client, spec, version):
    before = ServiceOrder.objects.count()
    items = VERSIONS[version][1]
    resp = client.post(url(version), {items: [{
        "id": "1", "action": "add", "appointment": {"id": "apt-9", "href": "https://crm.example.com/appointment/9"},
        "service": {"serviceSpecification": {"id": str(spec.pk), "href": "https://c.example.com/ss/1"}}}]},
        format="json")
    assert_tmf_error(resp, 400)
    assert f"{items}[0].appointment" in resp.content.decode()
    assert ServiceOrder.objects.count() == before


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url(4), {"limit": 50})
    assert resp.status_code == 200
    assert all("appointment" in o["serviceOrderItem"][0] for o in resp.json())
    return len(ctx.captured_queries)


def test_the_list_reads_the_appointments_without_a_query_per_order(client, spec):
    morning, afternoon = _slots("field-install")
    for _ in range(2):
        so = _order(spec)
        svc.appointment_book(work_order_id=_wo(so, "install-ont").pk, slot_id=morning.pk, actor=SYSTEM)
    client.get(url(4))  # warm caches (content types, permissions)
    few = _list_queries(client)
    for _ in range(5):
        so = _order(spec)
        svc.appointment_book(work_order_id=_wo(so, "install-ont").pk, slot_id=afternoon.pk, actor=SYSTEM)
    assert _list_queries(client) == few
