"""The set-based scan: clocks on elapsed time move in bulk SQL and give the same statuses, escalations,
history and events as the per-clock path; repeating it changes nothing; concurrent scans share the work."""

import random
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from bss.audit.models import HistoryEntry
from bss.events.models import Event
from bss.events.services import _hub_listened
from bss.sla import services
from bss.sla.events import JEOPARDY_ALERT, SLA_ESCALATION
from bss.sla.models import Escalation, EscalationStep, SlaClock, TimeBasis
from bss.sla.registry import register_clock_type
from bss.sla.services import EscalationStepInput as Step
from customers.models import Customer
from tests.factories import CustomerFactory

from .conftest import CLOCK_TYPE, SYSTEM, berlin

A = EscalationStep.Action
START = berlin(2025, 3, 3, 9, 0)  # the frozen "now" of the conftest


def policy(target, *, at_risk_delay=30, breached_delay=60):
    """Notify the assignee, then the supervisor, raise the priority, then tell the admins."""
    return services.sla_target_set_escalation_steps(target=target, actor=SYSTEM, steps=[
        Step(level=1, trigger="at_risk", action=A.NOTIFY_ROLE, role="Assignee", message="At risk"),
        Step(level=2, trigger="at_risk", delay_minutes=at_risk_delay, action=A.NOTIFY_SUPERVISOR,
             role="Supervisor", message="Still at risk"),
        Step(level=3, trigger="breached", action=A.RAISE_PRIORITY, message="Overdue: raise the priority"),
        Step(level=4, trigger="breached", delay_minutes=breached_delay, action=A.NOTIFY_ROLE, role="Admin"),
    ])


@pytest.fixture
def calendar_target(db, now):
    """8 hours of elapsed time, at risk 2 hours before the due date."""
    target = services.sla_target_create(name="Orders", clock_type=CLOCK_TYPE, duration_minutes=8 * 60,
                                        time_basis=TimeBasis.CALENDAR, jeopardy_margin_minutes=120, actor=SYSTEM)
    policy(target)
    return target


@pytest.fixture
def always_open_target(db, now):
    """Business time on a 24x7 calendar is elapsed time too (priority 'urgent')."""
    cal = services.business_calendar_create(name="NOC 24x7", always_open=True, actor=SYSTEM)
    target = services.sla_target_create(name="Urgent orders", clock_type=CLOCK_TYPE, priority="urgent",
                                        duration_minutes=4 * 60, calendar=cal, jeopardy_margin_minutes=45,
                                        actor=SYSTEM)
    policy(target, at_risk_delay=15, breached_delay=20)
    return target


@pytest.fixture
def business_target(office, now):
    """A business-time target (office hours): the per-clock path in both modes (step 'inProgress')."""
    target = services.sla_target_create(name="Work", clock_type=CLOCK_TYPE, step="inProgress",
                                        duration_minutes=6 * 60, calendar=office, jeopardy_margin_minutes=60,
                                        actor=SYSTEM)
    policy(target)
    return target


def start_clock(*, obj=None, **kw):
    return services.sla_clock_start(obj=obj or CustomerFactory(), clock_type=CLOCK_TYPE, actor=SYSTEM, **kw)


def mixed_clocks():
    """Calendar time with and without committed dates and projections, a 24x7 business calendar,
    no target at all, and one business-time clock (left to the per-clock path)."""
    start_clock()  # due at 17:00 (8 h)
    start_clock(committed_at=START + timedelta(hours=1))  # at risk at once (start assesses it)
    start_clock(committed_at=START + timedelta(hours=3))
    start_clock(committed_at=START + timedelta(hours=3, minutes=40))
    late = start_clock(committed_at=START + timedelta(days=2))
    services.sla_clock_update_projection(obj=services_obj(late), clock_type=CLOCK_TYPE, actor=SYSTEM,
                                         projected_at=START + timedelta(days=2, hours=5))  # at risk by projection
    early = start_clock(committed_at=START + timedelta(hours=6))
    services.sla_clock_update_projection(obj=services_obj(early), clock_type=CLOCK_TYPE, actor=SYSTEM,
                                         projected_at=START + timedelta(hours=1))
    start_clock(qualifiers={"priority": "urgent"})  # 24x7 calendar: due at 13:00
    start_clock(qualifiers={"priority": "urgent"}, committed_at=START + timedelta(minutes=50))
    start_clock(step="acknowledged", committed_at=START + timedelta(hours=2))  # no target: no margin, no steps
    start_clock(step="inProgress")  # business time


