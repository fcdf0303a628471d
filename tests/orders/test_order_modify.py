"""Modifying a customer order before its point of no return (orders.services.order_modify): item characteristics,
quantity and install address, items added and removed, validation and feasibility re-run, credit re-run when the
value rises, decomposed orders re-decomposed, 409 after the point of no return or once network steps are done."""

from decimal import Decimal

import pytest

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError, BusinessRuleViolation, DomainValidationError
from bss.events.models import Event
from orders.models import CustomerOrder, OrderTypeStep
from orders.services import ordering
from orders.services.order_modify import OrderItemChange, customer_order_modify
from orders.services.ordering import OrderItemInput, customer_order_create
from service_activation.models import ServiceOrder, ServiceOrderItem, WorkOrder
from service_activation.services import service_orders
from tests.factories import (
    AddressFactory,
    BureauRuleFactory,
    CreditPolicyFactory,
    OrderTypeFactory,
    OrderTypeStepFactory,
    SpecCharacteristicFactory,
    activatable_offering,
    orderable_customer,
    staff_user,
)

pytestmark = pytest.mark.django_db
S = CustomerOrder.State


@pytest.fixture
def csr():
    return Actor(user=staff_user(), channel=Channel.PORTAL)


def _offering(**kw):
    offering = activatable_offering(**kw)
    SpecCharacteristicFactory(specification=offering.specification, name="speed", allowed_values=["100", "500"])
    return offering


def _order(actor, customer, *offerings, chars=None):
    items = [OrderItemInput(item_id=str(n), offering=o.code, characteristics=dict(chars or {}))
             for n, o in enumerate(offerings, start=1)]
    order, _ = customer_order_create(actor=actor, customer_ref=str(customer.pk), items=items)
    return order


def _events(order, since=0):
    return list(Event.objects.filter(resource_type="productOrder", resource_id=str(order.pk), pk__gt=since)
                .values_list("event_type", flat=True))


def _last_event_pk():
    return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_an_acknowledged_order_is_modified_with_one_history_row_and_one_event(csr):
    customer = orderable_customer()
    order = _order(csr, customer, _offering(), chars={"speed": "100"})
    assert order.state == S.ACKNOWLEDGED
    other = AddressFactory(customer=customer)
    mark = _last_event_pk()
    result = customer_order_modify(order_id=order.pk, actor=csr, reason="customer wants more", changes=[
        OrderItemChange(item_id="1", quantity=2, characteristics={"speed": "500"}, place=str(other.pk))])
    item = order.items.get()
    assert (item.quantity, item.characteristics, item.place_id) == (2, {"speed": "500"}, other.pk)
    assert result.changed_items == ["1"]
    assert _events(order, mark) == ["ProductOrderAttributeValueChangeEvent"]
    row = HistoryEntry.objects.get(action="orders.customer_order.modified")
    assert row.reason == "customer wants more"
    assert row.changes["item 1"][1] == {"quantity": 2, "characteristics": {"speed": "500"}, "place": other.pk}
    order.refresh_from_db()
    assert order.feasibility_result and order.feasibility_result[0]["itemId"] == "1", "feasibility ran again"


def test_an_invalid_modification_is_422_and_changes_nothing(csr):
    order = _order(csr, orderable_customer(), _offering(), chars={"speed": "100"})
    mark = _last_event_pk()
    with pytest.raises(BusinessRuleViolation) as e:
        customer_order_modify(order_id=order.pk, actor=csr, changes=[
            OrderItemChange(item_id="1", quantity=3, characteristics={"speed": "9000"})])
    assert e.value.status_code == 422 and e.value.extra["reasons"][0]["code"] == "invalid_characteristic"
    item = order.items.get()
    assert (item.quantity, item.characteristics) == (1, {"speed": "100"})
    assert _events(order, mark) == []
    assert not HistoryEntry.objects.filter(action="orders.customer_order.modified").exists()


def test_an_infeasible_modification_is_refused_by_the_feasibility_engine(csr, feasibility_catalog):
    offerings, _ = feasibility_catalog
    customer = orderable_customer()
    AddressFactory(customer=customer, area_code="GAL01")  # fiber up to 100 only
    order = _order(csr, customer, offerings["mobile-s"])
    gal = customer.addresses.get(area_code="GAL01")
    with pytest.raises(BusinessRuleViolation) as e:
        customer_order_modify(order_id=order.pk, actor=csr, add=[
            OrderItemInput(item_id="2", offering="fiber-500", place=str(gal.pk))])
    assert e.value.code == "modification_infeasible"
    assert order.items.count() == 1


