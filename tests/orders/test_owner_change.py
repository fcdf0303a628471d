"""Change of owner, an account-level order (orders.services.order_kinds.customer_order_account_change with
``owner``): validated up front (nothing stored when refused), applied when the order completes by the customers
service (customers.services.transfer): the billing account and the live products it bills move to the new owner,
install addresses copied to them, history on both customers."""

import pytest

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.errors import BusinessRuleViolation, DomainValidationError
from customers.services.transfer import billing_account_transfer
from orders.models import CustomerOrder
from orders.services import order_kinds, ordering
from orders.services.ordering import OrderItemInput, customer_order_create
from service_activation.models import ServiceOrder, WorkOrder
from service_activation.services import service_orders
from tests.factories import (
    AddressFactory,
    CustomerFactory,
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
def seller(csr):
    """A customer with one live product on their billing account, installed at their address."""
    customer = orderable_customer(name="Seller Ltd")
    order, _ = customer_order_create(actor=csr, customer_ref=str(customer.pk), items=[OrderItemInput(
        item_id="1", offering=activatable_offering(requires_install_address=True).code)])
    assert _fulfil(order, csr).state == "completed"
    product = customer.products.get()
    assert product.place_id is not None and product.billing_account_id is not None
    return customer


def test_an_owner_change_order_moves_the_account_and_its_products_when_it_completes(csr, seller):
    buyer = orderable_customer(name="Buyer Ltd")
    account = seller.billing_accounts.get()
    order = order_kinds.customer_order_account_change(actor=csr, account_id=account.pk, changes={
        "owner": buyer.customer_number, "payment_method": "credit_card"})
    assert order.account_changes["owner"] == str(buyer.pk) and buyer.customer_number in order.description
    account.refresh_from_db()
    assert account.customer_id == seller.pk, "nothing moves before the order completes"
    assert _fulfil(order, csr).state == CustomerOrder.State.COMPLETED
    account.refresh_from_db()
    assert account.customer_id == buyer.pk and account.payment_method == "credit_card"
    assert account.billing_address.customer_id == buyer.pk
    product = buyer.products.get()
    assert product.billing_account_id == account.pk
    assert product.place.customer_id == buyer.pk, "the install address moves as the new owner's copy"
    assert not seller.products.exists()
    rows = HistoryEntry.objects.filter(action="customers.billing_account.owner_changed")
    assert {r.root_object_id for r in rows} == {str(seller.pk), str(buyer.pk)}
    assert rows.first().changes["owner"] == [seller.customer_number, buyer.customer_number]


def test_an_owner_change_is_refused_up_front_and_stores_nothing(csr, seller):
    account = seller.billing_accounts.get()
    closed = CustomerFactory(status="closed")
    stranger_address = AddressFactory()
    before = CustomerOrder.objects.count()
    for changes, field in (({"owner": seller.customer_number}, "owner"),
                           ({"owner": closed.customer_number}, "owner"),
                           ({"owner": "CU-NOBODY"}, "owner"),
                           ({"owner": orderable_customer().pk, "billing_address": stranger_address.pk},
                            "billing_address")):
        with pytest.raises(DomainValidationError) as e:
            order_kinds.customer_order_account_change(actor=csr, account_id=account.pk, changes=changes)
        assert field in e.value.field_errors, changes
    assert CustomerOrder.objects.count() == before


def test_the_new_owner_s_billing_address_is_used_when_given(csr, seller):
    buyer = orderable_customer()
    head_office = AddressFactory(customer=buyer)
    account = seller.billing_accounts.get()
    order = order_kinds.customer_order_account_change(actor=csr, account_id=account.pk, changes={
        "owner": str(buyer.pk), "billing_address": head_office.pk})
    assert _fulfil(order, csr).state == "completed"
    account.refresh_from_db()
    assert account.billing_address_id == head_office.pk


def test_the_customers_service_leaves_ended_products_behind_and_refuses_the_same_owner(csr, seller):
    from customers.services import product_transition

    product = seller.products.get()
    product_transition(product_id=product.pk, transition="terminate", actor=csr, reason="ended")
    account = seller.billing_accounts.get()
    buyer = orderable_customer()
    billing_account_transfer(account=account, new_owner=buyer, actor=csr)
    product.refresh_from_db()
    assert product.customer_id == seller.pk
    with pytest.raises(BusinessRuleViolation):
        billing_account_transfer(account=account, new_owner=buyer, actor=csr)
