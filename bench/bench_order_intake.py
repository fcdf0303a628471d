"""TMF622 order intake under concurrent load from loopback (issue 8), beside a bare DRF insert of an order row.

gunicorn as in production (bench/load.py: 4 sync workers on 127.0.0.1, DEBUG off), an integrator token, 16
connections. Each POST /tmf-api/productOrderingManagement/v4/productOrder is one order of the bench's standard
offering for one of 1,000 orderable customers: synchronous validation (the body against the TMF622 spec, the
references resolved), the order, its item, its agreed price, its tasks, a history row and the outbox event
stored, the answer ``acknowledged``; everything after that is asynchronous. Celery is not eager and nothing
consumes the broker: the process task and the event fan-outs are enqueued on Redis (db 13, purged afterwards)
and stay there, so the request pays the enqueue and never the fulfilment. A third row posts the same orders
with the broker unreachable (a closed port): the enqueue fails after commit, the failure is logged, the order
is committed all the same and the periodic sweeps pick it up (orders_resume_stalled, events_redispatch); the
row counts the requests that failed (none may).

The floor is ``bench/twins.py`` TwinOrderList: a bare DRF ListCreateAPIView inserting one CustomerOrder row
with the same authentication and permission classes, on the same server. Each side is measured in rounds
interleaved with its twin's (the best round of each counts); throughput and p50/p99 latency come from the
same requests (a threaded http.client generator that times every request, bench.bench_order_intake.load_timed).
Queries per request are counted in-process (django.test.Client) on the same code. Usage:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bss_bench .venv/bin/python bench/run.py intake
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import statistics
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction

from bench.harness import Row, benchmark, per_second

TMF = "/tmf-api/productOrderingManagement/v4/productOrder"
TWIN = "/bench/twin/order"
OFFERING = "bench-standard"
CUSTOMER_PREFIX = "OBC"  # customer numbers OBC0000001..., account numbers OBA0000001...
CUSTOMERS = 1_000
BROKER = os.environ.get("BENCH_ORDERS_BROKER_URL", "redis://127.0.0.1:6379/13")
UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


# --- the data every order bench uses (built through the ORM, as tests/factories would) ------------------

def standard_offering():
    """The bench's standard offering, made once: an active offering (a monthly price of 30.00) whose product
    specification is realized by one service specification with two automatic activation steps on the simulated
    network (the second after the first) and one automatic end-to-end test: what activatable_offering() builds
    in the tests."""
    from orders.models import ProductOffering, ProductOfferingPrice, ProductSpecification
    from service_activation.models import ActivationStep, ServiceSpecification

    found = ProductOffering.objects.filter(code=OFFERING).first()
    if found is not None:
        return found
    with transaction.atomic():
        service_spec = ServiceSpecification.objects.create(
            code=f"{OFFERING}-svc", name="Bench access line", lifecycle_status="active",
            test_plan=[{"code": "line-check", "name": "line check", "kind": "automatic"}])
        previous = None
        for n, code in enumerate(("configure-port", "provision-profile"), start=1):
            ActivationStep.objects.create(specification=service_spec, sequence=n, code=code,
                                          name=code.replace("-", " "), kind="automatic", specialty="access-node",
                                          depends_on=[previous] if previous else [])
            previous = code
        spec = ProductSpecification.objects.create(code=f"{OFFERING}-spec", name="Bench broadband",
                                                   lifecycle_status="active")
        spec.service_specifications.add(service_spec)
        offering = ProductOffering.objects.create(code=OFFERING, name="Bench broadband 500", specification=spec,
                                                  lifecycle_status="active")
        ProductOfferingPrice.objects.create(offering=offering, name="Monthly fee", price_type="recurring",
                                            amount=Decimal("30.0000"), recurring_period="month")
    return offering


def orderable_customers(n: int = CUSTOMERS) -> list[int]:
    """``n`` active customers, each with an address and an active billing account (orderable_customer() in the
    tests), bulk-inserted once; returns their ids."""
    from customers.demo import ensure_bill_cycles
    from customers.models import Address, BillingAccount, Customer, Party

    have = list(Customer.objects.filter(customer_number__startswith=CUSTOMER_PREFIX).order_by("pk")
                .values_list("pk", flat=True))
    if len(have) >= n:
        return have[:n]
    cycles = ensure_bill_cycles()
    start = len(have)
    with transaction.atomic():
        parties = Party.objects.bulk_create([Party(kind="individual", given_name="Bench", family_name=f"Order{i}")
                                             for i in range(start, n)])
        customers = Customer.objects.bulk_create([
            Customer(customer_number=f"{CUSTOMER_PREFIX}{i:07d}", name=p.display_name, party=p, status="active")
            for i, p in zip(range(start, n), parties, strict=True)])
        addresses = Address.objects.bulk_create([
            Address(customer=c, street1=f"{i % 200 + 1} Bench Road", city="Dublin", postcode=f"D{i % 24:02d} B{i:04d}",
                    country="IE", area_code="DUB01") for i, c in zip(range(start, n), customers, strict=True)])
        BillingAccount.objects.bulk_create([
            BillingAccount(account_number=f"OBA{i:07d}", customer=c, name=c.name, bill_cycle=cycles[i % len(cycles)],
                           billing_address=a, status="active")
            for i, c, a in zip(range(start, n), customers, addresses, strict=True)])
    return have + [c.pk for c in customers]


def order_body(customer_id, offering_code: str = OFFERING, *, external_id: str | None = None) -> dict:
    """A TMF622 productOrder of one item of the offering for the customer, as an integrator sends it."""
    body = {"productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": offering_code}}],
            "relatedParty": [{"id": str(customer_id), "@referredType": "Customer", "role": "customer"}]}
    if external_id is not None:
        body["externalId"] = external_id
    return body


def integrator_token() -> str:
    from bench.bench_api import integrator_token as token

    return token()


# --- a load generator that times every request -------------------------------------------------------------

@dataclass
class TimedLoad:
    rps: float
    requests: int
    errors: int
    latencies_ms: list[float] = field(default_factory=list, repr=False)

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("inf")
        if len(self.latencies_ms) == 1:
            return self.latencies_ms[0]
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[round(p) - 1]

    @property
    def note(self) -> str:
        return f"{self.errors} of {self.requests} requests failed" if self.errors else ""


def load_timed(server, method: str, path: str, *, headers: dict, body: str | None = None, bodies=None,
               connections: int = 16, seconds: float = 10, warmup: float = 2) -> TimedLoad:
    """``connections`` keep-alive connections from as many threads for ``seconds`` (after ``warmup``),
    every request timed. ``body`` may hold ``{n}`` (a counter, unique per request); ``bodies(i, n)`` instead
    makes the body of request n of connection i. The same generator drives both sides of a pair."""
    if warmup:
        load_timed(server, method, path, headers=headers, body=body, bodies=bodies, connections=connections,
                   seconds=warmup, warmup=0)
    counter = itertools.count()
    done, failed = [0] * connections, [0] * connections
    latencies: list[list[float]] = [[] for _ in range(connections)]
    stop_at = time.monotonic() + seconds

    def worker(i):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        while time.monotonic() < stop_at:
            n = next(counter)
            payload = bodies(i, n) if bodies is not None else None if body is None else body.replace("{n}", f"{i}-{n}")
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=payload, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = 200 <= response.status < 400
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                ok = False
            latencies[i].append((time.perf_counter() - t0) * 1000)
            done[i] += 1
            failed[i] += not ok
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    return TimedLoad(rps=sum(done) / elapsed, requests=sum(done), errors=sum(failed),
                     latencies_ms=[x for per in latencies for x in per])


def interleaved(server, sides: list[dict], *, rounds: int, seconds: float) -> list[TimedLoad]:
    """Rounds of each side in turn (the machine may be shared: a burst of outside load should not land on one
    side only); the best round of each side counts, a round with errors is kept (and reported) whatever its
    rate."""
    best: list[TimedLoad | None] = [None] * len(sides)
    for r in range(rounds):
        for n, side in enumerate(sides):
            result = load_timed(server, seconds=seconds / rounds, warmup=2 if r == 0 else 0, **side)
            if best[n] is None or result.errors or (not best[n].errors and result.rps > best[n].rps):
                best[n] = result
    return best


def latency_row(case: str, ours: TimedLoad, twin: TimedLoad, twin_label: str, p: int, target=None) -> Row:
    """A latency percentile as a row: a time per request, so the ratio reads as the twin's percentile over ours."""
    return Row(case=case, ours=per_second(1000 / ours.percentile(p), unit="ops/s"),
               twin=per_second(1000 / twin.percentile(p), unit="ops/s"), twin_label=twin_label, target=target)


