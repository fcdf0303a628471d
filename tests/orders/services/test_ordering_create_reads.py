"""Issuing an order renders its ProductOrderCreateEvent from what it just stored: the items, their agreed prices
and dependencies and the notes are not read back from the database for it; a caller that keeps the returned
order reads them afresh."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bss.actors import Actor, Channel
from bss.events.models import Event
from orders.services.ordering import OrderItemInput, customer_order_create
from tests.factories import activatable_offering, orderable_customer, staff_user

pytestmark = pytest.mark.django_db


def _reads(ctx, table: str) -> int:
    return sum(1 for q in ctx.captured_queries if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"])


def test_the_create_event_is_rendered_without_reading_the_order_back():
    csr = Actor(user=staff_user(), channel=Channel.PORTAL)
    broadband, tv = activatable_offering(), activatable_offering()
    customer = orderable_customer()
    with CaptureQueriesContext(connection) as ctx:
        order, _ = customer_order_create(actor=csr, customer_ref=str(customer.pk), notes=["call before noon"], items=[
            OrderItemInput(item_id="bb", offering=broadband.code),
            OrderItemInput(item_id="tv", offering=tv.code, depends_on=["bb"])])
    for table in ("orders_orderitem", "orders_orderitemprice", "orders_ordernote", "orders_orderitem_depends_on"):
        assert _reads(ctx, table) == 0, table
    body = Event.objects.get(event_type="ProductOrderCreateEvent", resource_id=str(order.pk)).payload
    items = {i["id"]: i for i in body["event"]["productOrder"]["productOrderItem"]}
    assert items["tv"]["productOrderItemRelationship"] == [{"id": "bb", "relationshipType": "dependsOn"}]
    assert items["bb"]["itemPrice"] and "productOrderItemRelationship" not in items["bb"]
    assert [n["text"] for n in body["event"]["productOrder"]["note"]] == ["call before noon"]
    # the returned order holds nothing stale: its items are read again
    order.items.filter(item_id="bb").update(quantity=3)
    assert {i.item_id: i.quantity for i in order.items.all()} == {"bb": 3, "tv": 1}
