"""The qualification screen's inputs come from the catalog: offerings as checkboxes with their prices, the chosen
offerings' characteristics as inputs from their specification (an HTMX fragment), the customer's addresses to
choose from (an HTMX fragment) or a prospect's structured address; the answer is stored and has its own page,
which the rule tester links back to; a closed customer is refused by the qualification service itself."""

import re
from decimal import Decimal

import pytest

from customers.models import Customer
from orders.models import OfferingQualification
from tests.factories import (
    AddressFactory,
    CustomerFactory,
    ProductOfferingPriceFactory,
    SpecCharacteristicFactory,
)

pytestmark = pytest.mark.django_db

QUALIFY = "/csr/feasibility/qualify/"
ADDRESSES = "/csr/feasibility/qualify/addresses/"
OPTIONS = "/csr/feasibility/qualify/characteristics/"


@pytest.fixture
def customer(feasibility_catalog):
    c = CustomerFactory(status="active", name="Aine Dublin")
    AddressFactory(customer=c, area_code="DUB01", street1="1 First Street")
    AddressFactory(customer=c, area_code="DUB01", street1="2 Second Street")
    return c


@pytest.fixture
def lines(feasibility_catalog):
    """A mandatory whole-number option with a range on the fiber spec."""
    offerings, _ = feasibility_catalog
    return SpecCharacteristicFactory(specification=offerings["fiber-500"].specification, name="lines",
                                     description="Phone lines", value_type="integer", mandatory=True,
                                     min_value=Decimal("1"), max_value=Decimal("4"))


def tag(html: str, name: str) -> str:
    """The one input/select tag named ``name``."""
    [found] = re.findall(rf'<(?:input|select)[^>]*name="{re.escape(name)}"[^>]*>', html)
    return found


def test_offerings_are_checkboxes_with_their_prices(client, csr, customer, feasibility_catalog):
    offerings, _ = feasibility_catalog
    ProductOfferingPriceFactory(offering=offerings["fiber-500"], amount=Decimal("45"), currency="EUR")
    ProductOfferingPriceFactory(offering=offerings["fiber-500"], amount=Decimal("50.00"), currency="EUR",
                                price_type="one_time", recurring_period="")
    client.force_login(csr)
    html = client.get(QUALIFY).content.decode()
    assert 'type="checkbox" name="offerings" value="fiber-500"' in html
    assert "Fiber 500 — €45.00/month + €50.00 once" in html  # Decimal to 2 places, recurring first
    assert "mobile-classic" not in html and "draft-plan" not in html  # retired and draft offerings are not offered
    # choosing offerings asks for their options; no options before one is chosen
    assert f'hx-get="{OPTIONS}"' in html and 'name="char__' not in html and "data-no-options" in html


def test_options_come_from_the_specification(client, csr, lines):
    client.force_login(csr)
    html = client.get(OPTIONS, {"offering": ["fiber-500"]}, headers={"HX-Request": "true"}).content.decode()
    assert "<header" not in html and 'data-options-for="fiber-500"' in html
    install = html[html.index('name="char__fiber-500__install_type"'):]
    assert install.startswith('name="char__fiber-500__install_type"')
    assert '<option value="technician">technician</option>' in install  # allowed values: a choice
    count = tag(html, "char__fiber-500__lines")
    assert 'type="number"' in count and 'min="1"' in count and 'max="4"' in count and "required" in count
    assert "required" not in tag(html, "char__fiber-500__install_type")  # not mandatory
    assert "Phone lines" in html
    # values already typed are kept when another offering is ticked; an offering without options adds none
    again = client.get(OPTIONS, {"offerings": ["fiber-500", "mobile-s"], "char__fiber-500__lines": "3"}).content.decode()
    assert 'value="3"' in tag(again, "char__fiber-500__lines") and 'data-options-for="mobile-s"' not in again


def test_a_customers_addresses_load_as_radio_buttons(client, csr, customer):
    client.force_login(csr)
    page = client.get(QUALIFY).content.decode()
    assert f'hx-get="{ADDRESSES}"' in tag(page, "customer_number") and 'hx-target="#qualify-where"' in page
    html = client.get(ADDRESSES, {"customer_number": customer.customer_number.lower()},
                      headers={"HX-Request": "true"}).content.decode()
    radios = re.findall(r'<input type="radio" name="address"[^>]*>', html)
    assert len(radios) == 2 and "checked" in radios[0]
    assert "1 First Street" in html and "2 Second Street" in html and "Aine Dublin" in html
    assert 'name="street"' not in html  # a customer with addresses chooses one
    # also on GET with ?customer= (the customer page's Qualify link)
    assert len(re.findall(r'type="radio" name="address"', client.get(
        f"{QUALIFY}?customer={customer.customer_number}").content.decode())) == 2


