"""JSON nested deeper than BSS_MAX_JSON_DEPTH is refused with 400 by the one parser every API uses
(TMF Error body under /tmf-api/, DRF shape elsewhere), before any view or serializer sees it."""

import json

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from bss.tmf.parsers import json_depth_exceeds
from customers.models import Customer
from tests.factories import (
    AddressFactory,
    BillingAccountFactory,
    ContactFactory,
    CustomerFactory,
    IndividualFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def nested(depth: int, leaf="x"):
    """A JSON text of ``depth`` nested objects/arrays, alternating, innermost holding ``leaf``."""
    return "".join('{"a":' if i % 2 else "[" for i in range(depth)) + json.dumps(leaf) + "".join(
        "}" if i % 2 else "]" for i in reversed(range(depth)))


@pytest.fixture
def admin_client():
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(UserFactory(is_superuser=True, is_staff=True))
    return client


def assert_depth_refused(resp, path):
    assert resp.status_code == 400, (path, resp.status_code, resp.content[:300])
    body = resp.json()
    if path.startswith("/tmf-api/"):
        assert body["@type"] == "Error" and body["status"] == "400"
        assert "nested deeper than" in body["message"]
    else:
        assert "nested deeper than" in body["detail"]


def write_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, ops in schema["paths"].items():
        for method in ("post", "patch", "put"):
            if method in ops:
                yield path, method


def test_every_write_operation_refuses_deep_json(admin_client):
    customer = CustomerFactory()
    objects = {
        "/api/v1/customers/": customer.pk,
        "/api/v1/addresses/": AddressFactory(customer=customer).pk,
        "/api/v1/contacts/": ContactFactory(customer=customer).pk,
        "/api/v1/billing-accounts/": BillingAccountFactory(customer=customer).pk,
        "/tmf-api/customerManagement/v4/customer/": customer.pk,
        "/tmf-api/party/v4/individual/": IndividualFactory().pk,
        "/tmf-api/party/v4/organization/": OrganizationFactory().pk,
    }
    checked = 0
    for path, method in write_operations():
        url = path
        if "{id}" in path:
            prefix = path.split("{id}")[0]
            if prefix not in objects:
                continue  # covered by the collection POST of the same API
            url = path.replace("{id}", str(objects[prefix]))
        content_type = "application/merge-patch+json" if method == "patch" and "/tmf-api/" in path else (
            "application/json")
        resp = getattr(admin_client, method)(url, nested(1000), content_type=content_type)
        assert_depth_refused(resp, path)
        checked += 1
    assert checked >= 25


def test_anonymous_token_endpoint_refuses_deep_json():
    resp = APIClient(raise_request_exception=False).post("/api/v1/auth/token/", nested(1000),
                                                         content_type="application/json")
    assert_depth_refused(resp, "/api/v1/auth/token/")


def test_characteristic_value_nested_900_deep_is_not_stored(admin_client):
    body = ('{"name": "Deep", "engagedParty": {"id": "ext-1", "@referredType": "Organization"},'
            ' "characteristic": [{"name": "x", "value": ' + nested(900) + "}]}")
    before = Customer.objects.count()
    resp = admin_client.post("/tmf-api/customerManagement/v4/customer", body, content_type="application/json")
    assert_depth_refused(resp, "/tmf-api/")
    assert Customer.objects.count() == before


def test_depth_at_the_limit_is_parsed(admin_client, settings):
    settings.BSS_MAX_JSON_DEPTH = 3
    url = "/tmf-api/customerManagement/v4/customer"
    body = ('{"name": "Shallow", "engagedParty": {"id": "ext-1", "@referredType": "Organization"}, '
            '"characteristic": [{"name": "x", "value": "v"}]}')
    resp = admin_client.post(url, body, content_type="application/json")
    assert resp.status_code == 201, resp.content  # object > characteristic array > object: depth 3
    deeper = body.replace('"value": "v"', '"value": {"a": "b"}')  # depth 4
    assert_depth_refused(admin_client.post(url, deeper, content_type="application/json"), url)


@pytest.mark.parametrize("depth, limit, exceeds", [(1, 1, False), (2, 1, True), (32, 32, False), (33, 32, True),
                                                   (5000, 32, True)])
def test_depth_measure(depth, limit, exceeds):
    data = json.loads(nested(depth)) if depth < 500 else None
    if data is None:  # deeper than json.loads itself can go: build it without recursion
        data = []
        for _ in range(depth - 1):
            data = [data]
    assert json_depth_exceeds(data, limit) is exceeds
    assert json_depth_exceeds("scalar", 1) is False
