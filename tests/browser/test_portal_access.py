"""API-only roles get no portal session: an Integrator's sign-in is refused with a pointer to the token,
and a session it holds anyway is refused by the staff portal with the styled 403."""

import pytest
from django.test import Client

from bss.roles import Role
from tests.browser.helpers import role_user, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def integrator(transactional_db):
    return role_user(Role.INTEGRATOR, username="partner")


def test_integrator_sign_in_is_refused(live_server, page, integrator):
    sign_in(page, live_server.url, integrator)
    page.wait_for_load_state("load")
    assert "/accounts/login/" in page.url
    assert "This login is for the API: get a token at /api/v1/auth/token/" in page.inner_text("main")
    assert not [c for c in page.context.cookies() if c["name"] == "sessionid"]
    page.goto(f"{live_server.url}/csr/")
    assert "/accounts/login/" in page.url  # still signed out


def test_an_integrator_session_gets_the_styled_403_on_the_staff_portal(live_server, page, integrator):
    client = Client()
    client.force_login(integrator)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    resp = page.goto(f"{live_server.url}/csr/customers/new/")
    assert resp.status == 403
    assert "This page is for back-office staff." in page.inner_text("main")
    assert not page.is_visible("text=New customer")  # no staff navigation