def services_obj(clock):
    return clock.tracked_object


SCAN_TIMES = [timedelta(minutes=m) for m in (5, 20, 50, 65, 70, 100, 130, 180, 200, 220, 241, 260, 300, 420,
                                             481, 545, 600)] + [timedelta(days=2, hours=h) for h in (1, 2, 3)]


def state():
    """Everything a scan writes, without ids, moments of the wall clock and random event ids."""
    clocks = list(SlaClock.objects.order_by("pk").values_list(
        "pk", "state", "jeopardy_status", "at_risk_since", "breached_at", "escalation_level", "next_check_at",
        "due_at", "projected_at"))
    escalations = list(Escalation.objects.order_by("pk").values_list(
        "clock_id", "step_id", "level", "trigger", "action", "role", "message", "fired_at", "due_at", "projected_at"))
    history = list(HistoryEntry.objects.order_by("pk").values_list(
        "content_type_id", "object_id", "object_repr", "root_content_type_id", "root_object_id", "action", "changes",
        "reason", "from_state", "to_state", "actor_id", "actor_label", "channel"))
    events = []
    for e in Event.objects.order_by("pk"):
        body = dict(e.payload)
        assert body.pop("eventId") == str(e.event_id) and body.pop("eventTime")
        events.append((e.event_type, e.api, e.resource_type, e.resource_id, body))
    # In the order written for each clock (the per-clock path takes business-time clocks in between
    # the others, the set-based scan after them).
    return {"clocks": clocks, "escalations": sorted(escalations, key=lambda r: r[0]),
            "history": sorted(history, key=lambda r: (r[0], r[1])), "events": sorted(events, key=lambda r: r[3])}


def run_scans(now, times, *, set_based, evaluated=None):
    """Scan at each moment; the state after each scan. Rolled back afterwards."""
    out = []
    with transaction.atomic():
        for delta in times:
            now.set(START + delta)
            totals = services.sla_scan(set_based=set_based, set_batch_size=3)
            out.append((delta, totals, state()))
        transaction.set_rollback(True)
    return out


@pytest.fixture
def evaluated(monkeypatch):
    """The clocks the per-clock path assessed during scans."""
    seen = []
    real = services._evaluate

    def spy(clock, **kw):
        seen.append(clock.pk)
        return real(clock, **kw)

    monkeypatch.setattr(services, "_evaluate", spy)
    return seen