def test_malformed_modifications_are_400(csr):
    order = _order(csr, orderable_customer(), _offering())
    with pytest.raises(DomainValidationError) as e:
        customer_order_modify(order_id=order.pk, actor=csr, changes=[OrderItemChange(item_id="9", quantity=0)],
                              add=[OrderItemInput(item_id="1", offering="x")])
    assert set(e.value.field_errors) == {"items[0].id", "items[0].quantity", "add[0].id"}
    with pytest.raises(DomainValidationError):
        customer_order_modify(order_id=order.pk, actor=csr)


def test_items_are_added_and_removed(csr):
    a, b = _offering(), _offering()
    order = _order(csr, orderable_customer(), a, b)
    result = customer_order_modify(order_id=order.pk, actor=csr, remove=["2"],
                                   add=[OrderItemInput(item_id="3", offering=a.code, depends_on=["1"])])
    assert result.removed_items == ["2"] and result.added_items == ["3"]
    states = dict(order.items.values_list("item_id", "state"))
    assert states == {"1": "acknowledged", "2": "cancelled", "3": "acknowledged"}
    new = order.items.get(item_id="3")
    assert new.prices.exists(), "the added item's prices are agreed now"
    assert [d.item_id for d in new.depends_on.all()] == ["1"]
    with pytest.raises(BusinessRuleViolation, match="cancel order"):
        customer_order_modify(order_id=order.pk, actor=csr, remove=["1", "3"])


def test_after_the_point_of_no_return_modify_is_409_offering_a_follow_on_change(csr):
    order = _order(csr, orderable_customer(), _offering())
    CustomerOrder.objects.filter(pk=order.pk).update(point_of_no_return_passed=True)
    with pytest.raises(ApplicationError) as e:
        customer_order_modify(order_id=order.pk, actor=csr, changes=[OrderItemChange(item_id="1", quantity=2)])
    assert e.value.status_code == 409 and e.value.code == "point_of_no_return"
    assert "follow-on change order" in e.value.message
    assert order.items.get().quantity == 1


def _late_point_of_no_return_type():
    """An order type whose point of no return is a hand-over step after activation: a decomposed order can still
    be modified until its network work starts."""
    ot = OrderTypeFactory(code="provide-late-ponr", kind="provide", is_default=True)
    OrderTypeStepFactory(order_type=ot, sequence=1, code="survey", kind=OrderTypeStep.Kind.MANUAL, team="field")
    OrderTypeStepFactory(order_type=ot, sequence=2, code="activate", kind=OrderTypeStep.Kind.ACTIVATION)
    OrderTypeStepFactory(order_type=ot, sequence=3, code="handover", kind=OrderTypeStep.Kind.MANUAL, team="sales",
                         point_of_no_return=True)
    return ot


def test_a_decomposed_order_is_cancelled_and_decomposed_again_for_the_items_changed(csr):
    _late_point_of_no_return_type()
    order = _order(csr, orderable_customer(), _offering(), chars={"speed": "100"})
    ordering.customer_order_process(order_id=order.pk, actor=csr)
    order.refresh_from_db()
    assert order.state == S.COMMITTED and not order.point_of_no_return_passed
    first = ServiceOrder.objects.get(customer_order_id=order.pk)
    result = customer_order_modify(order_id=order.pk, actor=csr, changes=[
        OrderItemChange(item_id="1", characteristics={"speed": "500"})])
    assert result.redecomposed_items == ["1"]
    first.refresh_from_db()
    assert first.state == ServiceOrder.State.CANCELLED
    second = ServiceOrder.objects.filter(customer_order_id=order.pk).exclude(pk=first.pk).get()
    assert second.items.get().characteristics["speed"] == "500"
    assert order.items.get().state == "inProgress"
    order.refresh_from_db()
    assert order.state == S.COMMITTED


