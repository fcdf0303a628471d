"""Approval requests: creation, the decision rules (role, no self-approval, reason), the handler and
event in the decision's transaction, cancel, and the queue selectors."""

from decimal import Decimal

import pytest

from bss.actors import Actor, Channel
from bss.approvals.events import APPROVAL_REQUEST_CREATE, APPROVAL_REQUEST_STATE_CHANGE
from bss.approvals.models import ApprovalRequest
from bss.approvals.selectors import (
    approval_can_decide,
    approval_request_for_subject,
    approval_requests_pending_for,
)
from bss.approvals.services import (
    ApproverRoleRequired,
    approval_approve,
    approval_cancel,
    approval_escalate,
    approval_policy_for,
    approval_reject,
    approval_request_create,
)
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError, BusinessRuleViolation, DomainValidationError
from bss.events.models import Event
from bss.roles import Role
from tests.factories import ApprovalPolicyFactory, staff_user

from .conftest import PAID, TYPE, as_actor, subject

pytestmark = pytest.mark.django_db
S = ApprovalRequest.State


def reload(request) -> ApprovalRequest:
    return ApprovalRequest.objects.get(pk=request.pk)


class TestCreate:
    def test_stored_with_history_and_event(self, recorder, csr):
        thing = subject()
        request = approval_request_create(approval_type=PAID, subject=thing, amount=Decimal("12.345"),
                                          currency="EUR", reason=" over the limit ", actor=as_actor(csr))
        request = reload(request)
        assert (request.state, request.subject, request.amount, request.currency) == (
            S.PENDING, thing, Decimal("12.35"), "EUR")
        assert (request.requested_by, request.reason, request.subject_repr) == (csr, "over the limit", str(thing))
        entry = HistoryEntry.objects.for_object(request).get()
        assert entry.action == "approvals.approval_request.created" and entry.reason == "over the limit"
        assert HistoryEntry.objects.for_root(thing).filter(pk=entry.pk).exists()  # on the subject's history
        event = Event.objects.get(event_type=APPROVAL_REQUEST_CREATE)
        body = event.payload["event"]["approvalRequest"]
        assert body["state"] == "pending" and body["amount"] == {"value": "12.35", "unit": "EUR"}
        assert recorder.calls == []  # the handler hears decisions, not requests

    @pytest.mark.parametrize("kwargs, field", [
        ({"reason": "  "}, "reason"),
        ({"approval_type": "no.such.type"}, "approval_type"),
        ({"amount": Decimal("5")}, "currency"),
        ({"amount": Decimal("-1"), "currency": "EUR"}, "amount"),
        ({"amount": 1.5, "currency": "EUR"}, "amount"),
        ({"amount": Decimal("1"), "currency": "ZZZ"}, "currency"),
        ({"approval_type": PAID}, "amount"),  # the policy says an amount applies
    ])
    def test_invalid_requests_are_refused(self, recorder, actor, kwargs, field):
        values = {"approval_type": TYPE, "subject": subject(), "reason": "why", "actor": actor, **kwargs}
        with pytest.raises(DomainValidationError) as e:
            approval_request_create(**values)
        assert field in e.value.field_errors
        assert not ApprovalRequest.objects.exists()

    def test_one_open_request_per_subject_and_type(self, recorder, actor, supervisor):
        thing = subject()
        first = approval_request_create(approval_type=TYPE, subject=thing, reason="a", actor=actor)
        with pytest.raises(ApplicationError) as e:
            approval_request_create(approval_type=TYPE, subject=thing, reason="b", actor=actor)
        assert e.value.status_code == 409 and e.value.extra == {"approval_request": first.pk}
        approval_reject(request_id=first.pk, reason="no", actor=as_actor(supervisor))
        approval_request_create(approval_type=TYPE, subject=thing, reason="again", actor=actor)  # decided: a new one


