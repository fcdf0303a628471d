"""Escalation steps: fired once each, recorded in history and the outbox; concurrent scans."""

import threading

import pytest
from django.db import connection, connections

from bss.audit.models import HistoryEntry
from bss.errors import DomainValidationError
from bss.events.models import Event
from bss.sla import services
from bss.sla.events import JEOPARDY_ALERT, SLA_ESCALATION
from bss.sla.models import Escalation, EscalationStep, SlaClock
from bss.sla.registry import register_clock_type
from bss.sla.services import EscalationStepInput as Step
from tests.factories import CustomerFactory

from .conftest import CLOCK_TYPE, SYSTEM, berlin

TUE_16 = berlin(2025, 3, 4, 16, 0)  # at risk from here (two business hours before the due date)
WED_9 = berlin(2025, 3, 5, 9, 0)  # due
A = EscalationStep.Action


@pytest.fixture
def policy(target):
    return services.sla_target_set_escalation_steps(target=target, actor=SYSTEM, steps=[
        Step(level=1, trigger="at_risk", action=A.NOTIFY_ROLE, role="Supervisor", message="Order at risk"),
        Step(level=2, trigger="breached", action=A.RAISE_PRIORITY, message="Overdue: raise the priority"),
        Step(level=3, trigger="breached", delay_minutes=60, action=A.NOTIFY_SUPERVISOR, role="Admin",
             message="Still overdue after an hour"),
    ])


def escalations():
    return list(Escalation.objects.order_by("level").values_list("level", flat=True))


def event_types():
    return list(Event.objects.order_by("pk").values_list("event_type", flat=True))