@pytest.mark.django_db
class TestSameAsPerClock:
    def test_statuses_escalations_history_and_events_are_those_of_the_per_clock_path(
            self, calendar_target, always_open_target, business_target, now, evaluated):
        mixed_clocks()
        business = SlaClock.objects.get(step="inProgress").pk
        evaluated.clear()
        per_clock = run_scans(now, SCAN_TIMES, set_based=False)
        assert set(evaluated) == set(SlaClock.objects.values_list("pk", flat=True))
        evaluated.clear()
        set_based = run_scans(now, SCAN_TIMES, set_based=True)
        assert set(evaluated) == {business}  # everything else moved in SQL
        for (at, totals_a, a), (_, totals_b, b) in zip(per_clock, set_based, strict=True):
            assert totals_a == totals_b, at
            for part in a:
                assert a[part] == b[part], (at, part)
        final = set_based[-1][2]
        assert {c[2] for c in final["clocks"]} == {"in_jeopardy"}
        assert len(final["escalations"]) == 9 * 4  # every step of the 9 clocks with a target

    @pytest.mark.parametrize("seed", range(6))
    def test_random_clocks_and_scan_moments(self, calendar_target, always_open_target, now, seed):
        rng = random.Random(seed)
        for _ in range(14):
            kind = rng.choice(["target", "committed", "urgent", "none", "projected"])
            committed = START + timedelta(minutes=rng.randrange(-60, 600))
            if kind == "target":
                start_clock()
            elif kind == "committed":
                start_clock(committed_at=committed)
            elif kind == "urgent":
                start_clock(qualifiers={"priority": "urgent"}, committed_at=rng.choice([None, committed]))
            elif kind == "none":
                start_clock(step="acknowledged", committed_at=committed)
            else:
                clock = start_clock(committed_at=committed)
                services.sla_clock_update_projection(
                    obj=clock.tracked_object, clock_type=CLOCK_TYPE, actor=SYSTEM,
                    projected_at=committed + timedelta(minutes=rng.randrange(-300, 300)))
        times = sorted({timedelta(minutes=rng.randrange(1, 900)) for _ in range(12)})
        per_clock, set_based = run_scans(now, times, set_based=False), run_scans(now, times, set_based=True)
        assert per_clock == set_based
        assert any(totals["escalations"] for _, totals, _ in set_based)

    def test_a_clock_put_back_on_track_by_a_later_due_date(self, calendar_target, now):
        """A configuration change rechecks clocks whose due date moved: in jeopardy back to on track."""
        clock = start_clock(committed_at=START + timedelta(hours=1))
        now.set(START + timedelta(hours=2))
        assert services.sla_scan()["jeopardy_changes"] == 1
        SlaClock.objects.filter(pk=clock.pk).update(due_at=START + timedelta(days=3), next_check_at=now.at)
        with transaction.atomic():
            per_clock = (services.sla_scan(set_based=False), state())
            transaction.set_rollback(True)
        assert (services.sla_scan(), state()) == per_clock
        clock = SlaClock.objects.get(pk=clock.pk)
        assert (clock.jeopardy_status, clock.at_risk_since, clock.breached_at) == ("on_track", None, None)
        assert clock.next_check_at == START + timedelta(days=3, hours=-2)


