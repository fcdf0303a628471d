"""Bugs the admin bypass allowed, now that every admin save goes through a service."""

import pytest
from django.urls import reverse

from bss.audit.models import HistoryEntry
from customers.models import BillCycle, CustomerNote, Product
from tests.admin_forms import form_errors, post_data
from tests.factories import BillCycleFactory, BillingAccountFactory, CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def add(client, model, **fields):
    page = client.get(url(model, "add"))
    assert page.status_code == 200
    return client.post(url(model, "add"), post_data(page, **fields))


def test_note_added_in_admin_has_author_and_channel(admin_client, admin_user):
    customer = CustomerFactory()
    response = add(admin_client, CustomerNote, customer=customer.pk, text="Called about the router")
    assert response.status_code == 302, form_errors(response)
    note = CustomerNote.objects.get(customer=customer)
    assert (note.author, note.channel) == (admin_user, "admin")
    assert HistoryEntry.objects.filter(action="customers.note.added", root_object_id=str(customer.pk)).exists()


def test_product_added_in_admin_may_not_use_another_customers_account(admin_client):
    mine, theirs = CustomerFactory(), CustomerFactory()
    other_account = BillingAccountFactory(customer=theirs)
    response = add(admin_client, Product, customer=mine.pk, billing_account=other_account.pk, name="Mobile M",
                   offering_code="mobile-m", offering_name="Mobile M")
    assert "belongs to another customer" in form_errors(response)
    assert not Product.objects.exists()


def test_product_changed_in_admin_may_not_move_to_another_customers_account(admin_client):
    product = ProductFactory()
    other_account = BillingAccountFactory(customer=CustomerFactory())
    page = admin_client.get(url(Product, "change", product.pk))
    response = admin_client.post(url(Product, "change", product.pk),
                                 post_data(page, billing_account=other_account.pk))
    assert "belongs to another customer" in form_errors(response)
    assert Product.objects.get(pk=product.pk).billing_account_id == product.billing_account_id


def test_bill_cycle_saves_through_its_service_with_rules_and_history(admin_client):
    response = add(admin_client, BillCycle, code="C31", name="Cycle 31", day_of_month=31, payment_terms_days=14)
    assert "between 1 and 28" in form_errors(response)
    response = add(admin_client, BillCycle, code="C20", name="Cycle 20", day_of_month=20, payment_terms_days=14)
    assert response.status_code == 302, form_errors(response)
    cycle = BillCycle.objects.get(code="C20")
    assert HistoryEntry.objects.filter(action="customers.bill_cycle.created", object_id=str(cycle.pk)).exists()


def test_bill_cycle_change_is_recorded(admin_client):
    cycle = BillCycleFactory()
    page = admin_client.get(url(BillCycle, "change", cycle.pk))
    response = admin_client.post(url(BillCycle, "change", cycle.pk), post_data(page, payment_terms_days=30))
    assert response.status_code == 302, form_errors(response)
    [entry] = HistoryEntry.objects.filter(action="customers.bill_cycle.updated", object_id=str(cycle.pk))
    assert entry.changes["payment_terms_days"][1] == 30
