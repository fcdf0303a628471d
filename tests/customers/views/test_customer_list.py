"""The customer list (/csr/customers/): the reference use of the list pattern (bss/tables.py): paged with a
caption that says what is shown, sortable with aria-sort, filterable, and swapped over HTMX without the layout."""

import pytest
from django.test import Client

from bss.roles import Role
from customers.models import Customer
from tests.factories import CustomerFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def web():
    client = Client()
    client.force_login(staff_user(Role.CSR))
    return client


def test_pages_of_25_with_a_caption_saying_how_many(web):
    CustomerFactory.create_batch(30)
    html = web.get("/csr/customers/").content.decode()
    assert "Showing 1–25 of 30 customers" in html
    assert 'aria-label="Pages of customers"' in html
    page2 = web.get("/csr/customers/?page=2").content.decode()
    assert "Showing 26–30 of 30 customers" in page2


def test_filters_by_status_and_segment(web):
    CustomerFactory(name="Active Resi", status=Customer.Status.ACTIVE, segment="residential")
    CustomerFactory(name="Active Sme", status=Customer.Status.ACTIVE, segment="sme")
    CustomerFactory(name="Closed Resi", status=Customer.Status.CLOSED, segment="residential")
    html = web.get("/csr/customers/?status=active&segment=residential").content.decode()
    assert "Active Resi" in html and "Active Sme" not in html and "Closed Resi" not in html
    assert "1 customer" in html


def test_sorts_by_name_and_marks_the_sorted_column(web):
    CustomerFactory(name="Zoe Last")
    CustomerFactory(name="Adam First")
    html = web.get("/csr/customers/?sort=name").content.decode()
    assert html.index("Adam First") < html.index("Zoe Last")
    assert 'aria-sort="ascending"' in html
    desc = web.get("/csr/customers/?sort=-name").content.decode()
    assert desc.index("Zoe Last") < desc.index("Adam First") and 'aria-sort="descending"' in desc


def test_htmx_gets_the_list_only_and_a_history_restore_the_whole_page(web):
    CustomerFactory(name="Only Me")
    fragment = web.get("/csr/customers/?status=prospect", headers={"HX-Request": "true"})
    assert "Only Me" in fragment.content.decode() and "<header" not in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"] and "no-store" in fragment["Cache-Control"]
    restore = web.get("/csr/customers/?status=prospect",
                      headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<header" in restore.content.decode()


def test_needs_the_view_permission_and_a_portal_role():
    from tests.factories import CustomerFactory as CF
    from tests.factories import customer_user

    client = Client()
    client.force_login(customer_user(CF()))
    assert client.get("/csr/customers/").status_code == 403
