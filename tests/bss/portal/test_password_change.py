"""Every portal user, staff or self-service, changes their own password at /accounts/password/: the old
password is asked for, the page sits in the user's layout, and both headers link to it."""

import pytest
from django.test import Client

from bss.roles import Role
from tests.factories import CustomerFactory, customer_user, staff_user

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"  # tests.factories.UserFactory
NEW = "harbour-lights-2031"
URL = "/accounts/password/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change(client, old, new=NEW):
    return client.post(URL, {"old_password": old, "new_password1": new, "new_password2": new})


@pytest.mark.parametrize("kind", ["staff", "self-service"])
def test_a_portal_user_changes_their_password_and_stays_signed_in(kind):
    user = staff_user(Role.CSR) if kind == "staff" else customer_user(CustomerFactory())
    client = signed_in(user)
    page = client.get(URL)
    assert page.status_code == 200
    assert 'name="old_password"' in page.content.decode()
    assert ("BSS · Back office" if kind == "staff" else "My account") in page.content.decode()
    r = change(client, PASSWORD)
    assert r.status_code == 302 and r["Location"] == "/accounts/password/done/"
    user.refresh_from_db()
    assert user.check_password(NEW) and not user.check_password(PASSWORD)
    done = client.get(r["Location"])
    assert done.status_code == 200 and "Password changed" in done.content.decode()
    assert client.get("/").status_code == 302 and int(client.session["_auth_user_id"]) == user.pk


def test_the_old_password_is_required():
    user = staff_user(Role.CSR)
    client = signed_in(user)
    r = change(client, "not-my-password")
    assert r.status_code == 200 and "data-error-summary" in r.content.decode()
    r = client.post(URL, {"new_password1": NEW, "new_password2": NEW})
    assert r.status_code == 200 and "data-error-summary" in r.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_weak_new_password_is_refused():
    user = staff_user(Role.CSR)
    r = change(signed_in(user), PASSWORD, new="12345678")
    assert r.status_code == 200 and "data-error-summary" in r.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_anonymous_is_sent_to_sign_in():
    r = Client().get(URL)
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_an_api_only_session_gets_the_403_page():
    r = signed_in(staff_user(Role.INTEGRATOR)).get(URL)
    assert r.status_code == 403 and 'data-error-page="403"' in r.content.decode()


def test_both_headers_link_to_it():
    staff = signed_in(staff_user(Role.CSR)).get("/csr/").content.decode()
    assert f'href="{URL}">Change password</a>' in staff
    me = signed_in(customer_user(CustomerFactory())).get("/my/").content.decode()
    assert f'href="{URL}">Change password</a>' in me
