"""Native REST API of the resource pools (/api/v1/resource-pools/, /api/v1/resources/): a customer choosing a
number (search, reserve, confirm, release), pool loads, role permissions and the native error shape."""

import pytest
from rest_framework.test import APIClient

from bss.audit.models import HistoryEntry
from bss.roles import Role
from service_activation.models import Resource, ResourcePool
from service_activation.services.resources import demo_sim_file
from tests.factories import ResourcePoolFactory, number_pool, staff_user

pytestmark = pytest.mark.django_db
POOLS, RESOURCES = "/api/v1/resource-pools/", "/api/v1/resources/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def provisioning():
    return client_for(staff_user(Role.PROVISIONING))


@pytest.fixture
def pool():
    return number_pool(20, code="mob", name="Mobile numbers")


def test_a_customer_chooses_a_number_end_to_end(provisioning, pool):
    listed = provisioning.get(RESOURCES, {"pool": "mob", "state": "free", "contains": "087 200 001"}).json()
    assert listed["count"] == 10 and all("087200001" in r["value"] for r in listed["results"])
    assert listed["results"][0]["available"] is True and listed["results"][0]["pool_code"] == "mob"
    chosen = listed["results"][3]["value"]
    reserved = provisioning.post(f"{RESOURCES}reserve/", {"pool": "mob", "value": chosen,
                                                          "holder": "order:CO0000001"}, format="json")
    assert reserved.status_code == 201, reserved.content
    body = reserved.json()
    assert (body["value"], body["state"], body["holder"]) == (chosen, "reserved", "order:CO0000001")
    assert body["reserved_until"]
    assert chosen not in [r["value"] for r in provisioning.get(RESOURCES, {"pool": pool.pk, "state": "free",
                                                                             "limit": 100}).json()["results"]]
    rid = body["id"]
    confirmed = provisioning.post(f"{RESOURCES}{rid}/confirm/", {"holder": "order:CO0000001"}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "allocated"
    released = provisioning.post(f"{RESOURCES}{rid}/release/", {"holder": "order:CO0000001", "reason": "ceased"},
                                 format="json")
    assert released.status_code == 200 and released.json()["state"] == "quarantined"
    assert HistoryEntry.objects.filter(object_id=str(rid), channel="api").count() == 3


def test_next_free_and_the_409_when_none_is_left_in_the_native_error_shape(provisioning):
    number_pool(1, code="tiny", name="Tiny")
    first = provisioning.post(f"{RESOURCES}reserve/", {"pool": "tiny", "holder": "serviceOrderItem:1"},
                              format="json")
    assert first.status_code == 201 and first.json()["value"] == "0872000000"
    none = provisioning.post(f"{RESOURCES}reserve/", {"kind": "msisdn", "holder": "serviceOrderItem:2"},
                             format="json")
    assert none.status_code == 409
    assert none.json() == {"detail": "No free number is left.", "code": "no_free_resource",
                           "extra": {"kind": "msisdn"}}
    taken = provisioning.post(f"{RESOURCES}reserve/", {"pool": "tiny", "value": "0872000000",
                                                       "holder": "order:X1"}, format="json")
    assert taken.status_code == 409 and taken.json()["code"] == "resource_not_free"
    assert "0872000000 is not available" in taken.json()["detail"]


def test_bad_input_is_400_by_field(provisioning, pool):
    r = provisioning.post(f"{RESOURCES}reserve/", {"holder": "order:CO1"}, format="json")
    assert r.status_code == 400 and "pool" in r.json()
    r = provisioning.post(f"{RESOURCES}reserve/", {"pool": "nope", "holder": "order:CO1"}, format="json")
    assert r.status_code == 400 and r.json()["pool"] == ["No resource pool nope."]
    r = provisioning.post(f"{RESOURCES}reserve/", {"pool": "mob", "holder": "no colon"}, format="json")
    assert r.status_code == 400 and "holder" in r.json()
    assert provisioning.get(RESOURCES, {"state": "lost"}).status_code == 400


def test_confirm_by_another_holder_is_409(provisioning, pool):
    rid = provisioning.post(f"{RESOURCES}reserve/", {"pool": "mob", "holder": "order:A"}, format="json").json()["id"]
    r = provisioning.post(f"{RESOURCES}{rid}/confirm/", {"holder": "order:B"}, format="json")
    assert r.status_code == 409 and r.json()["detail"].endswith("is not reserved for order:B.")
    assert Resource.objects.get(pk=rid).state == "reserved"


def test_reads_need_the_view_permission_and_changes_need_change(pool, api_client):
    integrator = client_for(staff_user(Role.INTEGRATOR))  # service_activation.view_* only
    assert integrator.get(RESOURCES, {"pool": "mob"}).status_code == 200
    assert integrator.get(POOLS).status_code == 200
    denied = integrator.post(f"{RESOURCES}reserve/", {"pool": "mob", "holder": "order:CO1"}, format="json")
    assert denied.status_code == 403
    assert integrator.post(f"{POOLS}{pool.pk}/load-numbers/", {"start": "0871000000", "end": "0871000009"},
                           format="json").status_code == 403
    assert api_client.get(RESOURCES).status_code in (401, 403)
    assert not Resource.objects.filter(state="reserved").exists()


def test_pools_are_created_changed_and_loaded_through_the_services(provisioning):
    created = provisioning.post(POOLS, {"kind": "msisdn", "code": "mob-2", "name": "More numbers",
                                        "quarantine_days": 30}, format="json")
    assert created.status_code == 201, created.content
    pid = created.json()["id"]
    loaded = provisioning.post(f"{POOLS}{pid}/load-numbers/", {"start": "0871000000", "end": "0871000099",
                                                               "golden": ["0871000042"]}, format="json")
    assert loaded.status_code == 200 and loaded.json()["added"] == 100 and loaded.json()["golden"] >= 1
    again = provisioning.post(f"{POOLS}{pid}/load-numbers/", {"start": "0871000000", "end": "0871000099"},
                              format="json").json()
    assert (again["added"], again["already_loaded"]) == (0, 100)
    pool = provisioning.get(f"{POOLS}{pid}/").json()
    assert pool["counts"] == {"free": 100, "reserved": 0, "allocated": 0, "quarantined": 0}
    changed = provisioning.patch(f"{POOLS}{pid}/", {"reservation_minutes": 15, "reason": "shorter"},
                                 format="json")
    assert changed.status_code == 200 and changed.json()["reservation_minutes"] == 15
    assert HistoryEntry.objects.filter(object_id=str(pid), action="service_activation.resource_pool.updated",
                                       reason="shorter").exists()
    bad = provisioning.post(f"{POOLS}{pid}/load-numbers/", {"start": "0871000100", "end": "0871000000"},
                            format="json")
    assert bad.status_code == 400 and "end" in bad.json()


def test_a_sim_vendor_file_upload_reports_its_rejected_lines(provisioning):
    pool = ResourcePoolFactory(kind="sim", code="sims")
    content = demo_sim_file(3) + "8935301000000000000X,272010000000099\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("batch.csv", content.encode(), content_type="text/csv")
    r = provisioning.post(f"{POOLS}{pool.pk}/load-sims/", {"file": upload}, format="multipart")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["added"], body["rejected"]) == (3, 1)
    assert body["rejects"][0]["line"] == 5 and "ICCID" in body["rejects"][0]["reason"]
    replay = provisioning.post(f"{POOLS}{pool.pk}/load-sims/", {"content": content, "filename": "batch.csv"},
                               format="json").json()
    assert (replay["added"], replay["already_loaded"]) == (0, 3)


