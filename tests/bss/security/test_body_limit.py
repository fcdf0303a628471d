"""One body-size limit for every API door, checked before parsing: 413 with the door's error shape,
also for a chunked body without Content-Length."""

import io
import json

import pytest
from rest_framework.test import APIClient

from bss.tmf import parsers
from customers.models import Customer, Party
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 2_000


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.BSS_MAX_BODY_BYTES = LIMIT


@pytest.fixture
def admin_client():
    client = APIClient()
    client.force_authenticate(UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def parse_spy(mocker):
    return mocker.spy(parsers.JSONParser, "parse")


def big_json(size=LIMIT * 3):
    return json.dumps({"name": "x" * size})


def test_native_api_refuses_an_oversized_body_before_parsing(admin_client, parse_spy):
    resp = admin_client.post("/api/v1/customers/", big_json(), content_type="application/json")
    assert resp.status_code == 413
    assert resp.json() == {"detail": f"Request body larger than {LIMIT} bytes", "code": "payload_too_large"}
    assert parse_spy.call_count == 0
    assert not Customer.objects.exists()


def test_anonymous_token_endpoint_refuses_an_oversized_body_before_parsing(parse_spy):
    body = json.dumps({"username": "u", "password": "p" * LIMIT * 3})
    resp = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
    assert resp.status_code == 413
    assert parse_spy.call_count == 0


def test_tmf_refuses_an_oversized_body_with_the_tmf_error(admin_client, parse_spy):
    resp = admin_client.post("/tmf-api/party/v4/individual", big_json(), content_type="application/json")
    assert resp.status_code == 413
    assert resp.json()["@type"] == "Error" and resp.json()["status"] == "413"
    assert parse_spy.call_count == 0
    assert not Party.objects.exists()


def test_a_body_at_the_limit_is_accepted(admin_client):
    body = json.dumps({"givenName": "Ada", "familyName": "L"})
    body = body[:-1] + " " * (LIMIT - len(body)) + "}"
    assert len(body) == LIMIT
    assert admin_client.post("/tmf-api/party/v4/individual", body, content_type="application/json").status_code == 201


def chunked(client, path, body: bytes):
    return client.generic("POST", path, "", content_type="application/json", CONTENT_TYPE="application/json",
                          HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input": io.BytesIO(body)})


@pytest.mark.parametrize("path", ["/api/v1/customers/", "/tmf-api/party/v4/individual", "/api/v1/auth/token/"])
def test_chunked_body_over_the_limit_is_413(admin_client, parse_spy, path):
    resp = chunked(admin_client, path, big_json().encode())
    assert resp.status_code == 413
    assert parse_spy.call_count == 0


def test_chunked_body_under_the_limit_is_read(admin_client):
    resp = chunked(admin_client, "/tmf-api/party/v4/individual", b'{"givenName": "Ada", "familyName": "L"}')
    assert resp.status_code == 201, resp.content
    assert Party.objects.get().given_name == "Ada"


@pytest.mark.parametrize("path", ["/api/v1/customers/", "/tmf-api/party/v4/individual"])
def test_unreadable_content_length_is_400(admin_client, path):
    resp = admin_client.generic("POST", path, "{}", content_type="application/json", CONTENT_LENGTH="lots")
    assert resp.status_code == 400


def test_tmf_limit_may_be_lower_than_the_shared_one(admin_client, settings):
    settings.TMF_MAX_BODY_BYTES = 10
    assert admin_client.post("/tmf-api/party/v4/individual", {"givenName": "Ada", "familyName": "L"},
                             format="json").status_code == 413