@pytest.mark.django_db
class TestEscalation:
    def test_each_step_fires_once_when_due(self, policy, customer, start, now):
        start()
        now.set(TUE_16)
        assert services.sla_scan()["escalations"] == 1
        assert escalations() == [1]
        assert services.sla_scan() == {"clocks": 0, "escalations": 0, "jeopardy_changes": 0, "failed": 0}
        SlaClock.objects.update(next_check_at=now.at)  # even when looked at again at the same moment
        assert services.sla_scan()["escalations"] == 0
        assert escalations() == [1]

        now.set(WED_9)
        services.sla_scan()
        assert escalations() == [1, 2]
        now.set(berlin(2025, 3, 5, 9, 59))
        services.sla_scan()
        assert escalations() == [1, 2]
        now.set(berlin(2025, 3, 5, 10, 0))  # 60 business minutes after the breach
        services.sla_scan()
        assert escalations() == [1, 2, 3]
        clock = SlaClock.objects.get()
        assert clock.escalation_level == 3 and clock.next_check_at is None  # nothing left to happen by itself
        assert event_types() == [et.name for et in (JEOPARDY_ALERT, SLA_ESCALATION, JEOPARDY_ALERT, SLA_ESCALATION,
                                                    SLA_ESCALATION)]

    def test_delays_after_a_breach_count_business_time(self, policy, customer, start, now):
        start(committed_at=berlin(2025, 3, 7, 16, 30))  # Friday 16:30
        now.set(berlin(2025, 3, 7, 16, 30))
        services.sla_scan()
        assert escalations() == [1, 2]
        assert SlaClock.objects.get().next_check_at == berlin(2025, 3, 10, 8, 30)  # Monday: 30 + 30 minutes
        now.set(berlin(2025, 3, 10, 8, 30))
        services.sla_scan()
        assert escalations() == [1, 2, 3]

    def test_a_late_scan_times_the_breach_from_the_due_date(self, policy, customer, start, now):
        start()
        now.set(berlin(2025, 3, 5, 10, 30))  # the scan ran late (workers down since Tuesday)
        assert services.sla_scan()["escalations"] == 3  # level 3 was due at 10:00 already
        assert SlaClock.objects.get().breached_at == WED_9

    def test_an_escalation_is_recorded_on_the_tracked_object_and_published(self, policy, customer, start, now):
        start()
        services.sla_clock_update_projection(obj=customer, clock_type=CLOCK_TYPE, actor=SYSTEM,
                                             projected_at=berlin(2025, 3, 5, 8, 0))  # fires level 1 at once
        fired = Escalation.objects.get()
        assert (fired.level, fired.trigger, fired.action, fired.role, fired.message) == (
            1, "at_risk", "notify_role", "Supervisor", "Order at risk")
        assert fired.due_at == WED_9 and fired.projected_at == berlin(2025, 3, 5, 8, 0) and fired.fired_at == now.at

        entry = HistoryEntry.objects.for_object(customer).get(action="sla.clock.escalated")
        assert entry.actor is None and entry.actor_label == "sla" and entry.channel == "system"
        assert entry.changes == {"escalation_level": [0, 1]}
        assert "escalated to level 1" in entry.reason and "Supervisor" in entry.reason and "Order at risk" in entry.reason

        event = Event.objects.get(event_type=SLA_ESCALATION)
        assert event.api == "sla" and event.resource_type == "slaClock"
        body = event.payload["event"]["slaClock"]
        assert body["trackedObject"] == {"id": str(customer.pk), "@referredType": "Customer", "name": str(customer)}
        assert body["clockType"] == CLOCK_TYPE and body["escalationLevel"] == 1
        assert body["dueDate"] == "2025-03-05T08:00:00.000Z"
        assert body["projectedCompletionDate"] == "2025-03-05T07:00:00.000Z"
        assert body["escalation"] == {"level": 1, "trigger": "at_risk", "action": "notify_role",
                                      "role": "Supervisor", "message": "Order at risk",
                                      "firedDate": "2025-03-03T08:00:00.000Z"}

    def test_the_tracked_objects_href_and_history_root_come_from_the_clock_type(self, policy, customer, start, now):
        register_clock_type(CLOCK_TYPE, referred_type="Customer", href=lambda c: f"/customers/{c.pk}",
                            history_root=lambda c: c.party)
        start()
        now.set(TUE_16)
        services.sla_scan()
        body = Event.objects.get(event_type=SLA_ESCALATION).payload["event"]["slaClock"]
        assert body["trackedObject"]["href"] == f"/customers/{customer.pk}"
        assert HistoryEntry.objects.for_root(customer.party).filter(action="sla.clock.escalated").exists()

    def test_steps_added_later_reach_running_clocks(self, target, customer, start, now):
        start()
        now.set(berlin(2025, 3, 5, 10, 0))
        services.sla_scan()
        assert SlaClock.objects.get().next_check_at is None
        services.sla_target_set_escalation_steps(target=target, actor=SYSTEM, steps=[
            Step(level=1, trigger="breached", role="Supervisor")])
        services.sla_scan()
        assert escalations() == [1]

    def test_a_fired_step_cannot_be_removed(self, policy, target, start, now):
        start()
        now.set(TUE_16)
        services.sla_scan()
        with pytest.raises(DomainValidationError):
            services.sla_target_set_escalation_steps(target=target, actor=SYSTEM, steps=[])
        kept = services.sla_target_set_escalation_steps(target=target, actor=SYSTEM, steps=[
            Step(level=1, trigger="at_risk", role="Supervisor", message="changed wording")])
        assert [s.level for s in kept] == [1] and Escalation.objects.get().step_id == kept[0].pk

    def test_notify_role_needs_a_role_and_levels_are_unique(self, target):
        with pytest.raises(DomainValidationError):
            services.sla_target_set_escalation_steps(target=target, actor=SYSTEM, steps=[
                Step(level=1, trigger="at_risk")])
        with pytest.raises(DomainValidationError):
            services.sla_target_set_escalation_steps(target=target, actor=SYSTEM, steps=[
                Step(level=1, trigger="at_risk", role="CSR"), Step(level=1, trigger="breached", role="CSR")])
        with pytest.raises(DomainValidationError):
            services.sla_target_set_escalation_steps(target=target, actor=SYSTEM, steps=[
                Step(level=1, trigger="whenever", role="CSR")])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks (SKIP LOCKED) need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_scans_fire_every_escalation_exactly_once(policy, start, now):
    """Two scans at the same moment, forced to overlap: each is inside its first batch (rows locked)
    when the other starts. Every clock is assessed once, every step fires once."""
    clocks = 12
    for _ in range(clocks):
        start(obj=CustomerFactory())
    overlap = threading.Barrier(2, timeout=10)
    seen = threading.local()

    def provider(obj, clock):
        if not getattr(seen, "waited", False):  # each scan's first clock waits for the other scan
            seen.waited = True
            overlap.wait()
        return None

    register_clock_type(CLOCK_TYPE, referred_type="Customer", projection=provider)
    now.set(TUE_16)
    results = [None, None]

    def scan(i):
        try:
            results[i] = services.sla_scan(batch_size=4)
        except Exception as e:  # noqa: BLE001 - reported by the assertions below
            results[i] = e
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(isinstance(r, dict) for r in results), results
    assert not overlap.broken  # the two scans really held their batches at the same time
    assert sum(r["clocks"] for r in results) == clocks and all(r["clocks"] for r in results)
    assert Escalation.objects.count() == clocks
    assert Event.objects.filter(event_type=SLA_ESCALATION).count() == clocks
    assert Event.objects.filter(event_type=JEOPARDY_ALERT).count() == clocks
    assert HistoryEntry.objects.filter(action="sla.clock.escalated").count() == clocks
