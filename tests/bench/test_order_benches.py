"""The order benches at tiny sizes (bench/bench_order_intake.py, bench_order_lists.py, bench_fulfilment.py): their
data builds what the product fulfils, their twin inserts and lists order rows under the same permissions, their
load generator times every request, and each bench runs end to end and yields its rows (gunicorn, and for the
fulfilment two Celery workers on Redis, against the test database). They measure nothing here: timing goals
live in bench/, never in tests. The runs need PostgreSQL (and Redis for intake and fulfilment); without them
they skip, unless BSS_REQUIRE_SERVICES=1 (CI), where they fail."""

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.urls import Resolver404, resolve

from bench import bench_fulfilment, bench_order_intake, bench_order_lists
from bench.harness import Context
from orders.models import CustomerOrder, OrderItem, OrderItemPrice, OrderNote

TEST_BROKER = os.environ.get("BSS_TEST_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")


def _unavailable(reason):
    if os.environ.get("BSS_REQUIRE_SERVICES") == "1":
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def _needs_postgres():
    if connection.vendor != "postgresql":
        _unavailable("the order benches need PostgreSQL (DATABASE_URL=postgres://...)")


def _needs_redis():
    if not bench_order_intake.broker_answers(TEST_BROKER):
        _unavailable(f"Redis not reachable at {TEST_BROKER}")


