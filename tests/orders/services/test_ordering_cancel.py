"""Cancelling customer orders and items: the three cases of seed 001 (before activation starts: cancel and
release; mid-way: roll back what was done; after activation: refused, a recovery order instead), the point of no
return for self-service, item-level cancel, manual steps gating completion, DELETE, close and archive."""

import datetime as dt

import pytest
from django.utils import timezone

from bss.actors import Actor, Channel
from bss.errors import ApplicationError
from orders.models import CustomerOrder, OrderTypeStep
from orders.services import ordering
from orders.services.ordering import OrderItemInput, customer_order_create
from service_activation.models import NetworkConfiguration, Service, ServiceOrder, WorkOrder
from service_activation.services import service_orders
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
S = CustomerOrder.State


@pytest.fixture
def csr():
    return Actor(user=staff_user(), channel=Channel.PORTAL)


def _order(actor, customer, *offerings, **kw):
    items = [OrderItemInput(item_id=str(n), offering=o.code) for n, o in enumerate(offerings, start=1)]
    order, _ = customer_order_create(actor=actor, customer_ref=str(customer.pk), items=items, **kw)
    return order


def _run_worker(max_steps=50, only=None):
    """What the provisioning worker does: run ready automatic work orders until none is left."""
    for _ in range(max_steps):
        qs = WorkOrder.objects.filter(status="ready", manual=False)
        if only is not None:
            qs = qs.filter(code__in=only)
        wo = qs.order_by("pk").first()
        if wo is None:
            return
        service_orders.work_order_execute(work_order_id=wo.pk, actor=Actor.system("worker"))
    raise AssertionError("the worker did not settle")


def test_before_activation_the_order_is_cancelled_at_once(csr):
    order = _order(csr, orderable_customer(), activatable_offering())  # acknowledged; its task has not run
    assert order.state == S.ACKNOWLEDGED
    ordering.customer_order_cancel(order_id=order.pk, reason="customer changed their mind", actor=csr)
    order.refresh_from_db()
    assert order.state == S.CANCELLED and order.cancellation_date is not None
    assert not ServiceOrder.objects.filter(customer_order_id=order.pk).exists()
    assert {i.state for i in order.items.all()} == {"cancelled"}


def test_mid_way_the_done_steps_are_rolled_back_then_the_order_is_cancelled(csr):
    order = _order(csr, orderable_customer(), activatable_offering())
    ordering.customer_order_process(order_id=order.pk, actor=csr)
    so = ServiceOrder.objects.get(customer_order_id=order.pk)
    service_orders.service_order_run(service_order_id=so.pk, actor=csr)
    _run_worker(only=["configure-port"])  # first step done, the second not yet
    service = so.items.get().service
    assert NetworkConfiguration.objects.filter(service_ref=f"service:{service.pk}", operation="activate").count() == 1

    ordering.customer_order_cancel(order_id=order.pk, reason="moved house", actor=csr)
    order.refresh_from_db()
    so.refresh_from_db()
    assert order.state == S.PENDING_CANCELLATION and order.tmf_state == "pendingCancellation"
    assert so.state == ServiceOrder.State.PENDING_CANCELLATION
    _run_worker()
    so.refresh_from_db()
    assert so.state == ServiceOrder.State.CANCELLED
    assert NetworkConfiguration.objects.filter(service_ref=f"service:{service.pk}", operation="rollback").count() == 1
    ordering.customer_order_try_complete(order_id=order.pk, actor=csr)  # the subscriber, as the event arrives
    order.refresh_from_db()
    assert order.state == S.CANCELLED
    service.refresh_from_db()
    assert service.state == Service.State.TERMINATED


def _training_type():
    milestone = MilestoneStatusFactory(code="customer-trained", name="Customer trained")
    order_type = OrderTypeFactory(code="provide-with-training", is_default=True, kind="provide")
    OrderTypeStepFactory(order_type=order_type, sequence=1, code="activate", kind=OrderTypeStep.Kind.ACTIVATION,
                         point_of_no_return=True)
    OrderTypeStepFactory(order_type=order_type, sequence=2, code="training", kind=OrderTypeStep.Kind.MANUAL,
                         team="trainers", milestone=milestone)
    return order_type


def test_after_activation_cancel_is_refused_and_a_manual_step_gates_completion(csr):
    _training_type()
    order = _order(csr, orderable_customer(), activatable_offering())
    ordering.customer_order_process(order_id=order.pk, actor=csr)
    so = ServiceOrder.objects.get(customer_order_id=order.pk)
    service_orders.service_order_run(service_order_id=so.pk, actor=csr)
    _run_worker()
    ordering.customer_order_try_complete(order_id=order.pk, actor=csr)
    order.refresh_from_db()
    assert order.state == S.COMMITTED, "the training step is not done yet"
    assert order.point_of_no_return_passed
    with pytest.raises(ApplicationError, match="recovery"):
        ordering.customer_order_cancel(order_id=order.pk, reason="too late", actor=csr)
    order.refresh_from_db()
    assert order.state == S.COMMITTED
    training = order.tasks.get(step__code="training")
    assert training.status == "ready"
    ordering.order_task_complete(task_id=training.pk, actor=csr, note="trained on the router")
    order.refresh_from_db()
    assert order.state == S.COMPLETED
    assert order.milestone.code == "customer-trained"


