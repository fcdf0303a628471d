"""Concurrent transitions on one customer order (real connections on PostgreSQL): cancel and complete at once
never both succeed: exactly one wins, the others get 409, and the history stays consistent."""

import threading

import pytest
from django.db import connection, connections

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError
from orders.models import CustomerOrder, OrderTypeStep
from orders.services import ordering
from orders.services.ordering import OrderItemInput, customer_order_create
from tests.factories import (
    OrderTypeFactory,
    OrderTypeStepFactory,
    ProductOfferingFactory,
    ProductOfferingPriceFactory,
    orderable_customer,
    staff_user,
)


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_cancel_and_complete_calls_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency: PostgreSQL")
    actor = Actor(user=staff_user(), channel=Channel.PORTAL)
    order_type = OrderTypeFactory(is_default=True, kind="provide")
    OrderTypeStepFactory(order_type=order_type, sequence=1, code="deliver-cpe", kind=OrderTypeStep.Kind.MANUAL)
    offering = ProductOfferingFactory(lifecycle_status="active")  # nothing to activate: the manual step gates it
    ProductOfferingPriceFactory(offering=offering)
    order, _ = customer_order_create(actor=actor, customer_ref=str(orderable_customer().pk),
                                     items=[OrderItemInput(item_id="1", offering=offering.code)])
    ordering.customer_order_process(order_id=order.pk, actor=actor)
    order.refresh_from_db()
    assert order.state == "committed"
    task = order.tasks.get()
    barrier = threading.Barrier(20)
    wins, refusals, errors = [], [], []

    def run(n):
        try:
            barrier.wait()
            if n % 2:
                ordering.customer_order_cancel(order_id=order.pk, reason=f"caller {n}", actor=actor)
            else:
                ordering.order_task_complete(task_id=task.pk, actor=actor, note=f"caller {n}")
            wins.append(n)
        except ApplicationError as e:
            assert e.status_code == 409
            refusals.append(n)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(repr(e))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(wins) == 1 and len(refusals) == 19
    order.refresh_from_db()
    assert order.state == (CustomerOrder.State.CANCELLED if wins[0] % 2 else CustomerOrder.State.COMPLETED)
    final_moves = HistoryEntry.objects.filter(object_id=str(order.pk), action__in=[
        "orders.customer_order.cancel", "orders.customer_order.complete"])
    assert final_moves.count() == 1