@pytest.fixture
def test_database_url(transactional_db, monkeypatch, settings):
    """Servers and workers the benches start read the test database (committed rows: transactional_db)."""
    _needs_postgres()
    s = connection.settings_dict
    url = f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DJANGO_DEBUG", "false")  # as bench/run.py's environment(): production-like
    monkeypatch.setenv("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.setenv("DB_CONN_MAX_AGE", "0")
    monkeypatch.setattr(bench_order_intake, "BROKER", TEST_BROKER)
    settings.ROOT_URLCONF = "bench.urls"  # what the bench process runs with (bench.settings)
    return url


def test_the_product_does_not_serve_the_order_twin():
    with pytest.raises(Resolver404):
        resolve(bench_order_intake.TWIN)


@pytest.mark.django_db
@pytest.mark.urls("bench.urls")
def test_the_order_twin_inserts_and_lists_order_rows_under_the_same_permissions(integrator_client, api_client):
    customers = bench_order_intake.orderable_customers(2)
    created = integrator_client.post(bench_order_intake.TWIN, {"customer": customers[0], "description": "b"},
                                     format="json")
    assert created.status_code == 201 and created.json()["order_number"].startswith("T")
    assert CustomerOrder.objects.get().items.count() == 0  # one row, nothing else
    page = integrator_client.get(f"{bench_order_intake.TWIN}?limit=20").json()
    assert page["count"] == 1 and page["results"][0]["customer"] == customers[0]
    assert api_client.get(bench_order_intake.TWIN).status_code in (401, 403)


@pytest.mark.django_db
def test_the_bench_data_orders_what_the_product_accepts(integrator_client):
    offering = bench_order_intake.standard_offering()
    assert bench_order_intake.standard_offering() == offering  # made once
    customers = bench_order_intake.orderable_customers(3)
    assert bench_order_intake.orderable_customers(3) == customers
    response = integrator_client.post(bench_order_intake.TMF, bench_order_intake.order_body(customers[1]),
                                      format="json")
    assert response.status_code == 201, response.content
    assert response.json()["state"] == "acknowledged"
    order = CustomerOrder.objects.get()
    assert order.customer_id == customers[1] and order.billing_account is not None
    assert order.items.get().prices.get().duty_free_amount == 30


class _Stub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        code = 400 if b"bad" in body else 201
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_load_generator_times_every_request_and_counts_failures():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        target = type("S", (), {"port": server.server_address[1]})()
        ok = bench_order_intake.load_timed(target, "POST", "/x", headers={"Content-Type": "application/json"},
                                           body='{"n": "{n}"}', connections=2, seconds=0.3, warmup=0)
        assert ok.requests > 0 and ok.errors == 0 and len(ok.latencies_ms) == ok.requests and ok.rps > 0
        assert 0 < ok.percentile(50) <= ok.percentile(99) and not ok.note
        bad = bench_order_intake.load_timed(target, "POST", "/x", headers={}, connections=2, seconds=0.3,
                                            warmup=0, bodies=lambda i, n: "bad" if n % 2 else "good")
        assert 0 < bad.errors < bad.requests and "requests failed" in bad.note
    finally:
        server.shutdown()


def test_a_latency_row_reads_as_a_time_and_its_ratio_as_the_twin_s_over_ours():
    ours = bench_order_intake.TimedLoad(rps=10, requests=3, errors=0, latencies_ms=[10.0, 20.0, 40.0])
    twin = bench_order_intake.TimedLoad(rps=10, requests=3, errors=0, latencies_ms=[5.0, 5.0, 10.0])
    row = bench_order_intake.latency_row("p99", ours, twin, "twin p99", 99)
    assert row.ours.text() == "39.6 ms" and row.ratio == pytest.approx(9.9 / 39.6)


def test_the_lists_bench_loads_orders_the_tmf_list_renders_and_deletes_them(test_database_url, integrator_client):
    loaded = bench_order_lists.load(30)
    assert CustomerOrder.objects.filter(order_number__startswith=bench_order_lists.PREFIX).count() == 30
    assert OrderItem.objects.filter(order__order_number__startswith="OLB").count() == 30
    assert OrderItemPrice.objects.count() == 30 and OrderNote.objects.count() == 3
    page = integrator_client.get(f"{bench_order_lists.TMF}?limit=5")
    assert page["X-Total-Count"] == "30"
    newest = page.json()[0]
    assert newest["orderNumber"] == "OLB00000030" and newest["productOrderItem"][0]["itemPrice"]
    assert newest["note"] and newest["relatedParty"][0]["id"] in {str(c) for c in loaded["customers"]}
    assert {o["state"] for o in integrator_client.get(f"{bench_order_lists.TMF}?limit=30").json()} >= {
        "completed", "inProgress"}
    bench_order_lists.cleanup()
    assert not CustomerOrder.objects.exists() and not OrderItemPrice.objects.exists()


def _rows(bench, monkeypatch, **env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return list(bench(Context(options={"seconds": 1, "rounds": 1})))


def test_the_intake_bench_runs_and_yields_its_rows(test_database_url, monkeypatch):
    _needs_redis()
    rows = _rows(bench_order_intake.run, monkeypatch)
    assert [r.twin_label for r in rows] == ["bare DRF insert of an order row", "bare DRF insert p99", ""]
    assert rows[0].ours.queries > rows[0].twin.queries > 0 and rows[0].target == 0.5
    assert not any(r.ours.note for r in rows), [r.ours.note for r in rows]  # the broker down fails no request
    assert CustomerOrder.objects.filter(order_number__startswith="CO").count() > 3


def test_the_lists_bench_runs_and_yields_its_rows(test_database_url, monkeypatch):
    rows = _rows(bench_order_lists.run, monkeypatch, BENCH_ORDER_LISTS_N="40")
    assert len(rows) == 3 and rows[0].ours.queries > rows[0].twin.queries > 0 and rows[2].ours.queries > 0
    assert not any(r.ours.note or (r.twin and r.twin.note) for r in rows)
    assert not CustomerOrder.objects.filter(order_number__startswith="OLB").exists()  # cleaned up


def test_the_fulfilment_bench_runs_orders_through_two_workers_beside_its_floor(test_database_url):
    _needs_redis()
    r = bench_fulfilment.run(3, customers_n=3, broker=TEST_BROKER)
    assert r["trace"]["state"] == "completed" and r["trace"]["queries"] > r["trace"]["submit"] > 0
    assert {"orders.process_order", "service_activation.run_service_order",
            "service_activation.execute_work_order"} <= set(r["trace"]["per_task"])
    assert r["ours"]["states"] == {"completed": 3} and len(r["ours"]["latencies"]) == 3
    assert r["tasks"]["service_activation.execute_work_order"] == 9  # two steps and a test, each order
    assert r["floor"]["done"] == r["floor"]["total"] == sum(r["tasks"].values())
