"""Main CSR journey in a real browser: log in, identify a customer by phone, open the page."""

import pytest

from bss.actors import Actor
from bss.roles import Role
from customers import services
from tests.factories import BillCycleFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def onboarded(transactional_db):
    from django.contrib.auth.models import Group

    from bss.roles import sync_roles

    if not Group.objects.filter(name=Role.CSR).exists():
        sync_roles()
    user = UserFactory(username="cathal", roles=[Role.CSR])
    customer = services.customer_onboard(
        actor=Actor.system("test"), party={"kind": "individual", "given_name": "Maeve", "family_name": "Quinlan"},
        customer={"segment": "residential"}, contact={"given_name": "Maeve", "family_name": "Quinlan"},
        media=[{"kind": "mobile", "value": "+353 87 555 0142"}, {"kind": "email", "value": "maeve@example.ie"}],
        address={"street1": "12 Harbour View", "city": "Cork", "postcode": "T12 X123", "country": "IE"},
        account={"bill_cycle": BillCycleFactory()},
    )
    return user, customer


def test_csr_logs_in_finds_customer_by_phone_and_opens_the_page(live_server, page, onboarded):
    user, customer = onboarded
    page.goto(f"{live_server.url}/csr/")
    assert "/accounts/login/" in page.url  # the portal requires a login

    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/csr/")

    # The national format of the number, as a caller would read it out.
    page.fill("#id_q", "087 555 0142")
    page.wait_for_selector(f"#results >> text={customer.customer_number}")
    assert "phone" in page.inner_text("#results")

    page.click(f"#results >> text={customer.customer_number}")
    page.wait_for_url(f"{live_server.url}/csr/customers/{customer.pk}/")
    body = page.inner_text("main")
    assert "Maeve Quinlan" in body
    assert customer.customer_number in body
    assert "+353 87 555 0142" in body
    assert customer.billing_accounts.get().account_number in body
    assert "Customer created" in body  # the history is on the page, as a readable timeline
    assert "customers.customer.created" not in body  # the label, never the code


def test_wrong_password_shows_an_error_and_stays_on_login(live_server, page, onboarded):
    user, _ = onboarded
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    assert "/accounts/login/" in page.url
    assert "correct username and password" in page.inner_text("main")
