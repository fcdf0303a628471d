"""The customer order's jeopardy clock is qualified by the order type (the order type's code, the `type` qualifier
of orders.customer_order): the demo's change type has its own SLA target and escalation policy, chosen over the
generic target; every other order type keeps the generic one; each order escalates by its own target's policy."""

import datetime as dt

import pytest
from django.utils import timezone

from bss.actors import Actor, Channel
from bss.errors import DomainValidationError
from bss.sla.models import Escalation, SlaClock, SlaTarget
from bss.sla.services import sla_scan, sla_target_create
from orders import demo_orders
from orders.models import CustomerOrder
from orders.services.ordering import OrderItemInput, customer_order_create, customer_order_process
from tests.factories import activatable_offering, orderable_customer, staff_user

pytestmark = pytest.mark.django_db
CLOCK = "orders.customer_order"


@pytest.fixture
def system():
    actor = Actor.system("demo")
    demo_orders.seed_order_types(actor)
    demo_orders.seed_sla_targets(actor)
    return actor


@pytest.fixture
def committed():
    csr = Actor(user=staff_user(), channel=Channel.PORTAL)
    offering = activatable_offering()

    def _committed(order_type, hours, **kw):
        order, _ = customer_order_create(actor=csr, customer_ref=str(orderable_customer().pk), order_type=order_type,
                                         requested_completion_date=timezone.now() + dt.timedelta(hours=hours),
                                         items=[OrderItemInput(item_id="1", offering=offering.code)], **kw)
        customer_order_process(order_id=order.pk, actor=csr)
        order.refresh_from_db()
        assert order.state == CustomerOrder.State.COMMITTED, order.rejection_reasons
        return order

    return _committed


def clock_of(order):
    return SlaClock.objects.select_related("target").get(clock_type=CLOCK, object_id=str(order.pk), step="")


def test_the_demo_gives_the_change_type_its_own_target_and_policy(system):
    change = SlaTarget.objects.get(clock_type=CLOCK, type_code="change-standard")
    assert (change.name, change.duration_minutes, change.jeopardy_margin_minutes) == ("Changes of products", 1440, 240)
    assert [(s.level, s.trigger, s.delay_minutes, s.action) for s in change.escalation_steps.all()] == [
        (1, "at_risk", 0, "notify_role"), (2, "breached", 0, "raise_priority"), (3, "breached", 60, "notify_supervisor")]
    assert demo_orders.seed_sla_targets(system) == 0  # idempotent


def test_the_order_type_target_is_chosen_over_the_generic_one(system, committed):
    change, provide, terminate = (committed("change-standard", 72), committed("provide-standard", 72),
                                  committed("terminate-standard", 72))
    assert clock_of(change).target.name == "Changes of products"
    assert clock_of(change).qualifiers == {"priority": str(change.priority), "type": "change-standard"}
    assert clock_of(change).jeopardy_margin_minutes == 4 * 60
    assert clock_of(provide).target.name == "Customer orders"
    assert clock_of(terminate).target.name == "Customer orders"
    assert clock_of(terminate).qualifiers["type"] == "terminate-standard"


def test_the_type_wins_over_the_priority_and_other_types_keep_the_urgent_target(system, committed):
    assert clock_of(committed("change-standard", 72, priority=0)).target.name == "Changes of products"
    assert clock_of(committed("provide-standard", 72, priority=0)).target.name == "Urgent customer orders"


def test_escalation_follows_the_chosen_targets_policy(system, committed):
    # committed in 3 hours: within the change target's 4 h margin and the generic 12 h one (both at risk);
    # overdue by 90 minutes: past the change policy's L3 (an hour) and short of the generic L3 (two hours)
    change_soon, provide_soon = committed("change-standard", 3), committed("provide-standard", 3)
    change_late, provide_late = committed("change-standard", -1.5), committed("provide-standard", -1.5)
    sla_scan(now=timezone.now())

    def fired(order):
        return [(e.level, e.action, e.role) for e in Escalation.objects.filter(
            clock__object_id=str(order.pk), clock__clock_type=CLOCK).order_by("level")]

    assert fired(change_soon) == [(1, "notify_role", "Provisioning engineer")]
    assert fired(provide_soon) == [(1, "notify_role", "CSR")]
    assert fired(change_late) == [(1, "notify_role", "Provisioning engineer"), (2, "raise_priority", ""),
                                  (3, "notify_supervisor", "")]
    assert fired(provide_late) == [(1, "notify_role", "CSR"), (2, "notify_supervisor", "")]


def test_a_target_for_an_order_type_that_does_not_exist_is_refused(system):
    with pytest.raises(DomainValidationError) as e:
        sla_target_create(name="Typo", clock_type=CLOCK, type_code="change-standrad", time_basis="calendar",
                          duration_minutes=60, actor=system)
    assert "is not a type of orders.customer_order" in str(e.value.field_errors["type_code"])
