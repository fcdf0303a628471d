"""End to end: a change publishes an event, a real Celery worker on Redis delivers it to a hub
listener, retries after the listener fails once, and every attempt is recorded."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from bss.events.models import DeliveryAttempt, Event, EventDelivery, HubSubscription
from bss.events.services import sign
from bss.roles import Role
from tests.factories import staff_user

pytestmark = pytest.mark.celery_worker


def _wait(predicate, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def client(transactional_db):
    c = APIClient()
    c.force_authenticate(staff_user(Role.INTEGRATOR))
    return c


def test_event_delivered_to_listener_and_redelivered_after_one_failure(celery_worker_process, client,
                                                                       receiver_factory):
    listener = receiver_factory(script=[500, 200])
    r = client.post("/tmf-api/customerManagement/v4/hub", {"callback": listener.url,
                                                            "query": "eventType=CustomerCreateEvent"}, format="json")
    assert r.status_code == 201
    sub = HubSubscription.objects.get(pk=r.json()["id"])

    r = client.post("/tmf-api/customerManagement/v4/customer", {
        "name": "Worker Test Ltd", "engagedParty": {"id": "ext-77", "@referredType": "Organization"}}, format="json")
    assert r.status_code == 201
    customer_id = r.json()["id"]

    assert listener.wait_for(2, timeout=40), f"listener got {len(listener.requests)} request(s)"
    first, second = listener.requests[:2]
    assert first["json"]["eventId"] == second["json"]["eventId"]  # the same event, sent again
    assert second["json"]["eventType"] == "CustomerCreateEvent"
    assert second["json"]["event"]["customer"]["id"] == customer_id
    headers = {k.lower(): v for k, v in second["headers"].items()}
    assert headers["x-bss-signature"] == sign(sub.secret, headers["x-bss-timestamp"], second["body"])
    assert headers["x-bss-delivery-attempt"] == "2"

    assert _wait(lambda: EventDelivery.objects.filter(subscription=sub, status="delivered").exists())
    delivery = EventDelivery.objects.get(subscription=sub)
    assert delivery.attempts == 2
    attempts = list(DeliveryAttempt.objects.filter(delivery=delivery).order_by("number"))
    assert [(a.success, a.status_code) for a in attempts] == [(False, 500), (True, 200)]
    # Only the subscribed event type reached the listener.
    assert all(req["json"]["eventType"] == "CustomerCreateEvent" for req in listener.requests)


def test_lost_broker_message_is_redispatched_by_the_periodic_task(celery_worker_process, client,
                                                                  receiver_factory, monkeypatch):
    listener = receiver_factory()
    client.post("/tmf-api/party/v4/hub", {"callback": listener.url}, format="json")
    from bss.events import tasks

    # Simulate a broker outage at commit time: the fan-out message never leaves.
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.fan_out_task, "apply_async", broker_down)
    r = client.post("/tmf-api/party/v4/individual", {"givenName": "Lost", "familyName": "Message"}, format="json")
    assert r.status_code == 201  # the outage does not fail the request; the event waits in the outbox
    monkeypatch.undo()
    from bss import dispatch

    assert dispatch.broker_backing_off()  # this process leaves the broker alone for a while
    dispatch.reset()
    event = Event.objects.get(event_type="IndividualCreateEvent")
    assert event.fanned_out_at is None
    time.sleep(3)
    assert listener.requests == []  # nothing was sent

    Event.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    tasks.redispatch_pending_task.delay()  # what beat runs every minute

    assert listener.wait_for(1, timeout=30)
    assert listener.requests[0]["json"]["eventId"] == str(event.event_id)
    assert _wait(lambda: EventDelivery.objects.filter(event=event, status="delivered").exists())
