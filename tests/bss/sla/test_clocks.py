"""SLA clocks: due dates from targets or committed dates, pauses, jeopardy status, stopping."""

from datetime import UTC, date, datetime, timedelta

import pytest

from bss.audit.models import HistoryEntry
from bss.errors import DomainValidationError
from bss.events.models import Event
from bss.sla import services
from bss.sla.events import JEOPARDY_ALERT
from bss.sla.models import SlaClock, SlaPause, TimeBasis
from bss.sla.registry import register_clock_type
from tests.factories import CustomerFactory

from .conftest import CLOCK_TYPE, SYSTEM, berlin

pytestmark = pytest.mark.django_db
S, J = SlaClock.State, SlaClock.Jeopardy
WED_9 = berlin(2025, 3, 5, 9, 0)  # Monday 09:00 + 16 business hours


def op(name, customer, **kw):
    return getattr(services, f"sla_clock_{name}")(obj=customer, clock_type=CLOCK_TYPE, actor=SYSTEM, **kw)


class TestStart:
    def test_due_date_is_the_targets_duration_in_business_time(self, target, start):
        c = start()
        assert c.state == S.RUNNING and c.target == target and c.time_basis == TimeBasis.BUSINESS
        assert c.started_at == berlin(2025, 3, 3, 9, 0)
        assert c.target_due_at == WED_9 and c.due_at == WED_9
        assert c.jeopardy_status == J.ON_TRACK

    def test_an_explicit_committed_date_wins_over_the_target(self, target, start):
        committed = berlin(2025, 3, 4, 12, 0)
        c = start(committed_at=committed)
        assert c.committed_at == committed and c.due_at == committed
        assert c.target_due_at == WED_9  # still known, e.g. for reports
        assert c.jeopardy_margin_minutes == 120  # the target's margin applies to the committed date

    def test_a_committed_date_without_any_target(self, start):
        c = start(committed_at=berlin(2025, 3, 10, 17, 0))
        assert c.target is None and c.due_at == berlin(2025, 3, 10, 17, 0) and c.time_basis == TimeBasis.CALENDAR

    def test_the_most_specific_target_is_used(self, target, office, start):
        urgent = services.sla_target_create(name="Urgent", clock_type=CLOCK_TYPE, priority="high", duration_minutes=240,
                                            calendar=office, actor=SYSTEM)
        step = services.sla_target_create(name="Ack", clock_type=CLOCK_TYPE, step="acknowledged",
                                          duration_minutes=60, calendar=office, actor=SYSTEM)
        assert start(qualifiers={"priority": "high"}).target == urgent
        assert start(obj=CustomerFactory(), qualifiers={"priority": "low"}).target == target
        ack = start(step="acknowledged")
        assert ack.target == step and ack.due_at == berlin(2025, 3, 3, 10, 0)

    def test_unknown_clock_types_steps_and_qualifiers_are_refused(self, target, customer, start):
        with pytest.raises(DomainValidationError) as refused:
            services.sla_clock_start(obj=customer, clock_type="nobody.nothing", actor=SYSTEM)
        assert "Unknown clock type" in refused.value.field_errors["clock_type"][0]
        with pytest.raises(DomainValidationError):
            start(step="teleported")
        with pytest.raises(DomainValidationError):
            start(qualifiers={"colour": "red"})
        assert not SlaClock.objects.exists()

    def test_starting_twice_returns_the_open_clock_and_a_closed_one_can_be_restarted(self, target, customer,
                                                                                        start):
        first = start()
        assert start().pk == first.pk
        op("stop", customer)
        assert start().pk != first.pk
        assert SlaClock.objects.filter(object_id=str(customer.pk)).count() == 2

    def test_calendar_time_target(self, office, start):
        services.sla_target_create(name="24h", clock_type=CLOCK_TYPE, duration_minutes=24 * 60,
                                   time_basis=TimeBasis.CALENDAR, actor=SYSTEM)
        assert start().due_at == berlin(2025, 3, 4, 9, 0)

    def test_regional_and_national_holidays_move_the_due_date(self, target, start):
        services.holiday_create(date=date(2025, 3, 4), name="Bavarian day", region="DE-BY", actor=SYSTEM)
        services.holiday_create(date=date(2025, 3, 5), name="Berlin day", region="DE-BE", actor=SYSTEM)  # not ours
        c = start()
        assert c.due_at == berlin(2025, 3, 6, 9, 0)  # Tuesday off in Bavaria
        services.holiday_create(date=date(2025, 3, 5), name="National day", region="", actor=SYSTEM)
        assert start(obj=CustomerFactory()).due_at == berlin(2025, 3, 7, 9, 0)

    def test_history_of_the_clock_shows_on_the_tracked_object(self, target, customer, start):
        start()
        entry = HistoryEntry.objects.for_root(customer).get(action="sla.clock.started")
        assert entry.channel == "system"


