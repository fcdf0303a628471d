"""The outbox dispatches an event only when someone may receive it: an in-process subscriber that wants it
(``when``), or an active /hub listener of its API. Every event is still recorded with its body."""

import pytest
from django.db import transaction

from bss.events import publish
from bss.events import registry as reg
from bss.events.models import Event, EventDelivery, HubSubscription
from bss.events.services import event_fan_out, listening
from customers.events import CUSTOMER_ATTRIBUTE_VALUE_CHANGE
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_subscribers(monkeypatch):
    """The customer event without the project's own subscribers (if any), restored afterwards."""
    monkeypatch.setitem(reg._subscribers, CUSTOMER_ATTRIBUTE_VALUE_CHANGE.name, [])
    return reg._subscribers[CUSTOMER_ATTRIBUTE_VALUE_CHANGE.name]


def _publish(customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        event = publish(CUSTOMER_ATTRIBUTE_VALUE_CHANGE, customer)
    return event, callbacks


def test_an_event_nobody_listens_to_is_recorded_already_fanned_out_and_not_dispatched(
        no_subscribers, django_capture_on_commit_callbacks):
    customer = CustomerFactory()
    event, callbacks = _publish(customer, django_capture_on_commit_callbacks)
    event.refresh_from_db()
    assert event.fanned_out_at is not None
    assert event.payload["event"]["customer"]["id"] == str(customer.pk)  # the body is kept
    assert callbacks == []  # no fan-out task
    assert not EventDelivery.objects.filter(event=event).exists()


def test_a_hub_listener_makes_it_dispatched(no_subscribers, django_capture_on_commit_callbacks):
    customer = CustomerFactory()
    HubSubscription.objects.create(api=CUSTOMER_ATTRIBUTE_VALUE_CHANGE.api, callback="https://listener.example/cb")
    event, callbacks = _publish(customer, django_capture_on_commit_callbacks)
    assert Event.objects.get(pk=event.pk).fanned_out_at is None
    assert len(callbacks) == 1
    assert len(event_fan_out(event_id=event.pk)) == 1


def test_an_inactive_hub_listener_or_another_apis_does_not(no_subscribers):
    HubSubscription.objects.create(api=CUSTOMER_ATTRIBUTE_VALUE_CHANGE.api, callback="https://a.example/cb",
                                   active=False)
    HubSubscription.objects.create(api="productOrderingManagement", callback="https://b.example/cb")
    assert not listening(CUSTOMER_ATTRIBUTE_VALUE_CHANGE)


def test_a_subscriber_is_asked_whether_it_wants_the_object(no_subscribers, django_capture_on_commit_callbacks):
    asked = []

    def handler(event):  # pragma: no cover - never delivered here
        pass

    no_subscribers.append(handler)
    reg._wants[handler] = lambda obj: asked.append(obj.pk) or obj.name == "Wanted"
    try:
        unwanted = CustomerFactory(name="Other")
        event, callbacks = _publish(unwanted, django_capture_on_commit_callbacks)
        assert callbacks == [] and Event.objects.get(pk=event.pk).fanned_out_at is not None
        wanted = CustomerFactory(name="Wanted")
        event, callbacks = _publish(wanted, django_capture_on_commit_callbacks)
        assert len(callbacks) == 1 and Event.objects.get(pk=event.pk).fanned_out_at is None
        assert asked == [unwanted.pk, wanted.pk]
    finally:
        reg._wants.pop(handler, None)


def test_a_subscriber_without_when_wants_everything(no_subscribers):
    no_subscribers.append(lambda event: None)
    assert listening(CUSTOMER_ATTRIBUTE_VALUE_CHANGE)


def test_fan_out_is_idempotent_and_one_insert_for_every_target(no_subscribers, django_assert_num_queries):
    customer = CustomerFactory()
    for i in range(3):
        HubSubscription.objects.create(api=CUSTOMER_ATTRIBUTE_VALUE_CHANGE.api, callback=f"https://l{i}.example/cb")
    no_subscribers.append(lambda event: None)
    with transaction.atomic():
        event = publish(CUSTOMER_ATTRIBUTE_VALUE_CHANGE, customer)
    # savepoint pair, lock the event, listeners, one INSERT, mark it, pending deliveries
    with django_assert_num_queries(7):
        pending = event_fan_out(event_id=event.pk)
    assert len(pending) == 4
    assert event_fan_out(event_id=event.pk) == pending  # again: nothing new
    assert EventDelivery.objects.filter(event=event).count() == 4


def test_cached_exists_sees_a_change_in_this_process_at_once():
    exists = reg.cached_exists(HubSubscription, active=True, seconds=3600)
    assert not exists(api="x")
    HubSubscription.objects.create(api="x", callback="https://x.example/cb")
    assert exists(api="x")  # the save cleared the cached answer
    assert not exists(api="y")


def test_only_the_subscribers_that_wanted_it_get_a_delivery(no_subscribers, django_capture_on_commit_callbacks):
    def keen(event):  # pragma: no cover - not attempted here
        pass

    def picky(event):  # pragma: no cover - not attempted here
        pass

    no_subscribers.extend([keen, picky])
    reg._wants[picky] = lambda obj: False
    try:
        customer = CustomerFactory()
        with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
            event = publish(CUSTOMER_ATTRIBUTE_VALUE_CHANGE, customer)
        assert len(callbacks) == 1
        handlers = reg.wanted_by(CUSTOMER_ATTRIBUTE_VALUE_CHANGE, customer)
        assert handlers == [reg.handler_path(keen)]
        event_fan_out(event_id=event.pk, handlers=handlers)
        assert list(EventDelivery.objects.filter(event=event).values_list("subscriber", flat=True)) == handlers
        # the periodic re-dispatch knows nothing of who wanted it: every subscriber of the type, each decides
        event_fan_out(event_id=event.pk)
        assert EventDelivery.objects.filter(event=event).count() == 1  # already fanned out: nothing new
    finally:
        reg._wants.pop(picky, None)


def test_clear_all_forgets_every_cached_answer():
    exists = reg.cached_exists(HubSubscription, active=True, seconds=3600)
    assert not exists(api="z")
    HubSubscription.objects.bulk_create([HubSubscription(api="z", callback="https://z.example/cb")])  # no signal
    assert not exists(api="z")  # still the cached answer
    reg.cached_exists.clear_all()
    assert exists(api="z")