@pytest.mark.django_db
class TestRepeatable:
    def test_a_second_run_at_the_same_moment_changes_nothing(self, calendar_target, always_open_target, now):
        mixed_clocks()
        now.set(START + timedelta(hours=3))
        first = services.sla_scan()
        assert first["jeopardy_changes"] and first["escalations"]
        after = state()
        assert services.sla_scan() == {"clocks": 0, "escalations": 0, "jeopardy_changes": 0, "failed": 0}
        assert state() == after
        SlaClock.objects.filter(state="running").update(next_check_at=now.at)  # even when all are looked at again
        again = services.sla_scan()
        assert again["clocks"] == SlaClock.objects.filter(state="running").count()
        assert (again["jeopardy_changes"], again["escalations"], again["failed"]) == (0, 0, 0)
        assert state() == after

    def test_the_queries_do_not_grow_with_the_clocks(self, calendar_target, customer, now):
        """One statement per batch, one INSERT each for history and events; the tracked objects
        loaded with the fields and relations (here customer.party) the clock type reads, learned
        on one of them: the same queries for 10 clocks as for 40."""
        register_clock_type(CLOCK_TYPE, referred_type="Customer", href=lambda c: f"/customers/{c.pk}",
                            history_root=lambda c: c.party)
        for n, due in ((10, timedelta(hours=1, minutes=30)), (40, timedelta(days=1))):
            for _ in range(n):
                start_clock(committed_at=START + due)
        counts = []
        for n, due in ((10, timedelta(hours=1, minutes=30)), (40, timedelta(days=1))):
            now.set(START + due)  # n clocks breach: n changes, 2n escalations
            _hub_listened.clear()  # both runs ask whether a /hub listener exists (the answer is cached 2 s)
            with CaptureQueriesContext(connection) as queries:
                totals = services.sla_scan()
            assert totals == {"clocks": n, "escalations": 2 * n, "jeopardy_changes": n, "failed": 0}
            counts.append(len(queries))
            now.advance(hours=2)
            services.sla_scan()  # level 4, an hour after the breach
        assert counts[0] == counts[1] <= 16, "\n".join(q["sql"][:150] for q in queries)
        entry = HistoryEntry.objects.filter(action="sla.clock.escalated").last()
        party = SlaClock.objects.get(object_id=entry.object_id).tracked_object.party
        assert (entry.root_content_type.model, entry.root_object_id) == ("party", str(party.pk))
        body = Event.objects.filter(event_type=SLA_ESCALATION.name).last().payload["event"]["slaClock"]
        assert body["trackedObject"]["href"] == f"/customers/{entry.object_id}"
        assert body["trackedObject"]["name"] == str(Customer.objects.get(pk=entry.object_id))

    def test_events_are_fanned_out_after_commit(self, calendar_target, now, on_commit):
        for _ in range(3):
            start_clock(committed_at=START + timedelta(hours=1))
        now.set(START + timedelta(hours=1))
        before = Event.objects.order_by("pk").last().pk
        with on_commit(execute=True):
            services.sla_scan()
        scanned = Event.objects.filter(pk__gt=before)
        assert scanned.filter(event_type=JEOPARDY_ALERT.name).count() == 3
        assert scanned.filter(event_type=SLA_ESCALATION.name).count() == 6  # L2 and L3 of each
        assert not scanned.filter(fanned_out_at__isnull=True).exists()

    def test_a_failing_batch_falls_back_to_the_per_clock_path(self, calendar_target, now):
        bad = CustomerFactory()

        def href(c):
            if c.pk == bad.pk:
                raise RuntimeError("href broken for this one")
            return f"/customers/{c.pk}"

        start_clock(obj=bad, committed_at=START + timedelta(hours=1))
        for _ in range(3):
            start_clock(committed_at=START + timedelta(hours=1))
        register_clock_type(CLOCK_TYPE, referred_type="Customer", href=href)
        now.set(START + timedelta(hours=1))
        totals = services.sla_scan()
        assert totals == {"clocks": 4, "escalations": 6, "jeopardy_changes": 3, "failed": 1}
        broken = SlaClock.objects.get(object_id=str(bad.pk))
        assert broken.jeopardy_status == "at_risk" and broken.next_check_at == now.at + timedelta(minutes=5)
        assert Escalation.objects.filter(clock=broken).count() == 1  # L1 from the start, nothing since
        assert SlaClock.objects.filter(jeopardy_status="in_jeopardy").count() == 3

    def test_the_statement_can_use_the_scan_index(self, calendar_target, now):
        start_clock()
        params = services.set_scan_parameters(now=now.at, limit=10)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + services.set_scan_statement(), params)
            plan = "\n".join(r[0] for r in cursor.fetchall())
        assert "sla_clock_scan_idx" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks (SKIP LOCKED) need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_set_based_scans_fire_every_step_once(monkeypatch, now):
    """Two set-based scans at the same moment, forced to overlap: each holds its first batch (rows
    locked, statement done) until the other has one too. Every clock moves once, every step fires once."""
    target = services.sla_target_create(name="Orders", clock_type=CLOCK_TYPE, duration_minutes=8 * 60,
                                        time_basis=TimeBasis.CALENDAR, jeopardy_margin_minutes=120, actor=SYSTEM)
    policy(target, at_risk_delay=120)
    clocks = 12
    for _ in range(clocks):
        start_clock(committed_at=START + timedelta(hours=1))  # at risk at start: L1 fired already
    overlap = threading.Barrier(2, timeout=10)
    seen = threading.local()
    real = services._record_set_batch

    def record(batch, **kw):
        if not getattr(seen, "waited", False):
            seen.waited = True
            overlap.wait()
        return real(batch, **kw)

    monkeypatch.setattr(services, "_record_set_batch", record)
    now.set(START + timedelta(hours=1))  # all breach: L3 now
    results = [None, None]

    def scan(i):
        try:
            results[i] = services.sla_scan(set_batch_size=4)
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
    assert sum(r["escalations"] for r in results) == clocks
    assert Escalation.objects.filter(level=3).count() == clocks
    assert Escalation.objects.count() == 2 * clocks  # L1 at start, L3 at the breach; L2 and L4 not due yet
    assert SlaClock.objects.filter(jeopardy_status="in_jeopardy", escalation_level=3).count() == clocks
    assert Event.objects.filter(event_type=SLA_ESCALATION.name).count() == 2 * clocks
    assert HistoryEntry.objects.filter(action="sla.clock.escalated").count() == 2 * clocks
    assert HistoryEntry.objects.filter(action="sla.clock.jeopardy_changed").count() == 2 * clocks
