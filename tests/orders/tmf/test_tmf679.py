"""TMF679 productOfferingQualification: synchronous evaluation, shapes, errors, scoping."""

import pytest

from bss.actors import Actor, Channel
from bss.events.models import Event, EventDelivery
from bss.events.services import event_fan_out
from orders.models import OfferingQualification
from orders.services.feasibility import ItemInput, offering_qualification_request
from tests.factories import (
    AddressFactory,
    BillingAccountFactory,
    CustomerFactory,
    HubSubscriptionFactory,
    customer_user,
)
from tests.tmf_spec import load_spec

pytestmark = pytest.mark.django_db
URL = "/tmf-api/productOfferingQualification/v4/productOfferingQualification"


def body(customer=None, address=None, items=(("1", "fiber-500"),), **extra):
    b = {"provideAlternative": True, "provideUnavailabilityReason": True,
         "productOfferingQualificationItem": [{"id": i, "action": "add", "productOffering": {"id": code}}
                                              for i, code in items], **extra}
    if customer is not None:
        b["relatedParty"] = [{"id": str(customer.pk), "role": "customer", "@referredType": "Customer"}]
    if address is not None:
        b["place"] = [{"id": str(address.pk), "role": "installationAddress", "@referredType": "GeographicAddress"}]
    return b


@pytest.fixture
def dublin(feasibility_catalog):
    c = CustomerFactory(status="active")
    return c, AddressFactory(customer=c, area_code="DUB01")


