"""Order jeopardy scan over 1,000,000 open customer orders (issue 8, docs/sla.md "The scan").

Loads 1,000 customers, 1,000,000 committed customer orders and their running SLA clocks of type
``orders.customer_order`` (calendar time, at risk one day before the committed date; the policy: notify
the assignee when at risk, the supervisor at the breach, raise the priority an hour later) with
multi-row INSERT ... SELECT into the database named by DATABASE_URL (use a throw-away PostgreSQL
database). Two moments are timed:

- a backlog (the mix of the issue's brief): ~97.4 % on track and not due for a look for days; 1 %
  (10,000) crossing into at risk now (level 1 fires: notify the assignee); 1 % at risk already, due later
  today; 0.1 % (1,000) breaching now (level 2 fires: notify the supervisor); 0.5 % in jeopardy for days,
  every step fired. 11,000 clocks move: 22,000 history rows and 22,000 outbox events.
- a minute's flow: the same million with their committed dates spread as they are over a month, about
  what a scan every minute meets: 25 cross into at risk, 25 breach.

Each moment: ``sla_scan`` (set-based: one statement per 5,000 due clocks, one INSERT each for the history
rows and outbox events of the clocks that moved, the fan-out after commit) beside its floor, the bare
UPDATE of the same due rows to their new status and next check with nothing else (no escalations,
history or events), and beside the 2 s the issue allows. Each scan commits (its after-commit fan-out
counts); between rounds the moved clocks are put back and what the scan wrote is deleted, so every
round moves the same clocks. Prints the EXPLAIN ANALYZE of the scan's statement and of the floor.
Everything loaded is deleted at the end (about four minutes in all). Usage (BENCH_JEOPARDY_N=100000
for a quick look):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bss_bench .venv/bin/python bench/run.py jeopardy
"""

from __future__ import annotations

import os
import time
from collections import Counter
from datetime import UTC, datetime

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.harness import Row, benchmark, per_second

N_DEFAULT = 1_000_000
CUSTOMERS = 1_000
PREFIX = "SLAB"  # order numbers SLAB00000001..., customer numbers SLAB-C0001...
SEGMENT = "bench-jeopardy"  # the bench's own SLA target (qualifier), so it meets no other target
MARGIN_MINUTES = 24 * 60
BUDGET_S = 2.0


class Rollback(Exception):
    pass


def _kind(g: str) -> str:
    return (f"CASE WHEN mod({g}, 1000) = 0 THEN 'breaching' WHEN mod({g}, 100) = 1 THEN 'crossing' "
            f"WHEN mod({g}, 100) = 2 THEN 'at_risk' WHEN mod({g}, 200) = 3 THEN 'overdue' ELSE 'on_track' END")


def _due(g: str, kind: str) -> str:
    """The committed date of order g at the scan's moment %(at)s."""
    return (f"CASE {kind} "
            f"WHEN 'breaching' THEN %(at)s - mod({g}, 1700) * INTERVAL '1 second' "
            f"WHEN 'crossing' THEN %(at)s + INTERVAL '1 day' - (1 + mod({g}, 86000)) * INTERVAL '1 second' "
            f"WHEN 'at_risk' THEN %(at)s + INTERVAL '1 hour' + mod({g}, 79000) * INTERVAL '1 second' "
            f"WHEN 'overdue' THEN %(at)s - INTERVAL '1 day' - mod({g}, 345600) * INTERVAL '1 second' "
            f"ELSE %(at)s + INTERVAL '2 days' + mod({g}, 2419200) * INTERVAL '1 second' END")


