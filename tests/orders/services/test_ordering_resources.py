"""Orders for services that need resources (1.1.2.2.2): the number is reserved when the service order is
issued (the customer's chosen one, or the next free), allocated when activation is done, carried to the
customer's product as its serial; a cancelled order gives it back; a terminated service puts it in quarantine."""

import pytest

from bss.actors import Actor, Channel
from orders.services import order_kinds, ordering
from orders.services.ordering import OrderItemInput, customer_order_create
from service_activation.models import Resource, ServiceOrder, WorkOrder
from service_activation.services import service_orders
from tests.factories import (
    SpecCharacteristicFactory,
    activatable_offering,
    number_pool,
    orderable_customer,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def csr():
    return Actor(user=staff_user(), channel=Channel.PORTAL)


def _mobile():
    offering = activatable_offering(steps=("hlr-provision",), tests=("attach-check",))
    svc = offering.specification.service_specifications.get()
    svc.required_resources = ["msisdn"]
    svc.save()
    return offering


def _fulfil(order, actor):
    ordering.customer_order_process(order_id=order.pk, actor=actor)
    for so in ServiceOrder.objects.filter(customer_order_id=order.pk):
        service_orders.service_order_run(service_order_id=so.pk, actor=actor)
        while (wo := WorkOrder.objects.filter(item__service_order=so, status="ready", manual=False).first()):
            service_orders.work_order_execute(work_order_id=wo.pk, actor=actor)
    ordering.customer_order_try_complete(order_id=order.pk, actor=actor)
    order.refresh_from_db()
    return order


def test_a_chosen_number_is_reserved_allocated_and_becomes_the_product_serial(csr):
    pool = number_pool(5)
    chosen = pool.resources.order_by("value")[2]
    offering = _mobile()
    SpecCharacteristicFactory(specification=offering.specification, name="msisdn")
    customer = orderable_customer()
    order, _ = customer_order_create(actor=csr, customer_ref=str(customer.pk), items=[
        OrderItemInput(item_id="1", offering=offering.code, characteristics={"msisdn": chosen.value})])
    ordering.customer_order_process(order_id=order.pk, actor=csr)
    item = ServiceOrder.objects.get(customer_order_id=order.pk).items.get()
    chosen.refresh_from_db()
    assert (chosen.state, chosen.holder) == ("reserved", f"service:{item.service_id}")
    order = _fulfil(order, csr)
    chosen.refresh_from_db()
    assert order.state == "completed" and chosen.state == "allocated"
    assert customer.products.get().product_serial == chosen.value


def test_next_free_number_reserved_then_allocated_and_quarantined_on_termination(csr):
    number_pool(3)
    customer = orderable_customer()
    order, _ = customer_order_create(actor=csr, customer_ref=str(customer.pk), items=[
        OrderItemInput(item_id="1", offering=_mobile().code)])
    order = _fulfil(order, csr)
    assert order.state == "completed", order.rejection_reasons
    product = customer.products.get()
    resource = Resource.objects.get(state="allocated")
    assert product.product_serial == resource.value
    termination = order_kinds.customer_order_terminate(actor=csr, product_ids=[product.pk])
    assert _fulfil(termination, csr).state == "completed"
    resource.refresh_from_db()
    assert resource.state == "quarantined" and resource.holder == ""


def test_cancelling_before_activation_frees_the_reserved_number(csr):
    number_pool(3)
    customer = orderable_customer()
    order, _ = customer_order_create(actor=csr, customer_ref=str(customer.pk), items=[
        OrderItemInput(item_id="1", offering=_mobile().code)])
    ordering.customer_order_process(order_id=order.pk, actor=csr)
    assert Resource.objects.filter(state="reserved").count() == 1
    ordering.customer_order_cancel(order_id=order.pk, reason="customer changed their mind", actor=csr)
    assert Resource.objects.filter(state="reserved").count() == 0
    assert Resource.objects.filter(state="free").count() == 3


def test_no_free_number_holds_the_order_with_the_reason_and_nothing_half_done(csr):
    """An exhausted pool: the service order cannot reserve; the customer order is held (not half-decomposed),
    saying why, for staff to act on."""
    number_pool(0)
    customer = orderable_customer()
    order, _ = customer_order_create(actor=csr, customer_ref=str(customer.pk), items=[
        OrderItemInput(item_id="1", offering=_mobile().code)])
    ordering.customer_order_process(order_id=order.pk, actor=csr)
    order.refresh_from_db()
    assert order.state == "held" and not ServiceOrder.objects.exists()
    assert {i.state for i in order.items.all()} == {"acknowledged"}
    from bss.audit.models import HistoryEntry

    assert "cannot be fulfilled yet" in HistoryEntry.objects.filter(action="orders.customer_order.hold").get().reason
