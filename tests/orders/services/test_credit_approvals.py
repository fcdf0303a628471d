"""The credit review queue runs on bss.approvals: a referred check opens an ApprovalRequest, the
review decides it (and its handler finalises the check in the same transaction), and the approvals
rules hold for credit reviews: no self-approval, limits with escalation, reasons recorded."""

from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from bss.actors import Actor, Channel
from bss.approvals.models import ApprovalRequest
from bss.approvals.selectors import approval_request_for_subject, approval_requests_pending_for
from bss.approvals.services import approval_approve, approval_cancel, approver_limit_create
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError, BusinessRuleViolation
from bss.roles import Role
from orders.models import BureauSimulationRule, CreditCheck
from orders.services.credit import CREDIT_REFERRAL, credit_check_request, credit_check_review
from tests.factories import (
    ApprovalPolicyFactory,
    BureauRuleFactory,
    CreditPolicyFactory,
    CustomerFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db
QUEUE = "/csr/orders/credit/"


@pytest.fixture(autouse=True)
def policy():
    CreditPolicyFactory()
    BureauRuleFactory(name="slow", name_contains="Timeout", outcome=BureauSimulationRule.Outcome.TIMEOUT)


def as_actor(user, channel=Channel.PORTAL) -> Actor:
    return Actor(user=user, channel=channel, label=user.username)


def referred(by, amount="80") -> CreditCheck:
    check = credit_check_request(customer=CustomerFactory(name="Tess Timeout"), amount=Decimal(amount),
                                 currency="EUR", actor=as_actor(by))
    assert check.status == CreditCheck.Status.PENDING_REVIEW
    return check


def referral(check) -> ApprovalRequest:
    return approval_request_for_subject(check, CREDIT_REFERRAL)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def limits(supervisor_max, *, escalate=True, admin_max="10000"):
    ApprovalPolicyFactory(approval_type=CREDIT_REFERRAL, name="Credit referral", amount_applies=True,
                                  approver_roles=[Role.SUPERVISOR], escalation_role=Role.ADMIN if escalate else "")
    approver_limit_create(approval_type=CREDIT_REFERRAL, role=Role.SUPERVISOR, currency="EUR",
                          max_amount=Decimal(supervisor_max), actor=Actor.system())
    approver_limit_create(approval_type=CREDIT_REFERRAL, role=Role.ADMIN, currency="EUR",
                          max_amount=Decimal(admin_max), actor=Actor.system())


class TestReferralOpensAnApprovalRequest:
    def test_referred_check_has_a_pending_request_about_it(self, csr):
        check = referred(csr)
        request = referral(check)
        assert (request.state, request.subject, request.requested_by) == ("pending", check, csr)
        assert (request.amount, request.currency, request.reason) == (Decimal("80.00"), "EUR", check.reason)

    def test_decided_checks_open_none(self, csr):
        check = credit_check_request(customer=CustomerFactory(name="Ann Able"), amount=Decimal("5"), currency="EUR",
                                     actor=as_actor(csr))
        assert check.status == CreditCheck.Status.DECIDED and referral(check) is None

    def test_review_decides_the_request_and_the_check_together(self, csr, supervisor):
        check = referred(csr)
        credit_check_review(check_id=check.pk, approve=False, reason="Unverifiable", actor=as_actor(supervisor))
        request = referral(check)
        assert (request.state, request.decided_by, request.decision_reason) == ("rejected", supervisor,
                                                                                "Unverifiable")
        check = CreditCheck.objects.get(pk=check.pk)
        assert (check.status, check.reviewed_by, check.review_reason) == ("declined", supervisor, "Unverifiable")
        assert check.reviewed_at == request.decided_at

    def test_deciding_the_request_through_approvals_finalises_the_check(self, csr, supervisor):
        check = referred(csr)
        approval_approve(request_id=referral(check).pk, reason="ok by phone", actor=as_actor(supervisor))
        check = CreditCheck.objects.get(pk=check.pk)
        assert (check.status, check.reviewed_by, check.review_reason) == ("approved", supervisor, "ok by phone")
        assert HistoryEntry.objects.for_object(check).filter(action="orders.credit_check.approved").exists()

    def test_a_referral_cannot_be_cancelled(self, csr):
        check = referred(csr)
        with pytest.raises(ApplicationError, match="not cancelled"):
            approval_cancel(request_id=referral(check).pk, reason="order gone", actor=Actor.system())
        assert referral(check).state == "pending"

    def test_a_check_referred_before_approvals_is_reviewed_all_the_same(self, csr, supervisor):
        check = referred(csr)
        ApprovalRequest.objects.all().delete()  # as stored before reviews ran on approvals
        credit_check_review(check_id=check.pk, approve=True, reason="ok", actor=as_actor(supervisor))
        assert CreditCheck.objects.get(pk=check.pk).status == "approved"
        assert (referral(check).state, referral(check).requested_by) == ("approved", csr)


class TestNoSelfApproval:
    def test_a_supervisor_cannot_approve_a_check_they_requested(self, supervisor):
        check = referred(supervisor)
        with pytest.raises(BusinessRuleViolation) as e:
            credit_check_review(check_id=check.pk, approve=True, reason="mine", actor=as_actor(supervisor))
        assert (e.value.status_code, e.value.code) == (422, "self_approval")
        assert CreditCheck.objects.get(pk=check.pk).status == "pending_review"
        credit_check_review(check_id=check.pk, approve=True, reason="ok",
                            actor=as_actor(staff_user(Role.SUPERVISOR)))
        assert CreditCheck.objects.get(pk=check.pk).status == "approved"

    def test_portal_shows_no_form_for_ones_own_check_and_refuses_the_post(self, supervisor):
        check = referred(supervisor)
        boss = login(supervisor)
        html = boss.get(QUEUE).content.decode()
        assert f'action="/csr/orders/credit/{check.pk}/review/"' not in html
        assert "You asked for this check: another approver decides." in html
        response = boss.post(f"/csr/orders/credit/{check.pk}/review/", {"decision": "approve", "reason": "mine"},
                             follow=True)
        assert "someone else must approve it" in response.content.decode()
        assert CreditCheck.objects.get(pk=check.pk).status == "pending_review"
        detail = boss.get(f"/csr/orders/credit/{check.pk}/").content.decode()
        assert "You asked for this check: another approver decides." in detail and "data-own-referral" in detail

    def test_api_answers_422(self, supervisor):
        check = referred(supervisor)
        client = APIClient()
        client.force_authenticate(supervisor)
        response = client.post(f"/api/v1/credit-checks/{check.pk}/review/", {"approve": True, "reason": "mine"},
                               format="json")
        assert response.status_code == 422 and response.json()["code"] == "self_approval"


class TestLimits:
    def test_over_the_limit_is_escalated_and_the_escalation_role_approves(self, csr, supervisor):
        limits("50")
        check = referred(csr, "80")
        check = credit_check_review(check_id=check.pk, approve=True, reason="fine", actor=as_actor(supervisor))
        assert check.status == "pending_review" and check.approval_state == "escalated"
        assert referral(check).escalated_to_role == Role.ADMIN
        entry = HistoryEntry.objects.for_object(check).get(action="orders.credit_check.escalated")
        assert entry.reason == "review escalated to Admin" and entry.actor == supervisor
        with pytest.raises(ApplicationError):  # now for the escalation role only
            credit_check_review(check_id=check.pk, approve=True, reason="fine",
                                actor=as_actor(staff_user(Role.SUPERVISOR)))
        admin = staff_user(Role.ADMIN)
        credit_check_review(check_id=check.pk, approve=True, reason="covered", actor=as_actor(admin))
        check = CreditCheck.objects.get(pk=check.pk)
        assert (check.status, check.reviewed_by, check.review_reason) == ("approved", admin, "covered")

    def test_within_the_limit_is_approved(self, csr, supervisor):
        limits("100")
        check = referred(csr, "80")
        assert credit_check_review(check_id=check.pk, approve=True, reason="ok",
                                   actor=as_actor(supervisor)).status == "approved"

    def test_over_the_limit_without_escalation_is_refused(self, csr, supervisor):
        limits("50", escalate=False)
        check = referred(csr, "80")
        with pytest.raises(BusinessRuleViolation) as e:
            credit_check_review(check_id=check.pk, approve=True, reason="fine", actor=as_actor(supervisor))
        assert e.value.code == "over_limit" and "80.00 EUR exceeds the approval limit 50.00 EUR" in e.value.message
        assert CreditCheck.objects.get(pk=check.pk).status == "pending_review"
        # Declining needs no limit.
        credit_check_review(check_id=check.pk, approve=False, reason="no", actor=as_actor(supervisor))
        assert CreditCheck.objects.get(pk=check.pk).status == "declined"

    def test_portal_says_it_was_escalated(self, csr, supervisor):
        limits("50")
        check = referred(csr, "80")
        response = login(supervisor).post(f"/csr/orders/credit/{check.pk}/review/",
                                          {"decision": "approve", "reason": "fine", "next": QUEUE}, follow=True)
        html = response.content.decode()
        assert f"Credit check {check.pk} is above your approval limit: its review is escalated to Admin." in html
        assert "Escalated to Admin." in html  # the queue row, without a form for the Supervisor
        assert f'action="/csr/orders/credit/{check.pk}/review/"' not in html
        admin_html = login(staff_user(Role.ADMIN)).get(QUEUE).content.decode()
        assert f'action="/csr/orders/credit/{check.pk}/review/"' in admin_html


class TestQueueShowsApprovalRequests:
    def test_portal_queue(self, csr, supervisor):
        check = referred(csr)
        html = login(supervisor).get(QUEUE).content.decode()
        assert f"request {referral(check).pk} · pending" in html

    def test_api_queue_and_detail(self, csr, supervisor):
        check = referred(csr)
        client = APIClient()
        client.force_authenticate(supervisor)
        (row,) = client.get("/api/v1/credit-checks/queue/").json()["results"]
        assert (row["id"], row["approval_request"], row["approval_state"]) == (check.pk, referral(check).pk,
                                                                              "pending")
        client.post(f"/api/v1/credit-checks/{check.pk}/review/", {"approve": True, "reason": "ok"}, format="json")
        detail = client.get(f"/api/v1/credit-checks/{check.pk}/").json()
        assert (detail["status"], detail["approval_state"]) == ("approved", "approved")

    def test_the_supervisors_approvals_queue_holds_the_referral(self, csr, supervisor):
        check = referred(csr)
        assert list(approval_requests_pending_for(supervisor)) == [referral(check)]
        assert list(approval_requests_pending_for(csr)) == []

    def test_detail_history_shows_the_approval(self, csr, supervisor):
        check = referred(csr)
        credit_check_review(check_id=check.pk, approve=True, reason="ok", actor=as_actor(supervisor))
        html = login(supervisor).get(f"/csr/orders/credit/{check.pk}/").content.decode()
        assert "approvals.approval_request.approved" in html and "orders.credit_check.approved" in html
