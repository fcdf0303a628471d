"""End-to-end order fulfilment through real Celery workers (issue 9), beside the floor of as many no-op tasks.

N orders (``BENCH_FULFILMENT_N``, default 300) of the bench's standard offering (bench.bench_order_intake:
one service specification, two automatic activation steps on the simulated network with no latency, one
automatic end-to-end test), each for one of 1,000 orderable customers, are submitted through
``customer_order_create`` as an integrator's API order (pending: validated by the task) as fast as one
submitter can, while 2 Celery worker processes (solo pool, every queue, ``DB_CONN_MAX_AGE`` as configured) on
Redis (db 13, ``BENCH_ORDERS_BROKER_URL``) and PostgreSQL take each order through validation, feasibility,
credit authorization, commitment and decomposition into a service order, activation (each step claimed,
configured on the simulated network, recorded), the end-to-end test, the service order's completion, its
ServiceOrderStateChangeEvent through the outbox to orders.receivers, and the customer order's completion with
the product inventory updated. Measured: orders/s (N over the first submission to the last completion) and the
p50/p95 of each order's submit-to-completed time (``order_date`` to ``completion_date``).

The floor, in the same run through the same two workers: the same number of tasks per order as the real run
executed (counted by the workers, per task name), as no-op tasks on the same queues in the same proportions,
enqueued while the workers do not consume (the real run's workers enqueue their own follow-on tasks, so the
enqueuing process must not be what is measured): N over the time from the workers consuming again to the
last no-op done. A third row sets the orders/s against the issue's 50 orders/s. Before the workers start, one order is run in-process
with the tasks eager, every query attributed to the task that ran it: the per-order query and task counts that
explain the numbers (printed). Everything the bench made is left in the throw-away database. Usage:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bss_bench .venv/bin/python bench/run.py fulfilment
    BENCH_FULFILMENT_N=10000 ...   # the issue's 10,000 orders (about N / the orders/s measured seconds)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

from celery import shared_task
from celery.signals import task_postrun

from bench.bench_order_intake import broker_for_this_process
from bench.harness import Row, benchmark, per_second

ROOT = Path(__file__).resolve().parents[1]
N_DEFAULT = 300
WORKERS = 2
GOAL_PER_SECOND = 50.0
COUNTS_KEY = "bench:fulfilment:tasks"  # per task name: how many the workers ran
NOOP_KEY = "bench:fulfilment:noop"
QUEUES = "default,events,provisioning,notifications"


# --- in the worker processes (celery worker --include bench.bench_fulfilment) ---------------------------------

_redis_clients: dict = {}


def _redis(url: str | None = None):
    """The broker's Redis (in a worker: the one it consumes from)."""
    import redis

    from bench.bench_order_intake import BROKER

    url = url or os.environ.get("CELERY_BROKER_URL") or BROKER
    if url not in _redis_clients:
        _redis_clients[url] = redis.Redis.from_url(url)
    return _redis_clients[url]


if os.environ.get("BENCH_COUNT_TASKS") == "1":
    @task_postrun.connect(weak=False)
    def _count_task(sender=None, **kwargs):
        if sender is not None and sender.name != "bench.noop":
            _redis().hincrby(COUNTS_KEY, sender.name, 1)


@shared_task(name="bench.noop", acks_late=True)
def noop_task(n: int) -> None:
    """The floor's task: nothing but the broker round trip, the ack and one counter increment (the real tasks
    pay the same increment in _count_task)."""
    _redis().incr(NOOP_KEY)


# --- the bench process --------------------------------------------------------------------------------------