class TestApprove:
    def test_supervisor_approves_with_reason_history_event_and_handler(self, ask, recorder, supervisor):
        request = ask()
        approval_approve(request_id=request.pk, reason=" fine ", actor=as_actor(supervisor))
        request = reload(request)
        assert (request.state, request.decided_by, request.decision_reason) == (S.APPROVED, supervisor, "fine")
        assert request.decided_at is not None
        entry = HistoryEntry.objects.for_object(request).get(action="approvals.approval_request.approved")
        assert (entry.from_state, entry.to_state, entry.reason, entry.actor) == ("pending", "approved", "fine",
                                                                                 supervisor)
        assert Event.objects.filter(event_type=APPROVAL_REQUEST_STATE_CHANGE, resource_id=str(request.pk)).exists()
        assert recorder.calls == [(request.pk, "approved", supervisor, True)]

    def test_handler_failure_rolls_the_decision_back(self, ask, recorder, supervisor):
        request = ask()
        recorder.fail = ApplicationError("the subject moved on")
        with pytest.raises(ApplicationError, match="moved on"):
            approval_approve(request_id=request.pk, reason="ok", actor=as_actor(supervisor))
        assert reload(request).state == S.PENDING
        assert not HistoryEntry.objects.filter(action="approvals.approval_request.approved").exists()
        assert not Event.objects.filter(event_type=APPROVAL_REQUEST_STATE_CHANGE).exists()

    @pytest.mark.parametrize("role", [Role.CSR, Role.BILLING, Role.INTEGRATOR, Role.ADMIN])
    def test_approver_must_hold_the_role(self, ask, role):
        request = ask()
        with pytest.raises(ApproverRoleRequired) as e:
            approval_approve(request_id=request.pk, reason="ok", actor=as_actor(staff_user(role)))
        assert e.value.status_code == 403 and "Only Supervisor may approve" in e.value.message
        assert reload(request).state == S.PENDING

    def test_the_system_never_approves(self, ask):
        with pytest.raises(ApproverRoleRequired):
            approval_approve(request_id=ask().pk, reason="auto", actor=Actor.system())

    def test_no_self_approval(self, ask, supervisor):
        request = ask(by=supervisor)
        with pytest.raises(BusinessRuleViolation) as e:
            approval_approve(request_id=request.pk, reason="mine", actor=as_actor(supervisor))
        assert (e.value.status_code, e.value.code) == (422, "self_approval")
        assert reload(request).state == S.PENDING
        approval_approve(request_id=request.pk, reason="ok", actor=as_actor(staff_user(Role.SUPERVISOR)))
        assert reload(request).state == S.APPROVED

    def test_superuser_is_not_exempt_from_self_approval(self, ask):
        boss = staff_user(Role.SUPERVISOR, is_superuser=True)
        with pytest.raises(BusinessRuleViolation):
            approval_approve(request_id=ask(by=boss).pk, reason="mine", actor=as_actor(boss))

    @pytest.mark.parametrize("reason", ["", "   ", None])
    def test_a_reason_is_mandatory(self, ask, supervisor, reason):
        request = ask()
        for decide in (approval_approve, approval_reject, approval_cancel, approval_escalate):
            with pytest.raises(DomainValidationError) as e:
                decide(request_id=request.pk, reason=reason, actor=as_actor(supervisor))
            assert "reason" in e.value.field_errors
        assert reload(request).state == S.PENDING

    def test_deciding_twice_is_a_conflict(self, ask, supervisor):
        request = ask()
        approval_approve(request_id=request.pk, reason="ok", actor=as_actor(supervisor))
        for decide in (approval_approve, approval_reject):
            with pytest.raises(ApplicationError) as e:
                decide(request_id=request.pk, reason="again", actor=as_actor(staff_user(Role.SUPERVISOR)))
            assert e.value.status_code == 409 and e.value.extra["state"] == "approved"
        assert reload(request).decision_reason == "ok"