def _target():
    from bss.actors import Actor
    from bss.sla.models import EscalationStep, SlaTarget, TimeBasis
    from bss.sla.services import EscalationStepInput, sla_target_create, sla_target_set_escalation_steps

    actor = Actor.system("bench")
    target = SlaTarget.objects.filter(clock_type="orders.customer_order", segment=SEGMENT, active=True).first()
    if target is None:
        target = sla_target_create(name="Customer orders (bench)", clock_type="orders.customer_order",
                                   segment=SEGMENT, time_basis=TimeBasis.CALENDAR, duration_minutes=7 * 24 * 60,
                                   jeopardy_margin_minutes=MARGIN_MINUTES, actor=actor)
    a = EscalationStep.Action
    steps = sla_target_set_escalation_steps(target=target, actor=actor, steps=[
        EscalationStepInput(level=1, trigger="at_risk", action=a.NOTIFY_ROLE, role="Assignee",
                            message="Order at risk of missing its committed date"),
        EscalationStepInput(level=2, trigger="breached", action=a.NOTIFY_SUPERVISOR, role="Supervisor",
                            message="Order overdue"),
        EscalationStepInput(level=3, trigger="breached", delay_minutes=60, action=a.RAISE_PRIORITY,
                            message="Overdue for an hour: raise the priority"),
    ])
    return target, {s.level: s.pk for s in steps}


def _orders_insert() -> tuple[str, list]:
    """INSERT ... SELECT generate_series for CustomerOrder, every column from the model (others add
    columns to orders: the defaults come from the model, never from a list kept here)."""
    from django.db import models

    from orders.models import CustomerOrder

    overrides = {
        "order_number": f"'{PREFIX}' || lpad(g::text, 8, '0')",
        "customer_id": f"(%(customers)s::bigint[])[1 + mod(g, {CUSTOMERS})]",
        "state": "'committed'",
        "committed_date": _due("g", _kind("g")),
        "description": "'bench order'",
    }
    columns, values, params = [], [], {}
    for f in CustomerOrder._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(f'"{f.column}"')
        if f.column in overrides:
            values.append(overrides[f.column])
        elif f.null:
            values.append("NULL")
        elif isinstance(f, models.DateTimeField) and not f.has_default():
            values.append("now()")
        else:
            key = f"d_{f.column}"
            params[key] = f.get_db_prep_save(f.get_default(), connection)
            values.append(f"%({key})s")
    sql = (f"INSERT INTO {CustomerOrder._meta.db_table} ({', '.join(columns)}) "
           f"SELECT {', '.join(values)} FROM generate_series(1, %(n)s) g")
    return sql, params


