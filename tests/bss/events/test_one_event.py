"""One use case, one event: services composed inside one_event() publish one event per resource."""

import pytest
from django.db import transaction

from bss.events import one_event, publish
from bss.events.models import Event
from customers import services
from customers.events import CUSTOMER_ATTRIBUTE_VALUE_CHANGE, CUSTOMER_STATE_CHANGE
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def types(since):
    return list(Event.objects.filter(pk__gt=since).order_by("pk").values_list("event_type", flat=True))


def last():
    return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_the_event_that_says_most_wins_and_is_published_once(actor):
    customer = CustomerFactory()
    e0 = last()
    with transaction.atomic(), one_event():
        publish(CUSTOMER_ATTRIBUTE_VALUE_CHANGE, customer)
        publish(CUSTOMER_STATE_CHANGE, customer)
        publish(CUSTOMER_ATTRIBUTE_VALUE_CHANGE, customer)
    assert types(e0) == ["CustomerStateChangeEvent"]


def test_without_the_context_each_publish_is_an_event(actor):
    customer = CustomerFactory()
    e0 = last()
    publish(CUSTOMER_ATTRIBUTE_VALUE_CHANGE, customer)
    publish(CUSTOMER_STATE_CHANGE, customer)
    assert types(e0) == ["CustomerAttributeValueChangeEvent", "CustomerStateChangeEvent"]


def test_a_failing_use_case_publishes_nothing(actor):
    customer = CustomerFactory()
    e0 = last()
    with pytest.raises(RuntimeError), transaction.atomic(), one_event():
        publish(CUSTOMER_STATE_CHANGE, customer)
        raise RuntimeError("boom")
    assert types(e0) == []


def test_customer_revise_is_one_event(actor):
    customer = CustomerFactory()
    e0 = last()
    services.customer_revise(customer=customer, actor=actor, name="New name", status="active")
    assert types(e0) == ["CustomerStateChangeEvent"]
