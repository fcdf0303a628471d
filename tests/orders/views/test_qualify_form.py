"""The qualification screen's inputs come from the catalog: offerings as checkboxes with their prices, each
offering's characteristics as inputs from its specification, the customer's addresses to choose from; the answer
is stored and has its own page, which the rule tester links back to."""

from decimal import Decimal

import pytest

from customers.models import Customer
from orders.models import OfferingQualification
from tests.factories import AddressFactory, CustomerFactory, ProductOfferingPriceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(feasibility_catalog):
    c = CustomerFactory(status="active", name="Aine Dublin")
    AddressFactory(customer=c, area_code="DUB01", street1="1 First Street")
    AddressFactory(customer=c, area_code="DUB01", street1="2 Second Street")
    return c


def test_offerings_are_checkboxes_with_prices_and_characteristics_from_the_spec(client, csr, customer,
                                                                                   feasibility_catalog):
    offerings, _ = feasibility_catalog
    ProductOfferingPriceFactory(offering=offerings["fiber-500"], amount=Decimal("45.00"), currency="EUR")
    ProductOfferingPriceFactory(offering=offerings["fiber-500"], amount=Decimal("50.00"), currency="EUR",
                                price_type="one_time", recurring_period="")
    client.force_login(csr)
    html = client.get(f"/csr/feasibility/qualify/?customer={customer.customer_number}").content.decode()
    assert 'type="checkbox" name="offerings" value="fiber-500"' in html
    assert "€45.00/month + €50.00 once" in html
    # the spec's allowed values are a choice, not typed text
    assert 'name="char__fiber-500__install_type"' in html and '<option value="technician">' in html
    # the customer's addresses are a choice
    assert html.count('name="address"') == 2 and "1 First Street" in html and "2 Second Street" in html


def test_chosen_address_and_characteristics_are_used_and_the_answer_has_its_own_page(client, csr, customer):
    second = customer.addresses.get(street1="2 Second Street")
    client.force_login(csr)
    r = client.post("/csr/feasibility/qualify/", {
        "customer_number": customer.customer_number, "address": str(second.pk), "channel": "portal",
        "offerings": ["fiber-500"], "char__fiber-500__install_type": "technician"})
    poq = OfferingQualification.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/csr/feasibility/qualifications/{poq.pk}/"
    assert poq.request["address"] == second.one_line
    assert poq.request["characteristics"] == {"fiber-500": {"install_type": "technician"}}
    page = client.get(r["Location"]).content.decode()
    assert "Qualification" in page and "Aine Dublin" in page and "2 Second Street" in page


def test_rule_links_keep_the_qualification_and_the_tester_links_back(client, csr, customer, supervisor):
    client.force_login(csr)
    client.post("/csr/feasibility/qualify/", {"customer_number": customer.customer_number, "channel": "portal",
                                              "offerings": ["iptv-addon"]})
    poq = OfferingQualification.objects.get()
    page = client.get(f"/csr/feasibility/qualifications/{poq.pk}/").content.decode()
    assert f"&amp;qualification={poq.pk}" in page
    client.force_login(supervisor)
    tester = client.get(f"/csr/feasibility/rules/test/?qualification={poq.pk}").content.decode()
    assert f'href="/csr/feasibility/qualifications/{poq.pk}/"' in tester


def test_a_closed_customer_is_not_qualified(client, csr, customer):
    Customer.objects.filter(pk=customer.pk).update(status=Customer.Status.CLOSED)
    client.force_login(csr)
    r = client.post("/csr/feasibility/qualify/", {"customer_number": customer.customer_number, "channel": "portal",
                                                  "offerings": ["fiber-500"]})
    assert r.status_code == 200 and "closed customer cannot be qualified" in r.content.decode()
    assert not OfferingQualification.objects.exists()