def test_self_service_cannot_cancel_or_modify_past_the_point_of_no_return(csr):
    _training_type()
    customer = orderable_customer()
    order = _order(csr, customer, activatable_offering())
    ordering.customer_order_process(order_id=order.pk, actor=csr)
    order.refresh_from_db()
    assert order.point_of_no_return_passed
    me = Actor(user=customer_user(customer), channel=Channel.SELF_SERVICE)
    with pytest.raises(ApplicationError) as e:
        ordering.customer_order_cancel(order_id=order.pk, reason="changed my mind", actor=me)
    assert e.value.code == "point_of_no_return"
    with pytest.raises(ApplicationError):
        ordering.customer_order_update(order_id=order.pk, actor=csr, description="faster please")
    ordering.customer_order_update(order_id=order.pk, actor=csr, notes=["called to ask about the date"])
    assert order.notes.count() == 1


def test_item_cancel_cancels_its_dependents_and_the_rest_completes(csr):
    broadband, tv = activatable_offering(), activatable_offering()
    customer = orderable_customer()
    order, _ = customer_order_create(actor=csr, customer_ref=str(customer.pk), items=[
        OrderItemInput(item_id="bb", offering=broadband.code),
        OrderItemInput(item_id="tv", offering=tv.code, depends_on=["bb"]),
        OrderItemInput(item_id="extra", offering=activatable_offering().code)])
    ordering.customer_order_item_cancel(order_id=order.pk, item_id="bb", reason="no line at the address", actor=csr)
    assert {i.item_id: i.state for i in order.items.all()} == {"bb": "cancelled", "tv": "cancelled",
                                                               "extra": "acknowledged"}
    ordering.customer_order_process(order_id=order.pk, actor=csr)
    so = ServiceOrder.objects.get(customer_order_id=order.pk)
    assert [i.customer_order_item_id for i in so.items.all()] == [order.items.get(item_id="extra").pk]
    service_orders.service_order_run(service_order_id=so.pk, actor=csr)
    _run_worker()
    ordering.customer_order_try_complete(order_id=order.pk, actor=csr)
    order.refresh_from_db()
    assert order.state == S.COMPLETED
    assert customer.products.count() == 1


def test_a_dependent_item_is_activated_only_after_the_one_it_depends_on(csr):
    broadband, tv = activatable_offering(), activatable_offering()
    customer = orderable_customer()
    order, _ = customer_order_create(actor=csr, customer_ref=str(customer.pk), items=[
        OrderItemInput(item_id="tv", offering=tv.code, depends_on=["bb"]),
        OrderItemInput(item_id="bb", offering=broadband.code)])
    ordering.customer_order_process(order_id=order.pk, actor=csr)
    so = ServiceOrder.objects.get(customer_order_id=order.pk)
    service_orders.service_order_run(service_order_id=so.pk, actor=csr)
    tv_item = so.items.get(customer_order_item_id=order.items.get(item_id="tv").pk)
    assert set(tv_item.work_orders.values_list("status", flat=True)) == {"waiting"}
    _run_worker()
    order.refresh_from_db()
    configured = list(NetworkConfiguration.objects.order_by("pk").values_list("service_ref", flat=True))
    assert configured.index(f"service:{tv_item.service_id}") > configured.index(
        f"service:{so.items.exclude(pk=tv_item.pk).get().service_id}")


def test_delete_is_a_cancellation_only_before_the_order_starts(csr):
    customer = orderable_customer()
    order = _order(csr, customer, activatable_offering())
    ordering.customer_order_delete(order_id=order.pk, actor=csr)
    order.refresh_from_db()
    assert order.state == S.CANCELLED  # still there, readable
    started = _order(csr, customer, activatable_offering())
    ordering.customer_order_process(order_id=started.pk, actor=csr)
    with pytest.raises(ApplicationError, match="started"):
        ordering.customer_order_delete(order_id=started.pk, actor=csr)


def test_terminal_orders_close_after_the_grace_period_and_archive_later(csr):
    order = _order(csr, orderable_customer(), activatable_offering())
    ordering.customer_order_cancel(order_id=order.pk, reason="duplicate", actor=csr)
    later = timezone.now() + dt.timedelta(days=31)
    assert ordering.customer_orders_close(now=timezone.now(), grace_days=30) == 0
    assert ordering.customer_orders_close(now=later, grace_days=30) == 1
    assert ordering.customer_orders_close(now=later, grace_days=30) == 0  # a rerun changes nothing
    order.refresh_from_db()
    assert order.state == S.CLOSED and order.closed_from == "cancelled" and order.tmf_state == "cancelled"
    assert ordering.customer_orders_archive(now=later, age_days=365) == 0
    assert ordering.customer_orders_archive(now=later + dt.timedelta(days=366), age_days=365) == 1
    order.refresh_from_db()
    assert order.archived and order.items.count() == 1  # out of the working set, never erased
    assert not ordering.order_queryset(staff_user()).filter(pk=order.pk).exists()


def test_an_order_whose_service_orders_were_all_cancelled_is_held_not_completed(csr):
    customer = orderable_customer()
    order = _order(csr, customer, activatable_offering())
    ordering.customer_order_process(order_id=order.pk, actor=csr)
    so = ServiceOrder.objects.get(customer_order_id=order.pk)
    service_orders.service_order_cancel(service_order_id=so.pk, reason="network change freeze", actor=csr)
    ordering.customer_order_try_complete(order_id=order.pk, actor=csr)
    order.refresh_from_db()
    assert order.state == S.HELD and not customer.products.exists()