def test_qualified_request_returns_201_with_tmf_shape(integrator_client, dublin):
    customer, address = dublin
    r = integrator_client.post(URL, body(customer, address), format="json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert r["Location"] == data["href"] and data["href"].endswith(f"/productOfferingQualification/{data['id']}")
    assert data["@type"] == "ProductOfferingQualification"
    assert data["state"] == "done" and data["qualificationResult"] == "qualified"
    assert data["productOfferingQualificationDate"].endswith("Z")
    [item] = data["productOfferingQualificationItem"]
    assert item["qualificationItemResult"] == "qualified" and item["productOffering"]["id"] == "fiber-500"
    spec = load_spec("TMF679-ProductOfferingQualification-v4.0.0.swagger.json")["definitions"]
    assert set(data) - {"href", "id"} <= set(spec["ProductOfferingQualification"]["properties"])
    assert set(item) <= set(spec["ProductOfferingQualificationItem"]["properties"])


def test_unqualified_item_has_reasons_and_alternatives(integrator_client, dublin):
    customer, address = dublin
    r = integrator_client.post(URL, body(customer, address, items=(("1", "iptv-addon"),)), format="json")
    assert r.status_code == 201
    data = r.json()
    assert data["qualificationResult"] == "unqualified"
    [item] = data["productOfferingQualificationItem"]
    assert item["qualificationItemResult"] == "alternate"
    assert item["eligibilityUnavailabilityReason"][0]["code"] == "prerequisite"
    assert "prerequisite says no" in item["eligibilityUnavailabilityReason"][0]["label"]  # staff wording
    assert item["alternateProductOfferingProposal"][0]["alternateProductOffering"]["id"] == "fiber-500-tv"


def test_provide_flags_trim_the_answer(integrator_client, dublin):
    customer, address = dublin
    r = integrator_client.post(URL, body(customer, address, items=(("1", "iptv-addon"), ("2", "mobile-s")),
                                         provideAlternative=False, provideUnavailabilityReason=False), format="json")
    items = {i["id"]: i for i in r.json()["productOfferingQualificationItem"]}
    assert items["1"]["qualificationItemResult"] == "unqualified"
    assert "eligibilityUnavailabilityReason" not in items["1"]
    assert "alternateProductOfferingProposal" not in items["1"]
    r = integrator_client.post(URL, body(customer, address, items=(("1", "iptv-addon"), ("2", "mobile-s")),
                                         provideOnlyAvailable=True), format="json")
    assert [i["id"] for i in r.json()["productOfferingQualificationItem"]] == ["2"]


def test_place_by_value_and_prospect_without_customer(integrator_client, feasibility_catalog):
    b = body(items=(("1", "fiber-500"),), place=[{"role": "installationAddress", "areaCode": "GAL01"}])
    r = integrator_client.post(URL, b, format="json")
    assert r.status_code == 201
    item = r.json()["productOfferingQualificationItem"][0]
    assert item["qualificationItemResult"] == "alternate"  # GAL01 tops out at 100 Mb/s
    assert item["alternateProductOfferingProposal"][0]["alternateProductOffering"]["id"] == "fiber-100"
    assert OfferingQualification.objects.get().customer is None


@pytest.mark.parametrize("item, place, code, fragment", [
    ({"id": "1", "productOffering": {"id": "no-such"}}, None, "unknown_offering", "no-such"),
    ({"id": "1", "productOffering": {"id": "fiber-100"}}, None, "install_address_required", "install address"),
    # an address we do not hold is kept as a reference: the offering still lacks an install address
    ({"id": "1", "productOffering": {"id": "fiber-100"}}, [{"id": "999999", "role": "installationAddress"}],
     "install_address_required", "install address"),
])
def test_unknown_offering_or_missing_address_is_an_unqualified_item(integrator_client, feasibility_catalog, item,
                                                                     place, code, fragment):
    """A well-formed question: 201, that item unqualified with the reason, the others answered."""
    payload = {"productOfferingQualificationItem": [item, {"id": "2", "productOffering": {"id": "mobile-s"}}]}
    if place:
        payload["place"] = place
    r = integrator_client.post(URL, payload, format="json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["qualificationResult"] == "unqualified"
    items = {i["id"]: i for i in data["productOfferingQualificationItem"]}
    assert items["1"]["qualificationItemResult"] == "unqualified"
    reasons = items["1"]["eligibilityUnavailabilityReason"]
    assert any(r["code"] == code and fragment in r["label"] for r in reasons), reasons
    assert items["2"]["qualificationItemResult"] == "qualified"
    assert OfferingQualification.objects.count() == 1


@pytest.mark.parametrize("payload,fragment", [
    ({"productOfferingQualificationItem": [{"id": "1", "productOffering": {"id": "mobile-classic"}}]}, "retired"),
    ({"productOfferingQualificationItem": [{"id": "1", "productOffering": {"id": "fiber-100"}, "product": {
        "productCharacteristic": [{"name": "install_type", "value": "drone"}]}}],
      "place": [{"role": "installationAddress", "areaCode": "DUB01"}]}, "install_type must be one of"),
    ({"productOfferingQualificationItem": []}, "productOfferingQualificationItem"),
    ({"productOfferingQualificationItem": [{"id": "1"}]}, "productOffering"),
    ({"productOfferingQualificationItem": [{"id": "1", "productOffering": {"id": "mobile-s"}}], "state": "done"},
     "Read-only"),
    ({"productOfferingQualificationItem": [{"id": "1", "productOffering": {"id": "mobile-s"}}], "colour": "red"},
     "Unknown attribute"),
    ({"productOfferingQualificationItem": [{"id": "1", "productOffering": {"id": "mobile-s"}}],
      "place": [{"role": "installationAddress"}]}, "postcode"),
])
def test_bad_input_is_4xx_with_reasons_and_nothing_stored(integrator_client, feasibility_catalog, payload, fragment):
    r = integrator_client.post(URL, payload, format="json")
    assert r.status_code == 400, r.content
    err = r.json()
    assert err["@type"] == "Error" and err["status"] == "400"
    assert fragment in err["message"]
    assert OfferingQualification.objects.count() == 0


def test_get_list_and_retrieve_stored_qualifications(integrator_client, dublin):
    customer, address = dublin
    first = integrator_client.post(URL, body(customer, address), format="json").json()
    integrator_client.post(URL, body(customer, address, items=(("1", "iptv-addon"),)), format="json")
    r = integrator_client.get(URL + "?qualificationResult=unqualified")
    assert r["X-Total-Count"] == "1" and r.json()[0]["qualificationResult"] == "unqualified"
    r = integrator_client.get(f"{URL}/{first['id']}?fields=qualificationResult")
    assert r.json() == {"id": first["id"], "href": first["href"], "qualificationResult": "qualified"}
    assert integrator_client.get(f"{URL}/99999").status_code == 404


def test_customer_user_qualifies_for_themself_with_customer_wording(api_client, dublin):
    customer, address = dublin
    other = CustomerFactory()
    user = customer_user(customer)
    api_client.force_authenticate(user)
    # Naming another customer does not evaluate (or reveal) that customer's data.
    r = api_client.post(URL, body(other, None, items=(("1", "iptv-addon"),)), format="json")
    assert r.status_code == 201
    poq = OfferingQualification.objects.get(pk=r.json()["id"])
    assert poq.customer == customer and poq.channel == "self_service"
    item = r.json()["productOfferingQualificationItem"][0]
    assert item["eligibilityUnavailabilityReason"][0]["label"] == "TV needs broadband."
    # And only sees their own stored qualifications.
    OfferingQualification.objects.create(customer=other, qualification_result="qualified", request={}, result=[])
    ids = [x["id"] for x in api_client.get(URL).json()]
    assert ids == [str(poq.pk)]


def test_unauthenticated_is_refused_with_tmf_error(api_client, feasibility_catalog):
    r = api_client.post(URL, body(), format="json")
    assert r.status_code in (401, 403) and r.json()["@type"] == "Error"


@pytest.mark.parametrize("where", ["relatedParty", "place", "billingAccount", "product"])
def test_unicode_digit_ids_are_not_a_500(integrator_client, feasibility_catalog, where):
    b = body(items=(("1", "mobile-s"),))
    if where == "relatedParty":
        b["relatedParty"] = [{"id": "²", "role": "customer", "@referredType": "Customer"}]
    elif where == "place":
        b["place"] = [{"id": "²", "role": "installationAddress"}]
    else:
        b["productOfferingQualificationItem"][0]["product"] = (
            {"billingAccount": {"id": "²"}} if where == "billingAccount" else {"id": "²"})
    r = integrator_client.post(URL, b, format="json")
    assert r.status_code in (201, 400), r.content
    assert r.json().get("@type") in ("ProductOfferingQualification", "Error")


def test_customers_do_not_see_draft_offerings_in_the_catalog(api_client, dublin):
    customer, _ = dublin
    api_client.force_authenticate(customer_user(customer))
    codes = {o.get("code") for o in api_client.get(
        "/tmf-api/productCatalogManagement/v4/productOffering?limit=100").json()}
    assert "mobile-s" in codes and "draft-plan" not in codes


QUALIFICATION_CREATE = "ProductOfferingQualificationCreateEvent"


def test_a_post_writes_one_qualification_and_publishes_one_event(integrator_client, dublin):
    customer, address = dublin
    for n, offering in enumerate(("fiber-500", "iptv-addon", "no-such"), start=1):
        r = integrator_client.post(URL, body(customer, address, items=(("1", offering),)), format="json")
        assert r.status_code == 201, r.content
        assert OfferingQualification.objects.count() == n
        latest = Event.objects.order_by("-pk").first()
        assert Event.objects.count() == n  # exactly one event per request, of this qualification
        assert (latest.event_type, latest.api, latest.resource_id) == (
            QUALIFICATION_CREATE, "productOfferingQualification", r.json()["id"])
        announced = latest.payload["event"]["productOfferingQualification"]
        assert announced["id"] == r.json()["id"]
        assert announced["qualificationResult"] == r.json()["qualificationResult"]


def test_the_service_called_directly_answers_as_the_api_does(integrator_client, integrator, dublin):
    """The same question through TMF679 and through the service (as a task or the portal would ask
    it, no request in sight) is answered and stored alike."""
    customer, address = dublin
    account = BillingAccountFactory(customer=customer)
    payload = body(customer, address, items=(("1", "fiber-500"), ("2", "iptv-addon"), ("3", "no-such")),
                   channel={"id": "retail"})
    payload["productOfferingQualificationItem"][0]["product"] = {"billingAccount": {"id": str(account.pk)}}
    r = integrator_client.post(URL, payload, format="json")
    assert r.status_code == 201, r.content
    via_api = OfferingQualification.objects.get(pk=r.json()["id"])
    direct, _ = offering_qualification_request(
        actor=Actor(user=integrator, channel=Channel.API), request_body=payload,
        items=[ItemInput(id="1", offering="fiber-500"), ItemInput(id="2", offering="iptv-addon"),
               ItemInput(id="3", offering="no-such")],
        customer_ref=str(customer.pk), place_ref=str(address.pk), account_ref=str(account.pk), channel="retail")
    assert (direct.customer, direct.channel, direct.qualification_result) == (
        via_api.customer, via_api.channel, via_api.qualification_result) == (customer, "retail", "unqualified")
    assert direct.result == via_api.result
    assert [i["qualificationItemResult"] for i in r.json()["productOfferingQualificationItem"]] == [
        "qualified", "qualified", "unqualified"]
    assert integrator_client.get(f"{URL}/{direct.pk}").json()["productOfferingQualificationItem"] == \
        r.json()["productOfferingQualificationItem"]
    assert Event.objects.filter(event_type=QUALIFICATION_CREATE).count() == 2


def test_references_that_name_nothing_of_ours_are_kept_as_sent(integrator_client, feasibility_catalog):
    """Never a 400: a party, place or account we do not hold stays the reference sent; the question
    is answered without it (fiber needs an install address we do not have)."""
    party = {"id": "ext-42", "href": "https://partner.example/customer/ext-42", "role": "customer",
             "@referredType": "Customer"}
    place = {"id": "999999", "role": "installationAddress", "@referredType": "GeographicAddress"}
    payload = body(items=(("1", "fiber-500"), ("2", "mobile-s")), relatedParty=[party], place=[place])
    payload["productOfferingQualificationItem"][1]["product"] = {"billingAccount": {"id": "acc-77"}}
    r = integrator_client.post(URL, payload, format="json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["relatedParty"] == [party] and data["place"] == [place]
    items = {i["id"]: i for i in data["productOfferingQualificationItem"]}
    assert items["1"]["qualificationItemResult"] == "unqualified"
    assert "install_address_required" in [x["code"] for x in items["1"]["eligibilityUnavailabilityReason"]]
    assert items["2"]["qualificationItemResult"] == "qualified"
    poq = OfferingQualification.objects.get()
    assert poq.customer is None and poq.request["relatedParty"] == [party]
    assert Event.objects.filter(event_type=QUALIFICATION_CREATE, resource_id=str(poq.pk)).count() == 1


def test_a_customer_user_cannot_use_another_customers_address(api_client, dublin):
    customer, _ = dublin
    other = CustomerFactory(status="active")
    api_client.force_authenticate(customer_user(customer))
    r = api_client.post(URL, body(other, AddressFactory(customer=other, area_code="DUB01")), format="json")
    assert r.status_code == 201, r.content
    [item] = r.json()["productOfferingQualificationItem"]
    assert item["qualificationItemResult"] == "unqualified"
    assert "install_address_required" in [x["code"] for x in item["eligibilityUnavailabilityReason"]]
    poq = OfferingQualification.objects.get()
    assert (poq.customer, poq.channel) == (customer, "self_service")
    assert Event.objects.filter(event_type=QUALIFICATION_CREATE).count() == 1


def test_a_tmf679_hub_listener_is_told_of_each_qualification(integrator_client, dublin):
    customer, address = dublin
    listener = HubSubscriptionFactory(api="productOfferingQualification",
                                      query=f"eventType={QUALIFICATION_CREATE}")
    HubSubscriptionFactory(api="productCatalogManagement")  # another API's listener hears nothing
    r = integrator_client.post(URL, body(customer, address), format="json")
    [event] = Event.objects.all()
    assert event.resource_id == r.json()["id"]
    event_fan_out(event_id=event.pk)
    [delivery] = EventDelivery.objects.all()
    assert delivery.subscription == listener
