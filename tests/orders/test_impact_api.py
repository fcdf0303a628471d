"""The native API of impact analysis: GET /api/v1/customer-orders/<id>/impact/ for a stored order and
POST /api/v1/customer-orders/impact-preview/ for items not yet submitted (nothing stored); scoped, checked."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from bss.actors import Actor, Channel
from bss.roles import Role
from orders.models import CustomerOrder
from orders.services import order_kinds
from tests.factories import (
    ProductFactory,
    activatable_offering,
    customer_user,
    orderable_customer,
    staff_user,
)

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def owned():
    offering = activatable_offering(name="Fibre 500", price=Decimal("30.0000"))
    customer = orderable_customer()
    return ProductFactory(customer=customer, offering_code=offering.code, name="Fibre 500", status="active",
                          billing_account=customer.billing_accounts.first())


def test_the_impact_of_a_stored_termination_order(owned):
    csr = staff_user(Role.CSR)
    order = order_kinds.customer_order_terminate(actor=Actor(user=csr, channel=Channel.PORTAL),
                                                 product_ids=[owned.pk])
    response = api(csr).get(f"/api/v1/customer-orders/{order.pk}/impact/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["order_number"] == order.order_number and body["affected_products"][0]["id"] == owned.pk
    (item,) = body["items"]
    assert item["action"] == "delete" and item["charges_stop"][0]["source"] == "catalog price in force"
    assert body["recurring"][0]["stops"] == item["charges_stop"][0]["tax_included"]
    assert body["penalties"].startswith("none") and isinstance(body["one_time_total"], str)


def test_a_preview_of_items_not_submitted_stores_nothing(owned):
    bigger = activatable_offering(name="Fibre 1000", price=Decimal("45.0000"), one_time=Decimal("10.0000"))
    body = {"customer": owned.customer_id, "items": [
        {"id": "1", "action": "modify", "product": str(owned.pk), "offering": bigger.code}]}
    response = api(staff_user(Role.CSR)).post("/api/v1/customer-orders/impact-preview/", body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert CustomerOrder.objects.count() == 0
    assert data["items"][0]["charges_start"][0]["name"] == "Monthly fee" and Decimal(data["recurring"][0]["net"]) > 0
    assert Decimal(data["one_time_total"]) > 0


def test_bad_preview_input_is_a_400_naming_the_field(owned):
    client = api(staff_user(Role.CSR))
    response = client.post("/api/v1/customer-orders/impact-preview/", {"customer": owned.customer_id, "items": [
        {"id": "1", "action": "explode"}]}, format="json")
    assert response.status_code == 400 and "action" in response.json()["items"][0]
    response = client.post("/api/v1/customer-orders/impact-preview/", {"customer": 999999, "items": [
        {"id": "1", "action": "delete", "product": str(owned.pk)}]}, format="json")
    assert response.status_code == 400


def test_a_customer_sees_only_its_own_orders_impact(owned):
    csr = staff_user(Role.CSR)
    order = order_kinds.customer_order_terminate(actor=Actor(user=csr, channel=Channel.PORTAL),
                                                 product_ids=[owned.pk])
    own = api(customer_user(owned.customer))
    assert own.get(f"/api/v1/customer-orders/{order.pk}/impact/").status_code == 200
    other = api(customer_user(orderable_customer()))
    assert other.get(f"/api/v1/customer-orders/{order.pk}/impact/").status_code == 404
    assert other.post("/api/v1/customer-orders/impact-preview/", {"customer": owned.customer_id, "items": [
        {"id": "1", "action": "delete", "product": str(owned.pk)}]}, format="json").status_code == 400


def test_a_role_without_order_access_is_refused(owned):
    from tests.factories import UserFactory

    assert api(UserFactory()).get("/api/v1/customer-orders/1/impact/").status_code == 403
