"""Live search, open a customer, press Back: the whole search page comes back, with its layout and
navigation, never the bare results fragment HTMX fetched for the same URL."""

import pytest

from bss.roles import Role
from tests.browser.helpers import role_user, sign_in
from tests.factories import CustomerFactory, IndividualFactory

pytestmark = pytest.mark.browser


def test_back_after_a_live_search_shows_the_full_page(live_server, page, transactional_db):
    csr = role_user(Role.CSR, username="cathal")
    customer = CustomerFactory(party=IndividualFactory(given_name="Siobhan", family_name="Kelleher"),
                               name="Siobhan Kelleher")
    sign_in(page, live_server.url, csr)
    page.wait_for_url(f"{live_server.url}/csr/")
    page.fill("#id_q", "Kelleher")
    page.wait_for_url("**/csr/?q=Kelleher")  # hx-push-url: the fragment's URL is the page's
    page.click(f"#results a[href='/csr/customers/{customer.pk}/']")
    page.wait_for_url(f"{live_server.url}/csr/customers/{customer.pk}/")
    page.go_back()
    page.wait_for_url("**/csr/?q=Kelleher")
    page.wait_for_load_state("load")
    assert page.locator("header.site-header").count() == 1, page.content()[:500]  # the layout, not a fragment
    assert page.locator("h1:text-is('Identify customer')").count() == 1
    assert "Siobhan Kelleher" in page.inner_text("#results")
    page.reload()  # and the URL itself, loaded afresh, is the full page
    assert page.locator("header.site-header").count() == 1
