"""Amount limits: per currency, per role or per user (the user's own wins), the bss.User fields,
escalation above the limit, and the cumulative limit per approver and period (also under real
concurrency on PostgreSQL)."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from bss.actors import Actor, Channel
from bss.approvals.models import ApprovalRequest, ApproverLimit
from bss.approvals.services import approval_approve, approval_limit_for, approver_limit_create, period_start
from bss.errors import ApplicationError, BusinessRuleViolation
from bss.roles import Role
from tests.factories import ApprovalPolicyFactory, staff_user

from .conftest import PAID, as_actor

pytestmark = pytest.mark.django_db
S = ApprovalRequest.State


def limit(max_amount, *, role="", user=None, currency="EUR", period="", period_limit=None, approval_type=PAID):
    return approver_limit_create(approval_type=approval_type, role=role, user=user, currency=currency,
                                 max_amount=Decimal(max_amount), period=period,
                                 period_limit=None if period_limit is None else Decimal(period_limit),
                                 actor=Actor.system())


def approve(request, user, reason="ok"):
    return approval_approve(request_id=request.pk, reason=reason, actor=as_actor(user))


def state(request) -> str:
    return ApprovalRequest.objects.get(pk=request.pk).state


class TestPerRequestLimit:
    def test_without_a_limit_in_the_currency_it_escalates(self, ask, supervisor):
        limit("1000", role=Role.SUPERVISOR, currency="GBP")
        request = approve(ask("10"), supervisor)
        assert (request.state, request.escalated_to_role) == (S.ESCALATED, Role.ADMIN)
        assert request.decided_by is None

    def test_within_the_role_limit(self, ask, supervisor):
        limit("100", role=Role.SUPERVISOR)
        assert approve(ask("100.00"), supervisor).state == S.APPROVED

    def test_over_the_limit_is_escalated_with_the_reason_recorded(self, ask, supervisor, recorder):
        limit("100", role=Role.SUPERVISOR)
        request = approve(ask("100.01"), supervisor, reason="looks fine")
        assert request.state == S.ESCALATED and recorder.calls[-1][1] == "escalated"
        from bss.audit.models import HistoryEntry

        entry = HistoryEntry.objects.for_object(request).get(action="approvals.approval_request.escalated")
        assert entry.reason == (f"100.01 EUR exceeds the approval limit 100.00 EUR of {supervisor.username}: "
                                f"escalated to Admin. looks fine")

    def test_escalated_request_is_approved_within_the_escalation_roles_limit(self, ask, supervisor):
        limit("100", role=Role.SUPERVISOR)
        limit("5000", role=Role.ADMIN)
        request = approve(ask("700"), supervisor)
        admin = staff_user(Role.ADMIN)
        assert approve(request, admin).state == S.APPROVED
        assert ApprovalRequest.objects.get(pk=request.pk).decided_by == admin

    def test_over_the_limit_without_escalation_is_refused(self, ask, supervisor):
        limit("100", role=Role.SUPERVISOR)
        limit("500", role=Role.ADMIN)
        request = approve(ask("700"), supervisor)  # escalated
        with pytest.raises(BusinessRuleViolation) as e:
            approve(request, staff_user(Role.ADMIN))
        assert (e.value.status_code, e.value.code) == (422, "over_limit")
        assert "700.00 EUR exceeds the approval limit 500.00 EUR" in e.value.message
        assert state(request) == S.ESCALATED

    def test_no_escalation_role_means_refused(self, ask, supervisor):

        ApprovalPolicyFactory(approval_type=PAID, name="Payment", approver_roles=[Role.SUPERVISOR],
                                      amount_applies=True)
        limit("100", role=Role.SUPERVISOR)
        request = ask("150")
        with pytest.raises(BusinessRuleViolation, match="exceeds the approval limit"):
            approve(request, supervisor)
        assert state(request) == S.PENDING

    def test_a_users_own_limit_overrides_the_roles(self, ask, supervisor):
        limit("100", role=Role.SUPERVISOR)
        limit("1000", user=supervisor)
        assert approve(ask("900"), supervisor).state == S.APPROVED
        cautious = staff_user(Role.SUPERVISOR)
        limit("10", user=cautious)
        assert approve(ask("50"), cautious).state == S.ESCALATED  # lower than the role's, and still wins

    def test_the_user_fields_are_a_general_limit(self, ask):
        boss = staff_user(Role.SUPERVISOR, approval_limit=Decimal("250"), approval_currency="EUR")
        limit("10", role=Role.SUPERVISOR)
        assert approve(ask("250"), boss).state == S.APPROVED
        assert approve(ask("250.01"), boss).state == S.ESCALATED
        assert approve(ask("5", currency="GBP"), boss).state == S.ESCALATED  # no GBP limit at all

    def test_the_most_generous_role_limit_applies(self, ask):
        both = staff_user(Role.SUPERVISOR)
        both.groups.add(*type(both.groups.first()).objects.filter(name=Role.ADMIN))
        limit("100", role=Role.SUPERVISOR)
        limit("900", role=Role.ADMIN)  # Admin is not an approver role of pending requests
        assert approval_limit_for(user=both, approval_type=PAID, currency="EUR",
                                  roles=[Role.SUPERVISOR]).max_amount == Decimal("100")

    def test_types_without_amounts_need_no_limit(self, ask, supervisor):
        assert approve(ask(), supervisor).state == S.APPROVED


class TestPeriodLimit:
    def test_cumulative_per_approver_and_day(self, ask, supervisor):
        limit("100", role=Role.SUPERVISOR, period="day", period_limit="150")
        assert approve(ask("100"), supervisor).state == S.APPROVED
        assert approve(ask("50"), supervisor).state == S.APPROVED  # exactly the period limit
        third = approve(ask("0.01"), supervisor)
        assert third.state == S.ESCALATED
        other = staff_user(Role.SUPERVISOR)  # each approver has their own total
        assert approve(ask("100"), other).state == S.APPROVED

    def test_refused_when_already_escalated(self, ask, supervisor):
        limit("100", role=Role.ADMIN, period="month", period_limit="100")
        admin = staff_user(Role.ADMIN)
        limit("0", role=Role.SUPERVISOR)
        first = approve(ask("80"), supervisor)
        second = approve(ask("30"), supervisor)
        assert approve(first, admin).state == S.APPROVED
        with pytest.raises(BusinessRuleViolation) as e:
            approve(second, admin)
        assert "would bring what" in e.value.message and "110.00 EUR, above the limit 100.00 EUR per month" in (
            e.value.message)

    def test_only_this_period_counts(self, ask, supervisor):
        limit("100", role=Role.SUPERVISOR, period="day", period_limit="100")
        first = approve(ask("100"), supervisor)
        ApprovalRequest.objects.filter(pk=first.pk).update(decided_at=period_start("day") - timedelta(seconds=1))
        assert approve(ask("100"), supervisor).state == S.APPROVED

    def test_other_currencies_and_types_do_not_count(self, ask, supervisor):
        limit("100", role=Role.SUPERVISOR, period="day", period_limit="100")
        limit("100", role=Role.SUPERVISOR, currency="GBP", period="day", period_limit="100")
        assert approve(ask("100"), supervisor).state == S.APPROVED
        assert approve(ask("100", currency="GBP"), supervisor).state == S.APPROVED
        assert approve(ask(), supervisor).state == S.APPROVED  # no amount, other type

    @pytest.mark.parametrize("period, start", [
        ("day", lambda d: d.replace(hour=0, minute=0, second=0, microsecond=0)),
        ("week", lambda d: (d - timedelta(days=d.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)),
        ("month", lambda d: d.replace(day=1, hour=0, minute=0, second=0, microsecond=0)),
    ])
    def test_period_start(self, period, start):
        now = timezone.localtime()
        assert period_start(period, now) == start(now)


class TestLimitConfiguration:
    @pytest.mark.parametrize("kwargs, field", [
        ({"role": Role.SUPERVISOR, "period": "day"}, "period_limit"),
        ({"role": Role.SUPERVISOR, "period_limit": "5"}, "period_limit"),
        ({"role": "", "user": None}, "role"),
        ({"role": "Nobody"}, "role"),
        ({"role": Role.SUPERVISOR, "currency": "ZZZ"}, "currency"),
        ({"role": Role.SUPERVISOR, "approval_type": "no.such"}, "approval_type"),
    ])
    def test_invalid_limits(self, recorder, kwargs, field):
        from bss.errors import DomainValidationError

        with pytest.raises(DomainValidationError) as e:
            limit("10", **kwargs)
        assert field in e.value.field_errors

    def test_one_limit_per_role_type_and_currency(self, recorder):
        from bss.errors import DomainValidationError

        limit("10", role=Role.SUPERVISOR)
        with pytest.raises(DomainValidationError):
            limit("20", role=Role.SUPERVISOR)
        limit("20", role=Role.SUPERVISOR, currency="GBP")
        assert ApproverLimit.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row and advisory locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
class TestConcurrency:
    def run_together(self, calls):
        barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

        def run(i, fn):
            try:
                barrier.wait()
                results[i] = fn()
            except Exception as e:  # noqa: BLE001 - the loser's error is the result
                results[i] = e
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        return results

    def test_two_approvals_cannot_both_squeeze_under_the_period_limit(self, ask, recorder):

        ApprovalPolicyFactory(approval_type=PAID, name="Payment", approver_roles=[Role.SUPERVISOR],
                                      amount_applies=True)  # no escalation: the loser is refused
        boss = staff_user(Role.SUPERVISOR)
        limit("100", user=boss, period="day", period_limit="100")
        first, second = ask("60"), ask("60")
        recorder.sleep = 0.5  # each approval holds its transaction open a while after checking
        actor = Actor(user=boss, channel=Channel.API, label=boss.username)
        results = self.run_together([
            lambda: approval_approve(request_id=first.pk, reason="a", actor=actor).state,
            lambda: approval_approve(request_id=second.pk, reason="b", actor=actor).state,
        ])
        assert sorted(r if isinstance(r, str) else type(r).__name__ for r in results) == [
            "BusinessRuleViolation", "approved"], results
        assert ApprovalRequest.objects.filter(state=S.APPROVED).count() == 1
        loser = next(r for r in results if isinstance(r, BusinessRuleViolation))
        assert loser.code == "over_limit" and "120.00 EUR, above the limit 100.00 EUR per day" in loser.message

    def test_two_deciders_on_one_request_one_wins(self, ask, recorder):
        request = ask()
        recorder.sleep = 0.3
        a, b = staff_user(Role.SUPERVISOR), staff_user(Role.SUPERVISOR)
        results = self.run_together([
            lambda: approval_approve(request_id=request.pk, reason="yes", actor=as_actor(a)).state,
            lambda: approval_approve(request_id=request.pk, reason="yes", actor=as_actor(b)).state,
        ])
        assert results.count("approved") == 1
        loser = next(r for r in results if r != "approved")
        assert isinstance(loser, ApplicationError) and loser.status_code == 409
