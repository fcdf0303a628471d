"""Reservation expiry over 1,000,000 lapsed reservations (eTOM 1.1.2.2.2, docs/resources.md).

Loads 1,000,000 reserved numbers whose period ended, in 4 pools, with one multi-row INSERT ... SELECT
generate_series into the database named by DATABASE_URL (use a throw-away PostgreSQL database), then times
``resources_expire_reservations`` (one UPDATE reporting its rows per pool, plus one summary history row per pool)
beside its floor, the bare UPDATE of the same rows to the same values with nothing else. Each run is rolled back
and the table vacuumed before the next, so every run expires the same million rows; the rows are deleted at the
end. Usage:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bss_bench .venv/bin/python bench/run.py expiry
"""

from __future__ import annotations

import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.harness import Row, benchmark, per_second

N_DEFAULT = 1_000_000
POOLS = 4
PREFIX = "bench-exp-"


class Rollback(Exception):
    pass


def load(n: int) -> list[int]:
    from service_activation.models import Resource, ResourcePool

    pools = [ResourcePool.objects.get_or_create(code=f"{PREFIX}{i}", defaults={
        "kind": "msisdn", "name": f"Bench expiry {i}"})[0] for i in range(POOLS)]
    ids = [p.pk for p in pools]
    Resource.objects.filter(pool_id__in=ids).delete()
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {Resource._meta.db_table} (pool_id, kind, value, category, iccid, imsi, state, holder, "
            "reserved_until, allocated_at, quarantined_until, attributes, loaded_at, updated_at) "
            "SELECT (%s::bigint[])[1 + g %% %s], 'msisdn', %s || lpad(g::text, 7, '0'), 'regular', '', '', "
            "'reserved', 'bench:' || g, now() - interval '1 minute', NULL, NULL, '{}', now(), now() "
            "FROM generate_series(1, %s) g", [ids, POOLS, PREFIX, n])
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {Resource._meta.db_table}")
    print(f"  loaded {n:,} lapsed reservations in {POOLS} pools ({n / (time.perf_counter() - t0):,.0f}/s)",
          flush=True)
    return ids


def _vacuum() -> None:
    from service_activation.models import Resource

    with connection.cursor() as cur:
        cur.execute(f"VACUUM {Resource._meta.db_table}")


def _ours() -> tuple[float, int, int]:
    from bss.actors import Actor
    from service_activation.services.resources import resources_expire_reservations

    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            moved = resources_expire_reservations(actor=Actor.system("bench"))
            elapsed = time.perf_counter() - t0
            raise Rollback
    except Rollback:
        pass
    return elapsed, moved, len(ctx.captured_queries)


def _twin() -> tuple[float, int]:
    from service_activation.models import Resource

    try:
        with transaction.atomic(), connection.cursor() as cur:
            t0 = time.perf_counter()
            cur.execute(f"UPDATE {Resource._meta.db_table} SET state = 'free', holder = '', reserved_until = NULL, "
                        "updated_at = now() WHERE state = 'reserved' AND reserved_until <= now()")
            elapsed, moved = time.perf_counter() - t0, cur.rowcount
            raise Rollback
    except Rollback:
        pass
    return elapsed, moved


def run(n: int = N_DEFAULT, rounds: int = 3) -> dict:
    from service_activation.models import Resource

    ids = load(n)
    ours, twin, moved, queries = [], [], set(), 0
    try:
        for _ in range(rounds):  # interleaved, each on the same freshly vacuumed rows
            elapsed, count, queries = _ours()
            ours.append(elapsed)
            moved.add(count)
            _vacuum()
            elapsed, count = _twin()
            twin.append(elapsed)
            moved.add(count)
            _vacuum()
    finally:
        Resource.objects.filter(pool_id__in=ids).delete()
        _vacuum()
    return {"n": n, "ours_s": min(ours), "twin_s": min(twin), "moved": sorted(moved), "queries": queries}


@benchmark("expiry", title="Reservation expiry: 1,000,000 lapsed reservations, set-based, beside the bare UPDATE")
def harness_rows(ctx):
    r = run(rounds=ctx.options.get("rounds", 3))
    assert r["moved"] == [r["n"]], f"both sides expire every lapsed reservation, got {r['moved']}"
    yield Row(case=f"reservation expiry: {r['n']:,} lapsed reservations in {POOLS} pools "
                   f"({r['n'] / r['ours_s']:,.0f} rows/s)",
              ours=per_second(1 / r["ours_s"], unit="ops/s", queries=r["queries"]),
              twin=per_second(1 / r["twin_s"], unit="ops/s", queries=1),
              # ours does the floor's UPDATE and also reports its rows per pool (RETURNING into a GROUP BY: exact
              # counts for the history) and writes one summary history row per pool: measured 79-80% of the floor
              twin_label="bare UPDATE", target=0.7)