def load(n: int, at: datetime) -> dict:
    from django.contrib.contenttypes.models import ContentType

    from bss.sla.models import Escalation, SlaClock
    from customers.models import Customer, Party
    from orders.models import CustomerOrder

    cleanup()
    target, steps = _target()
    t0 = time.perf_counter()
    with transaction.atomic():
        parties = Party.objects.bulk_create([Party(kind="individual", given_name="Bench", family_name=f"Jeopardy{i}")
                                             for i in range(CUSTOMERS)])
        customers = Customer.objects.bulk_create([
            Customer(customer_number=f"{PREFIX}-C{i:04d}", name=p.display_name, party=p, status="active")
            for i, p in enumerate(parties)])
        sql, params = _orders_insert()
        with connection.cursor() as cur:
            cur.execute(sql, {**params, "n": n, "at": at, "customers": [c.pk for c in customers]})
    t1 = time.perf_counter()
    clock, esc = SlaClock._meta.db_table, Escalation._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"""
            INSERT INTO {clock} (content_type_id, object_id, object_repr, clock_type, step, qualifiers, target_id,
                time_basis, calendar_id, jeopardy_margin_minutes, state, started_at, committed_at, target_due_at,
                due_at, projected_at, jeopardy_status, at_risk_since, breached_at, escalation_level, stopped_at,
                next_check_at, created_at, updated_at)
            SELECT %(ct)s, o.id::text, o.order_number, 'orders.customer_order', '', %(qualifiers)s::jsonb,
                %(target)s, 'calendar', NULL, %(margin)s, 'running', o.committed_date - INTERVAL '7 days',
                o.committed_date, o.committed_date - INTERVAL '1 hour', o.committed_date, NULL,
                CASE k.kind WHEN 'breaching' THEN 'at_risk' WHEN 'at_risk' THEN 'at_risk'
                            WHEN 'overdue' THEN 'in_jeopardy' ELSE 'on_track' END,
                CASE WHEN k.kind IN ('breaching', 'at_risk', 'overdue') THEN o.committed_date - INTERVAL '1 day' END,
                CASE WHEN k.kind = 'overdue' THEN o.committed_date END,
                CASE k.kind WHEN 'breaching' THEN 1 WHEN 'at_risk' THEN 1 WHEN 'overdue' THEN 3 ELSE 0 END,
                NULL,
                CASE WHEN k.kind IN ('crossing', 'on_track') THEN o.committed_date - INTERVAL '1 day'
                     WHEN k.kind IN ('breaching', 'at_risk') THEN o.committed_date END,
                now(), now()
            FROM {CustomerOrder._meta.db_table} o
            CROSS JOIN LATERAL (SELECT substr(o.order_number, {len(PREFIX) + 1})::int AS g) n
            CROSS JOIN LATERAL (SELECT {_kind("n.g")} AS kind) k
            WHERE o.order_number LIKE %(like)s
            """, {"ct": ContentType.objects.get_for_model(CustomerOrder).pk, "target": target.pk,
                  "margin": MARGIN_MINUTES, "like": f"{PREFIX}%", "at": at,
                  "qualifiers": f'{{"segment": "{SEGMENT}"}}'})
        # the steps that fired before: level 1 of the clocks at risk, levels 1-3 of those overdue
        cur.execute(f"""
            INSERT INTO {esc} (clock_id, step_id, level, trigger, action, role, message, fired_at, due_at, projected_at)
            SELECT c.id, s.id, s.level, s.trigger, s.action, s.role, s.message,
                   CASE s.trigger WHEN 'at_risk' THEN c.at_risk_since ELSE c.breached_at END
                       + s.delay_minutes * INTERVAL '1 minute', c.due_at, NULL
            FROM {clock} c JOIN sla_escalationstep s ON s.target_id = c.target_id AND s.level <= c.escalation_level
            WHERE c.target_id = %s
            """, [target.pk])
    for table in (CustomerOrder._meta.db_table, clock, esc):
        with connection.cursor() as cur:
            cur.execute(f"VACUUM ANALYZE {table}")
    print(f"  loaded {n:,} orders in {t1 - t0:.0f} s and their clocks in {time.perf_counter() - t1:.0f} s", flush=True)
    return {"target": target, "steps": steps}


def _marks() -> dict:
    from bss.audit.models import HistoryEntry
    from bss.events.models import Event
    from bss.sla.models import Escalation

    with connection.cursor() as cur:
        out = {}
        for key, model in (("history", HistoryEntry), ("event", Event), ("escalation", Escalation)):
            cur.execute(f"SELECT coalesce(max(id), 0) FROM {model._meta.db_table}")
            out[key] = cur.fetchone()[0]
    return out


def _due_rows(at: datetime) -> int:
    """Keep the clocks the scan moves, to put them back between rounds."""
    from bss.sla.models import SlaClock

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_jeopardy_due")
        cur.execute(f"CREATE TEMP TABLE bench_jeopardy_due AS SELECT id, jeopardy_status, at_risk_since, breached_at, "
                    f"escalation_level, next_check_at, updated_at FROM {SlaClock._meta.db_table} "
                    f"WHERE state = 'running' AND next_check_at <= %s", [at])
        cur.execute("SELECT count(*) FROM bench_jeopardy_due")
        return cur.fetchone()[0]


