"""Hub listener queries take the TMF list filters' operators (.gt/.gte/.lt/.lte) with the same
semantics; a comparison that can never be answered is refused at registration (400)."""

import pytest
from rest_framework.test import APIClient

from bss.actors import Actor
from bss.events.models import Event, EventDelivery, HubSubscription
from bss.events.services import event_fan_out, hub_subscribe, subscription_matches
from bss.roles import Role
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

HUB = "/tmf-api/customerManagement/v4/hub"
PAYLOAD = {
    "eventType": "CustomerCreateEvent",
    "event": {"customer": {"id": "7", "status": "active", "validFor": {"startDateTime": "2026-03-05T10:00:00.000Z"},
                           "creditScore": 640, "characteristic": [{"name": "segment", "value": "residential"}]}},
}


def event(event_type="CustomerCreateEvent", payload=PAYLOAD) -> Event:
    return Event(event_type=event_type, api="customerManagement", resource_type="customer", resource_id="7",
                 payload=payload)


@pytest.mark.parametrize("query, matches", [
    ("", True),
    ("eventType=CustomerCreateEvent", True),
    ("eventType=CustomerStateChangeEvent,CustomerCreateEvent", True),
    ("eventType=CustomerStateChangeEvent", False),
    ("event.customer.status=active", True),
    ("event.customer.status=suspended", False),
    ("event.customer.validFor.startDateTime.gt=2026-03-01", True),
    ("event.customer.validFor.startDateTime.gt=2026-03-05T10:00:00Z", False),
    ("event.customer.validFor.startDateTime.gte=2026-03-05T10:00:00Z", True),
    ("event.customer.validFor.startDateTime.lt=2026-03-06", True),
    ("event.customer.validFor.startDateTime.lte=2026-03-05", False),
    ("event.customer.creditScore.gte=600&event.customer.creditScore.lt=700", True),
    ("event.customer.creditScore.gt=640", False),
    ("eventType=CustomerCreateEvent&event.customer.creditScore.gt=100&event.customer.status=active", True),
    ("eventType=CustomerCreateEvent&event.customer.creditScore.gt=1000", False),
    ("event.customer.characteristic.value=residential", True),
    ("event.customer.missing.gt=1", False),
])
def test_operators_in_hub_queries(query, matches):
    assert subscription_matches(HubSubscription(query=query), event()) is matches


def test_fan_out_delivers_only_to_listeners_whose_comparison_holds():
    actor = Actor(user=staff_user(Role.INTEGRATOR), channel="api", label="test")
    high = hub_subscribe(api="customerManagement", callback="https://l.example.com/high",
                         query="event.customer.creditScore.gt=600", actor=actor)
    low = hub_subscribe(api="customerManagement", callback="https://l.example.com/low",
                        query="event.customer.creditScore.lt=600", actor=actor)
    ev = event()
    ev.save()
    event_fan_out(event_id=ev.pk)
    assert set(EventDelivery.objects.filter(event=ev).values_list("subscription", flat=True)) == {high.pk}
    assert low.pk  # registered, not matched


@pytest.mark.parametrize("query", ["event.customer.creditScore.gt=abc", "x.lte=", "eventType=A&x.gte=soon"])
def test_an_unanswerable_comparison_is_refused_at_registration(query):
    client = APIClient()
    client.force_authenticate(staff_user(Role.INTEGRATOR))
    resp = client.post(HUB, {"callback": "https://l.example.com/cb", "query": query}, format="json")
    assert resp.status_code == 400, resp.content
    assert resp.json()["@type"] == "Error"
    assert "query" in resp.json()["message"]
    assert not HubSubscription.objects.exists()


def test_a_comparison_is_registered_as_sent():
    client = APIClient()
    client.force_authenticate(staff_user(Role.INTEGRATOR))
    query = "eventType=CustomerCreateEvent&event.customer.creditScore.gte=600"
    resp = client.post(HUB, {"callback": "https://l.example.com/cb", "query": query}, format="json")
    assert resp.status_code == 201, resp.content
    assert HubSubscription.objects.get().query == query
