"""TMF638 Service Inventory v4 (/tmf-api/serviceInventory/v4/): list and retrieve scoped per customer (a
self-service user sees only their own services), the shape against the official spec, and the writes the spec
defines, for administrators only (history recorded; DELETE terminates)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bss.audit.models import HistoryEntry
from bss.roles import Role
from service_activation.models import Service
from tests.factories import CustomerFactory, ServiceSpecificationFactory, customer_user, staff_user
from tests.tmf_spec import assert_tmf_error, load_spec, spec_problems

pytestmark = pytest.mark.django_db

SPEC = "TMF638-ServiceInventory-v4.0.0.swagger.json"
LIST = "tmf638:service-list"


def detail(pk) -> str:
    return reverse("tmf638:service-detail", kwargs={"pk": pk})


def as_user(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def services():
    spec = ServiceSpecificationFactory(lifecycle_status="active", code="fiber-access")
    mine, theirs = CustomerFactory(), CustomerFactory()
    return {
        "mine": Service.objects.create(name="My line", customer=mine, specification=spec, state="active",
                                       characteristics={"msisdn": "0871234567"}),
        "mine_old": Service.objects.create(name="My old line", customer=mine, specification=spec,
                                           state="terminated"),
        "theirs": Service.objects.create(name="Their line", customer=theirs, specification=spec, state="active"),
        "customer": mine,
    }


@pytest.fixture
def admin():
    return as_user(staff_user(Role.ADMIN))


def test_a_self_service_user_sees_only_their_services(services):
    c = as_user(customer_user(services["customer"]))
    resp = c.get(reverse(LIST))
    assert resp.status_code == 200, resp.content
    assert sorted(s["name"] for s in resp.json()) == ["My line", "My old line"]
    assert resp["X-Total-Count"] == "2"
    assert c.get(detail(services["mine"].pk)).json()["name"] == "My line"
    assert_tmf_error(c.get(detail(services["theirs"].pk)), 404)  # another customer's is not there at all
    assert c.get(reverse(LIST), {"name": "Their line"}).json() == []
    assert c.get(reverse(LIST), {"state": "active"}).json()[0]["name"] == "My line"


def test_staff_see_every_customer_s_services(services, integrator_client):
    names = [s["name"] for s in integrator_client.get(reverse(LIST)).json()]
    assert sorted(names) == ["My line", "My old line", "Their line"]
    theirs = services["theirs"]
    found = integrator_client.get(reverse(LIST), {"relatedParty.id": str(theirs.customer_id)}).json()
    assert [s["id"] for s in found] == [str(theirs.pk)]


def test_a_user_with_no_customer_and_no_role_sees_nothing(services):
    from tests.factories import UserFactory

    assert_tmf_error(as_user(UserFactory()).get(reverse(LIST)), 403)
    assert_tmf_error(APIClient().get(reverse(LIST)), 401)


def test_the_shape_against_the_spec(services, integrator_client):
    data = integrator_client.get(detail(services["mine"].pk)).json()
    assert spec_problems(load_spec(SPEC), "Service", data, extensions={"@type"}) == []
    assert (data["state"], data["isServiceEnabled"], data["serviceType"]) == ("active", True, "fiber-access")
    assert data["serviceCharacteristic"] == [{"name": "msisdn", "value": "0871234567"}]
    assert data["relatedParty"][0]["id"] == str(services["customer"].pk)


@pytest.mark.parametrize("role", [Role.CSR, Role.INTEGRATOR, Role.PROVISIONING, Role.CUSTOMER])
def test_writes_are_for_administrators_only(services, role):
    user = customer_user(services["customer"]) if role == Role.CUSTOMER else staff_user(role)
    c = as_user(user)
    body = {"state": "active", "serviceSpecification": {"id": "partner-spec"}}
    assert_tmf_error(c.post(reverse(LIST), body, format="json"), 403)
    assert_tmf_error(c.patch(detail(services["mine"].pk), {"name": "x"}, format="json"), 403)
    assert_tmf_error(c.delete(detail(services["mine"].pk)), 403)
    assert Service.objects.count() == 3 and Service.objects.get(pk=services["mine"].pk).name == "My line"


def test_an_administrator_records_a_migrated_service(admin, services):
    customer = services["customer"]
    spec = services["mine"].specification
    body = {"name": "Migrated line", "state": "active", "serviceSpecification": {"id": spec.code},
            "serviceCharacteristic": [{"name": "vlan", "value": 42}], "startDate": "2020-05-01T00:00:00Z",
            "relatedParty": [{"id": str(customer.pk), "@referredType": "Customer"}], "description": "from OSS"}
    resp = admin.post(reverse(LIST), body, format="json")
    assert resp.status_code == 201, resp.content
    data = resp.json()
    service = Service.objects.get(pk=data["id"])
    assert (service.customer_id, service.specification_id, service.state) == (customer.pk, spec.pk, "active")
    assert data["description"] == "from OSS" and data["hasStarted"] is True
    entry = HistoryEntry.objects.get(action="service_activation.service.created", object_id=str(service.pk))
    assert entry.changes["state"] == [None, "active"] and entry.actor_id is not None
    # the customer sees it among theirs
    assert data["id"] in [s["id"] for s in as_user(customer_user(customer)).get(reverse(LIST)).json()]


def test_an_unknown_specification_and_party_are_kept_as_sent(admin):
    outside = {"id": "ext-7", "name": "Partner", "@referredType": "Organization"}
    body = {"state": "inactive", "serviceSpecification": {"id": "partner-spec", "name": "Partner spec"},
            "relatedParty": [outside]}
    data = admin.post(reverse(LIST), body, format="json").json()
    assert data["serviceSpecification"] == {"id": "partner-spec", "name": "Partner spec"}
    assert data["relatedParty"] == [outside]
    assert Service.objects.get(pk=data["id"]).customer_id is None


@pytest.mark.parametrize("body", [{"state": "active"}, {"serviceSpecification": {"id": "x"}},
                                  {"state": "running", "serviceSpecification": {"id": "x"}},
                                  {"state": "active", "serviceSpecification": {"id": "x"}, "isServiceEnabled": True}])
def test_malformed_writes_are_400(admin, body):
    assert_tmf_error(admin.post(reverse(LIST), body, format="json"), 400)
    assert not Service.objects.exists()


def test_patch_corrects_attributes_and_moves_the_state(admin, services):
    pk = services["mine"].pk
    resp = admin.patch(detail(pk), {"name": "Renamed line", "state": "inactive"}, format="json")
    assert resp.status_code == 200, resp.content
    assert (resp.json()["name"], resp.json()["state"]) == ("Renamed line", "inactive")
    actions = set(HistoryEntry.objects.filter(object_id=str(pk)).values_list("action", flat=True))
    assert {"service_activation.service.updated", "service_activation.service.deactivate"} <= actions
    # no transition leads from inactive back to reserved
    assert_tmf_error(admin.patch(detail(pk), {"state": "reserved"}, format="json"), 409)
    assert Service.objects.get(pk=pk).state == "inactive"


def test_delete_terminates_and_the_service_stays_readable(admin, services):
    pk = services["mine"].pk
    assert admin.delete(detail(pk)).status_code == 204
    data = admin.get(detail(pk)).json()
    assert data["state"] == "terminated" and data["endDate"]
    assert HistoryEntry.objects.filter(object_id=str(pk), action="service_activation.service.terminate").exists()
    assert_tmf_error(admin.delete(detail(pk)), 409)


def test_the_data_migration_role_writes_with_the_model_permissions():
    from django.contrib.auth.models import Permission

    user = staff_user(Role.MIGRATION)
    body = {"state": "active", "serviceSpecification": {"id": "legacy-spec"}, "name": "Legacy line"}
    if not user.has_perm("service_activation.add_service"):  # the role alone is not enough
        assert_tmf_error(as_user(user).post(reverse(LIST), body, format="json"), 403)
    user = type(user).objects.get(pk=user.pk)  # a fresh permission cache
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="service_activation",
                                                         codename__in=["view_service", "add_service"]))
    resp = as_user(user).post(reverse(LIST), body, format="json")
    assert resp.status_code == 201, resp.content
    # the role is needed too: a CSR given add_service is not an inventory writer
    csr = staff_user(Role.CSR)
    csr.user_permissions.add(Permission.objects.get(content_type__app_label="service_activation",
                                                    codename="add_service"))
    assert_tmf_error(as_user(csr).post(reverse(LIST), body, format="json"), 403)
