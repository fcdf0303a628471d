"""The impact analysis in the staff portal: the change / terminate entry's confirm step shows it before anything is
stored, and the order page shows it while the order is not committed yet."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from bss.actors import Actor, Channel
from bss.roles import Role
from orders.models import CustomerOrder
from orders.services import order_kinds
from tests.factories import (
    FeasibilityRuleFactory,
    OrganizationFactory,
    ProductFactory,
    activatable_offering,
    orderable_customer,
    staff_user,
)

pytestmark = pytest.mark.django_db

CHANGE = "/csr/orders/change/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def web():
    return login(staff_user(Role.CSR))


@pytest.fixture
def fibre():
    return activatable_offering(name="Fibre 500", price=Decimal("30.0000"))


@pytest.fixture
def owned(fibre):
    customer = orderable_customer()
    return ProductFactory(customer=customer, offering_code=fibre.code, name="Fibre 500", status="active",
                          product_serial="LINE-1", billing_account=customer.billing_accounts.first())


def test_the_entry_lists_the_live_products_with_what_can_happen_to_them(web, owned, fibre):
    ProductFactory(customer=owned.customer, name="Old line", status="terminated")
    bigger = activatable_offering(name="Fibre 1000", price=Decimal("45.0000"))
    html = web.get(f"{CHANGE}?customer={owned.customer_id}").content.decode()
    assert f'name="product__{owned.pk}"' in html and "Fibre 500 · LINE-1 (active)" in html
    assert "Old line" not in html
    assert f'value="change:{bigger.code}"' in html and f'value="change:{fibre.code}"' not in html
    assert 'value="terminate"' in html


def test_terminating_without_a_reason_is_a_form_error_and_nothing_is_stored(web, owned):
    response = web.post(CHANGE, {"customer": owned.customer_id, f"product__{owned.pk}": "terminate"})
    assert response.status_code == 400 and "Say why the products are terminated" in response.content.decode()
    response = web.post(CHANGE, {"customer": owned.customer_id})
    assert response.status_code == 400 and "Choose at least one product" in response.content.decode()
    assert CustomerOrder.objects.count() == 0


def test_review_shows_the_impact_before_anything_is_stored_then_the_order_is_placed(web, owned, fibre):
    tv = ProductFactory(customer=owned.customer, offering_code="iptv", name="TV", status="active")
    FeasibilityRuleFactory(rule_type="prerequisite", params={"requires_any": [fibre.code]},
                           offerings=[activatable_offering(code="iptv", name="IPTV")],
                           staff_message="TV needs a broadband line.")
    choice = {"customer": owned.customer_id, f"product__{owned.pk}": "terminate", "reason": "Moving abroad"}
    review = web.post(CHANGE, choice)
    html = review.content.decode()
    assert review.status_code == 200 and CustomerOrder.objects.count() == 0
    assert 'data-impact-item="1" data-action="delete"' in html and "Terminated: Fibre 500" in html
    assert "data-charge-stop" in html and "catalog price in force" in html
    assert f'data-dependent-product="{tv.pk}"' in html and "TV needs a broadband line." in html
    assert re.search(r'data-penalties>none: no contract or minimum term', html)
    assert f'<input type="hidden" name="product__{owned.pk}" value="terminate">' in html
    assert 'name="confirm" value="1"' in html

    edit = web.post(CHANGE, {**choice, "edit": "1"})
    assert edit.status_code == 200 and "data-review" in edit.content.decode() and CustomerOrder.objects.count() == 0

    placed = web.post(CHANGE, {**choice, "confirm": "1"})
    order = CustomerOrder.objects.get()
    assert placed.status_code == 302 and placed["Location"] == f"/csr/orders/{order.pk}/"
    (item,) = order.items.all()
    assert item.action == "delete" and item.product_id == owned.pk and order.channel == "portal"
    assert order.description == "Termination: Moving abroad" and order.notes.get().text == "Moving abroad"
    assert order.initiating_request["screen"] == "csr_change"


def test_a_tariff_change_is_reviewed_with_the_net_change_of_charges(web, owned):
    bigger = activatable_offering(name="Fibre 1000", price=Decimal("45.0000"), one_time=Decimal("10.0000"))
    html = web.post(CHANGE, {"customer": owned.customer_id, f"product__{owned.pk}": f"change:{bigger.code}"}
                    ).content.decode()
    assert "Fibre 500: Fibre 500 → Fibre 1000" in html and "data-charge-start" in html and "data-charge-once" in html
    net = re.search(r'data-recurring="month">.*?<strong data-net>([^<]+)</strong>', html).group(1)
    assert net.startswith("+") and Decimal(net.split()[0]) > 0


def test_the_order_page_shows_the_impact_until_the_order_is_committed(web, owned):
    csr = staff_user(Role.CSR)
    order = order_kinds.customer_order_terminate(actor=Actor(user=csr, channel=Channel.PORTAL),
                                                 product_ids=[owned.pk])
    assert order.state == CustomerOrder.State.ACKNOWLEDGED
    html = web.get(f"/csr/orders/{order.pk}/").content.decode()
    assert "Impact analysis" in html and 'data-impact-item="1" data-action="delete"' in html

    CustomerOrder.objects.filter(pk=order.pk).update(state=CustomerOrder.State.COMMITTED)
    assert "data-impact" not in web.get(f"/csr/orders/{order.pk}/").content.decode()


def test_roles_without_order_entry_cannot_change_products(owned):
    response = login(staff_user(Role.BILLING)).get(f"{CHANGE}?customer={owned.customer_id}")
    assert response.status_code == 403
    assert login(staff_user(Role.CSR)).get(f"{CHANGE}?customer=CU404").status_code == 404


def test_the_orders_panel_offers_the_change_entry_and_a_business_customers_report(web, owned):
    html = web.get(f"/csr/customers/{owned.customer_id}/").content.decode()
    assert f"/csr/orders/change/?customer={owned.customer_id}" in html and "data-change-products" in html
    assert "data-order-report" not in html  # an individual: no account manager's report
    business = orderable_customer(party=OrganizationFactory())
    html = web.get(f"/csr/customers/{business.pk}/").content.decode()
    assert f"/csr/orders/reports/?customer={business.customer_number}" in html


def test_a_closed_customer_changes_nothing(web, owned):
    type(owned.customer).objects.filter(pk=owned.customer_id).update(status="closed")
    assert web.get(f"{CHANGE}?customer={owned.customer_id}").status_code == 409


def test_the_review_says_when_the_feasibility_rules_would_reject_the_change(web, owned, fibre):
    allowed = activatable_offering(name="Fibre 1000", price=Decimal("45.0000"))
    other = activatable_offering(name="Mobile S", price=Decimal("10.0000"))
    FeasibilityRuleFactory(rule_type="transition", params={"from": [fibre.code], "to": [allowed.code],
                                                           "allowed": True},
                           staff_message="Fibre 500 only moves up to Fibre 1000.")
    html = web.post(CHANGE, {"customer": owned.customer_id, f"product__{owned.pk}": f"change:{other.code}"}
                    ).content.decode()
    assert "data-infeasible" in html and f"No transition path from {fibre.code} to {other.code}" in html
    html = web.post(CHANGE, {"customer": owned.customer_id, f"product__{owned.pk}": f"change:{allowed.code}"}
                    ).content.decode()
    assert "data-infeasible" not in html and "data-feasible" in html
    assert CustomerOrder.objects.count() == 0
