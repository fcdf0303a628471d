"""Credit screens in the staff portal (/csr/orders/credit/) and the credit admin."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client

from bss.audit.models import HistoryEntry
from bss.roles import Role
from orders.models import BureauSimulationRule, CreditCheck, CreditPolicy
from orders.services.credit import credit_check_request
from tests.factories import (
    BillingAccountFactory,
    BureauRuleFactory,
    CreditPolicyFactory,
    CustomerFactory,
    customer_user,
    staff_user,
)

pytestmark = pytest.mark.django_db

NEW, QUEUE = "/csr/orders/credit/new/", "/csr/orders/credit/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def policy():
    return CreditPolicyFactory(deposit_percent_when_referred=Decimal("10"))


@pytest.fixture
def web(csr):
    return login(csr)


@pytest.fixture
def boss(supervisor):
    return login(supervisor)


@pytest.fixture
def customer():
    return CustomerFactory(name="Rory Timeout", credit_class="B")


@pytest.fixture
def pending(customer, actor) -> CreditCheck:
    BureauRuleFactory(name="slow", name_contains="Timeout", outcome=BureauSimulationRule.Outcome.TIMEOUT)
    check = credit_check_request(customer=customer, amount=Decimal("80"), currency="EUR", actor=actor)
    assert check.status == CreditCheck.Status.PENDING_REVIEW
    return check


def status_of(check) -> str:
    return CreditCheck.objects.get(pk=check.pk).status


class TestRunCheck:
    def test_form_page_shows_progress_text_on_submit(self, web):
        response = web.get(NEW + "?customer=CU123")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'value="CU123"' in html
        assert 'id="credit-check-submit"' in html and "Checking credit" in html and "spinner" in html

    def test_run_a_check_and_see_the_outcome(self, web, csr):
        customer = CustomerFactory(name="Ann Able")
        account = BillingAccountFactory(customer=customer, credit_limit=Decimal("100"))
        response = web.post(NEW, {"customer_number": customer.customer_number.lower(),
                                  "account_number": account.account_number, "amount": "150.00",
                                  "currency": "EUR", "order_reference": "ORD-1"}, follow=True)
        check = CreditCheck.objects.get()
        assert response.redirect_chain == [(f"/csr/orders/credit/{check.pk}/", 302)]
        assert (check.customer, check.billing_account, check.amount, check.requested_by) == (
            customer, account, Decimal("150.00"), csr)
        html = response.content.decode()
        assert "Pending review" in html and "waits in the manual review queue" in html
        assert "Deposit 50.00 EUR" in html and "exceeds the credit limit" in html
        assert HistoryEntry.objects.for_object(check).get().channel == "portal"

    def test_approved_outcome(self, web):
        customer = CustomerFactory(name="Ann Able")
        response = web.post(NEW, {"customer_number": customer.customer_number, "amount": "10",
                                  "currency": "EUR"}, follow=True)
        assert "Credit check" in response.content.decode() and "approved" in response.content.decode()
        assert CreditCheck.objects.get().decision == "approved"

    def test_unknown_customer_and_foreign_account(self, web, customer):
        response = web.post(NEW, {"customer_number": "CU-NOPE", "amount": "10", "currency": "EUR"})
        assert response.status_code == 200 and "No customer CU-NOPE." in response.content.decode()
        other = BillingAccountFactory()
        response = web.post(NEW, {"customer_number": customer.customer_number, "amount": "10", "currency": "EUR",
                                  "account_number": other.account_number})
        assert f"has no account {other.account_number}" in response.content.decode()
        assert not CreditCheck.objects.exists()

    def test_service_errors_show_on_the_form(self, web, customer):
        account = BillingAccountFactory(customer=customer, currency="GBP")
        response = web.post(NEW, {"customer_number": customer.customer_number, "amount": "10", "currency": "EUR",
                                  "account_number": account.account_number})
        assert response.status_code == 200
        assert f"Account {account.account_number} bills in GBP, not EUR." in response.content.decode()

    def test_roles_without_the_permission_cannot_run_checks(self):
        assert login(staff_user(Role.BILLING)).get(NEW).status_code == 403


class TestQueueAndDetail:
    def test_csr_sees_the_queue_without_review_form(self, web, pending):
        response = web.get(QUEUE)
        html = response.content.decode()
        assert response.status_code == 200
        assert f'href="/csr/orders/credit/{pending.pk}/"' in html and "bureau timeout" in html
        assert "Deposit 8.00 EUR" in html
        assert 'value="approve"' not in html and "A Supervisor approves or declines them." in html

    def test_nav_links_to_credit(self, web):
        assert 'href="/csr/orders/credit/"' in web.get(NEW).content.decode()

    def test_supervisor_sees_the_review_form(self, boss, pending):
        html = boss.get(QUEUE).content.decode()
        assert f'action="/csr/orders/credit/{pending.pk}/review/"' in html and 'value="approve"' in html
        assert f'name="next" value="{QUEUE}"' in html

    def test_decided_checks_are_not_in_the_queue(self, web, actor):
        check = credit_check_request(customer=CustomerFactory(), amount=Decimal("1"), currency="EUR", actor=actor)
        assert f"/csr/orders/credit/{check.pk}/" not in web.get(QUEUE).content.decode()

    def test_detail(self, web, pending):
        response = web.get(f"/csr/orders/credit/{pending.pk}/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "Findings" in html and "outstanding_balance" in html and "orders.credit_check.requested" in html
        assert "Waiting for a Supervisor" in html

    def test_detail_of_unknown_check_is_404(self, web):
        assert web.get("/csr/orders/credit/999999/").status_code == 404

    def test_self_service_login_is_refused(self, customer, pending):
        client = login(customer_user(customer))
        assert client.get(QUEUE).status_code == 403
        assert client.get(f"/csr/orders/credit/{pending.pk}/").status_code == 403


class TestReview:
    def test_supervisor_approves_from_the_queue(self, boss, supervisor, pending):
        response = boss.post(f"/csr/orders/credit/{pending.pk}/review/",
                             {"decision": "approve", "reason": "Known to us", "next": QUEUE}, follow=True)
        assert response.redirect_chain == [(QUEUE, 302)]
        assert f"Credit check {pending.pk} approved." in response.content.decode()
        check = CreditCheck.objects.get(pk=pending.pk)
        assert (check.status, check.reviewed_by, check.review_reason) == ("approved", supervisor, "Known to us")

    def test_supervisor_declines_from_the_detail_page(self, boss, pending):
        response = boss.post(f"/csr/orders/credit/{pending.pk}/review/", {"decision": "decline", "reason": "No"})
        assert response.status_code == 302 and response["Location"] == f"/csr/orders/credit/{pending.pk}/"
        assert status_of(pending) == "declined"

    def test_reason_is_required(self, boss, pending):
        response = boss.post(f"/csr/orders/credit/{pending.pk}/review/", {"decision": "approve", "reason": ""},
                             follow=True)
        assert "give the reason" in response.content.decode()
        assert status_of(pending) == "pending_review"

    def test_second_review_is_refused_with_a_message(self, boss, pending):
        boss.post(f"/csr/orders/credit/{pending.pk}/review/", {"decision": "approve", "reason": "ok"})
        response = boss.post(f"/csr/orders/credit/{pending.pk}/review/", {"decision": "decline", "reason": "no"},
                             follow=True)
        assert "Cannot decline" in response.content.decode()
        assert status_of(pending) == "approved"

    def test_csr_cannot_review(self, web, pending):
        response = web.post(f"/csr/orders/credit/{pending.pk}/review/", {"decision": "approve", "reason": "ok"})
        assert response.status_code == 403
        assert status_of(pending) == "pending_review"

    def test_offsite_next_is_ignored(self, boss, pending):
        response = boss.post(f"/csr/orders/credit/{pending.pk}/review/",
                             {"decision": "approve", "reason": "ok", "next": "https://evil.example/"})
        assert response["Location"] == f"/csr/orders/credit/{pending.pk}/"


class TestAdmin:
    def test_supervisor_approves_with_a_reason_through_the_admin_action(self, boss, supervisor, pending):
        url = "/admin/orders/creditcheck/"
        assert boss.get(url).status_code == 200
        assert boss.get(f"{url}{pending.pk}/change/").status_code == 200
        form = boss.post(url, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [pending.pk]})
        assert form.status_code == 200 and "Reason (required)" in form.content.decode()
        assert status_of(pending) == "pending_review"
        no_reason = boss.post(url, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [pending.pk], "apply": "1",
                                    "reason": ""})
        assert no_reason.status_code == 200 and status_of(pending) == "pending_review"
        done = boss.post(url, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [pending.pk], "apply": "1",
                               "reason": "Checked by phone"})
        assert done.status_code == 302
        check = CreditCheck.objects.get(pk=pending.pk)
        assert (check.status, check.review_reason, check.reviewed_by) == ("approved", "Checked by phone", supervisor)
        assert HistoryEntry.objects.for_object(check).get(action="orders.credit_check.approved").channel == "admin"

    def test_admin_approval_offers_the_proposed_terms_and_takes_amended_ones(self, boss, supervisor, pending):
        url = "/admin/orders/creditcheck/"
        proposed = dict(pending.terms)
        assert proposed.get("deposit")
        form = boss.post(url, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [pending.pk]}).content.decode()
        assert f'name="deposit_{pending.pk}"' in form and f'value="{proposed["deposit"]}"' in form
        bad = boss.post(url, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [pending.pk], "apply": "1",
                              "reason": "ok", f"deposit_{pending.pk}": "-3"})
        assert bad.status_code == 200 and status_of(pending) == "pending_review"
        done = boss.post(url, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [pending.pk], "apply": "1",
                               "reason": "Deposit waived: long-standing", f"deposit_{pending.pk}": "0",
                               f"credit_limit_{pending.pk}": "300"})
        assert done.status_code == 302
        check = CreditCheck.objects.get(pk=pending.pk)
        assert check.status == "approved" and "deposit" not in check.terms and check.terms["credit_limit"] == "300.00"
        entry = HistoryEntry.objects.for_object(check).get(action="orders.credit_check.terms_amended")
        assert entry.changes == {"terms": [proposed, check.terms]} and entry.actor == supervisor

    def test_admin_decline_shows_no_terms(self, boss, pending):
        form = boss.post("/admin/orders/creditcheck/", {"action": "decline_selected",
                                                        ACTION_CHECKBOX_NAME: [pending.pk]}).content.decode()
        assert f'name="deposit_{pending.pk}"' not in form and "Reason (required)" in form

    def test_admin_history_shows_the_checks_history(self, boss, pending):
        response = boss.get(f"/admin/orders/creditcheck/{pending.pk}/history/")
        assert "orders.credit_check.requested" in response.content.decode()

    def test_only_one_policy_can_be_active(self, policy):
        admin = login(staff_user(Role.ADMIN))
        data = {"name": "Second", "is_active": "on", "check_credit_limit": "on", "decline_credit_classes": '["D"]',
                "refer_credit_classes": "[]", "use_bureau": "on", "bureau_min_amount": "0",
                "deposit_percent_when_referred": "0", "max_outstanding_balance": ""}
        response = admin.post("/admin/orders/creditpolicy/add/", data)
        assert response.status_code == 200 and "is the active policy" in response.content.decode()
        bad = admin.post("/admin/orders/creditpolicy/add/", {**data, "is_active": "", "refer_credit_classes": '["Z"]'})
        assert bad.status_code == 200 and "A list of credit classes" in bad.content.decode()
        assert admin.post("/admin/orders/creditpolicy/add/", {**data, "is_active": ""}).status_code == 302
        second = CreditPolicy.objects.get(name="Second")
        assert not second.is_active
        admin.post("/admin/orders/creditpolicy/", {"action": "make_active", ACTION_CHECKBOX_NAME: [second.pk]})
        assert list(CreditPolicy.objects.filter(is_active=True)) == [second]
