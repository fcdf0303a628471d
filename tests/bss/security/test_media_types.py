"""A malformed Content-Type is a 415 on every API (it used to be read as JSON)."""

import pytest
from rest_framework.test import APIClient

from bss.tmf.parsers import is_well_formed_media_type
from customers.models import Customer, Party
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MALFORMED = ["application/json;;;", "application/json;", "application/json; charset", "application/json;=x",
             "application/json; charset=utf-8;", "application/json x", 'application/json; a="unterminated']
BODY = '{"givenName": "Ada", "familyName": "Lovelace"}'


@pytest.fixture
def admin_client():
    client = APIClient()
    client.force_authenticate(UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize("content_type", MALFORMED)
def test_tmf_refuses_malformed_media_types(admin_client, content_type):
    resp = admin_client.post("/tmf-api/party/v4/individual", BODY, content_type=content_type)
    assert resp.status_code == 415, resp.content
    assert resp.json()["@type"] == "Error" and resp.json()["status"] == "415"
    assert not Party.objects.exists()


@pytest.mark.parametrize("content_type", MALFORMED)
def test_native_api_and_token_endpoint_refuse_malformed_media_types(admin_client, content_type):
    resp = admin_client.post("/api/v1/customers/", '{"name": "x"}', content_type=content_type)
    assert resp.status_code == 415, resp.content
    assert "detail" in resp.json()
    assert not Customer.objects.exists()
    token = APIClient().post("/api/v1/auth/token/", '{"username": "a", "password": "b"}', content_type=content_type)
    assert token.status_code == 415


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          'application/json;charset="utf-8"', "APPLICATION/JSON"])
def test_well_formed_media_types_still_work(admin_client, content_type):
    assert admin_client.post("/tmf-api/party/v4/individual", BODY, content_type=content_type).status_code == 201


def test_merge_patch_media_type_checked_too(admin_client):
    created = admin_client.post("/tmf-api/party/v4/individual", BODY, content_type="application/json").json()
    url = f"/tmf-api/party/v4/individual/{created['id']}"
    assert admin_client.patch(url, '{"givenName": "B"}', content_type="application/merge-patch+json;;").status_code == 415
    assert admin_client.patch(url, '{"givenName": "B"}', content_type="application/merge-patch+json").status_code == 200


@pytest.mark.parametrize("value, ok", [("a/b", True), ("a/b ; c=d", True), ("a/b;c=\"d;e\"", True), ("a/", False),
                                       ("/b", False), ("a/b;c", False), ("", False), ("a/b;;c=d", False)])
def test_media_type_grammar(value, ok):
    assert is_well_formed_media_type(value) is ok
