"""New customer in a real browser (issue 7): the customer type shows its own fields (portal.js,
CSP-safe), every error comes in one submit, and a look-alike customer is warned about, linked, and
created only deliberately."""

import pytest

from bss.actors import Actor
from bss.roles import Role
from customers import services
from customers.models import Customer, CustomerNote

from .helpers import CSP_RECORDER, role_user, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def csr_page(live_server, page, transactional_db):
    page.add_init_script(CSP_RECORDER)
    sign_in(page, live_server.url, role_user(Role.CSR))
    page.wait_for_url(f"{live_server.url}/csr/")
    page.goto(f"{live_server.url}/csr/customers/new/")
    return page


def fill_individual(page, **kw):
    values = {"#id_c-given_name": "Aoife", "#id_c-family_name": "Kelly", "#id_ct-mobile": "085 555 1234",
              "#id_ct-email": "aoife@kelly.ie", "#id_a-street1": "7 Bridge Street", "#id_a-city": "Limerick",
              "#id_a-postcode": "V94 X1Y2"}
    values.update(kw)
    for selector, value in values.items():
        page.fill(selector, value)


def test_kind_switch_shows_each_types_fields(csr_page):
    page = csr_page
    assert page.is_visible("#id_c-given_name") and page.is_visible("#id_c-family_name")
    assert not page.is_visible("#id_c-trading_name") and not page.is_visible("#id_c-registration_number")
    assert not page.is_visible("#id_ct-family_name")  # an individual's contact is the person: not typed twice

    page.check("#id_c-kind_1")  # Organization
    assert page.is_visible("#id_c-trading_name") and page.is_visible("#id_c-registration_number")
    assert page.is_visible("#id_ct-family_name")
    assert not page.is_visible("#id_c-given_name")

    page.check("#id_c-kind_0")
    assert not page.is_visible("#id_c-trading_name")
    assert page.evaluate("window.__csp") == []


def test_every_error_in_one_submit(csr_page):
    page = csr_page
    fill_individual(page, **{"#id_c-family_name": "", "#id_ct-mobile": "call me", "#id_ct-email": "",
                             "#id_a-postcode": "12345"})
    page.select_option("#id_ct-preferred_channel", "email")
    page.click("#create-customer")
    summary = page.inner_text("[data-error-summary]")
    assert "There are 4 problems to fix" in summary
    for text in ("Required for an individual.", "'call me' is not a valid phone number.",
                 "E-mail needs an e-mail address", "'12345' is not an Eircode"):
        assert text in summary, text
    assert not Customer.objects.exists()

    # fixed in one go, the next submit creates the customer
    fill_individual(page)
    page.click("#create-customer")
    page.wait_for_url("**/csr/customers/*/")
    customer = Customer.objects.get()
    assert customer.name == "Aoife Kelly" and customer.contacts.get().full_name == "Aoife Kelly"
    assert customer.addresses.get().postcode == "V94 X1Y2"


def test_duplicate_warning_link_and_deliberate_create(csr_page, live_server, browser):
    existing = services.customer_onboard(
        actor=Actor.system("test"), party={"kind": "individual", "given_name": "Aoife", "family_name": "Kelly"},
        customer={"segment": "residential"}, contact={},
        media=[{"kind": "email", "value": "aoife@kelly.ie"}],
        address={"street1": "7 Bridge Street", "city": "Limerick", "postcode": "V94 X1Y2", "country": "IE"})
    page = csr_page
    fill_individual(page)
    page.click("#create-customer")
    warning = page.locator("[data-duplicate-warning]")
    assert "This customer may already exist" in warning.inner_text()
    assert Customer.objects.count() == 1

    # the link opens the existing customer
    link = warning.locator(f"a[href='/csr/customers/{existing.pk}/']")
    assert existing.customer_number in link.inner_text()
    with page.context.expect_page() as opened:
        link.click(modifiers=["Control"])
    other = opened.value
    other.wait_for_load_state()
    assert f"/csr/customers/{existing.pk}/" in other.url and existing.customer_number in other.inner_text("main")
    other.close()

    # ticking without a reason still creates nothing
    page.check("#id_d-create_anyway")
    page.click("#create-customer")
    assert "Say why this is a different customer" in page.inner_text("[data-duplicate-warning]")
    assert Customer.objects.count() == 1

    page.fill("#id_d-reason", "Her daughter: same name, same house")
    page.click("#create-customer")
    page.wait_for_url("**/csr/customers/*/")
    new = Customer.objects.exclude(pk=existing.pk).get()
    assert page.url.endswith(f"/csr/customers/{new.pk}/")
    assert CustomerNote.objects.get(customer=new).text.endswith("Her daughter: same name, same house")
    assert page.evaluate("window.__csp") == []
