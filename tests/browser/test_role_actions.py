"""Role- and state-aware actions in a real browser: each role sees only what it may do on the customer page, a
closed customer offers only a note, and a forbidden action reached directly ends on the styled 403 with a way
back."""

import pytest

from bss.roles import Role
from customers.models import Customer
from tests.browser import helpers
from tests.browser.helpers import role_user
from tests.factories import (
    AddressFactory,
    BillCycleFactory,
    BillingAccountFactory,
    ContactFactory,
    CustomerFactory,
)

pytestmark = pytest.mark.browser

ACTIONS = ["Qualify offerings", "Credit check", "Add contact", "Open billing account", "Add address"]


@pytest.fixture
def customer(transactional_db):
    c = CustomerFactory(name="Orla Byrne", status=Customer.Status.ACTIVE)
    ContactFactory(customer=c, given_name="Orla", family_name="Byrne")
    AddressFactory(customer=c)
    BillingAccountFactory(customer=c, bill_cycle=BillCycleFactory())
    return c


def open_customer(page, base, user, customer):
    helpers.sign_in(page, base, user)
    page.wait_for_url(f"{base}/csr/")
    page.goto(f"{base}/csr/customers/{customer.pk}/")
    return page.locator("main")


def visible_links(main, labels):
    return [label for label in labels if main.get_by_role("link", name=label, exact=True).count()]


def test_csr_sees_every_customer_action(live_server, page, customer):
    main = open_customer(page, live_server.url, role_user(Role.CSR), customer)
    assert visible_links(main, ACTIONS) == ACTIONS
    assert main.get_by_role("link", name="Edit Orla Byrne").count() == 1


@pytest.mark.parametrize("role", [Role.BILLING, Role.PROVISIONING])
def test_billing_and_provisioning_see_no_edit_add_open_or_qualify(live_server, page, customer, role):
    main = open_customer(page, live_server.url, role_user(role), customer)
    assert visible_links(main, ["Qualify offerings", "Add contact", "Open billing account", "Add address"]) == []
    assert main.get_by_role("link", name="Edit Orla Byrne").count() == 0
    assert "Orla Byrne" in main.inner_text()  # may still look


def test_closed_customer_offers_only_a_note(live_server, page, customer):
    Customer.objects.filter(pk=customer.pk).update(status=Customer.Status.CLOSED)
    main = open_customer(page, live_server.url, role_user(Role.CSR), customer)
    assert visible_links(main, ACTIONS) == []
    assert "This customer is closed" in main.inner_text()
    page.fill("#id_note_text", "Asked for a copy of the final bill")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_load_state()
    assert "Note added." in page.inner_text("main") and "Asked for a copy of the final bill" in page.inner_text("main")


def test_a_forbidden_action_reached_directly_is_the_styled_403_with_back(live_server, page, customer):
    billing = role_user(Role.BILLING)
    open_customer(page, live_server.url, billing, customer)
    customer_page = page.url
    response = page.goto(f"{live_server.url}/csr/customers/{customer.pk}/addresses/new/", referer=customer_page)
    assert response.status == 403
    assert "You cannot open this page" in page.inner_text("main")
    page.locator("main").get_by_role("link", name="Back", exact=True).click()
    page.wait_for_url(customer_page)
    assert "Orla Byrne" in page.inner_text("main")