def purge_broker(url: str | None = None) -> None:
    """Nothing consumes what the POSTs enqueued: drop the bench's broker database."""
    import redis

    try:
        redis.Redis.from_url(url or BROKER).flushdb()
    except redis.RedisError:
        pass


def broker_answers(url: str | None = None) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url or BROKER, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


class broker_for_this_process:
    """Point this process's Celery app at ``url`` (and back afterwards): the orders it submits enqueue their
    tasks where the bench's workers listen. Celery's broker_url reads the environment first."""

    def __init__(self, url: str, *, eager: bool = False):
        self.url, self.eager = url, eager

    def __enter__(self):
        from bss.celery import app

        self.old = (os.environ.get("CELERY_BROKER_URL"), app.conf.task_always_eager)
        os.environ["CELERY_BROKER_URL"] = self.url
        app.conf.update(broker_url=self.url, CELERY_BROKER_URL=self.url)
        _set_eager(app, self.eager)
        _reset_pools(app)
        return self

    def __exit__(self, *exc):
        from bss.celery import app

        url, eager = self.old
        if url is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = url
            app.conf.update(broker_url=url, CELERY_BROKER_URL=url)
        _set_eager(app, eager)
        _reset_pools(app)


def _set_eager(app, eager: bool) -> None:
    app.conf.update(task_always_eager=eager, CELERY_TASK_ALWAYS_EAGER=eager, task_eager_propagates=True,
                    CELERY_TASK_EAGER_PROPAGATES=True)


