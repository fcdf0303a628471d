"""The staff portal checks the role's permission for each screen, not only 'is staff'."""

import pytest

from bss.roles import Role
from customers.models import Customer, CustomerNote
from orders.models import OfferingQualification
from tests.factories import CustomerFactory, staff_user

pytestmark = pytest.mark.django_db


def test_provisioning_engineer_cannot_create_customers_or_add_notes(client):
    client.force_login(staff_user(Role.PROVISIONING))
    customer = CustomerFactory()
    assert client.get("/csr/customers/new/").status_code == 403
    r = client.post("/csr/customers/new/", {"c-kind": "individual", "c-family_name": "X"})
    assert r.status_code == 403 and Customer.objects.count() == 1
    assert client.post(f"/csr/customers/{customer.pk}/notes/", {"text": "hi"}).status_code == 403
    assert not CustomerNote.objects.exists()
    assert client.get(f"/csr/customers/{customer.pk}/").status_code == 200  # may still look
    page = client.get("/csr/").content.decode()
    assert "New customer" not in page


def test_billing_operator_cannot_store_qualifications(client):
    client.force_login(staff_user(Role.BILLING))
    r = client.post("/csr/feasibility/qualify/", {"channel": "portal"})
    assert r.status_code == 403 and not OfferingQualification.objects.exists()


def test_csr_may_do_all_of_it(client):
    client.force_login(staff_user(Role.CSR))
    assert client.get("/csr/customers/new/").status_code == 200
    assert client.get("/csr/feasibility/qualify/").status_code == 200
    assert "New customer" in client.get("/csr/").content.decode()
