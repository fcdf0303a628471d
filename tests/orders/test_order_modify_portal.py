"""The CSR portal's modify page (/csr/orders/<pk>/modify/): the button on the order page, the form per item, the
service's refusals on the form (nothing changed), and 409 with a follow-on change order after the point of no
return. Billing may view orders but not modify them."""

import pytest
from django.test import Client

from bss.actors import Actor, Channel
from bss.roles import Role
from orders.models import CustomerOrder
from orders.services.ordering import OrderItemInput, customer_order_create
from tests.factories import SpecCharacteristicFactory, activatable_offering, orderable_customer, staff_user

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def order():
    offering = activatable_offering(name="Fibre 500")
    SpecCharacteristicFactory(specification=offering.specification, name="speed", allowed_values=["100", "500"])
    order, _ = customer_order_create(actor=Actor(user=staff_user(), channel=Channel.PORTAL),
                                     customer_ref=str(orderable_customer().pk),
                                     items=[OrderItemInput(item_id="1", offering=offering.code,
                                                           characteristics={"speed": "100"})])
    return order


def url(order):
    return f"/csr/orders/{order.pk}/modify/"


def test_the_order_page_offers_modify_and_the_form_changes_the_item(order):
    web = login(staff_user(Role.CSR))
    page = web.get(f"/csr/orders/{order.pk}/")
    assert b'data-order-action="modify"' in page.content
    form = web.get(url(order))
    assert form.status_code == 200 and b'data-modify-item="1"' in form.content
    address = order.customer.addresses.first()
    resp = web.post(url(order), {"q_1": "2", "place_1": str(address.pk), "c_1__speed": "500", "reason": "upgrade",
                                 "add_offering": "", "add_quantity": "1"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    item = order.items.get()
    assert (item.quantity, item.characteristics, item.place_id) == (2, {"speed": "500"}, address.pk)


def test_a_refused_change_shows_on_the_form_and_nothing_changes(order):
    web = login(staff_user(Role.CSR))
    resp = web.post(url(order), {"q_1": "1", "c_1__speed": "100", "remove_1": "on", "reason": "drop it",
                                 "add_offering": "", "add_quantity": "1"})
    assert resp.status_code == 422
    assert "cancel order" in resp.content.decode()
    assert order.items.get().state == "acknowledged"
    resp = web.post(url(order), {"q_1": "1", "c_1__speed": "100", "reason": "", "add_offering": ""})
    assert resp.status_code == 422, "the reason is required"


def test_after_the_point_of_no_return_the_page_is_409_with_a_follow_on_change(order):
    CustomerOrder.objects.filter(pk=order.pk).update(point_of_no_return_passed=True)
    resp = login(staff_user(Role.CSR)).get(url(order))
    assert resp.status_code == 409
    assert b"data-follow-on" in resp.content and b"point of no return" in resp.content


def test_billing_cannot_modify(order):
    web = login(staff_user(Role.BILLING))
    assert b'data-order-action="modify"' not in web.get(f"/csr/orders/{order.pk}/").content
    assert web.get(url(order)).status_code == 403
