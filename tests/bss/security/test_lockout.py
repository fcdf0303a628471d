"""Failed sign-ins lock the username+IP pair, and the IP as a whole after more failures across
usernames (password spraying), on every door; the token endpoint answers a lockout with 429."""

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from bss.roles import Role
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
PASSWORD = "pass-word-123"


def token(client, username, password):
    return client.post(TOKEN, {"username": username, "password": password}, format="json")


@override_settings(AXES_FAILURE_LIMIT=3)
def test_locked_out_user_gets_429_with_a_clear_body_on_the_token_endpoint():
    staff_user(Role.INTEGRATOR, username="partner")
    client = APIClient()
    assert token(client, "partner", "wrong").status_code == 400
    assert token(client, "partner", "wrong").status_code == 400
    third = token(client, "partner", "wrong")
    assert third.status_code == 429
    for resp in (third, token(client, "partner", PASSWORD)):  # even the right password now
        assert resp.status_code == 429
        assert "token" not in resp.json()
        assert "too many failed sign-in attempts" in resp.json()["detail"].lower()
        assert int(resp["Retry-After"]) > 0
    # another IP address is not locked out
    other = APIClient(REMOTE_ADDR="127.0.0.2")
    assert token(other, "partner", PASSWORD).status_code == 200


@override_settings(AXES_FAILURE_LIMIT=3, BSS_AXES_IP_FAILURE_LIMIT=6)
def test_password_spraying_locks_the_ip_on_every_door():
    staff_user(Role.SUPERVISOR, username="alice", is_superuser=True)
    staff_user(Role.CSR, username="bob")
    api = APIClient()
    for i in range(6):  # one or two tries per username: no pair reaches its own limit
        assert token(api, f"user{i % 3}", "wrong").status_code in (400, 429)
    assert token(api, "bob", PASSWORD).status_code == 429
    web = Client()
    portal = web.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert portal.status_code == 429
    assert not web.session.get("_auth_user_id")
    admin = web.post("/admin/login/", {"username": "alice", "password": PASSWORD})
    assert admin.status_code == 429
    # the same users from another address are fine
    assert token(APIClient(REMOTE_ADDR="127.0.0.3"), "bob", PASSWORD).status_code == 200


@override_settings(AXES_FAILURE_LIMIT=3, BSS_AXES_IP_FAILURE_LIMIT=6)
def test_a_success_does_not_clear_the_failures_of_other_usernames():
    staff_user(Role.CSR, username="mine")
    staff_user(Role.CSR, username="victim")
    api = APIClient()
    for i in range(5):
        token(api, f"guess{i % 3}", "wrong")
    assert token(api, "mine", PASSWORD).status_code == 200  # the attacker's own account
    assert token(api, "victim", "wrong").status_code == 429  # sixth failure of this IP


@override_settings(AXES_FAILURE_LIMIT=3)
def test_portal_failures_below_the_ip_limit_do_not_lock_other_users():
    staff_user(Role.CSR, username="carol")
    web = Client()
    for _ in range(3):
        web.post("/accounts/login/", {"username": "mallory", "password": "wrong"})
    assert web.post("/accounts/login/", {"username": "carol", "password": PASSWORD}).status_code == 302
