"""The live search says what it shows: more matches than it lists, a query too short to search,
and an address column to tell namesakes apart."""

import pytest
from django.urls import reverse

from bss.roles import Role
from tests.factories import AddressFactory, CustomerFactory, IndividualFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def csr_client(client):
    client.force_login(staff_user(Role.CSR))
    return client


def search(client, q):
    return client.get(reverse("csr:dashboard"), {"q": q}, HTTP_HX_REQUEST="true").content.decode()


def test_more_matches_than_listed_are_announced(csr_client):
    for n in range(27):
        AddressFactory(customer=CustomerFactory(name=f"Resident {n}"), street1=f"{n} Main Street")
    html = search(csr_client, "Main Street")
    assert "Showing the first 25 matches: there are more" in html
    assert html.count("/csr/customers/") == 25 * 2  # number and name link per row


def test_a_short_list_says_how_many(csr_client):
    AddressFactory(customer=CustomerFactory(name="Only One"), street1="1 Quiet Lane")
    html = search(csr_client, "Quiet Lane")
    assert "1 match." in html and "there are more" not in html


def test_one_letter_asks_for_more_instead_of_saying_nothing_matches(csr_client):
    CustomerFactory(name="Aoife")
    html = search(csr_client, "A")
    assert "Type at least 2 characters" in html and "No customer matches" not in html


def test_namesakes_are_told_apart_by_their_address(csr_client):
    for street, city in (("1 Harbour View", "Cork"), ("9 Hill Road", "Galway")):
        c = CustomerFactory(party=IndividualFactory(given_name="Sean", family_name="Murphy"), name="Sean Murphy")
        AddressFactory(customer=c, street1=street, city=city)
    html = search(csr_client, "Sean Murphy")
    assert "<th>Address</th>" in html
    assert "1 Harbour View" in html and "9 Hill Road" in html