class TestRejectCancelEscalate:
    def test_reject(self, ask, recorder, supervisor):
        request = ask()
        approval_reject(request_id=request.pk, reason="not now", actor=as_actor(supervisor))
        request = reload(request)
        assert (request.state, request.decided_by, request.decision_reason) == (S.REJECTED, supervisor, "not now")
        assert recorder.calls == [(request.pk, "rejected", supervisor, True)]

    def test_reject_needs_the_role(self, ask, csr):
        with pytest.raises(ApproverRoleRequired):
            approval_reject(request_id=ask().pk, reason="no", actor=as_actor(staff_user(Role.CSR)))

    def test_requester_or_system_cancels_others_may_not(self, ask, csr, supervisor, recorder):
        request = ask(by=csr)
        with pytest.raises(ApproverRoleRequired):
            approval_cancel(request_id=request.pk, reason="mine now", actor=as_actor(supervisor))
        approval_cancel(request_id=request.pk, reason="not needed", actor=as_actor(csr))
        assert reload(request).state == S.CANCELLED and recorder.calls[-1][1] == "cancelled"
        other = ask()
        approval_cancel(request_id=other.pk, reason="subject closed", actor=Actor.system())
        assert reload(other).state == S.CANCELLED

    def test_manual_escalation_hands_over_to_the_escalation_role(self, ask, supervisor, recorder):
        request = ask("10")
        approval_escalate(request_id=request.pk, reason="above my pay grade", actor=as_actor(supervisor))
        request = reload(request)
        assert (request.state, request.escalated_to_role) == (S.ESCALATED, Role.ADMIN)
        assert recorder.calls[-1][1] == "escalated"
        with pytest.raises(ApproverRoleRequired):  # now only the escalation role decides
            approval_reject(request_id=request.pk, reason="no", actor=as_actor(staff_user(Role.SUPERVISOR)))
        approval_reject(request_id=request.pk, reason="no", actor=as_actor(staff_user(Role.ADMIN)))
        assert reload(request).state == S.REJECTED

    def test_escalation_needs_an_escalation_role(self, ask, supervisor):
        with pytest.raises(BusinessRuleViolation) as e:
            approval_escalate(request_id=ask().pk, reason="help", actor=as_actor(supervisor))
        assert e.value.code == "no_escalation"


class TestPolicyAndSelectors:
    def test_registered_defaults_and_a_configured_policy_overrides(self, recorder, ask, actor):
        assert approval_policy_for(TYPE).approver_roles == [Role.SUPERVISOR]
        ApprovalPolicyFactory(approval_type=TYPE, name="Things", approver_roles=[Role.BILLING])
        request = ask()
        with pytest.raises(ApproverRoleRequired):
            approval_approve(request_id=request.pk, reason="ok", actor=as_actor(staff_user(Role.SUPERVISOR)))
        approval_approve(request_id=request.pk, reason="ok", actor=as_actor(staff_user(Role.BILLING)))
        assert recorder.calls[-1][1] == "approved"  # the registered handler still runs

    def test_a_type_configured_only_as_data(self, actor, supervisor):
        ApprovalPolicyFactory(approval_type="internal_request", name="Internal request",
                                      approver_roles=[Role.SUPERVISOR])
        request = approval_request_create(approval_type="internal_request", subject=subject(), reason="laptop",
                                          actor=actor)
        approval_approve(request_id=request.pk, reason="ok", actor=as_actor(supervisor))
        assert reload(request).state == S.APPROVED

    def test_pending_for_a_user(self, ask, csr, supervisor):
        theirs = ask(by=csr)
        ask(by=supervisor)  # mine: not in my queue
        escalated = ask("5")
        approval_escalate(request_id=escalated.pk, reason="big", actor=as_actor(staff_user(Role.SUPERVISOR)))
        approved = ask()
        approval_approve(request_id=approved.pk, reason="ok", actor=as_actor(staff_user(Role.SUPERVISOR)))
        assert list(approval_requests_pending_for(supervisor)) == [theirs]  # not mine, not escalated, not decided
        admin = staff_user(Role.ADMIN)
        assert list(approval_requests_pending_for(admin)) == [escalated]
        assert list(approval_requests_pending_for(csr)) == []
        assert list(approval_requests_pending_for(supervisor, approval_type=PAID)) == []
        assert approval_can_decide(supervisor, theirs) and not approval_can_decide(csr, theirs)
        assert not approval_can_decide(supervisor, reload(escalated)) and approval_can_decide(admin, reload(escalated))

    def test_request_for_subject(self, recorder, actor, supervisor):
        thing = subject()
        assert approval_request_for_subject(thing, TYPE) is None
        request = approval_request_create(approval_type=TYPE, subject=thing, reason="a", actor=actor)
        assert approval_request_for_subject(thing, TYPE, open_only=True) == request
        approval_reject(request_id=request.pk, reason="no", actor=as_actor(supervisor))
        assert approval_request_for_subject(thing, TYPE, open_only=True) is None
        assert approval_request_for_subject(thing, TYPE) == request


def test_channel_is_recorded(ask, supervisor):
    request = ask()
    approval_approve(request_id=request.pk, reason="ok", actor=Actor(user=supervisor, channel=Channel.API))
    assert HistoryEntry.objects.for_object(request).get(action="approvals.approval_request.approved").channel == "api"
