"""Waiting on a prerequisite case, attachments (size and type checked), reports."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bss.actors import Actor, Channel
from bss.errors import DomainValidationError
from orders.services import ordering
from orders.services.ordering import OrderItemInput, customer_order_create
from tests.factories import activatable_offering, orderable_customer, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def csr():
    return Actor(user=staff_user(), channel=Channel.PORTAL)


@pytest.fixture
def order(csr):
    o, _ = customer_order_create(actor=csr, customer_ref=str(orderable_customer().pk),
                                 items=[OrderItemInput(item_id="1", offering=activatable_offering().code)])
    return o


def test_an_order_waits_on_a_case_and_resumes_when_it_is_resolved(csr, order):
    ordering.customer_order_await_prerequisite(order_id=order.pk, case_ref="CASE-42", actor=csr,
                                               reason="the account must move to the new owner first")
    order.refresh_from_db()
    assert order.state == "awaitingPrerequisite" and order.tmf_state == "pending"
    assert ordering.customer_order_prerequisite_resolved(case_ref="CASE-41", actor=csr) == []
    (resumed,) = ordering.customer_order_prerequisite_resolved(case_ref="CASE-42", actor=csr)
    resumed.refresh_from_db()
    assert resumed.state == "committed" and resumed.prerequisite_reference == ""


def test_attachments_are_checked_by_size_and_content(csr, order, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile("contract.pdf", b"%PDF-1.7 signed contract", content_type="application/pdf")
    att = ordering.customer_order_attach(order_id=order.pk, file=pdf, name="contract.pdf", actor=csr)
    assert att.content_type == "application/pdf" and att.size == 24
    assert (tmp_path / att.file.name).read_bytes().startswith(b"%PDF")
    fake = SimpleUploadedFile("contract.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(DomainValidationError, match="Invalid"):
        ordering.customer_order_attach(order_id=order.pk, file=fake, name="contract.pdf", actor=csr)
    settings.BSS_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(DomainValidationError) as e:
        ordering.customer_order_attach(order_id=order.pk, file=SimpleUploadedFile("a.pdf", b"%PDF" + b"x" * 20),
                                       name="a.pdf", actor=csr)
    assert "at most 10" in e.value.field_errors["file"][0]
    assert order.attachments.count() == 1


def test_the_report_counts_states_cycle_times_and_rejections(csr, django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    from orders.services.reports import order_report, order_report_csv

    customer = orderable_customer()
    with django_capture_on_commit_callbacks(execute=True):
        done, _ = customer_order_create(actor=csr, customer_ref=str(customer.pk),
                                        items=[OrderItemInput(item_id="1", offering=activatable_offering().code)])
    customer_order_create(actor=csr, customer_ref="nobody", items=[OrderItemInput(item_id="1", offering="x")])
    report = order_report()
    assert {(r["state"], r["count"]) for r in report.by_state} == {("completed", 1), ("rejected", 1)}
    (cycle,) = report.cycle_times
    assert cycle["count"] == 1 and 0 <= cycle["p50_hours"] <= cycle["p95_hours"] < 1
    assert {r["code"] for r in report.rejection_reasons} == {"unknown_customer", "unknown_offering"}
    assert {r["label"] for r in report.rejection_reasons} == {"Customer not found", "Offering missing or unknown"}
    assert order_report(customer_id=customer.pk).by_state == [{"state": "completed", "channel": "portal", "count": 1}]
    text = order_report_csv(report)
    assert text.splitlines()[0].startswith("section,key,channel,count")
    assert "rejection_reason,unknown_customer" in text

    client = APIClient()
    client.force_authenticate(csr.user)
    body = client.get("/api/v1/order-reports/", {"customer": customer.pk}).json()
    assert body["by_state"] == [{"state": "completed", "channel": "portal", "count": 1}]
    csv_response = client.get("/api/v1/order-reports/", {"export": "csv"})
    assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
    assert client.get("/api/v1/order-reports/", {"since": "yesterday"}).status_code == 400
