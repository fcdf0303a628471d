"""Integrators authenticate with tokens; obtaining one is throttled like the portal login."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from bss.roles import Role
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


def test_token_obtained_and_used_on_tmf_and_native_api():
    user = staff_user(Role.INTEGRATOR, username="partner")
    client = APIClient()
    r = client.post("/api/v1/auth/token/", {"username": "partner", "password": "pass-word-123"}, format="json")
    assert r.status_code == 200
    token = r.json()["token"]
    assert client.get("/tmf-api/customerManagement/v4/customer").status_code in (401, 403)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/tmf-api/customerManagement/v4/customer").status_code == 200
    assert client.get("/api/v1/customers/").status_code == 200
    assert user.auth_token.key == token


@override_settings(AXES_FAILURE_LIMIT=3)
def test_failed_token_requests_lock_the_user_out():
    staff_user(Role.INTEGRATOR, username="partner")
    client = APIClient()
    for _ in range(3):
        r = client.post("/api/v1/auth/token/", {"username": "partner", "password": "wrong"}, format="json")
        assert r.status_code in (400, 403, 429)
    r = client.post("/api/v1/auth/token/", {"username": "partner", "password": "pass-word-123"}, format="json")
    assert r.status_code != 200 and "token" not in r.content.decode()