def _restore(marks: dict) -> None:
    from bss.audit.models import HistoryEntry
    from bss.events.models import Event, EventDelivery
    from bss.sla.models import Escalation, SlaClock

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {EventDelivery._meta.db_table} WHERE event_id > %s", [marks["event"]])
        cur.execute(f"DELETE FROM {Event._meta.db_table} WHERE id > %s", [marks["event"]])
        if _without_triggers(cur):  # history is append-only (a trigger): as a superuser, the bench's go
            cur.execute(f"DELETE FROM {HistoryEntry._meta.db_table} WHERE id > %s", [marks["history"]])
        cur.execute(f"DELETE FROM {Escalation._meta.db_table} WHERE id > %s", [marks["escalation"]])
        cur.execute(f"UPDATE {SlaClock._meta.db_table} c SET jeopardy_status = d.jeopardy_status, "
                    f"at_risk_since = d.at_risk_since, breached_at = d.breached_at, "
                    f"escalation_level = d.escalation_level, next_check_at = d.next_check_at, "
                    f"updated_at = d.updated_at FROM bench_jeopardy_due d WHERE c.id = d.id")
    _vacuum()


def _without_triggers(cur) -> bool:
    """For the rest of this transaction, no triggers (history's append-only guard, per-row foreign key
    checks) on the bench's own rows; False when the database user may not (not a superuser)."""
    try:
        with transaction.atomic():
            cur.execute("SET LOCAL session_replication_role = replica")
        return True
    except Exception:  # noqa: BLE001
        return False


def _vacuum() -> None:
    from bss.audit.models import HistoryEntry
    from bss.events.models import Event
    from bss.sla.models import Escalation, SlaClock

    for model in (SlaClock, Escalation, HistoryEntry, Event):
        with connection.cursor() as cur:
            cur.execute(f"VACUUM {model._meta.db_table}")


def _ours(at: datetime) -> tuple[float, dict, list]:
    from bss.sla.services import sla_scan

    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        totals = sla_scan(now=at)
        elapsed = time.perf_counter() - t0
    return elapsed, totals, ctx.captured_queries


def _twin_sql() -> str:
    from bss.sla.models import SlaClock

    return (f"UPDATE {SlaClock._meta.db_table} SET "
            "jeopardy_status = CASE WHEN %(at)s >= due_at THEN 'in_jeopardy' ELSE 'at_risk' END, "
            "next_check_at = CASE WHEN %(at)s >= due_at THEN due_at + INTERVAL '1 hour' ELSE due_at END, "
            "updated_at = now() WHERE state = 'running' AND next_check_at <= %(at)s")


def _twin(at: datetime) -> tuple[float, int]:
    try:
        with transaction.atomic(), connection.cursor() as cur:
            t0 = time.perf_counter()
            cur.execute(_twin_sql(), {"at": at})
            elapsed, moved = time.perf_counter() - t0, cur.rowcount
            raise Rollback
    except Rollback:
        pass
    return elapsed, moved


def explain(at: datetime, scenario: str) -> None:
    """EXPLAIN ANALYZE of the scan's statement (its first batch) and of the floor, rolled back."""
    from bss.sla.services import SET_SCAN_BATCH, set_scan_parameters, set_scan_statement

    params = set_scan_parameters(now=at, limit=SET_SCAN_BATCH)
    for title, sql, args in ((f"the scan's statement (first batch of {SET_SCAN_BATCH:,} clocks)",
                              set_scan_statement(), params),
                             ("the floor: the bare UPDATE of every due row", _twin_sql(), {"at": at})):
        try:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, args)
                plan = [r[0] for r in cur.fetchall()]
                raise Rollback
        except Rollback:
            pass
        print(f"\nEXPLAIN ANALYZE ({scenario}) {title}:")
        print("\n".join("    " + line for line in plan), flush=True)
    _vacuum()


def _breakdown(queries: list) -> str:
    """Where the scan's database time went, by statement kind."""
    from bss.audit.models import HistoryEntry
    from bss.events.models import Event

    kinds, times = Counter(), Counter()
    for q in queries:
        sql = q["sql"].lstrip()
        if sql.startswith("WITH picked"):
            kind = "scan statement"
        elif sql.startswith(f'INSERT INTO "{HistoryEntry._meta.db_table}"'):
            kind = "history INSERT"
        elif sql.startswith(f'INSERT INTO "{Event._meta.db_table}"'):
            kind = "outbox INSERT"
        elif sql.startswith("SELECT"):
            kind = "SELECT (tracked objects, relations, steps)"
        else:
            kind = "other (savepoints)"
        kinds[kind] += 1
        times[kind] += float(q["time"])
    return ", ".join(f"{k}: {kinds[k]} in {times[k] * 1000:.0f} ms" for k in sorted(kinds, key=lambda k: -times[k]))