class Workers:
    """``count`` Celery worker processes (solo pool, every queue the fulfilment uses) with the bench settings."""

    def __init__(self, *, count: int = WORKERS, broker: str, env: dict | None = None):
        self.count = count
        self.broker = broker
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "CELERY_BROKER_URL": broker,
                    "CELERY_TASK_ALWAYS_EAGER": "false", "BSS_SIMULATED_LATENCY_MS": "0",
                    "BSS_SIMULATED_FAILURE_RATE": "0", "BENCH_COUNT_TASKS": "1", **(env or {})}
        self.procs: list[subprocess.Popen] = []
        self.logs = []
        self.names = [f"bench-fulfilment-{i}-{uuid.uuid4().hex[:6]}@localhost" for i in range(count)]

    def __enter__(self) -> Workers:
        celery = Path(sys.executable).with_name("celery")
        for name in self.names:
            log = tempfile.NamedTemporaryFile(prefix="bench-worker-", suffix=".log", delete=False)
            self.logs.append(log)
            self.procs.append(subprocess.Popen(
                [str(celery), "-A", "bss", "worker", "--pool", "solo", "-Q", QUEUES, "-n", name, "-l", "WARNING",
                 "--include", "bench.bench_fulfilment", "--without-heartbeat", "--without-mingle",
                 "--without-gossip"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT))
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        from bss.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for proc, log in zip(self.procs, self.logs, strict=True):
                if proc.poll() is not None:
                    raise RuntimeError(f"a Celery worker exited; see {log.name}")
            answered = {name for reply in app.control.ping(destination=self.names, timeout=1) for name in reply}
            if answered >= set(self.names):
                return
        raise RuntimeError(f"the Celery workers did not answer in {timeout:.0f} s; see "
                           + ", ".join(log.name for log in self.logs))

    def __exit__(self, *exc):
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        for log in self.logs:
            log.close()
            with open(log.name) as f:
                text = f.read()
            if "Traceback" in text or "ERROR" in text:  # the banner and the root warning are always there
                print(f"a Celery worker logged an error: see {log.name}", file=sys.stderr)
            else:
                os.unlink(log.name)


def integrator_actor():
    from bench.bench_order_intake import integrator_token
    from bss.actors import Actor, Channel
    from bss.models import User

    integrator_token()
    user = User.objects.get(username="bench-integrator")
    return Actor(user=user, channel=Channel.API, label=user.username)


def submit(*, actor, customer_id: int, offering_code: str, tag: str):
    """One order as TMF622 hands it to the service (an integrator's API order: pending until the task validates
    it)."""
    from orders.services.ordering import OrderItemInput, customer_order_create

    order, _ = customer_order_create(actor=actor, items=[OrderItemInput(item_id="1", offering=offering_code,
                                                                        offering_ref={"id": offering_code})],
                                     customer_ref=str(customer_id), external_id=tag,
                                     related_party=[{"id": str(customer_id), "@referredType": "Customer",
                                                     "role": "customer"}])
    return order


def trace_one_order(*, actor, customer_id: int, offering_code: str) -> dict:
    """One order run in-process with the tasks eager: every query attributed to the task (or the submission)
    that ran it, and the order's final state."""
    from celery.signals import task_postrun as postrun
    from celery.signals import task_prerun as prerun
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.models import CustomerOrder

    stack: list[list] = []  # [task name, queries when it started, queries its nested tasks ran]
    per_task: dict[str, list[int]] = defaultdict(list)

    with CaptureQueriesContext(connection) as ctx:
        def started(sender=None, **kw):
            stack.append([sender.name, len(ctx.captured_queries), 0])

        def finished(sender=None, **kw):
            name, start, nested = stack.pop()
            total = len(ctx.captured_queries) - start
            per_task[name].append(total - nested)
            if stack:
                stack[-1][2] += total

        prerun.connect(started, weak=False)
        postrun.connect(finished, weak=False)
        try:
            with broker_for_this_process("memory://", eager=True):
                order = submit(actor=actor, customer_id=customer_id, offering_code=offering_code,
                               tag=f"bench-trace-{uuid.uuid4().hex[:8]}")
        finally:
            prerun.disconnect(started)
            postrun.disconnect(finished)
    total = len(ctx.captured_queries)
    in_tasks = sum(sum(v) for v in per_task.values())
    return {"state": CustomerOrder.objects.get(pk=order.pk).state, "queries": total, "submit": total - in_tasks,
            "per_task": {k: (len(v), sum(v)) for k, v in sorted(per_task.items(), key=lambda kv: -sum(kv[1]))}}


def _wait(predicate, *, timeout: float, poll: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll)
    return predicate()


def run_orders(*, n: int, actor, customers: list[int], offering_code: str, timeout: float) -> dict:
    """Submit n orders while the workers run; wait until every one is completed (or stuck)."""
    from orders.models import CustomerOrder

    tag = f"bench-ful-{uuid.uuid4().hex[:8]}-"
    t0 = time.time()  # wall clock: compared with the orders' dates
    for i in range(n):
        submit(actor=actor, customer_id=customers[i % len(customers)], offering_code=offering_code, tag=f"{tag}{i}")
    submitted = time.time() - t0
    orders = CustomerOrder.objects.filter(external_id__startswith=tag)
    open_states = ["pending", "acknowledged", "committed"]

    def settled():
        return not orders.filter(state__in=open_states).exists()

    done = _wait(settled, timeout=timeout)
    states = Counter(orders.values_list("state", flat=True))
    rows = list(orders.filter(state="completed").values_list("order_date", "completion_date"))
    latencies = sorted((c - o).total_seconds() for o, c in rows)
    span = (max(c for _, c in rows) - min(o for o, _ in rows)).total_seconds() if rows else float("inf")
    return {"n": n, "t0": t0, "states": dict(states), "settled": bool(done), "submit_s": submitted, "span_s": span,
            "completed": len(rows), "latencies": latencies}


def run_floor(*, tasks: dict[str, int], broker: str, workers: Workers, timeout: float) -> dict:
    """The same tasks as no-ops on the queues the real ones are routed to (interleaved), enqueued while the
    workers do not consume (so that the enqueuing process is not what is measured: in the real run the workers
    enqueue all but the first task of an order themselves); then the workers consume again: the time until all
    are done."""
    from bss.celery import app

    r = _redis(broker)
    r.delete(NOOP_KEY)
    total = sum(tasks.values())
    plan = [(_queue_of(name), count) for name, count in tasks.items()]
    order = [q for q, count in plan for _ in range(count)]
    order = [order[i] for i in sorted(range(total), key=lambda i: (i * 7919) % total)]
    queues = QUEUES.split(",")
    for queue in queues:
        app.control.cancel_consumer(queue, destination=workers.names, reply=True, timeout=10)
    t0 = time.monotonic()
    with app.producer_or_acquire() as producer:
        for i, queue in enumerate(order):
            noop_task.apply_async((i,), queue=queue, producer=producer)
    enqueued = time.monotonic() - t0
    t0 = time.monotonic()
    for queue in queues:
        app.control.add_consumer(queue, destination=workers.names, reply=True, timeout=10)
    _wait(lambda: int(r.get(NOOP_KEY) or 0) >= total, timeout=timeout, poll=0.05)
    done = int(r.get(NOOP_KEY) or 0)
    return {"total": total, "done": done, "span_s": time.monotonic() - t0, "enqueue_s": enqueued}


def wait_idle(r, *, timeout: float) -> float:
    """Wait until nothing is queued or unacknowledged on the broker and the workers' counts stay still for a
    second; return when the last task was seen (wall-clock time)."""
    queues = QUEUES.split(",")
    deadline = time.monotonic() + timeout
    last, still_since = None, time.time()
    while time.monotonic() < deadline:
        pending = sum(r.llen(q) for q in queues) + r.hlen("unacked")
        counts = r.hgetall(COUNTS_KEY)
        if counts != last or pending:
            last, still_since = counts, time.time()
        elif time.time() - still_since >= 1.0:
            return still_since
        time.sleep(0.2)
    return time.time()


def _queue_of(task_name: str) -> str:
    from django.conf import settings

    for pattern, route in settings.CELERY_TASK_ROUTES.items():
        if task_name.startswith(pattern.rstrip("*")):
            return route["queue"]
    return settings.CELERY_TASK_DEFAULT_QUEUE


def percentile(values: list[float], p: int) -> float:
    if not values:
        return float("inf")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def run(n: int = N_DEFAULT, *, customers_n: int = 1_000, broker: str | None = None,
        worker_env: dict | None = None) -> dict:
    from bench import bench_order_intake as intake

    broker = broker or intake.BROKER
    if not intake.broker_answers(broker):
        raise RuntimeError(f"the fulfilment bench runs its workers on Redis ({broker}): start it, or set "
                           "BENCH_ORDERS_BROKER_URL")
    offering = intake.standard_offering()
    customers = intake.orderable_customers(customers_n)
    actor = integrator_actor()
    trace = trace_one_order(actor=actor, customer_id=customers[0], offering_code=offering.code)
    if trace["state"] != "completed":
        raise RuntimeError(f"the traced order ended {trace['state']}, not completed: the bench's offering no longer "
                           "fulfils")
    intake.purge_broker(broker)
    try:
        with broker_for_this_process(broker), Workers(broker=broker, env=worker_env) as workers:
            r = _redis(broker)
            r.delete(COUNTS_KEY)
            ours = run_orders(n=n, actor=actor, customers=customers, offering_code=offering.code,
                              timeout=max(300.0, n * 1.0))
            # events published at the orders' completion are still being fanned out: count every task once the
            # workers are idle (nothing queued or unacknowledged, the counts still)
            ours["idle_s"] = wait_idle(r, timeout=max(300.0, n * 1.0)) - ours["t0"]
            tasks = {k.decode(): int(v) for k, v in r.hgetall(COUNTS_KEY).items()}
            floor = run_floor(tasks=tasks, broker=broker, workers=workers, timeout=max(300.0, n * 1.0))
    finally:
        intake.purge_broker(broker)
    return {"n": n, "trace": trace, "ours": ours, "tasks": tasks, "floor": floor}


def _report(r: dict) -> None:
    t, o, f = r["trace"], r["ours"], r["floor"]
    print(f"\n  one order traced in-process (tasks eager): {t['queries']} queries, {t['submit']} in the submission; "
          "per task (runs, queries):", flush=True)
    for name, (runs, queries) in t["per_task"].items():
        print(f"    {name}: {runs} run(s), {queries} queries", flush=True)
    total = sum(r["tasks"].values())
    print(f"  {o['n']} orders: {o['states']}; submitted in {o['submit_s']:.1f} s, first submission to last "
          f"completion {o['span_s']:.1f} s, to the workers idle (every event fanned out) {o['idle_s']:.1f} s; "
          f"the workers ran {total} tasks ({total / o['n']:.1f} per order): "
          + ", ".join(f"{k} {v / o['n']:.1f}" for k, v in sorted(r["tasks"].items(), key=lambda kv: -kv[1])),
          flush=True)
    print(f"  floor: {f['done']} of {f['total']} no-op tasks done in {f['span_s']:.1f} s (enqueued in "
          f"{f['enqueue_s']:.1f} s)", flush=True)


@benchmark("fulfilment", title="End-to-end order fulfilment on 2 Celery workers, beside as many no-op tasks")
def harness_rows(ctx):
    n = int(os.environ.get("BENCH_FULFILMENT_N", N_DEFAULT))
    r = run(n)
    _report(r)
    o, f, t = r["ours"], r["floor"], r["trace"]
    note = "" if o["completed"] == o["n"] else f"{o['n'] - o['completed']} of {o['n']} orders did not complete: " \
                                               f"{o['states']}"
    tasks_per_order = sum(r["tasks"].values()) / n
    # beside the floor: until every task the orders caused is done (the floor runs as many); against the goal:
    # until the last order completed (what a customer sees; events still being fanned out then are not waited)
    every_task = per_second(o["completed"] / o["idle_s"], unit="orders/s", queries=t["queries"], note=note)
    completed = per_second(o["completed"] / o["span_s"], unit="orders/s", queries=t["queries"], note=note)
    floor = per_second(n / f["span_s"], unit="orders/s", queries=0,
                       note="" if f["done"] >= f["total"] else f"{f['total'] - f['done']} no-op tasks were not done")
    yield Row(case=f"{n:,} orders fulfilled end to end, validation to completion, every task they cause done "
                   f"({tasks_per_order:.1f} tasks an order), 2 workers: {every_task.per_second:.2f} orders/s, "
                   f"floor {floor.per_second:.1f}", ours=every_task, twin=floor,
              twin_label=f"{tasks_per_order:.1f} no-op tasks an order, same workers")
    yield Row(case=f"the same, to the last order completed ({completed.per_second:.2f} orders/s), against the "
                   "issue's 50 orders/s", ours=completed,
              twin=per_second(GOAL_PER_SECOND, unit="orders/s"), twin_label="issue goal", target=1.0)
    lat = o["latencies"]
    yield Row(case=f"submit to completed, p50 {percentile(lat, 50):.1f} s / p95 (all {n:,} submitted at once)",
              ours=per_second(1 / percentile(lat, 95), unit="ops/s"))
