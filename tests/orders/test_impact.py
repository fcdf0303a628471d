"""Impact analysis of change and terminate orders (seed 000 1.1.1.5.1.1): affected products and services,
dependent items and products, the charges that stop, start or are taken once (Decimal), penalties only from a
minimum term the data holds; the same answer for a stored order and for items not yet submitted."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from bss.actors import Actor, Channel
from orders.models import CustomerOrder, OrderItem, OrderItemPrice
from orders.services import impact, order_kinds, ordering
from orders.services.ordering import OrderItemInput, customer_order_create
from service_activation.models import ServiceOrder, WorkOrder
from service_activation.services import service_orders
from tests.factories import (
    FeasibilityRuleFactory,
    ProductFactory,
    ProductOfferingPriceFactory,
    activatable_offering,
    orderable_customer,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def csr():
    return Actor(user=staff_user(), channel=Channel.PORTAL)


def _fulfil(order, actor):
    ordering.customer_order_process(order_id=order.pk, actor=actor)
    for so in ServiceOrder.objects.filter(customer_order_id=order.pk):
        service_orders.service_order_run(service_order_id=so.pk, actor=actor)
        while (wo := WorkOrder.objects.filter(item__service_order=so, status="ready", manual=False).first()):
            service_orders.work_order_execute(work_order_id=wo.pk, actor=actor)
    ordering.customer_order_try_complete(order_id=order.pk, actor=actor)
    order.refresh_from_db()
    return order


def _owned(csr, offering, customer=None, quantity=1):
    customer = customer or orderable_customer()
    order, _ = customer_order_create(actor=csr, customer_ref=str(customer.pk),
                                     items=[OrderItemInput(item_id="1", offering=offering.code, quantity=quantity)])
    assert _fulfil(order, csr).state == "completed", order.rejection_reasons
    return customer.products.get(offering_code=offering.code)


@pytest.fixture
def fibre():
    return activatable_offering(name="Fibre 500", price=Decimal("30.0000"))


def test_a_termination_stops_the_agreed_recurring_charges_and_names_the_product_and_its_services(csr, fibre):
    product = _owned(csr, fibre, quantity=2)
    agreed = OrderItemPrice.objects.get(item__product=product, item__action="add")
    order = order_kinds.customer_order_terminate(actor=csr, product_ids=[product.pk], reason="moving abroad")
    result = impact.order_impact(order)

    (item,) = result.items
    assert item.action == "delete" and item.product["id"] == product.pk and result.affected_products == [item.product]
    assert [s.name for s in item.services] and item.charges_start == [] and item.one_time == []
    (stop,) = item.charges_stop
    assert stop.quantity == 2 and stop.tax_included == (agreed.tax_included_amount * 2).quantize(Decimal("0.01"))
    assert stop.source.startswith("agreed on order CO")
    (row,) = result.recurring
    assert row["period"] == "month" and row["stops"] == stop.tax_included and row["net"] == -stop.tax_included
    assert isinstance(row["net"], Decimal) and result.one_time_total == Decimal("0.00")
    assert result.penalties.startswith("none") and result.penalties_total == Decimal("0.00")
    assert item.penalty is None and item.term is None


def test_a_tariff_change_stops_the_old_charges_starts_the_new_and_takes_the_new_one_time_fee(csr, fibre):
    product = _owned(csr, fibre)
    bigger = activatable_offering(name="Fibre 1000", price=Decimal("45.0000"), one_time=Decimal("10.0000"))
    order = order_kinds.customer_order_tariff_change(actor=csr, product_id=product.pk, offering_ref=bigger.code)
    result = impact.order_impact(order)

    (item,) = result.items
    assert item.action == "modify" and "Fibre 500 → Fibre 1000" in item.change
    rate = Decimal("1") + OrderItemPrice.objects.filter(item__order=order).first().tax_rate / 100
    assert [c.tax_included for c in item.charges_stop] == [(Decimal("30") * rate).quantize(Decimal("0.01"))]
    assert [c.tax_included for c in item.charges_start] == [(Decimal("45") * rate).quantize(Decimal("0.01"))]
    assert [c.name for c in item.one_time] == ["Connection"]
    assert result.one_time_total == (Decimal("10") * rate).quantize(Decimal("0.01"))
    assert result.recurring[0]["net"] == (Decimal("15") * rate).quantize(Decimal("0.01"))


def test_a_product_inside_the_offerings_minimum_term_shows_the_charges_left_as_the_penalty(csr):
    offering = activatable_offering(name="Fibre 24", price=Decimal("40.0000"),
                                    tmf_extra={"productOfferingTerm": [
                                        {"name": "24-month contract", "duration": {"amount": 24, "units": "month"}}]})
    product = _owned(csr, offering)
    order = order_kinds.customer_order_terminate(actor=csr, product_ids=[product.pk])
    at = product.start_date + dt.timedelta(days=100)  # inside month 4 of 24: 21 months left, the current one counts
    result = impact.order_impact(order, at=at)

    (item,) = result.items
    assert item.term.name == "24-month contract" and item.term.source == "offering" and item.term.in_force
    monthly = item.charges_stop[0].tax_included
    assert item.penalty.remaining_periods == {"month": 21} and item.penalty.amount == monthly * 21
    assert result.penalties_total == monthly * 21 and "minimum term" in result.penalties

    ended = impact.order_impact(order, at=product.start_date + dt.timedelta(days=800))
    assert ended.items[0].penalty is None and ended.penalties == "none: the minimum term has ended"


def test_a_term_on_the_product_itself_wins_over_the_offering(csr, fibre):
    product = _owned(csr, fibre)
    end = timezone.now() + dt.timedelta(days=45)
    product.tmf_extra = {"productTerm": [{"name": "Promo lock-in", "validFor": {"endDateTime": end.isoformat()}}]}
    product.save(update_fields=["tmf_extra"])
    result = impact.items_impact(customer=product.customer, items=[
        OrderItemInput(item_id="1", action="delete", product=str(product.pk))])
    (item,) = result.items
    assert item.term.source == "product" and item.term.name == "Promo lock-in"
    assert item.penalty.remaining_periods == {"month": 2}


def test_dependent_products_lose_their_prerequisite_only_when_nothing_else_gives_it(csr, fibre):
    customer = orderable_customer()
    broadband = _owned(csr, fibre, customer=customer)
    tv = ProductFactory(customer=customer, offering_code="iptv", name="TV", status="active")
    FeasibilityRuleFactory(rule_type="prerequisite", params={"requires_any": [fibre.code]},
                           offerings=[activatable_offering(code="iptv", name="IPTV")],
                           staff_message="TV needs a broadband line.")
    alone = [OrderItemInput(item_id="1", action="delete", product=str(broadband.pk))]

    (dep,) = impact.items_impact(customer=customer, items=alone).dependent_products
    assert dep.product_id == tv.pk and dep.because == "TV needs a broadband line." and dep.items == ["1"]

    both = [*alone, OrderItemInput(item_id="2", action="delete", product=str(tv.pk))]
    assert impact.items_impact(customer=customer, items=both).dependent_products == []

    ProductFactory(customer=customer, offering_code=fibre.code, name="Second line", status="active")
    assert impact.items_impact(customer=customer, items=alone).dependent_products == []


def test_dependent_items_of_the_order_are_listed_with_the_item_they_depend_on(csr, fibre):
    tv = activatable_offering(name="TV")
    customer = orderable_customer()
    result = impact.items_impact(customer=customer, items=[
        OrderItemInput(item_id="bb", offering=fibre.code),
        OrderItemInput(item_id="tv", offering=tv.code, depends_on=["bb"])])
    by_id = {i.item_id: i for i in result.items}
    assert by_id["bb"].dependent_items == ["tv"] and by_id["tv"].depends_on == ["bb"]


def test_items_not_submitted_get_the_same_charges_as_the_order_would_agree_and_nothing_is_stored(csr, fibre):
    product = _owned(csr, fibre)
    bigger = activatable_offering(name="Fibre 1000", price=Decimal("45.0000"), one_time=Decimal("10.0000"))
    ProductOfferingPriceFactory(offering=bigger, name="Per GB", price_type="usage", amount=Decimal("0.1"))
    items = [OrderItemInput(item_id="1", action="modify", product=str(product.pk), offering=bigger.code)]
    orders_before, items_before = CustomerOrder.objects.count(), OrderItem.objects.count()
    preview = impact.items_impact(customer=product.customer, items=items, user=csr.user)
    assert (CustomerOrder.objects.count(), OrderItem.objects.count()) == (orders_before, items_before)

    order, _ = customer_order_create(actor=csr, customer_ref=str(product.customer_id), items=items)
    stored = impact.order_impact(order)
    assert preview.recurring == stored.recurring and preview.one_time_total == stored.one_time_total
    assert [c.source for c in preview.items[0].charges_start] == ["catalog price in force"]
    assert [c.source for c in stored.items[0].charges_start] == ["agreed on this order"]
    assert stored.as_dict()["recurring"][0]["net"] == str(stored.recurring[0]["net"])


def test_a_product_of_another_customer_is_not_analysed(csr, fibre):
    product = _owned(csr, fibre)
    stranger = orderable_customer()
    result = impact.items_impact(customer=stranger, items=[
        OrderItemInput(item_id="1", action="delete", product=str(product.pk))], user=csr.user)
    assert result.items[0].product is None and result.recurring == []
    assert "not one we hold" in result.items[0].notes[0]


def test_a_suspension_changes_no_charges(csr, fibre):
    product = _owned(csr, fibre)
    order = order_kinds.customer_order_lifecycle(actor=csr, product_ids=[product.pk], action="suspend",
                                                 reason="lost_stolen")
    result = impact.order_impact(order)
    assert result.recurring == [] and result.items[0].product["id"] == product.pk and result.items[0].notes