def cleanup() -> None:
    """Delete what the bench loaded (and what its scans wrote on its clocks)."""
    from django.contrib.contenttypes.models import ContentType

    from bss.audit.models import HistoryEntry
    from bss.events.models import Event, EventDelivery
    from bss.sla.models import Escalation, EscalationStep, SlaClock, SlaTarget
    from customers.models import Customer, Party
    from orders.models import CustomerOrder

    targets = list(SlaTarget.objects.filter(clock_type="orders.customer_order", segment=SEGMENT)
                   .values_list("pk", flat=True))
    with transaction.atomic(), connection.cursor() as cur:
        history = _without_triggers(cur)  # nothing else refers to the bench's rows: no per-row FK checks
        clocks = f"SELECT id FROM {SlaClock._meta.db_table} WHERE target_id = ANY(%(t)s)"
        args = {"t": targets, "like": f"{PREFIX}%", "target_ct": ContentType.objects.get_for_model(SlaTarget).pk,
                "target_ids": [str(t) for t in targets]}
        cur.execute(f"DELETE FROM {EventDelivery._meta.db_table} WHERE event_id IN (SELECT id FROM "
                    f"{Event._meta.db_table} WHERE api = 'sla' AND resource_id IN ({clocks.replace('id FROM', 'id::text FROM')}))",
                    args)
        cur.execute(f"DELETE FROM {Event._meta.db_table} WHERE api = 'sla' AND resource_id IN "
                    f"({clocks.replace('id FROM', 'id::text FROM')})", args)
        if history:
            cur.execute(f"DELETE FROM {HistoryEntry._meta.db_table} WHERE content_type_id = %(target_ct)s "
                        f"AND object_id = ANY(%(target_ids)s)", args)
        cur.execute(f"DELETE FROM {Escalation._meta.db_table} WHERE clock_id IN ({clocks})", args)
        cur.execute(f"DELETE FROM {SlaClock._meta.db_table} WHERE target_id = ANY(%(t)s)", args)
        cur.execute(f"DELETE FROM {CustomerOrder._meta.db_table} WHERE order_number LIKE %(like)s", args)
        customers = f"SELECT id FROM {Customer._meta.db_table} WHERE customer_number LIKE %(like)s"
        cur.execute(f"SELECT party_id FROM {Customer._meta.db_table} WHERE customer_number LIKE %(like)s", args)
        parties = [r[0] for r in cur.fetchall()]
        cur.execute(f"DELETE FROM {Customer._meta.db_table} WHERE id IN ({customers})", args)
        cur.execute(f"DELETE FROM {Party._meta.db_table} WHERE id = ANY(%s)", [parties])
        cur.execute(f"DELETE FROM {EscalationStep._meta.db_table} WHERE target_id = ANY(%s)", [targets])
        cur.execute(f"DELETE FROM {SlaTarget._meta.db_table} WHERE id = ANY(%s)", [targets])
        cur.execute("DROP TABLE IF EXISTS bench_jeopardy_due")
    for model in (CustomerOrder,):
        with connection.cursor() as cur:
            cur.execute(f"VACUUM {model._meta.db_table}")
    _vacuum()


def _rounds(at: datetime, rounds: int, title: str) -> dict:
    """Interleaved rounds of the scan (committed, then put back) and of its floor (rolled back)."""
    due = _due_rows(at)
    marks = _marks()
    explain(at, title)
    ours, twin, results, moved, breakdown, queries = [], [], set(), set(), "", 0
    for _ in range(rounds):
        elapsed, totals, captured = _ours(at)
        if not ours or elapsed < min(ours):
            breakdown, queries = _breakdown(captured), len(captured)
        ours.append(elapsed)
        results.add(tuple(sorted(totals.items())))
        _restore(marks)
        elapsed, count = _twin(at)
        twin.append(elapsed)
        moved.add(count)
        _vacuum()
    return {"due": due, "ours_s": min(ours), "ours_all": ours, "twin_s": min(twin), "totals": sorted(results),
            "moved": sorted(moved), "queries": queries, "breakdown": breakdown}