def _reset_pools(app) -> None:
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


def count_post_queries(token: str, path: str, bodies) -> int:
    """Queries of one POST, in-process on the same code (the second request: the first fills caches)."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    headers = {"Authorization": f"Token {token}"}

    def call(n):
        response = client.post(path, data=bodies(0, n), content_type="application/json", headers=headers)
        assert response.status_code == 201, (path, response.status_code, response.content[:500])
        return response

    call(10**9)
    with CaptureQueriesContext(connection) as ctx:
        response = call(10**9 + 1)
    if path == TMF:
        assert response.json()["state"] == "acknowledged", response.json()
    return len(ctx.captured_queries)


@benchmark("intake", title="TMF622 order intake under load, beside a bare DRF insert of an order row")
def run(ctx):
    from bench.load import Server

    seconds = ctx.options.get("seconds", 10)
    rounds = ctx.options.get("rounds", 3)
    offering = standard_offering()
    customers = orderable_customers()
    token = integrator_token()
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    ours = {"method": "POST", "path": TMF, "headers": headers,
            "bodies": lambda i, n: json.dumps(order_body(customers[n % len(customers)], offering.code))}
    twin = {"method": "POST", "path": TWIN, "headers": headers,
            "bodies": lambda i, n: json.dumps({"customer": customers[n % len(customers)],
                                               "description": f"bench {i}-{n}"})}
    if not broker_answers():
        raise RuntimeError(f"the intake bench enqueues on Redis ({BROKER}): start it, or set BENCH_ORDERS_BROKER_URL")
    with broker_for_this_process(BROKER):  # as the server: not eager, enqueued where nothing consumes
        queries = [count_post_queries(token, s["path"], s["bodies"]) for s in (ours, twin)]
    env = {"CELERY_BROKER_URL": BROKER, "CELERY_TASK_ALWAYS_EAGER": "false"}
    try:
        with Server(env=env) as server:
            best = interleaved(server, [ours, twin], rounds=rounds, seconds=seconds)
        with Server(env={**env, "CELERY_BROKER_URL": UNREACHABLE}) as server:
            down = load_timed(server, seconds=max(2.0, seconds / rounds), warmup=0, **ours)
    finally:
        purge_broker()
    o, t = best
    print(f"  intake: TMF622 POST {o.rps:.0f}/s p50 {o.percentile(50):.1f} ms p99 {o.percentile(99):.1f} ms "
          f"({o.requests} requests); bare insert {t.rps:.0f}/s p50 {t.percentile(50):.1f} ms "
          f"p99 {t.percentile(99):.1f} ms; broker unreachable {down.rps:.0f}/s p99 {down.percentile(99):.1f} ms "
          f"({down.errors} of {down.requests} failed)", flush=True)
    yield Row(case="TMF622 POST productOrder (acknowledged; tasks enqueued, none run)",
              ours=per_second(o.rps, queries=queries[0], note=o.note),
              twin=per_second(t.rps, queries=queries[1], note=t.note), twin_label="bare DRF insert of an order row",
              target=0.5)
    yield latency_row(f"TMF622 POST productOrder, p99 latency (16 connections; {o.requests} / {t.requests} requests)",
                      o, t, "bare DRF insert p99", 99)
    yield Row(case="TMF622 POST productOrder with the broker unreachable (enqueue fails after commit, "
                   "the sweeps take over)",
              ours=per_second(down.rps, queries=queries[0], note=down.note))
