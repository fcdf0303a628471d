"""TMF622 productOrder / cancelProductOrder over HTTP, as an integrator (the official CTK's caller) sends them:
the kit's first order (an item without productOffering, a party we do not hold) is 201 and rejected with the
reasons; ?orderDate= is an exact match on the string form; state filters through the TMF622 mapping; the
validation policy's 400s; 404 and 409 bodies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from orders.models import CustomerOrder
from tests.factories import CustomerFactory, ProductOfferingFactory
from tests.tmf_spec import assert_tmf_error, load_spec, spec_problems

pytestmark = pytest.mark.django_db

SPEC = "TMF622-ProductOrdering-v4.0.0.swagger.json"
EXTENSIONS = frozenset({"orderNumber", "milestone", "rejectionReason"})
LIST = "tmf622:productorder-list"
CTK_FIRST_ORDER = {"productOrderItem": [{"id": "123", "action": "add"}],
                   "relatedParty": [{"id": "456-dd-df45", "@referredType": "Individual"}]}


def detail(pk) -> str:
    return reverse("tmf622:productorder-detail", kwargs={"pk": pk})


def test_the_kit_s_first_order_is_created_and_rejected_with_the_reasons(integrator_client):
    resp = integrator_client.post(reverse(LIST), CTK_FIRST_ORDER, format="json")
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert resp["Location"] == data["href"]
    assert spec_problems(load_spec(SPEC), "ProductOrder", data, extensions=EXTENSIONS) == []
    assert data["state"] == "rejected"
    assert {r["code"] for r in data["rejectionReason"]} == {"unknown_customer", "unknown_offering"}
    assert data["relatedParty"] == CTK_FIRST_ORDER["relatedParty"]  # kept as sent, not invented locally
    assert [(i["id"], i["state"]) for i in data["productOrderItem"]] == [("123", "rejected")]
    for attribute in ("productOrderItem", "href", "id", "orderDate", "relatedParty", "state"):  # the kit's list
        assert attribute in data
    assert CustomerOrder.objects.get().state == CustomerOrder.State.REJECTED


def test_order_date_filter_is_an_exact_match_on_the_string_form(integrator_client):
    first = integrator_client.post(reverse(LIST), CTK_FIRST_ORDER, format="json").json()
    second = integrator_client.post(reverse(LIST), CTK_FIRST_ORDER, format="json").json()
    CustomerOrder.objects.filter(pk=second["id"]).update(
        order_date=CustomerOrder.objects.get(pk=first["id"]).order_date + timedelta(milliseconds=1))
    found = integrator_client.get(reverse(LIST), {"orderDate": first["orderDate"]}).json()
    assert [o["id"] for o in found] == [first["id"]]
    assert integrator_client.get(reverse(LIST), {"orderDate": f'"{first["orderDate"]}"'}).json()[0]["id"] == \
        first["id"]  # surrounding quotes stripped
    later = integrator_client.get(reverse(LIST), {"orderDate.gt": first["orderDate"]}).json()
    assert [o["id"] for o in later] == [second["id"]]
    assert integrator_client.get(reverse(LIST), {"orderDate": "2000-01-01T00:00:00.000Z"}).json() == []


def test_fields_and_id_filters_as_the_kit_uses_them(integrator_client):
    order = integrator_client.post(reverse(LIST), CTK_FIRST_ORDER, format="json").json()
    assert integrator_client.get(reverse(LIST), {"fields": "orderDate"}).json() == [
        {"id": order["id"], "href": order["href"], "orderDate": order["orderDate"]}]
    assert [o["id"] for o in integrator_client.get(reverse(LIST), {"id": order["id"]}).json()] == [order["id"]]


def test_state_filters_through_the_tmf622_mapping(integrator_client):
    rejected = integrator_client.post(reverse(LIST), CTK_FIRST_ORDER, format="json").json()["id"]
    other = integrator_client.post(reverse(LIST), CTK_FIRST_ORDER, format="json").json()["id"]
    CustomerOrder.objects.filter(pk=other).update(state="committed")
    ids = lambda state: [o["id"] for o in integrator_client.get(reverse(LIST), {"state": state}).json()]  # noqa
    assert ids("rejected") == [rejected] and ids("inProgress") == [other] and ids("committed") == []
    CustomerOrder.objects.filter(pk=rejected).update(state="closed", closed_from="rejected")
    assert ids("rejected") == [rejected]


@pytest.mark.parametrize("attribute, value", [("state", "acknowledged"), ("orderDate", "2030-01-01T00:00:00Z"),
                                              ("completionDate", "2030-01-01T00:00:00Z"), ("id", "9")])
def test_read_only_attributes_are_400_and_store_nothing(integrator_client, attribute, value):
    error = assert_tmf_error(integrator_client.post(reverse(LIST), {**CTK_FIRST_ORDER, attribute: value},
                                                    format="json"), 400)
    assert f"{attribute}:" in error["message"]
    assert not CustomerOrder.objects.exists()


def test_a_missing_item_list_is_400(integrator_client):
    assert_tmf_error(integrator_client.post(reverse(LIST), {"relatedParty": CTK_FIRST_ORDER["relatedParty"]},
                                            format="json"), 400)
    assert not CustomerOrder.objects.exists()


def test_unknown_ids_are_404(integrator_client):
    for pk in ("f42b01d2-dba6-4442-a0fa-34e59639fd15", "999999"):
        assert_tmf_error(integrator_client.get(detail(pk)), 404)


def test_delete_of_an_order_in_progress_is_409(integrator_client):
    customer = CustomerFactory(status="active")
    body = {"productOrderItem": [{"id": "1", "action": "add", "productOffering": {
        "id": str(ProductOfferingFactory(lifecycle_status="active").pk)}}],
        "relatedParty": [{"id": str(customer.pk), "@referredType": "Customer"}]}
    pk = integrator_client.post(reverse(LIST), body, format="json").json()["id"]
    CustomerOrder.objects.filter(pk=pk).update(state="committed")
    assert_tmf_error(integrator_client.delete(detail(pk)), 409)
    assert CustomerOrder.objects.get(pk=pk).state == "committed"


def test_cancel_product_order_of_an_order_we_do_not_hold_is_a_refused_request(integrator_client):
    resp = integrator_client.post(reverse("tmf622:cancelproductorder-list"),
                                  {"productOrder": {"id": "ext-1", "@referredType": "ProductOrder"}}, format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["state"] == "terminatedWithError"
    assert spec_problems(load_spec(SPEC), "CancelProductOrder", resp.json()) == []


def test_filtering_by_an_items_offering_lists_each_order_once(integrator_client):
    url = reverse(LIST)
    a, b = ProductOfferingFactory(lifecycle_status="active"), ProductOfferingFactory(lifecycle_status="active")
    body = {"productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": a.code}},
                                 {"id": "2", "action": "add", "productOffering": {"id": a.code}}]}
    both = integrator_client.post(url, body, format="json").json()["id"]
    other = integrator_client.post(url, {"productOrderItem": [
        {"id": "1", "action": "add", "productOffering": {"id": b.code}}]}, format="json").json()["id"]
    for value in (a.code, str(a.pk)):
        r = integrator_client.get(url, {"productOrderItem.productOffering.id": value})
        assert [o["id"] for o in r.json()] == [both] and r["X-Total-Count"] == "1"
    assert [o["id"] for o in integrator_client.get(
        url, {"productOrderItem.productOffering.id": b.code}).json()] == [other]