def _steady(target_id: int, at: datetime) -> None:
    """From the backlog to a minute's flow: all but 1 in 40 of the clocks crossing into at risk, and of
    those breaching, move on (due two days, respectively twelve hours, later: still on track, at risk)."""
    from bss.sla.models import SlaClock

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"""
            UPDATE {SlaClock._meta.db_table} c SET committed_at = c.committed_at + s.shift,
                target_due_at = c.target_due_at + s.shift, due_at = c.due_at + s.shift,
                at_risk_since = c.at_risk_since + s.shift, next_check_at = c.next_check_at + s.shift
            FROM (SELECT id, CASE jeopardy_status WHEN 'on_track' THEN INTERVAL '2 days' ELSE INTERVAL '12 hours' END
                         AS shift
                  FROM {SlaClock._meta.db_table}
                  WHERE target_id = %s AND state = 'running' AND next_check_at <= %s
                    AND mod(substr(object_repr, {len(PREFIX) + 1})::int, 40000) NOT IN (0, 1)) s
            WHERE c.id = s.id""", [target_id, at])
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {SlaClock._meta.db_table}")


def run(n: int = N_DEFAULT, rounds: int = 3) -> dict:
    at = datetime.now(UTC).replace(microsecond=0)
    loaded = load(n, at)
    try:
        backlog = _rounds(at, rounds, "backlog")
        _steady(loaded["target"].pk, at)
        steady = _rounds(at, rounds, "a minute's flow")
    finally:
        cleanup()
    return {"n": n, "backlog": backlog, "steady": steady}


def _expect(r: dict, at_risk: int, breach: int) -> None:
    moving = at_risk + breach
    expected = (("clocks", moving), ("escalations", moving), ("failed", 0), ("jeopardy_changes", moving))
    assert r["totals"] == [expected], f"every round moves the same clocks: {r['totals']}"
    assert r["moved"] == [r["due"]] == [moving], (r["moved"], r["due"])


@benchmark("jeopardy", title="Order jeopardy scan: 1,000,000 open orders, set-based, beside the bare UPDATE "
                             "and the 2 s budget")
def harness_rows(ctx):
    r = run(n=int(os.environ.get("BENCH_JEOPARDY_N", N_DEFAULT)), rounds=ctx.options.get("rounds", 3))
    n = r["n"]
    cases = (("backlog", (n - 1) // 100 + 1, n // 1000, "1 % cross into at risk, 0.1 % breach"),
             ("steady", (n - 1) // 40000 + 1, n // 40000, "a minute's flow"))
    for key, at_risk, breach, what in cases:
        x = r[key]
        _expect(x, at_risk, breach)
        print(f"\n  {key}: scan rounds {', '.join(f'{s:.2f} s' for s in x['ours_all'])}; "
              f"the best round's queries: {x['breakdown']}", flush=True)
        ours = per_second(1 / x["ours_s"], unit="ops/s", queries=x["queries"])
        case = (f"order jeopardy scan, {n:,} open orders, {what}: {at_risk + breach:,} move "
                f"({at_risk:,} at risk, {breach:,} breach), as many escalations")
        yield Row(case=case, ours=ours, twin=per_second(1 / x["twin_s"], unit="ops/s", queries=1),
                  twin_label="bare UPDATE of the due rows")
        yield Row(case=f"the same within the issue's budget ({x['ours_s'] * 1000 / (at_risk + breach):.2f} ms "
                       f"per moving clock)",
                  ours=ours, twin=per_second(1 / BUDGET_S, unit="ops/s"), twin_label="2 s budget", target=1.0)
