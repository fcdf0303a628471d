"""TMF622 PATCH of productOrderItem (a merge patch: the array is the order's items as they should be) through
orders.services.order_modify: modified, added and removed items; 409 after the point of no return and 422 for an
invalid modification, each with the TMF Error body and nothing changed."""

import pytest
from django.urls import reverse

from bss.actors import Actor, Channel
from bss.events.models import Event
from orders.models import CustomerOrder
from orders.services.ordering import OrderItemInput, customer_order_create
from tests.factories import SpecCharacteristicFactory, activatable_offering, orderable_customer, staff_user
from tests.tmf_spec import assert_tmf_error, load_spec, spec_problems

pytestmark = pytest.mark.django_db
SPEC = "TMF622-ProductOrdering-v4.0.0.swagger.json"
EXTENSIONS = frozenset({"orderNumber", "milestone", "rejectionReason"})


def detail(pk) -> str:
    return reverse("tmf622:productorder-detail", kwargs={"pk": pk})


@pytest.fixture
def order():
    offering = activatable_offering(code="fibre-home")
    SpecCharacteristicFactory(specification=offering.specification, name="speed", allowed_values=["100", "500"])
    customer = orderable_customer()
    order, _ = customer_order_create(
        actor=Actor(user=staff_user(), channel=Channel.PORTAL), customer_ref=str(customer.pk),
        items=[OrderItemInput(item_id="1", offering=offering.code, characteristics={"speed": "100"}),
               OrderItemInput(item_id="2", offering=offering.code)])
    assert order.state == "acknowledged"
    return order


def _item(offering_id, item_id, **product):
    row = {"id": item_id, "action": "add", "productOffering": {"id": str(offering_id)}}
    if product:
        row["product"] = product
    return row


def test_patch_modifies_adds_and_removes_items(integrator_client, order):
    offering_id = order.items.first().offering_id
    before = Event.objects.count()
    body = {"productOrderItem": [
        {**_item(offering_id, "1", productCharacteristic=[{"name": "speed", "value": "500"}]), "quantity": 2},
        _item(offering_id, "3")]}
    resp = integrator_client.patch(detail(order.pk), body, format="json")
    assert resp.status_code == 200, resp.content
    data = resp.json()
    assert spec_problems(load_spec(SPEC), "ProductOrder", data, extensions=EXTENSIONS) == []
    items = {i["id"]: i for i in data["productOrderItem"]}
    assert items["1"]["quantity"] == 2
    assert items["1"]["product"]["productCharacteristic"] == [{"name": "speed", "value": "500"}]
    assert (items["2"]["state"], items["3"]["state"]) == ("cancelled", "acknowledged")
    types = list(Event.objects.filter(resource_type="productOrder").order_by("pk")[before:]
                 .values_list("event_type", flat=True))
    assert types == ["ProductOrderAttributeValueChangeEvent"], "one PATCH, one event"


def test_patch_with_header_attributes_and_items_is_one_event(integrator_client, order):
    offering_id = order.items.first().offering_id
    before = Event.objects.count()
    resp = integrator_client.patch(detail(order.pk), {"description": "bigger", "productOrderItem": [
        {**_item(offering_id, "1"), "quantity": 3}, _item(offering_id, "2")]}, format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["description"] == "bigger"
    assert Event.objects.filter(resource_type="productOrder").count() == before + 1


def test_patch_after_the_point_of_no_return_is_409_with_the_error_body(integrator_client, order):
    CustomerOrder.objects.filter(pk=order.pk).update(point_of_no_return_passed=True)
    offering_id = order.items.first().offering_id
    resp = integrator_client.patch(detail(order.pk), {"productOrderItem": [
        {**_item(offering_id, "1"), "quantity": 2}, _item(offering_id, "2")]}, format="json")
    body = assert_tmf_error(resp, 409)
    assert body["code"] == "point_of_no_return" and "follow-on change order" in body["message"]
    assert order.items.get(item_id="1").quantity == 1


def test_an_invalid_modification_is_422_with_the_error_body(integrator_client, order):
    offering_id = order.items.first().offering_id
    resp = integrator_client.patch(detail(order.pk), {"productOrderItem": [
        _item(offering_id, "1", productCharacteristic=[{"name": "speed", "value": "9000"}]),
        _item(offering_id, "2")]}, format="json")
    body = assert_tmf_error(resp, 422)
    assert body["code"] == "modification_infeasible" and "9000" in body["message"]
    assert order.items.get(item_id="1").characteristics == {"speed": "100"}


def test_a_malformed_item_patch_is_400(integrator_client, order):
    offering_id = order.items.first().offering_id
    resp = integrator_client.patch(detail(order.pk), {"productOrderItem": [
        {**_item(offering_id, "1"), "quantity": 0}, _item(offering_id, "2")]}, format="json")
    body = assert_tmf_error(resp, 400)
    assert "productOrderItem" in body["message"]
    assert integrator_client.patch(detail(order.pk), {"productOrderItem": [
        _item(offering_id, "1"), _item(offering_id, "1")]}, format="json").status_code == 400
