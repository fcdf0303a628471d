"""Self-service customer orders (/my/orders/): a customer sees only their own orders, with the status and the
milestone in their words (never our offering codes, staff names or rejection codes); orders an offer they qualify
for from the offers page; cancels while it is allowed, and a refusal by the service is a message, not an error
page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from bss.actors import Actor, Channel
from bss.errors import ApplicationError
from bss.roles import Role
from orders.models import CustomerOrder
from orders.services.ordering import OrderItemInput, customer_order_create
from tests.factories import (
    MilestoneStatusFactory,
    SpecCharacteristicFactory,
    activatable_offering,
    customer_user,
    orderable_customer,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    return orderable_customer(name="Siobhán Ní Bhriain")


@pytest.fixture
def offering():
    o = activatable_offering(name="Fibre 500", price=Decimal("30.0000"))
    o.description = "Fast broadband for the whole house."
    o.save(update_fields=["description"])
    return o


@pytest.fixture
def me(customer) -> Client:
    client = Client()
    client.force_login(customer_user(customer))
    return client


def staff_order(customer, offering) -> CustomerOrder:
    order, _ = customer_order_create(actor=Actor(user=staff_user(), channel=Channel.PORTAL),
                                     customer_ref=str(customer.pk), channel="portal",
                                     items=[OrderItemInput(item_id="1", offering=offering.code)])
    return CustomerOrder.objects.get(pk=order.pk)


def test_my_orders_lists_only_mine_in_my_words(me, customer, offering):
    mine = staff_order(customer, offering)
    milestone = MilestoneStatusFactory(name="Engineer booked", descriptions={"en": "An engineer will visit you."})
    CustomerOrder.objects.filter(pk=mine.pk).update(milestone=milestone)
    theirs = staff_order(orderable_customer(name="Someone Else"), offering)
    html = me.get("/my/orders/").content.decode()
    assert mine.order_number in html and theirs.order_number not in html
    assert "Received: we are checking it" in html and "An engineer will visit you." in html
    assert offering.code not in html and "Fibre 500" in html
    assert me.get(f"/my/orders/{theirs.pk}/").status_code == 404  # not found, not forbidden


def test_my_order_page_shows_prices_with_tax_and_no_internal_data(me, customer, offering):
    order = staff_order(customer, offering)
    html = me.get(f"/my/orders/{order.pk}/").content.decode()
    assert f"Order {order.order_number}" in html and "36.90 EUR" in html and "including tax" in html
    assert offering.code not in html and "TMF" not in html and "data-cancel" in html


def test_a_staff_login_has_no_self_service_orders(offering):
    client = Client()
    client.force_login(staff_user(Role.CSR))
    assert client.get("/my/orders/").status_code == 403


def test_the_offers_page_has_an_order_button_without_codes(me, customer, offering):
    html = me.get("/my/offers/").content.decode()
    assert f"/my/orders/new/?offering={offering.pk}" in html and "data-order-offer" in html
    assert offering.code not in html


def test_order_an_offer(me, customer, offering, django_capture_on_commit_callbacks):
    SpecCharacteristicFactory(specification=offering.specification, name="router", mandatory=True,
                              allowed_values=["basic", "mesh"], description="Router model")
    page = me.get(f"/my/orders/new/?offering={offering.pk}").content.decode()
    assert "Router model" in page and "€30.00/month" in page and offering.code not in page
    assert re.search(rf'<input[^>]*value="{offering.pk}"[^>]*checked', page)
    address = customer.addresses.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        response = me.post("/my/orders/new/", {"offerings": [str(offering.pk)], f"qty__{offering.pk}": "1",
                                               f"char__{offering.pk}__router": "mesh", "address": address.pk,
                                               "notes": "Mornings please."})
    order = CustomerOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/my/orders/{order.pk}/"
    assert order.channel == "self_service" and order.customer == customer
    assert order.items.get().characteristics == {"router": "mesh"} and order.items.get().place == address
    assert order.state == CustomerOrder.State.COMPLETED, order.rejection_reasons
    assert "Thank you" in me.get(response["Location"]).content.decode()


def test_the_options_fragment_names_offerings_by_id(me, offering):
    SpecCharacteristicFactory(specification=offering.specification, name="router", description="Router model")
    html = me.get(f"/my/orders/new/options/?offerings={offering.pk}").content.decode()
    assert "<header" not in html and "Router model" in html and offering.code not in html


def test_bad_input_is_a_form_error_and_nothing_is_saved(me, customer, offering):
    SpecCharacteristicFactory(specification=offering.specification, name="router", mandatory=True,
                              allowed_values=["basic", "mesh"])
    response = me.post("/my/orders/new/", {"offerings": [str(offering.pk)], f"qty__{offering.pk}": "0"})
    html = response.content.decode()
    assert response.status_code == 400 and "There are 2 problems" in html and "At least 1." in html
    assert not CustomerOrder.objects.exists()


def test_an_offer_i_do_not_qualify_for_cannot_be_ordered(me, offering):
    retired = activatable_offering(name="Old plan")
    type(retired).objects.filter(pk=retired.pk).update(lifecycle_status="draft")  # not on sale: not offered
    response = me.post("/my/orders/new/", {"offerings": [str(retired.pk)], f"qty__{retired.pk}": "1"})
    assert response.status_code == 400 and not CustomerOrder.objects.exists()


def test_cancel_my_order_while_allowed(me, customer, offering):
    order = staff_order(customer, offering)
    page = me.get(f"/my/orders/{order.pk}/cancel/").content.decode()
    assert "Why do you want to cancel?" in page
    assert me.post(f"/my/orders/{order.pk}/cancel/", {"reason": ""}).status_code == 400
    response = me.post(f"/my/orders/{order.pk}/cancel/", {"reason": "moving house"}, follow=True)
    order.refresh_from_db()
    assert order.state == CustomerOrder.State.CANCELLED and "cancelled" in response.content.decode()


def test_past_the_point_of_no_return_cancel_is_not_offered(me, customer, offering):
    order = staff_order(customer, offering)
    CustomerOrder.objects.filter(pk=order.pk).update(point_of_no_return_passed=True)
    assert "data-cancel" not in me.get(f"/my/orders/{order.pk}/").content.decode()
    response = me.get(f"/my/orders/{order.pk}/cancel/", follow=True)
    assert response.redirect_chain[-1][0] == f"/my/orders/{order.pk}/"
    assert "can no longer be cancelled online" in response.content.decode()


def test_a_refusal_by_the_service_is_a_message_not_an_error_page(me, customer, offering, monkeypatch):
    from orders.services import ordering

    order = staff_order(customer, offering)

    def refuse(**kw):
        raise ApplicationError(f"Order {order.order_number} is past the point of no return: ask us to raise a "
                               "follow-on change instead.", code="point_of_no_return")

    monkeypatch.setattr(ordering, "customer_order_cancel", refuse)
    response = me.post(f"/my/orders/{order.pk}/cancel/", {"reason": "changed my mind"}, follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == f"/my/orders/{order.pk}/"
    assert "past the point of no return" in response.content.decode() and "alert-danger" in response.content.decode()
    order.refresh_from_db()
    assert order.state != CustomerOrder.State.CANCELLED