class TestPause:
    def test_paused_time_does_not_count(self, target, customer, start, now):
        start()
        now.set(berlin(2025, 3, 3, 10, 0))
        paused = op("pause", customer, reason="waiting on the customer's documents")
        assert paused.state == S.PAUSED
        now.set(berlin(2025, 3, 4, 10, 0))  # one business day (8 h) later
        resumed = op("resume", customer)
        assert resumed.state == S.RUNNING
        assert resumed.due_at == berlin(2025, 3, 6, 9, 0)  # Wednesday 09:00 + 8 business hours
        assert resumed.committed_at is None and resumed.target_due_at == WED_9
        pause = SlaPause.objects.get(clock=resumed)
        assert pause.reason == "waiting on the customer's documents" and pause.resumed_at == now.at
        entries = HistoryEntry.objects.for_root(customer).filter(action__in=["sla.clock.paused", "sla.clock.resumed"])
        assert sorted(e.action for e in entries) == ["sla.clock.paused", "sla.clock.resumed"]
        assert entries.get(action="sla.clock.paused").reason == "waiting on the customer's documents"

    def test_a_pause_outside_working_hours_moves_nothing(self, target, customer, start, now):
        start()
        now.set(berlin(2025, 3, 3, 17, 30))
        op("pause", customer, reason="customer asked to wait")
        now.set(berlin(2025, 3, 4, 7, 30))
        assert op("resume", customer).due_at == WED_9

    def test_a_pause_moves_a_committed_date_too(self, target, customer, start, now):
        start(committed_at=berlin(2025, 3, 4, 17, 0))
        now.set(berlin(2025, 3, 4, 9, 0))
        op("pause", customer, reason="site not ready")
        now.set(berlin(2025, 3, 4, 11, 0))
        c = op("resume", customer)
        assert c.committed_at == berlin(2025, 3, 4, 17, 0) and c.due_at == berlin(2025, 3, 5, 10, 0)

    def test_a_paused_clock_is_not_assessed_and_finishing_while_paused_is_met(self, target, customer, start, now):
        start()
        now.set(berlin(2025, 3, 3, 10, 0))
        op("pause", customer, reason="waiting on the customer")
        now.set(berlin(2025, 3, 10, 9, 0))  # long past the original due date
        services.sla_scan()
        assert SlaClock.objects.get().jeopardy_status == J.ON_TRACK
        assert op("stop", customer, completed=True).state == S.MET

    def test_a_pause_needs_a_reason_and_calls_without_a_clock_are_no_ops(self, target, customer, start):
        with pytest.raises(DomainValidationError):
            op("pause", customer, reason=" ")
        assert op("pause", customer, reason="x") is None
        assert op("resume", customer) is None
        assert op("stop", customer) is None
        assert op("update_projection", customer, projected_at=WED_9) is None
        start()
        assert op("resume", customer).state == S.RUNNING  # already running: unchanged


