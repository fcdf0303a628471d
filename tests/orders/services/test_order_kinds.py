"""Lifecycle orders (suspend / resume with a reason, automatic restore), tariff changes now or at the next bill
cycle, terminations, account-level orders and the order investigation unit."""

import datetime as dt

import pytest
from django.utils import timezone

from bss.actors import Actor, Channel
from bss.errors import ApplicationError, DomainValidationError
from orders.models import ConfigurationDefect, CustomerOrder
from orders.services import investigation, order_kinds, ordering
from orders.services.ordering import OrderItemInput, customer_order_create
from service_activation.models import Service, ServiceOrder, WorkOrder
from service_activation.services import service_orders
from tests.factories import (
    AddressFactory,
    BillCycleFactory,
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


@pytest.fixture
def owned(csr):
    customer = orderable_customer()
    offering = activatable_offering()
    order, _ = customer_order_create(actor=csr, customer_ref=str(customer.pk),
                                     items=[OrderItemInput(item_id="1", offering=offering.code)])
    assert _fulfil(order, csr).state == "completed"
    return customer.products.get()


def test_suspend_for_non_payment_and_restore_when_paid(csr, owned):
    order = order_kinds.customer_order_lifecycle(actor=csr, product_ids=[owned.pk], action="suspend",
                                                 reason="non_payment")
    assert _fulfil(order, csr).state == "completed", order.rejection_reasons
    owned.refresh_from_db()
    assert owned.status == "suspended"
    service = Service.objects.get(product=owned)
    assert service.state == Service.State.INACTIVE
    with pytest.raises(ApplicationError, match="not active"):
        order_kinds.customer_order_lifecycle(actor=csr, product_ids=[owned.pk], action="suspend", reason="fraud")

    assert order_kinds.lifecycle_reason_cleared(customer_id=owned.customer_id, reason="fraud") is None
    resume = order_kinds.lifecycle_reason_cleared(customer_id=owned.customer_id, reason="non_payment")
    assert resume.lifecycle_action == "resume"
    assert _fulfil(resume, csr).state == "completed"
    owned.refresh_from_db()
    service.refresh_from_db()
    assert owned.status == "active" and service.state == Service.State.ACTIVE
    assert order_kinds.lifecycle_reason_cleared(customer_id=owned.customer_id, reason="non_payment") is None


def test_a_suspension_needs_a_known_reason(csr, owned):
    with pytest.raises(DomainValidationError):
        order_kinds.customer_order_lifecycle(actor=csr, product_ids=[owned.pk], action="suspend", reason="")


def test_tariff_change_now_and_at_the_next_bill_cycle(csr, owned):
    bigger = activatable_offering(name="Fibre 1000")
    later = order_kinds.customer_order_tariff_change(actor=csr, product_id=owned.pk, offering_ref=bigger.code,
                                                     effective="next_bill_cycle")
    assert later.requested_start_date > timezone.now()
    ordering.customer_order_process(order_id=later.pk, actor=csr)
    later.refresh_from_db()
    assert later.state == "acknowledged"  # waits for its date
    ordering.customer_order_cancel(order_id=later.pk, reason="changed their mind", actor=csr)
    now = order_kinds.customer_order_tariff_change(actor=csr, product_id=owned.pk, offering_ref=bigger.code)
    assert _fulfil(now, csr).state == "completed"
    owned.refresh_from_db()
    assert owned.offering_code == bigger.code and owned.status == "active"


def test_next_bill_cycle_start_is_the_cycle_day_after_today():
    account = type("A", (), {"bill_cycle": type("C", (), {"day_of_month": 15})()})()
    assert order_kinds.next_bill_cycle_start(account, dt.datetime(2026, 12, 3, tzinfo=dt.UTC)).date() == \
        dt.date(2026, 12, 15)
    assert order_kinds.next_bill_cycle_start(account, dt.datetime(2026, 12, 20, tzinfo=dt.UTC)).date() == \
        dt.date(2027, 1, 15)


def test_termination_ends_the_product_and_its_service(csr, owned):
    order = order_kinds.customer_order_terminate(actor=csr, product_ids=[owned.pk], reason="moving abroad")
    assert _fulfil(order, csr).state == "completed"
    owned.refresh_from_db()
    assert owned.status == "terminated"
    assert Service.objects.get(product=owned).state == Service.State.TERMINATED


def test_account_level_order_changes_payment_method_and_bill_cycle(csr):
    customer = orderable_customer()
    account = customer.billing_accounts.get()
    BillCycleFactory(code="C15", name="Cycle 15", day_of_month=15)
    order = order_kinds.customer_order_account_change(actor=csr, account_id=account.pk, changes={
        "payment_method": "credit_card", "bill_cycle": "C15"})
    assert _fulfil(order, csr).state == "completed"
    account.refresh_from_db()
    assert account.payment_method == "credit_card" and account.bill_cycle.code == "C15"


def test_account_level_order_refuses_bad_changes_and_stores_nothing(csr):
    customer = orderable_customer()
    other = AddressFactory()
    before = CustomerOrder.objects.count()
    with pytest.raises(DomainValidationError) as e:
        order_kinds.customer_order_account_change(actor=csr, account_id=customer.billing_accounts.get().pk,
                                                  changes={"payment_method": "barter", "bill_cycle": "nope",
                                                           "billing_address": other.pk, "owner": "x"})
    assert set(e.value.field_errors) == {"payment_method", "bill_cycle", "billing_address", "owner"}
    assert CustomerOrder.objects.count() == before


def test_investigation_classifies_records_a_defect_and_resubmits(csr):
    customer = orderable_customer()
    offering = activatable_offering()
    order, _ = customer_order_create(actor=csr, customer_ref=str(customer.pk),
                                     items=[OrderItemInput(item_id="1", offering="no-such-offer")])
    assert order.state == "rejected"
    assert list(investigation.investigation_queue()) == [order]
    investigation.customer_order_investigate(order_id=order.pk, classification="configuration_defect", actor=csr,
                                             note="the offering code in the partner catalogue is stale",
                                             offering_id=offering.pk)
    defect = ConfigurationDefect.objects.get()
    assert defect.offering == offering and defect.status == "open"
    assert investigation.investigation_figures() == {"configuration_defect": 1}
    fixed = investigation.customer_order_resubmit(order_id=order.pk, actor=csr, items=[
        OrderItemInput(item_id="1", offering=offering.code)])
    assert fixed.modifies_order == order and fixed.state != "rejected"
    assert list(investigation.investigation_queue()) == []
    with pytest.raises(ApplicationError):
        investigation.customer_order_resubmit(order_id=order.pk, actor=csr)
    investigation.configuration_defect_resolve(defect_id=defect.pk, resolution="partner code mapped", actor=csr)
    defect.refresh_from_db()
    assert defect.status == "resolved" and defect.resolved_at is not None
