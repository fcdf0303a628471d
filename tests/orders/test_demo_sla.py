"""Demo SLA data for customer orders (orders.demo_orders): order types with expected durations per step, SLA targets
with a jeopardy margin and an escalation policy; an order committed for tonight is at risk and one whose committed
date passed is in jeopardy, each with its escalations recorded, and the staff home's jeopardy queue counts them."""

import datetime as dt

import pytest
from django.utils import timezone

from bss.actors import Actor, Channel
from bss.sla.models import Escalation, SlaClock, SlaTarget
from bss.sla.services import sla_scan
from orders import demo_orders
from orders.models import CustomerOrder, OrderType
from orders.services.ordering import OrderItemInput, customer_order_create, customer_order_process
from tests.factories import activatable_offering, orderable_customer, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def system():
    return Actor.system("demo")


def test_order_types_carry_expected_durations_per_step_and_the_targets_are_idempotent(system):
    demo_orders.seed_order_types(system)
    assert demo_orders.seed_sla_targets(system) == 3  # any order type, urgent, the change type
    assert demo_orders.seed_sla_targets(system) == 0
    for ot in OrderType.objects.all():
        assert ot.steps.exists() and not ot.steps.filter(expected_minutes__isnull=True).exists(), ot.code
    normal = SlaTarget.objects.get(clock_type="orders.customer_order", type_code="", priority="")
    assert normal.jeopardy_margin_minutes == 12 * 60
    assert [(s.level, s.trigger, s.action) for s in normal.escalation_steps.all()] == [
        (1, "at_risk", "notify_role"), (2, "breached", "notify_supervisor"), (3, "breached", "raise_priority")]


def test_older_demo_order_types_get_their_step_durations(system):
    demo_orders.seed_order_types(system)
    OrderType.objects.get(code="provide-standard").steps.update(expected_minutes=None)
    demo_orders.seed_order_types(system)
    assert not OrderType.objects.get(code="provide-standard").steps.filter(expected_minutes__isnull=True).exists()


def test_the_demo_policy_marks_orders_at_risk_and_in_jeopardy_with_escalations(system):
    demo_orders.seed_order_types(system)
    demo_orders.seed_sla_targets(system)
    csr = Actor(user=staff_user(), channel=Channel.PORTAL)
    offering = activatable_offering()

    def committed(hours):
        order, _ = customer_order_create(actor=csr, customer_ref=str(orderable_customer().pk),
                                         requested_completion_date=timezone.now() + dt.timedelta(hours=hours),
                                         items=[OrderItemInput(item_id="1", offering=offering.code)])
        customer_order_process(order_id=order.pk, actor=csr)
        order.refresh_from_db()
        assert order.state == CustomerOrder.State.COMMITTED, order.rejection_reasons
        return order

    late, soon, fine = committed(-6), committed(10), committed(72)
    sla_scan(now=timezone.now())
    clocks = {c.object_id: c for c in SlaClock.objects.filter(clock_type="orders.customer_order")}
    assert clocks[str(late.pk)].jeopardy_status == "in_jeopardy"
    assert clocks[str(soon.pk)].jeopardy_status == "at_risk"
    assert clocks[str(fine.pk)].jeopardy_status == "on_track"
    fired = {(e.clock.object_id, e.level, e.action) for e in Escalation.objects.select_related("clock")}
    assert (str(soon.pk), 1, "notify_role") in fired
    assert {(str(late.pk), 2, "notify_supervisor"), (str(late.pk), 3, "raise_priority")} <= fired
    assert not any(object_id == str(fine.pk) for object_id, _, _ in fired)
    # the provide-standard type's steps are scheduled back from the committed date
    activate = late.tasks.get(step__code="activate")
    assert activate.due_at == late.committed_date - dt.timedelta(minutes=60)
