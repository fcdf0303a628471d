"""Self-service order page (/my/orders/<id>/): while the order is open its status part polls every 5 s over HTMX
and shows the stages, progress and the customer-visible milestones; a finished order's part no longer polls."""

import pytest
from django.test import Client

from bss.actors import Actor, Channel
from bss.roles import Role
from orders.models import CustomerOrder, OrderTask
from orders.services.ordering import OrderItemInput, customer_order_create
from tests.factories import (
    MilestoneStatusFactory,
    OrderTypeFactory,
    OrderTypeStepFactory,
    activatable_offering,
    customer_user,
    orderable_customer,
    staff_user,
)

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def order():
    customer = orderable_customer()
    kind = OrderTypeFactory(code="provide-x", kind="provide", is_default=True)
    trained = MilestoneStatusFactory(name="Trained", descriptions={"en": "You have been shown how it works"})
    internal = MilestoneStatusFactory(name="Internal check", customer_visible=False)
    OrderTypeStepFactory(order_type=kind, sequence=1, code="check", kind="manual", milestone=internal)
    OrderTypeStepFactory(order_type=kind, sequence=2, code="train", kind="manual", milestone=trained)
    order, _ = customer_order_create(actor=Actor(user=staff_user(Role.CSR), channel=Channel.PORTAL),
                                     customer_ref=str(customer.pk),
                                     items=[OrderItemInput(item_id="1", offering=activatable_offering().code)])
    return order


@pytest.fixture
def me(order):
    client = Client()
    client.force_login(customer_user(order.customer))
    return client


def test_an_open_orders_status_part_polls_every_5_seconds(me, order):
    html = me.get(f"/my/orders/{order.pk}/").content.decode()
    assert f'hx-get="/my/orders/{order.pk}/" hx-trigger="every 5s" hx-swap="outerHTML"' in html
    assert 'id="order-status"' in html and "What you ordered" in html


def test_the_polled_answer_is_only_the_status_part_with_the_progress(me, order):
    response = me.get(f"/my/orders/{order.pk}/", **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "<header" not in html and "What you ordered" not in html
    assert 'id="order-status"' in html and "data-polling" in html
    assert 'data-current-stage' in html and "Checked" in html and 'data-progress="25"' in html
    assert "You have been shown how it works" in html and 'data-milestone-reached="no"' in html
    assert "Internal check" not in html  # not customer-visible


def test_progress_follows_the_steps_and_a_finished_order_stops_polling(me, order):
    CustomerOrder.objects.filter(pk=order.pk).update(state=CustomerOrder.State.COMMITTED)
    OrderTask.objects.filter(order=order, step__code="check").update(status=OrderTask.Status.DONE)
    html = me.get(f"/my/orders/{order.pk}/", **HX).content.decode()
    assert 'data-progress="74"' in html and "data-polling" in html  # one of two mandatory steps done

    OrderTask.objects.filter(order=order).update(status=OrderTask.Status.DONE)
    CustomerOrder.objects.filter(pk=order.pk).update(state=CustomerOrder.State.COMPLETED)
    html = me.get(f"/my/orders/{order.pk}/", **HX).content.decode()
    assert 'id="order-status"' in html and "hx-trigger" not in html and "data-polling" not in html
    assert 'data-progress="100"' in html and 'data-milestone-reached="yes"' in html
    assert "hx-trigger" not in me.get(f"/my/orders/{order.pk}/").content.decode().split('id="order-status"')[1][:400]


def test_a_cancelled_order_shows_no_stages_and_does_not_poll(me, order):
    CustomerOrder.objects.filter(pk=order.pk).update(state=CustomerOrder.State.CANCELLED)
    html = me.get(f"/my/orders/{order.pk}/", **HX).content.decode()
    assert "data-stages" not in html and "data-polling" not in html and "Cancelled" in html
    assert "You have been shown how it works" not in html  # a milestone it will never reach is not promised


def test_a_cancelled_order_keeps_the_milestones_it_reached(me, order):
    OrderTask.objects.filter(order=order, step__code="train").update(status=OrderTask.Status.DONE)
    CustomerOrder.objects.filter(pk=order.pk).update(state=CustomerOrder.State.CANCELLED)
    html = me.get(f"/my/orders/{order.pk}/", **HX).content.decode()
    assert "You have been shown how it works" in html and 'data-milestone-reached="no"' not in html


def test_someone_elses_order_is_not_found_when_polled(order):
    other = Client()
    other.force_login(customer_user(orderable_customer()))
    assert other.get(f"/my/orders/{order.pk}/", **HX).status_code == 404