class TestJeopardy:
    def test_at_risk_when_no_more_than_the_margin_is_left(self, target, customer, start, now):
        c = start()
        # Two business hours before Wednesday 09:00 is Tuesday 16:00 (Wed 08-09 + Tue 16-17).
        assert c.next_check_at == berlin(2025, 3, 4, 16, 0)
        now.set(berlin(2025, 3, 4, 15, 59))
        services.sla_scan()
        assert SlaClock.objects.get().jeopardy_status == J.ON_TRACK
        now.set(berlin(2025, 3, 4, 16, 0))
        services.sla_scan()
        c = SlaClock.objects.get()
        assert c.jeopardy_status == J.AT_RISK and c.at_risk_since == now.at
        assert c.next_check_at == WED_9
        entry = HistoryEntry.objects.for_object(customer).get(action="sla.clock.jeopardy_changed")
        assert entry.changes == {"jeopardy_status": ["on_track", "at_risk"]} and entry.actor_label == "sla"
        event = Event.objects.get(event_type=JEOPARDY_ALERT)
        body = event.payload["event"]["slaClock"]
        assert body["jeopardyStatus"] == "at_risk" and body["dueDate"] == "2025-03-05T08:00:00.000Z"
        assert body["trackedObject"] == {"id": str(customer.pk), "@referredType": "Customer", "name": str(customer)}

    def test_a_projection_within_the_margin_is_at_risk_at_once(self, target, customer, start, now):
        start()
        c = op("update_projection", customer, projected_at=berlin(2025, 3, 5, 8, 0))  # 1 h before due
        assert c.jeopardy_status == J.AT_RISK and c.projected_at == berlin(2025, 3, 5, 8, 0)
        c = op("update_projection", customer, projected_at=berlin(2025, 3, 4, 9, 0))
        assert c.jeopardy_status == J.ON_TRACK and c.at_risk_since is None
        c = op("update_projection", customer, projected_at=berlin(2025, 3, 7, 9, 0))  # later than due
        assert c.jeopardy_status == J.AT_RISK
        assert Event.objects.filter(event_type=JEOPARDY_ALERT).count() == 3

    def test_a_projection_provider_registered_by_the_app(self, target, customer, start, now):
        register_clock_type(CLOCK_TYPE, referred_type="Customer",
                            projection=lambda obj, clock: berlin(2025, 3, 5, 8, 30) if obj.pk == customer.pk else None)
        other = CustomerFactory()
        start()
        start(obj=other)
        assert SlaClock.objects.get(object_id=str(customer.pk)).jeopardy_status == J.AT_RISK
        assert SlaClock.objects.get(object_id=str(other.pk)).jeopardy_status == J.ON_TRACK

    def test_overdue_is_in_jeopardy_and_completion_after_the_due_date_is_breached(self, target, customer, start,
                                                                                  now):
        start()
        now.set(WED_9)
        services.sla_scan()
        c = SlaClock.objects.get()
        assert c.jeopardy_status == J.IN_JEOPARDY and c.breached_at == WED_9 and c.state == S.RUNNING
        now.advance(hours=1)
        c = op("stop", customer, completed=True)
        assert c.state == S.BREACHED and c.stopped_at == now.at and c.next_check_at is None

    def test_completion_by_the_due_date_is_met_and_cancelled_work_stopped(self, target, customer, start, now):
        start()
        now.set(WED_9)
        assert op("stop", customer, completed=True).state == S.MET
        other = CustomerFactory()
        start(obj=other)
        assert op("stop", other, completed=False, reason="order cancelled").state == S.STOPPED
        assert HistoryEntry.objects.for_root(other).filter(action="sla.clock.stopped").exists()

    def test_a_renegotiated_committed_date_brings_it_back_on_track(self, target, customer, start, now):
        start()
        now.set(berlin(2025, 3, 5, 10, 0))
        services.sla_scan()
        assert SlaClock.objects.get().jeopardy_status == J.IN_JEOPARDY
        c = op("set_committed", customer, committed_at=berlin(2025, 3, 12, 17, 0), reason="customer agreed")
        assert c.due_at == berlin(2025, 3, 12, 17, 0) and c.jeopardy_status == J.ON_TRACK and c.breached_at is None

    def test_naive_dates_are_refused(self, target, customer, start):
        with pytest.raises(DomainValidationError):
            start(committed_at=datetime(2025, 3, 4, 12, 0))
        start()
        with pytest.raises(DomainValidationError):
            op("update_projection", customer, projected_at=datetime(2025, 3, 4, 12, 0))

    def test_the_scan_looks_only_at_clocks_that_are_due_for_a_look(self, target, start, now,
                                                                    django_assert_max_num_queries):
        for _ in range(20):
            start(obj=CustomerFactory())
        assert services.sla_scan()["clocks"] == 0  # nothing can have changed yet
        now.set(berlin(2025, 3, 4, 16, 0))
        # per clock: savepoint, history, event, save, release; once: whether a /hub listener exists (bss.events)
        with django_assert_max_num_queries(20 * 5 + 13):
            totals = services.sla_scan()
        assert totals == {"clocks": 20, "escalations": 0, "jeopardy_changes": 20, "failed": 0}
        assert services.sla_scan()["clocks"] == 0

    def test_a_failing_provider_does_not_stop_the_scan(self, target, customer, start, now):
        def provider(obj, clock):
            if obj.pk == customer.pk:
                raise RuntimeError("projection service down")
            return None

        start()
        start(obj=CustomerFactory())
        register_clock_type(CLOCK_TYPE, projection=provider)
        now.set(berlin(2025, 3, 4, 16, 0))
        totals = services.sla_scan()
        assert totals["failed"] == 1 and totals["jeopardy_changes"] == 1
        broken = SlaClock.objects.get(object_id=str(customer.pk))
        assert broken.next_check_at == now.at + timedelta(minutes=5)


def test_the_scan_defaults_to_the_controlled_clock(target, start, now):
    start()
    now.set(datetime(2025, 3, 5, 8, 0, tzinfo=UTC))  # = 09:00 Berlin, the due date
    services.sla_scan()
    assert SlaClock.objects.get().jeopardy_status == SlaClock.Jeopardy.IN_JEOPARDY
