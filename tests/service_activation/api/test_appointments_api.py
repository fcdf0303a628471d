"""Native API of appointments (/api/v1/appointment-slots/, /api/v1/appointments/): open slots and list their free
places, book / rebook / cancel a work order's appointment, the errors (400 bad input, 409 a full slot or a booking
that is not the current one), and the permissions (an integrator looks; provisioning books)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from bss.actors import Actor
from bss.roles import Role
from service_activation.models import Appointment, WorkOrder
from service_activation.services import service_orders
from service_activation.services.service_orders import ServiceItemInput, service_order_issue
from tests.factories import ActivationStepFactory, CustomerFactory, ServiceSpecificationFactory, staff_user

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")
DAY = (timezone.localdate() + dt.timedelta(days=2)).isoformat()


def api(role) -> APIClient:
    client = APIClient()
    client.force_authenticate(staff_user(role))
    return client


def _work_order() -> WorkOrder:
    spec = ServiceSpecificationFactory(lifecycle_status="active")
    ActivationStepFactory(specification=spec, sequence=1, code="ship-cpe", kind="manual", specialty="cpe-delivery")
    so = service_order_issue(actor=SYSTEM, customer_id=CustomerFactory().pk, start=False, origin="api",
                             items=[ServiceItemInput(item_id="1", specification_id=spec.pk)])
    service_orders.service_order_run(service_order_id=so.pk, actor=SYSTEM)
    return WorkOrder.objects.get(item__service_order=so, code="ship-cpe")


def test_open_slots_book_rebook_and_cancel():
    client = api(Role.PROVISIONING)
    resp = client.post("/api/v1/appointment-slots/", {"team": "cpe-delivery", "first_day": DAY, "last_day": DAY,
                                                      "windows": ["08:00-12:00", "12:00-16:00"], "capacity": 1,
                                                      "weekdays": list(range(7))}, format="json")
    assert resp.status_code == 201 and resp.json() == {"opened": 2}
    slots = client.get("/api/v1/appointment-slots/", {"team": "cpe-delivery", "free": "true", "from": DAY}).json()
    slots = slots["results"] if isinstance(slots, dict) else slots
    assert [(s["capacity"], s["booked"], s["free"]) for s in slots] == [(1, 0, 1), (1, 0, 1)]
    first, second = _work_order(), _work_order()
    booked = client.post("/api/v1/appointments/", {"work_order": first.pk, "slot": slots[0]["id"],
                                                   "note": "leave with neighbour"}, format="json")
    assert booked.status_code == 201, booked.content
    assert booked.json()["status"] == "booked" and booked.json()["team"] == "cpe-delivery"
    full = client.post("/api/v1/appointments/", {"work_order": second.pk, "slot": slots[0]["id"]}, format="json")
    assert full.status_code == 409
    moved = client.post(f"/api/v1/appointments/{booked.json()['id']}/rebook/",
                        {"slot": slots[1]["id"], "reason": "customer asked"}, format="json")
    assert moved.status_code == 200 and moved.json()["slot"] == slots[1]["id"]
    stale = client.post(f"/api/v1/appointments/{booked.json()['id']}/cancel/", {"reason": "x"}, format="json")
    assert stale.status_code == 409  # the old one was rebooked: only the current one can be cancelled
    gone = client.post(f"/api/v1/appointments/{moved.json()['id']}/cancel/", {"reason": "not needed"},
                       format="json")
    assert gone.status_code == 200 and gone.json()["status"] == "cancelled"
    first.refresh_from_db()
    assert first.appointment_start is None
    listed = client.get("/api/v1/appointments/", {"work_order": first.pk}).json()
    listed = listed["results"] if isinstance(listed, dict) else listed
    assert sorted(a["status"] for a in listed) == ["cancelled", "rescheduled"]
    patched = client.patch(f"/api/v1/appointment-slots/{slots[0]['id']}/", {"capacity": 3}, format="json")
    assert patched.status_code == 200 and patched.json()["capacity"] == 3


def test_bad_input_is_400_and_nothing_is_stored():
    client = api(Role.PROVISIONING)
    assert client.post("/api/v1/appointment-slots/", {"team": "x", "first_day": DAY, "last_day": DAY,
                                                      "windows": ["noon"], "capacity": 1}, format="json"
                       ).status_code == 400
    assert client.post("/api/v1/appointments/", {"work_order": _work_order().pk, "slot": 999999},
                       format="json").status_code == 400
    assert client.get("/api/v1/appointment-slots/", {"from": "tomorrow"}).status_code == 400
    assert not Appointment.objects.exists()


def test_an_integrator_may_look_but_not_book():
    client = api(Role.INTEGRATOR)
    assert client.get("/api/v1/appointment-slots/").status_code == 200
    assert client.get("/api/v1/appointments/").status_code == 200
    assert client.post("/api/v1/appointments/", {"work_order": _work_order().pk, "slot": 1},
                       format="json").status_code == 403
    assert client.post("/api/v1/appointment-slots/", {}, format="json").status_code == 403
