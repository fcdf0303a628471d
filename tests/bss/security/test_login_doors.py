"""Every sign-in door (portal, admin, token endpoint) answers hostile usernames and passwords with a
form error or a 400, never a 500, and without touching the lockout table."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.test import APIClient

from bss.roles import Role
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

LONG = "a" * 300


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
@pytest.mark.parametrize("field", ["username", "password"])
def test_over_long_credentials_are_a_form_error(client, url, field):
    data = {"username": "someone", "password": "pass-word-123", field: "a" * 5000 if field == "password" else LONG}
    resp = client.post(url, data)
    assert resp.status_code == 200
    assert resp.context["form"].errors
    assert "Ensure this value has at most" in resp.content.decode()
    assert not AccessAttempt.objects.exists()


@pytest.mark.parametrize("field", ["username", "password"])
def test_over_long_credentials_on_the_token_endpoint_are_400(field):
    data = {"username": "someone", "password": "pw", field: "a" * 5000 if field == "password" else LONG}
    for fmt in ("json", "multipart"):
        resp = APIClient().post("/api/v1/auth/token/", data, format=fmt)
        assert resp.status_code == 400, resp.content
        assert field in resp.json()
    resp = Client().post("/api/v1/auth/token/", f"username={data['username']}&password={data['password']}",
                         content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 400
    assert not AccessAttempt.objects.exists()


def test_username_at_the_limit_still_signs_in(client):
    name = "u" * 150
    staff_user(Role.CSR, username=name)
    resp = client.post("/accounts/login/", {"username": name, "password": "pass-word-123"})
    assert resp.status_code == 302
    token = APIClient().post("/api/v1/auth/token/", {"username": name, "password": "pass-word-123"}, format="json")
    assert token.status_code == 200 and token.json()["token"]


def test_lockout_table_never_sees_more_than_it_can_store():
    """Defence in depth: even a door that forgot to bound the username cannot crash the lockout."""
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    request = RequestFactory().post("/somewhere/")
    assert authenticate(request=request, username=LONG, password="x") is None
    assert AccessAttempt.objects.get().username == LONG[:255]
