"""TMF641 v4 cancelServiceOrder (/tmf-api/serviceOrdering/v4/cancelServiceOrder): the three cancellation cases of
seed 001 through the existing service_order_cancel (before activation: done, the service ended and released;
mid-way: inProgress while the done steps roll back, then done when the order reports cancelled; after activation:
terminatedWithError, a recovery order is needed), a service order we do not hold or that has finished, the
validation policy, list / retrieve / filters, the hub events and their spec shape, and v3 (no such resource)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bss.actors import Actor
from bss.events.models import Event
from bss.roles import Role
from service_activation.models import (
    CancelServiceOrder,
    NetworkConfiguration,
    Service,
    ServiceOrder,
    WorkOrder,
)
from service_activation.services import service_orders
from service_activation.services.service_orders import ServiceItemInput, service_order_issue
from tests.factories import ActivationStepFactory, CustomerFactory, ServiceSpecificationFactory, staff_user
from tests.tmf_spec import assert_tmf_error, load_spec, spec_problems

pytestmark = pytest.mark.django_db
V4 = "TMF641-ServiceOrdering-v4.0.0.swagger.json"
LIST = "/tmf-api/serviceOrdering/v4/cancelServiceOrder"
SO = ServiceOrder.State
SYSTEM = Actor.system("test")


@pytest.fixture
def client(integrator):
    c = APIClient()
    c.force_authenticate(integrator)
    return c


def _spec(*steps, manual=()):
    spec = ServiceSpecificationFactory(lifecycle_status="active",
                                       test_plan=[{"code": "line-check", "name": "Line check", "kind": "automatic"}])
    previous = None
    for n, code in enumerate(steps, start=1):
        ActivationStepFactory(specification=spec, sequence=n, code=code, name=code,
                              kind="manual" if code in manual else "automatic",
                              depends_on=[previous] if previous else [])
        previous = code
    return spec


def _order(*specs, run=True):
    so = service_order_issue(actor=SYSTEM, customer_id=CustomerFactory().pk, origin="api", start=False,
                             items=[ServiceItemInput(item_id=str(n), specification_id=s.pk)
                                    for n, s in enumerate(specs, start=1)])
    if run:
        service_orders.service_order_run(service_order_id=so.pk, actor=SYSTEM)
    return so


def _execute(*codes):
    """What the provisioning worker does: run the ready automatic steps (only ``codes``, if given)."""
    for _ in range(50):
        qs = WorkOrder.objects.filter(status="ready", manual=False)
        wo = (qs.filter(code__in=codes) if codes else qs).order_by("pk").first()
        if wo is None:
            return
        service_orders.work_order_execute(work_order_id=wo.pk, actor=SYSTEM)
    raise AssertionError("the worker did not settle")


def _cancel(client, so_id, **extra):
    return client.post(LIST, {"serviceOrder": {"id": str(so_id), "@referredType": "ServiceOrder"},
                              "cancellationReason": "customer moved house", **extra}, format="json")


def _shape(data):
    return spec_problems(load_spec(V4), "CancelServiceOrder", data, extensions=frozenset({"outcome"}))


def test_before_activation_the_order_is_cancelled_and_the_request_done(client):
    so = _order(_spec("configure-port", "provision-profile"), run=False)
    service = so.items.get().service
    resp = _cancel(client, so.pk, requestedCancellationDate="2030-01-01T10:00:00Z")
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert _shape(data) == []
    assert resp["Location"] == data["href"] and data["href"].endswith(f"/cancelServiceOrder/{data['id']}")
    assert data["state"] == "done" and data["effectiveCancellationDate"].endswith("Z")
    assert data["serviceOrder"]["id"] == str(so.pk) and data["serviceOrder"]["name"] == so.order_number
    assert data["requestedCancellationDate"] == "2030-01-01T10:00:00.000Z"
    assert data["cancellationReason"] == "customer moved house"
    so.refresh_from_db()
    service.refresh_from_db()
    assert so.state == SO.CANCELLED and so.cancellation_reason == "customer moved house"
    assert service.state == Service.State.TERMINATED  # reservations released with it
    assert not NetworkConfiguration.objects.exists()


def test_mid_way_the_request_is_in_progress_until_the_rollback_is_done(client, django_capture_on_commit_callbacks):
    so = _order(_spec("configure-port", "provision-profile"))
    _execute("configure-port")  # the first step is configured on the network, the second not yet
    resp = _cancel(client, so.pk)
    assert resp.status_code == 201, resp.content
    assert resp.json()["state"] == "inProgress" and "effectiveCancellationDate" not in resp.json()
    so.refresh_from_db()
    assert so.state == SO.PENDING_CANCELLATION
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs the rollback; the event is delivered
        _execute()
    so.refresh_from_db()
    assert so.state == SO.CANCELLED
    assert NetworkConfiguration.objects.filter(operation="rollback").count() == 1
    data = client.get(f"{LIST}/{resp.json()['id']}").json()
    assert data["state"] == "done" and data["effectiveCancellationDate"]
    assert _shape(data) == []
    assert Event.objects.filter(event_type="CancelServiceOrderStateChangeEvent").count() == 2  # inProgress, done


def test_after_activation_the_request_is_refused_and_nothing_changes(client):
    # item 1 activated for the customer (tested, active); item 2 waits on a team's manual step: the order is open
    so = _order(_spec("configure-port"), _spec("install-ont", manual=("install-ont",)))
    _execute()
    so.refresh_from_db()
    assert so.state == SO.IN_PROGRESS and so.items.get(item_id="1").service.state == Service.State.ACTIVE
    resp = _cancel(client, so.pk)
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["state"] == "terminatedWithError" and "recovery order" in data["outcome"]
    assert _shape(data) == []
    so.refresh_from_db()
    assert so.state == SO.IN_PROGRESS and so.cancellation_reason == ""
    assert so.items.get(item_id="1").service.state == Service.State.ACTIVE


def test_a_finished_order_or_one_we_do_not_hold_is_a_refused_request(client):
    so = _order(_spec("configure-port"))
    _execute()
    so.refresh_from_db()
    assert so.state == SO.COMPLETED
    finished = _cancel(client, so.pk)
    assert finished.status_code == 201 and finished.json()["state"] == "terminatedWithError"
    assert "completed" in finished.json()["outcome"]
    unknown = client.post(LIST, {"serviceOrder": {"id": "partner-so-9", "href": "https://x.example/so/9"}},
                          format="json")
    assert unknown.status_code == 201, unknown.content
    assert unknown.json()["state"] == "terminatedWithError"
    assert unknown.json()["serviceOrder"] == {"id": "partner-so-9", "href": "https://x.example/so/9"}
    assert "No service order 'partner-so-9'" in unknown.json()["outcome"]
    assert _shape(unknown.json()) == []


@pytest.mark.parametrize("body, path", [
    ({}, "serviceOrder"),
    ({"serviceOrder": {"name": "no id"}}, "serviceOrder.id"),
    ({"serviceOrder": {"id": "1"}, "state": "done"}, "state"),
    ({"serviceOrder": {"id": "1"}, "effectiveCancellationDate": "2030-01-01T00:00:00Z"}, "effectiveCancellationDate"),
    ({"serviceOrder": {"id": "1"}, "cancellationReason": 7}, "cancellationReason"),
])
def test_a_malformed_request_is_400_and_nothing_is_stored(client, body, path):
    so = _order(_spec("configure-port"), run=False)
    body = {k: ({"id": str(so.pk)} if v == {"id": "1"} else v) for k, v in body.items()}
    resp = client.post(LIST, body, format="json")
    assert_tmf_error(resp, 400)
    assert path in resp.content.decode()
    assert not CancelServiceOrder.objects.exists()
    so.refresh_from_db()
    assert so.state == SO.ACKNOWLEDGED


def test_list_retrieve_and_filters(client):
    first = _order(_spec("a"), run=False)
    second = _order(_spec("b"), run=False)
    done = _cancel(client, first.pk).json()
    refused = client.post(LIST, {"serviceOrder": {"id": "999999"}}, format="json").json()
    _cancel(client, second.pk)
    resp = client.get(LIST)
    assert resp.status_code == 200 and resp["X-Total-Count"] == "3"
    assert all(_shape(d) == [] for d in resp.json())
    assert resp.json()[-1]["id"] == done["id"]  # newest first
    assert [d["id"] for d in client.get(LIST, {"serviceOrder.id": str(first.pk)}).json()] == [done["id"]]
    assert [d["id"] for d in client.get(LIST, {"state": "terminatedWithError"}).json()] == [refused["id"]]
    assert [d["id"] for d in client.get(LIST, {"serviceOrder.id": "999999"}).json()] == [refused["id"]]
    assert client.get(f"{LIST}/", {"fields": "state"}).json()[0].keys() == {"id", "href", "state"}
    assert client.get(f"{LIST}/{done['id']}").json() == done
    assert_tmf_error(client.get(f"{LIST}/424242"), 404)
    assert_tmf_error(client.patch(f"{LIST}/{done['id']}", {"state": "done"}, format="json"), 405)
    assert_tmf_error(client.delete(f"{LIST}/{done['id']}"), 405)


def test_posting_needs_the_right_to_change_service_orders():
    so = _order(_spec("a"), run=False)
    csr = APIClient()
    csr.force_authenticate(staff_user(Role.CSR))
    assert_tmf_error(_cancel(csr, so.pk), 403)
    assert csr.get(LIST).status_code == 200
    so.refresh_from_db()
    assert so.state == SO.ACKNOWLEDGED and not CancelServiceOrder.objects.exists()


def test_the_hub_events_carry_the_request_in_the_spec_shape(client):
    from service_activation.events import CANCEL_SERVICE_ORDER_CREATE, CANCEL_SERVICE_ORDER_STATE_CHANGE
    from tests.bss.events.test_declared_events import body_problems

    so = _order(_spec("a"), run=False)
    req_id = _cancel(client, so.pk).json()["id"]
    for et in (CANCEL_SERVICE_ORDER_CREATE, CANCEL_SERVICE_ORDER_STATE_CHANGE):
        event = Event.objects.get(event_type=et.name)
        assert event.api == "serviceOrdering" and event.resource_id == req_id
        assert body_problems(et, event.payload) == []
    assert Event.objects.get(event_type="CancelServiceOrderStateChangeEvent").payload["event"][
        "cancelServiceOrder"]["state"] == "done"


def test_v3_has_no_cancellation_resource(client):
    so = _order(_spec("a"), run=False)
    resp = client.post("/tmf-api/serviceOrdering/v3/cancelServiceOrder",
                       {"serviceOrder": {"id": str(so.pk)}}, format="json")
    assert resp.status_code == 404
    assert client.get(reverse("tmf641v3:serviceorder-list")).status_code == 200
    so.refresh_from_db()
    assert so.state == SO.ACKNOWLEDGED
