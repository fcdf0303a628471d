"""Error pages in a real browser: a role that may not edit a contact gets the styled 403 inside the
portal layout, and Back returns to the customer page it came from; a missing page is the styled 404.
Neither breaks the Content-Security-Policy."""

import pytest

from bss.roles import Role
from tests.browser import helpers
from tests.browser.helpers import role_user
from tests.factories import ContactFactory

pytestmark = pytest.mark.browser

@pytest.fixture
def billing(transactional_db):
    return role_user(Role.BILLING, username="brid", first_name="Bríd", last_name="Keane")


def sign_in(page, base, user):
    helpers.sign_in(page, base, user)
    page.wait_for_url(f"{base}/csr/")


def test_billing_user_on_contact_edit_gets_the_styled_403_and_back_returns(live_server, page, billing):
    contact = ContactFactory(customer__name="Aoife Brennan")
    page.add_init_script(helpers.CSP_RECORDER)
    sign_in(page, live_server.url, billing)
    customer_page = f"{live_server.url}/csr/customers/{contact.customer_id}/"
    page.goto(customer_page)
    assert "Aoife Brennan" in page.inner_text("main")

    # as following the contact's Edit link from the customer page
    resp = page.goto(f"{live_server.url}/csr/contacts/{contact.pk}/edit/", referer=customer_page)
    assert resp.status == 403
    main = page.inner_text("main")
    assert "You cannot open this page" in main and "Your role does not allow this." in main
    assert page.is_visible("header.site-header >> text=Customers")  # still inside the portal, with its navigation
    assert page.title() == "Not allowed · BSS"
    assert page.evaluate("window.__csp") == []

    page.click("main >> a:text-is('Back')")
    page.wait_for_url(customer_page)
    assert "Aoife Brennan" in page.inner_text("main")


def test_missing_page_is_the_styled_404_and_home_leads_to_the_dashboard(live_server, page, billing):
    sign_in(page, live_server.url, billing)
    resp = page.goto(f"{live_server.url}/csr/customers/999999/")
    assert resp.status == 404
    assert "We could not find this page" in page.inner_text("main")
    assert "Page not found at" not in page.content()
    page.click("main >> a:text-is('Home')")
    page.wait_for_url(f"{live_server.url}/csr/")