def test_ipv4_ports_and_vlans_load(provisioning):
    ipv4 = ResourcePoolFactory(kind="ipv4")
    assert provisioning.post(f"{POOLS}{ipv4.pk}/load-ipv4/", {"cidr": "192.0.2.0/29"},
                             format="json").json()["added"] == 6
    ports = ResourcePoolFactory(kind="port", access_node="OLT-1")
    assert provisioning.post(f"{POOLS}{ports.pk}/load-ports/", {"ports_per_slot": 8},
                             format="json").json()["added"] == 8
    vlans = ResourcePoolFactory(kind="vlan", access_node="OLT-1")
    assert provisioning.post(f"{POOLS}{vlans.pk}/load-vlans/", {"start": 10, "end": 19},
                             format="json").json()["added"] == 10
    wrong = provisioning.post(f"{POOLS}{vlans.pk}/load-ipv4/", {"cidr": "192.0.2.0/29"}, format="json")
    assert wrong.status_code == 400 and "pool" in wrong.json()
    assert ResourcePool.objects.count() == 3


def test_the_pool_list_counts_states_without_a_query_per_pool(provisioning, django_assert_max_num_queries):
    for i in range(5):
        number_pool(3, code=f"p{i}", start=870_000_000 + i * 10)
    with django_assert_max_num_queries(6):
        r = provisioning.get(POOLS)
    assert r.json()["count"] == 5 and r.json()["results"][0]["counts"]["free"] == 3


def test_hostile_query_text_matches_nothing_and_is_never_a_500(provisioning, pool):
    for params in ({"contains": "087\x00"}, {"pool": "mob\x00"}, {"pool": "²"}, {"pool": "9" * 30},
                   {"pattern": "(*[?"}):
        r = provisioning.get(RESOURCES, params)
        assert r.status_code == 200 and r.json()["count"] == 0, params
