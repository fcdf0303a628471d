"""TMF622 productOrder reads: the number of SQL queries per request is pinned, and a list's does not grow with its
page (bench/bench_order_lists.py measures the list over 1,000,000 orders against a bare DRF twin; a query added
per order shows up there a thousandfold). Authenticated by token, as integrators are: the first four queries
are the token, the role check and the user's and groups' permissions; everything after them is the resource's.
Every order listed has what the representation reads: two items (one depending on the other) of an offering,
their agreed prices (one discounted), notes, a milestone, a customer and a billing account."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bss.actors import Actor, Channel
from bss.roles import Role
from orders.models import CustomerOrder
from orders.services.ordering import OrderItemInput, customer_order_create
from tests.factories import (
    MilestoneStatusFactory,
    PriceAlterationFactory,
    ProductOfferingPriceFactory,
    TokenFactory,
    activatable_offering,
    orderable_customer,
    staff_user,
)

pytestmark = pytest.mark.django_db

ORDERS = "/tmf-api/productOrderingManagement/v4/productOrder"
AUTH = 4  # token + user, staff role check, user permissions, group permissions
# the count (X-Total-Count), the page, then one prefetch each: items, their offerings, their prices, the items
# they depend on, the notes
LIST = AUTH + 2 + 5
RETRIEVE = AUTH + 1 + 5


@pytest.fixture
def client(db):
    client = APIClient()
    token = TokenFactory(user=staff_user(Role.INTEGRATOR))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.get(f"{ORDERS}?limit=1")  # fills the content-type cache, as a running server has
    return client


@pytest.fixture
def orders(db):
    """52 orders of two customers, each as rich as the representation gets."""
    broadband = activatable_offering()
    tv = activatable_offering(one_time="49.0000")
    PriceAlterationFactory(price=ProductOfferingPriceFactory(offering=tv, name="TV box"))
    customers = [orderable_customer(), orderable_customer()]
    actor = Actor(user=staff_user(Role.CSR), channel=Channel.PORTAL, label="csr")
    milestone = MilestoneStatusFactory()
    made = []
    for n in range(52):
        order, _ = customer_order_create(
            actor=actor, customer_ref=str(customers[n % 2].pk), notes=[f"note {n}", "call before noon"],
            items=[OrderItemInput(item_id="1", offering=broadband.code),
                   OrderItemInput(item_id="2", offering=tv.code, depends_on=["1"])])
        made.append(order)
    CustomerOrder.objects.filter(pk__in=[o.pk for o in made[::2]]).update(milestone=milestone)
    return made


def queries(call):
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response


def test_a_list_takes_as_many_queries_for_5_orders_as_for_50(client, orders):
    small, five = queries(lambda: client.get(ORDERS, {"limit": 5}))
    large, fifty = queries(lambda: client.get(ORDERS, {"limit": 50}))
    assert len(five.json()) == 5 and len(fifty.json()) == 50
    assert five["X-Total-Count"] == fifty["X-Total-Count"] == "52"
    for order in fifty.json():  # everything the representation reads was there to read
        assert [i["id"] for i in order["productOrderItem"]] == ["1", "2"]
        assert all(i["itemPrice"] for i in order["productOrderItem"])
        assert order["productOrderItem"][1]["productOrderItemRelationship"] == [{"id": "1",
                                                                                  "relationshipType": "dependsOn"}]
        assert any("priceAlteration" in p for p in order["productOrderItem"][1]["itemPrice"])
        assert len(order["note"]) == 2 and order["orderTotalPrice"]
    assert sum(1 for o in fifty.json() if o.get("milestone")) == 25
    assert small == large == LIST


def test_a_page_further_on_and_a_filtered_list_take_the_same_queries(client, orders):
    count, page = queries(lambda: client.get(ORDERS, {"limit": 20, "offset": 30}))
    assert len(page.json()) == 20 and count == LIST
    customer = orders[0].customer_id
    count, mine = queries(lambda: client.get(ORDERS, {"limit": 50, "relatedParty.id": customer}))
    assert len(mine.json()) == 26 and count == LIST
    count, acknowledged = queries(lambda: client.get(ORDERS, {"limit": 50, "state": "acknowledged"}))
    assert len(acknowledged.json()) == 50 and count == LIST


def test_one_order_is_read_with_a_fixed_number_of_queries(client, orders):
    count, response = queries(lambda: client.get(f"{ORDERS}/{orders[0].pk}"))
    assert len(response.json()["productOrderItem"]) == 2
    assert count == RETRIEVE