def test_a_decomposed_item_with_network_steps_done_is_refused_and_left_as_it_was(csr):
    _late_point_of_no_return_type()
    order = _order(csr, orderable_customer(), _offering(), chars={"speed": "100"})
    ordering.customer_order_process(order_id=order.pk, actor=csr)
    so = ServiceOrder.objects.get(customer_order_id=order.pk)
    service_orders.service_order_run(service_order_id=so.pk, actor=csr)
    wo = WorkOrder.objects.filter(status="ready", manual=False).order_by("pk").first()
    service_orders.work_order_execute(work_order_id=wo.pk, actor=Actor.system("worker"))
    with pytest.raises(ApplicationError, match="network steps done") as e:
        customer_order_modify(order_id=order.pk, actor=csr, changes=[
            OrderItemChange(item_id="1", characteristics={"speed": "500"})])
    assert e.value.code == "point_of_no_return"
    assert order.items.get().characteristics == {"speed": "100"}
    assert ServiceOrder.objects.filter(customer_order_id=order.pk).count() == 1
    assert not WorkOrder.objects.filter(kind="rollback").exists(), "nothing half-done"
    assert ServiceOrderItem.objects.get(service_order=so).state != "cancelled"


def test_credit_runs_again_when_the_value_rises_and_a_decline_refuses_the_change(csr):
    CreditPolicyFactory(is_active=True, decline_credit_classes=[], refer_credit_classes=[], check_credit_limit=False)
    BureauRuleFactory(priority=1, name="large orders", min_amount=Decimal("200"), outcome="decline")
    customer = orderable_customer()
    _late_point_of_no_return_type()
    order = _order(csr, customer, _offering(price=Decimal("30.0000")))
    ordering.customer_order_process(order_id=order.pk, actor=csr)
    order.refresh_from_db()
    assert order.state == S.COMMITTED, order.rejection_reasons
    first_check = order.credit_check_id
    # within the limit: a new check, approved, linked to the order
    result = customer_order_modify(order_id=order.pk, actor=csr, changes=[OrderItemChange(item_id="1", quantity=2)])
    order.refresh_from_db()
    assert result.credit_rechecked and order.credit_check_id != first_check
    # beyond it: declined, and the order keeps its quantity
    with pytest.raises(BusinessRuleViolation) as e:
        customer_order_modify(order_id=order.pk, actor=csr, changes=[OrderItemChange(item_id="1", quantity=10)])
    assert e.value.code == "credit_declined"
    assert order.items.get().quantity == 2
    # a lower value needs no new check
    result = customer_order_modify(order_id=order.pk, actor=csr, changes=[OrderItemChange(item_id="1", quantity=1)])
    assert not result.credit_rechecked


def test_a_closed_order_cannot_be_modified(csr):
    order = _order(csr, orderable_customer(), _offering())
    ordering.customer_order_cancel(order_id=order.pk, reason="no longer wanted", actor=csr)
    with pytest.raises(ApplicationError, match="no longer be modified") as e:
        customer_order_modify(order_id=order.pk, actor=csr, changes=[OrderItemChange(item_id="1", quantity=2)])
    assert e.value.code == "invalid_state"


def test_a_credit_referral_on_the_increase_holds_the_order_until_the_review_then_decomposes_again(csr):
    from orders.services.credit import credit_check_review

    CreditPolicyFactory(is_active=True, decline_credit_classes=[], refer_credit_classes=[], use_bureau=False)
    customer = orderable_customer()
    customer.billing_accounts.update(credit_limit=Decimal("100.00"))
    _late_point_of_no_return_type()
    order = _order(csr, customer, _offering(price=Decimal("30.0000")))
    ordering.customer_order_process(order_id=order.pk, actor=csr)
    first = ServiceOrder.objects.get(customer_order_id=order.pk)
    customer_order_modify(order_id=order.pk, actor=csr, changes=[OrderItemChange(item_id="1", quantity=5)])
    order.refresh_from_db()
    assert (order.state, order.hold_reason) == (S.HELD, "credit_referral")
    assert order.items.get().state == "acknowledged", "waits for the review before it is decomposed again"
    supervisor = Actor(user=staff_user("Supervisor"), channel=Channel.PORTAL)
    credit_check_review(check_id=order.credit_check_id, approve=True, reason="deposit taken", actor=supervisor)
    order.refresh_from_db()
    assert order.state == S.COMMITTED
    second = ServiceOrder.objects.filter(customer_order_id=order.pk).exclude(pk=first.pk).get()
    assert second.items.get().customer_order_item_id == order.items.get().pk
