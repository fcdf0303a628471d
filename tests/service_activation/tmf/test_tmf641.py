"""TMF641 Service Ordering v4 (/tmf-api/serviceOrdering/v4/) and v3 (/tmf-api/serviceOrdering/v3/): shapes
against the official specs, the validation policy (malformed: 400 and nothing stored; well-formed with
references we do not hold: 201 and rejected with the reasons), 404 / 409 bodies, the limited PATCH, DELETE as a
cancellation, and every internal state as each version shows it and filters on it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bss.audit.models import HistoryEntry
from bss.roles import Role
from service_activation.models import Service, ServiceOrder
from tests.factories import CustomerFactory, ServiceSpecificationFactory, customer_user, staff_user
from tests.tmf_spec import assert_tmf_error, load_spec, spec_problems

pytestmark = pytest.mark.django_db

V4 = "TMF641-ServiceOrdering-v4.0.0.swagger.json"
V3 = "TMF641-ServiceOrdering-v3.0.0.swagger.json"
VERSIONS = {4: ("tmf641", "serviceOrderItem", V4), 3: ("tmf641v3", "orderItem", V3)}
EXTENSIONS = frozenset({"orderNumber", "customerOrder", "rejectionReason"})
S = ServiceOrder.State

# Every internal state, as v4 and v3 show it (written out here, not derived from service_activation.states).
SHOWN = {
    "acknowledged": ("acknowledged", "acknowledged"),
    "inProgress": ("inProgress", "inProgress"),
    "held": ("held", "held"),
    "pending": ("pending", "pending"),
    "completed": ("completed", "completed"),
    "failed": ("failed", "failed"),
    "partial": ("partial", "partial"),
    "assessingCancellation": ("assessingCancellation", "inProgress"),
    "pendingCancellation": ("pendingCancellation", "inProgress"),
    "cancelled": ("cancelled", "cancelled"),
    "rejected": ("rejected", "rejected"),
}
CLOSED_FROM = ("completed", "failed", "partial", "cancelled", "rejected")


@pytest.fixture
def client(integrator):
    c = APIClient()
    c.force_authenticate(integrator)
    return c


@pytest.fixture
def spec():
    return ServiceSpecificationFactory(lifecycle_status="active", code="fiber-access", name="Fiber access")


def url(version: int, pk=None) -> str:
    ns = VERSIONS[version][0]
    return reverse(f"{ns}:serviceorder-detail", kwargs={"pk": pk}) if pk else reverse(f"{ns}:serviceorder-list")


def body(version: int, spec_ref: dict, **extra) -> dict:
    items = VERSIONS[version][1]
    return {"externalId": "PARTNER-1", "priority": "1", "category": "CloudServiceOrdering",
            "requestedStartDate": "2030-01-15T09:37:40.508Z", "requestedCompletionDate": "2030-02-15T09:37:40.508Z",
            items: [{"id": "1", "action": "add", "service": {
                "serviceCharacteristic": [{"name": "vlan", "value": 100}], "serviceSpecification": spec_ref}}],
            **extra}


def ref(spec) -> dict:
    return {"id": str(spec.pk), "href": f"https://catalog.example.com/serviceSpecification/{spec.pk}",
            "name": spec.name}


def shape_problems(version: int, data: dict) -> list[str]:
    return spec_problems(load_spec(VERSIONS[version][2]), "ServiceOrder", data, extensions=EXTENSIONS)


# --- create ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("version", [4, 3])
def test_a_valid_order_is_acknowledged_in_the_version_shape(client, spec, version):
    resp = client.post(url(version), body(version, ref(spec)), format="json")
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert resp["Location"] == data["href"] and data["href"].endswith(url(version, data["id"]))
    assert shape_problems(version, data) == []
    items, other = VERSIONS[version][1], VERSIONS[3 if version == 4 else 4][1]
    assert other not in data
    assert data["state"] == "acknowledged" and data["@type"] == "ServiceOrder"
    assert (data["externalId"], data["priority"], data["category"]) == ("PARTNER-1", "1", "CloudServiceOrdering")
    assert data["requestedStartDate"] == "2030-01-15T09:37:40.508Z"
    [item] = data[items]
    assert (item["id"], item["action"], item["state"]) == ("1", "add", "acknowledged")
    service = Service.objects.get()
    assert item["service"]["id"] == str(service.pk)
    assert item["service"]["href"].endswith(reverse("tmf638:service-detail", kwargs={"pk": service.pk}))
    assert item["service"]["serviceSpecification"]["id"] == str(spec.pk)
    assert item["service"]["serviceCharacteristic"] == [{"name": "vlan", "value": 100}]
    so = ServiceOrder.objects.get()
    assert (so.origin, so.state, so.category) == (ServiceOrder.Origin.API, S.ACKNOWLEDGED, "CloudServiceOrdering")


def test_one_order_read_through_both_versions(client, spec):
    pk = client.post(url(4), body(4, ref(spec)), format="json").json()["id"]
    v4, v3 = client.get(url(4, pk)).json(), client.get(url(3, pk)).json()
    assert v4["serviceOrderItem"][0]["id"] == v3["orderItem"][0]["id"] == "1"
    assert "@referredType" in v4["serviceOrderItem"][0]["service"]  # v4's ServiceRefOrValue has it
    assert "@referredType" not in v3["orderItem"][0]["service"]  # v3's ServiceRestriction does not
    assert shape_problems(4, v4) == [] and shape_problems(3, v3) == []


def test_notes_keep_their_text_with_the_version_shape(client, spec):
    note = {"author": "Jean", "date": "2030-01-15T09:37:40.508Z", "text": "Call before"}
    assert "note[0].id" in assert_tmf_error(client.post(url(4), body(4, ref(spec), note=[note]), format="json"),
                                            400)["message"]  # v4's Note requires an id
    pk = client.post(url(3), body(3, ref(spec), note=[note]), format="json").json()["id"]  # v3's has none
    [v4_note], [v3_note] = client.get(url(4, pk)).json()["note"], client.get(url(3, pk)).json()["note"]
    assert v4_note == {**note, "id": "1"} and v3_note == note
    pk = client.post(url(4), body(4, ref(spec), note=[{**note, "id": "n-7"}]), format="json").json()["id"]
    assert client.get(url(4, pk)).json()["note"] == [{**note, "id": "n-7"}]


@pytest.mark.parametrize("version", [4, 3])
def test_an_unknown_specification_is_stored_and_rejected_with_the_reason(client, version):
    partner = {"id": "5697-hg45", "href": "http://serverurl/productSpec/5697-hg45", "name": "NiceGuyFirewall"}
    resp = client.post(url(version), body(version, partner), format="json")
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["state"] == "rejected" and shape_problems(version, data) == []
    [reason] = data["rejectionReason"]
    assert reason["code"] == "unknown_service_specification" and "5697-hg45" in reason["message"]
    [item] = data[VERSIONS[version][1]]
    assert item["state"] == "rejected"
    assert item["service"]["serviceSpecification"]["id"] == "5697-hg45"  # kept as sent
    assert item["service"]["serviceCharacteristic"] == [{"name": "vlan", "value": 100}]
    assert not Service.objects.exists()


def test_an_unknown_related_party_is_kept_and_a_known_customer_linked(client, spec):
    outside = {"id": "ext-9", "name": "Partner", "role": "requester", "@referredType": "Organization"}
    pk = client.post(url(4), body(4, ref(spec), relatedParty=[outside]), format="json").json()["id"]
    so = ServiceOrder.objects.get(pk=pk)
    assert so.customer_id is None and client.get(url(4, pk)).json()["relatedParty"] == [outside]
    customer = CustomerFactory()
    party = {"id": str(customer.pk), "name": customer.name, "role": "customer", "@referredType": "Customer"}
    pk = client.post(url(4), body(4, ref(spec), relatedParty=[party]), format="json").json()["id"]
    assert ServiceOrder.objects.get(pk=pk).customer_id == customer.pk
    assert Service.objects.get(order_items__service_order_id=pk).customer_id == customer.pk


@pytest.mark.parametrize("version", [4, 3])
@pytest.mark.parametrize("attribute, value", [
    ("state", "acknowledged"), ("orderDate", "2030-01-01T00:00:00Z"), ("completionDate", "2030-01-01T00:00:00Z"),
    ("expectedCompletionDate", "2030-01-01T00:00:00Z"), ("startDate", "2030-01-01T00:00:00Z"),
    ("cancellationDate", "2030-01-01T00:00:00Z"), ("id", "7"), ("href", "http://x/7")])
def test_read_only_attributes_on_create_are_400_and_store_nothing(client, spec, version, attribute, value):
    error = assert_tmf_error(client.post(url(version), body(version, ref(spec), **{attribute: value}),
                                         format="json"), 400)
    assert f"{attribute}:" in error["message"]
    assert not ServiceOrder.objects.exists() and not Service.objects.exists()


@pytest.mark.parametrize("version", [4, 3])
def test_an_item_state_is_read_only(client, spec, version):
    data = body(version, ref(spec))
    data[VERSIONS[version][1]][0]["state"] = "completed"
    error = assert_tmf_error(client.post(url(version), data, format="json"), 400)
    assert f"{VERSIONS[version][1]}[0].state: Read-only" in error["message"]
    assert not ServiceOrder.objects.exists()


@pytest.mark.parametrize("version", [4, 3])
@pytest.mark.parametrize("service", [{}, {"serviceSpecification": {"name": "vCPE", "version": "1"}},
                                     {"name": "no specification"}], ids=["empty", "name-only", "none"])
def test_an_add_item_without_a_specification_id_or_href_is_400(client, version, service):
    data = body(version, {})
    data[VERSIONS[version][1]][0]["service"] = service
    error = assert_tmf_error(client.post(url(version), data, format="json"), 400)
    assert f"{VERSIONS[version][1]}[0].service.serviceSpecification" in error["message"]
    assert not ServiceOrder.objects.exists()


def test_the_ctk_error_bodies_are_400(client):
    """E2 / E3 of the official R18.5 kit, on v3: state sent (and no orderItem / a specification by name)."""
    e2 = {"externalId": "TMFSO789", "priority": "3", "state": "acknowledged", "note": [{"text": "bla"}],
          "expectedCompletionDate": "2000-01-23T04:56:07.000+00:00"}
    e3 = {**e2, "orderItem": [{"id": "1", "action": "add", "state": "acknowledged", "service": {
        "state": "active", "serviceSpecification": {"name": "NiceGuyFirewal", "version": "1"}}}]}
    for data in (e2, e3):
        assert_tmf_error(client.post(url(3), data, format="json"), 400)
    assert not ServiceOrder.objects.exists()


def test_a_modify_item_may_name_just_the_service(client, spec):
    service = Service.objects.create(name="Line", specification=spec, state=Service.State.ACTIVE)
    data = {"serviceOrderItem": [{"id": "1", "action": "modify", "service": {
        "id": str(service.pk), "serviceCharacteristic": [{"name": "vlan", "value": 200}]}}]}
    resp = client.post(url(4), data, format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["state"] == "acknowledged", resp.json().get("rejectionReason")
    assert resp.json()["serviceOrderItem"][0]["service"]["id"] == str(service.pk)


def test_wrong_types_and_priorities_are_400(client, spec):
    for extra in ({"priority": "9"}, {"priority": 1}, {"requestedStartDate": "soon"}, {"externalId": 5}):
        assert_tmf_error(client.post(url(4), body(4, ref(spec), **extra), format="json"), 400)
    assert not ServiceOrder.objects.exists()


def test_a_self_service_user_may_not_order_services(spec):
    c = APIClient()
    c.force_authenticate(customer_user(CustomerFactory()))
    assert_tmf_error(c.post(url(4), body(4, ref(spec)), format="json"), 403)


# --- read ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("version", [4, 3])
def test_unknown_ids_are_404(client, version):
    for pk in ("123123123123", "abc"):
        assert_tmf_error(client.get(url(version, pk)), 404)


def _order(client, spec, state: str, closed_from: str = "") -> ServiceOrder:
    pk = client.post(url(4), body(4, ref(spec)), format="json").json()["id"]
    ServiceOrder.objects.filter(pk=pk).update(state=state, closed_from=closed_from)  # the lifecycle is tested
    return ServiceOrder.objects.get(pk=pk)  # by the services; here only how each state shows


@pytest.mark.parametrize("state", sorted(SHOWN))
def test_every_internal_state_as_each_version_shows_and_filters_it(client, spec, state):
    so = _order(client, spec, state)
    other = _order(client, spec, "held" if state != "held" else "pending")
    for version, shown in zip((4, 3), SHOWN[state], strict=True):
        assert client.get(url(version, so.pk)).json()["state"] == shown
        found = [o["id"] for o in client.get(url(version), {"state": shown}).json()]
        assert str(so.pk) in found and str(other.pk) not in found
    if SHOWN[state][1] != state:  # a v4-only state is not a v3 filter value
        assert client.get(url(3), {"state": state}).json() == []


@pytest.mark.parametrize("closed_from", CLOSED_FROM)
def test_a_closed_order_shows_the_state_it_was_closed_from(client, spec, closed_from):
    so = _order(client, spec, "closed", closed_from)
    for version in (4, 3):
        assert client.get(url(version, so.pk)).json()["state"] == closed_from
        assert [o["id"] for o in client.get(url(version), {"state": closed_from}).json()] == [str(so.pk)]
        assert client.get(url(version), {"state": "closed"}).json() == []


def test_filters_from_the_official_kit(client, spec):
    first = client.post(url(3), body(3, ref(spec)), format="json").json()["id"]
    second = client.post(url(3), body(3, ref(spec), externalId="TMFSO741", priority="2"), format="json").json()["id"]
    plain = _order(client, spec, "acknowledged")
    ServiceOrder.objects.filter(pk=plain.pk).update(category="")  # shown as its origin's label
    ids = lambda params: [o["id"] for o in client.get(url(3), params).json()]  # noqa: E731
    assert ids({"category": "CloudServiceOrdering"}) == [second, first]
    assert ids({"priority": '"1"', "category": "CloudServiceOrdering"}) == [first]
    assert ids({"externalId": "TMFSO741"}) == [second]
    assert ids({"category": "API"}) == [str(plain.pk)]
    data = client.get(url(3, first), {"fields": "id,state,orderItem.id,orderItem.state"}).json()
    assert set(data) == {"id", "href", "state", "orderItem"}


# --- PATCH, DELETE ------------------------------------------------------------------------------------------------

def test_patch_changes_what_may_change_and_adds_notes(client, spec):
    so = _order(client, spec, "acknowledged")
    resp = client.patch(url(4, so.pk), {"description": "Moved to Monday", "note": [{"id": "c-1", "text": "Customer called"}]},
                        format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["description"] == "Moved to Monday"
    assert [n["text"] for n in resp.json()["note"]] == ["Customer called"]
    entry = HistoryEntry.objects.get(action="service_activation.service_order.updated", object_id=str(so.pk))
    assert entry.changes["description"] == ["", "Moved to Monday"]


@pytest.mark.parametrize("attribute, value", [("state", "completed"), ("serviceOrderItem", []),
                                              ("completionDate", "2030-01-01T00:00:00Z")])
def test_patch_of_read_only_attributes_is_400(client, spec, attribute, value):
    so = _order(client, spec, "acknowledged")
    assert attribute in assert_tmf_error(client.patch(url(4, so.pk), {attribute: value}, format="json"),
                                         400)["message"]


def test_patch_of_a_finished_order_is_409(client, spec):
    so = _order(client, spec, "completed")
    assert_tmf_error(client.patch(url(4, so.pk), {"description": "late"}, format="json"), 409)


@pytest.mark.parametrize("version", [4, 3])
def test_delete_cancels_an_open_order_which_stays_readable(client, spec, version):
    pk = client.post(url(version), body(version, ref(spec)), format="json").json()["id"]
    resp = client.delete(url(version, pk))
    assert resp.status_code == 204, resp.content
    assert client.get(url(version, pk)).json()["state"] == "cancelled"
    so = ServiceOrder.objects.get(pk=pk)
    assert so.state == S.CANCELLED and so.cancellation_reason
    assert client.get(url(4, pk)).json()["cancellationReason"] == so.cancellation_reason
    assert Service.objects.get().state == Service.State.TERMINATED  # the designed service did not go ahead


@pytest.mark.parametrize("state", ["completed", "failed", "cancelled", "rejected", "closed"])
def test_delete_of_a_finished_order_is_409(client, spec, state):
    so = _order(client, spec, state, "completed" if state == "closed" else "")
    for version in (4, 3):
        error = assert_tmf_error(client.delete(url(version, so.pk)), 409)
        assert so.order_number in error["message"]
    assert ServiceOrder.objects.get(pk=so.pk).state == state


def test_delete_of_an_order_whose_service_is_active_is_409(client, spec):
    so = _order(client, spec, "inProgress")
    Service.objects.filter(order_items__service_order=so).update(state=Service.State.ACTIVE)
    assert_tmf_error(client.delete(url(4, so.pk)), 409)
    assert ServiceOrder.objects.get(pk=so.pk).state == S.IN_PROGRESS


def test_a_csr_may_read_but_not_cancel(spec, client):
    so = _order(client, spec, "acknowledged")
    csr = APIClient()
    csr.force_authenticate(staff_user(Role.CSR))
    assert csr.get(url(4, so.pk)).status_code == 200
    assert_tmf_error(csr.delete(url(4, so.pk)), 403)