def test_no_customer_means_a_prospect_with_a_structured_address(client, csr, customer):
    client.force_login(csr)
    html = client.get(ADDRESSES, {"customer_number": ""}).content.decode()
    for name in ("prospect_type", "street", "city", "postcode", "country", "area_code"):
        assert f'name="{name}"' in html, name
    assert '<option value="IE" selected>Ireland</option>' in html
    unknown = client.get(ADDRESSES, {"customer_number": "CU-NOPE"}).content.decode()
    assert "No customer CU-NOPE." in unknown and 'name="address"' not in unknown
    CustomerFactory(status="active", customer_number="CU-BARE")
    bare = client.get(ADDRESSES, {"customer_number": "cu-bare"}).content.decode()
    assert "has no address on file" in bare and 'name="street"' in bare


def test_chosen_address_and_options_are_used_and_the_answer_has_its_own_page(client, csr, customer):
    second = customer.addresses.get(street1="2 Second Street")
    client.force_login(csr)
    r = client.post(QUALIFY, {
        "customer_number": customer.customer_number, "address": str(second.pk), "channel": "portal",
        "offerings": ["fiber-500"], "char__fiber-500__install_type": "technician"})
    poq = OfferingQualification.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/csr/feasibility/qualifications/{poq.pk}/"
    assert poq.request["address"] == second.one_line
    assert poq.request["characteristics"] == {"fiber-500": {"install_type": "technician"}}
    page = client.get(r["Location"]).content.decode()
    assert "Qualification" in page and "Aine Dublin" in page and "2 Second Street" in page


def test_a_prospects_typed_address_is_the_install_place(client, csr, feasibility_catalog):
    client.force_login(csr)
    r = client.post(QUALIFY, {"customer_number": "", "prospect_type": "individual", "prospect_segment": "residential",
                              "street": "5 Quay Street", "city": "Galway", "postcode": "H91 X2Y3", "country": "IE",
                              "area_code": "GAL01", "channel": "portal", "offerings": ["fiber-100"]})
    poq = OfferingQualification.objects.get()
    assert r.status_code == 302 and poq.customer is None and poq.qualification_result == "qualified"
    assert poq.request["address"] == "5 Quay Street, H91 X2Y3 Galway, IE"
    assert poq.request["place"]["area_code"] == "GAL01"
    assert "5 Quay Street, H91 X2Y3 Galway, IE" in client.get(r["Location"]).content.decode()


def test_a_missing_mandatory_option_is_asked_for_and_nothing_is_stored(client, csr, customer, lines):
    client.force_login(csr)
    r = client.post(QUALIFY, {"customer_number": customer.customer_number, "channel": "portal",
                              "offerings": ["fiber-500"], "char__fiber-500__lines": ""})
    html = r.content.decode()
    assert r.status_code == 200 and "Required for this offering." in html and 'data-options-for="fiber-500"' in html
    out_of_range = client.post(QUALIFY, {"customer_number": customer.customer_number, "channel": "portal",
                                         "offerings": ["fiber-500"], "char__fiber-500__lines": "9"}).content.decode()
    assert "less than or equal to 4" in out_of_range
    assert not OfferingQualification.objects.exists()


def test_rule_links_keep_the_qualification_and_the_tester_links_back(client, csr, customer, supervisor):
    client.force_login(csr)
    client.post(QUALIFY, {"customer_number": customer.customer_number, "channel": "portal",
                          "offerings": ["iptv-addon"]})
    poq = OfferingQualification.objects.get()
    page = client.get(f"/csr/feasibility/qualifications/{poq.pk}/").content.decode()
    assert re.search(rf'href="/csr/feasibility/rules/test/\?rule=\d+&amp;qualification={poq.pk}"', page)
    client.force_login(supervisor)
    tester = client.get(f"/csr/feasibility/rules/test/?qualification={poq.pk}").content.decode()
    assert f'href="/csr/feasibility/qualifications/{poq.pk}/"' in tester


class TestClosedCustomer:
    @pytest.fixture
    def closed(self, customer):
        Customer.objects.filter(pk=customer.pk).update(status=Customer.Status.CLOSED)
        return Customer.objects.get(pk=customer.pk)

    def test_the_screen_says_so_and_the_service_refuses(self, client, csr, closed):
        client.force_login(csr)
        shown = client.get(ADDRESSES, {"customer_number": closed.customer_number}).content.decode()
        assert "data-closed-customer" in shown and 'name="address"' not in shown
        r = client.post(QUALIFY, {"customer_number": closed.customer_number, "channel": "portal",
                                  "offerings": ["mobile-s"]})
        assert r.status_code == 200
        assert f"Customer {closed.customer_number} is closed: a closed customer cannot be qualified." in r.content.decode()
        assert not OfferingQualification.objects.exists()

    def test_tmf679_is_refused_too(self, closed, integrator_client):
        """The refusal is the service's: the API door gets it as well, in plain words."""
        r = integrator_client.post("/tmf-api/productOfferingQualification/v4/productOfferingQualification", {
            "productOfferingQualificationItem": [{"id": "1", "action": "add", "productOffering": {"id": "mobile-s"}}],
            "relatedParty": [{"id": str(closed.pk), "role": "customer", "@referredType": "Customer"}]}, format="json")
        assert r.status_code == 400 and "is closed" in r.content.decode()
        assert not OfferingQualification.objects.exists()
