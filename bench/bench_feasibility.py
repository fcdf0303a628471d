"""Feasibility: 10 order items against 200 configured rules. The goal is a bounded number of
queries (no per-rule or per-item query); the time is reported for reference.

Runs inside a transaction that is rolled back, so it leaves the database as it found it.
"""

from __future__ import annotations

import statistics
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.harness import Row, benchmark, per_second

RULE_TYPES = [
    ("eligibility", lambda i: {"credit_classes": ["A", "B", "C"], "min_account_age_days": 0}),
    ("prerequisite", lambda i: {"requires_any": [f"bench-{(i + 1) % 40}", "bench-0"]}),
    ("exclusion", lambda i: {"excludes": [f"bench-excl-{i}"]}),
    ("serviceability", lambda i: {"technology": "fiber"}),
    ("compatibility", lambda i: {"offerings": [f"bench-{i % 40}", f"bench-{(i + 3) % 40}"], "max_quantity": 3}),
    ("transition", lambda i: {"from": [f"bench-{i % 40}"], "to": [f"bench-{(i + 1) % 40}"]}),
]


class Rollback(Exception):
    pass


def run(repeat: int = 7) -> dict:
    from customers.models import Address, Customer, Party
    from orders.models import CoverageArea, FeasibilityRule, ProductOffering
    from orders.services.feasibility import ItemInput, feasibility_evaluate

    out = {}
    try:
        with transaction.atomic():
            party = Party.objects.create(kind="individual", given_name="Bench", family_name="Mark")
            customer = Customer.objects.create(customer_number="CBENCHFEAS", name="Bench Mark", party=party,
                                               status="active")
            address = Address.objects.create(customer=customer, street1="1 Main St", city="Dublin", postcode="D02",
                                             area_code="DUB01")
            CoverageArea.objects.create(technology="fiber", area_code="DUB01", max_bandwidth_mbps=1000)
            offerings = ProductOffering.objects.bulk_create([
                ProductOffering(code=f"bench-{i}", name=f"Bench {i}", lifecycle_status="active",
                                technology="fiber" if i % 4 == 0 else "", bandwidth_mbps=100 if i % 4 == 0 else None)
                for i in range(40)])
            for i in range(200):
                rule_type, params = RULE_TYPES[i % len(RULE_TYPES)]
                rule = FeasibilityRule.objects.create(name=f"bench {i}", rule_type=rule_type, params=params(i),
                                                      staff_message="bench", priority=i % 50)
                rule.offerings.set([offerings[i % 40], offerings[(i * 7) % 40]])
            items = [ItemInput(id=str(n), offering=f"bench-{n * 3}") for n in range(10)]
            times, queries = [], 0
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as ctx:
                    t0 = time.perf_counter()
                    results = feasibility_evaluate(customer=customer, address=address, channel="portal", items=items)
                    times.append((time.perf_counter() - t0) * 1000)
                queries = len(ctx.captured_queries)
            out = {"items": len(items), "rules": FeasibilityRule.objects.filter(name__startswith="bench").count(),
                   "queries": queries, "median_ms": statistics.median(times),
                   "traced": sum(len(r.trace) for r in results)}
            raise Rollback
    except Rollback:
        pass
    return out


@benchmark("feasibility", title="Feasibility: 10 items against 200 rules (no floor: absolute, with queries)")
def harness_rows(ctx):
    r = run()
    yield Row(case=f"feasibility: {r['items']} items × {r['rules']} rules ({r['traced']} rule evaluations)",
              ours=per_second(1000 / r["median_ms"], unit="ops/s", queries=r["queries"]))
