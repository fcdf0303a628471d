"""Order lists over 1,000,000 customer orders (issue 8): the TMF622 productOrder list and the staff portal's
order list page, under concurrent load from loopback, the API beside a bare DRF list of the same table.

Loads 1,000,000 orders of 1,000 customers (``BENCH_ORDER_LISTS_N`` for a quick look), each with one item of the
bench's standard offering and that item's agreed monthly price, and a note on every tenth order, with one
multi-row INSERT ... SELECT generate_series per table (every column from the model: the defaults come from the
model, never from a list kept here) into the database named by DATABASE_URL (use a throw-away PostgreSQL
database). Order dates are one second apart; states a mix of completed (most), in progress, acknowledged and
rejected.

Cases (gunicorn as in production, bench/load.py; 16 connections; rounds interleaved with the twin's, the best
of each counts; every request timed, bench.bench_order_intake.load_timed):

- GET /tmf-api/productOrderingManagement/v4/productOrder?limit=20 (the newest 20, with items, prices, notes,
  totals, X-Total-Count from the database) as an integrator, beside ``bench/twins.py`` TwinOrderList: a bare
  DRF list of 20 order rows of the same table, newest first, counted for paging (LimitOffsetPagination);
  throughput and p95;
- the staff portal's /csr/orders/ (django-tables2, 25 a page, counted) as a CSR, reported (no twin).

Queries per request are counted in-process (django.test.Client) on the same code; the EXPLAIN ANALYZE of the
TMF list's page and count statements is printed. Everything loaded is deleted at the end. Usage:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bss_bench .venv/bin/python bench/run.py orderlists
"""

from __future__ import annotations

import os
import time

from django.db import connection, transaction

from bench.harness import Row, benchmark, per_second

N_DEFAULT = 1_000_000
PREFIX = "OLB"  # order numbers OLB00000001...
TMF = "/tmf-api/productOrderingManagement/v4/productOrder"
TWIN = "/bench/twin/order"
PORTAL = "/csr/orders/"


def insert_select(model, overrides: dict[str, str], source: str) -> tuple[str, dict]:
    """INSERT INTO <model's table> (every concrete column but the key) SELECT <overrides, else the model's
    defaults> FROM <source>: a column the model gains later gets its default, not an error."""
    from django.db import models

    columns, values, params = [], [], {}
    for f in model._meta.concrete_fields:
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
            key = f"d_{model._meta.model_name}_{f.column}"
            params[key] = f.get_db_prep_save(f.get_default(), connection)
            values.append(f"%({key})s")
    return f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}", params


STATE = ("CASE WHEN mod(g * 37, 100) < 90 THEN 'completed' WHEN mod(g * 37, 100) < 96 THEN 'committed' "
         "WHEN mod(g * 37, 100) < 99 THEN 'pending' ELSE 'rejected' END")


def load(n: int) -> dict:
    from bench.bench_order_intake import orderable_customers, standard_offering
    from orders.models import CustomerOrder, OrderItem, OrderItemPrice, OrderNote

    cleanup()
    offering = standard_offering()
    price = offering.prices.get()
    customers = orderable_customers()
    accounts = dict(_accounts(customers))
    t0 = time.perf_counter()
    orders, items = CustomerOrder._meta.db_table, OrderItem._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        sql, params = insert_select(CustomerOrder, {
            "order_number": f"'{PREFIX}' || lpad(g::text, 8, '0')",
            "customer_id": "(%(customers)s::bigint[])[1 + mod(g, %(nc)s)]",
            "billing_account_id": "(%(accounts)s::bigint[])[1 + mod(g, %(nc)s)]",
            "channel": "'api'", "state": STATE, "currency": "'EUR'",
            "order_date": "now() - (%(n)s - g) * INTERVAL '1 second'",
            "updated_at": "now() - (%(n)s - g) * INTERVAL '1 second'",
            "completion_date": f"CASE WHEN {STATE} = 'completed' THEN now() - (%(n)s - g) * INTERVAL '1 second' "
                               "+ INTERVAL '20 minutes' END",
            "committed_date": "now() - (%(n)s - g) * INTERVAL '1 second' + INTERVAL '7 days'",
            "description": "'bench order'",
        }, "generate_series(1, %(n)s) g")
        cur.execute(sql, {**params, "n": n, "customers": customers, "accounts": [accounts[c] for c in customers],
                          "nc": len(customers)})
        own = f"{orders} o WHERE o.order_number LIKE %(like)s"
        sql, params = insert_select(OrderItem, {
            "order_id": "o.id", "item_id": "'1'", "action": "'add'", "offering_id": "%(offering)s",
            "offering_ref": "jsonb_build_object('id', %(code)s::text)",
            "state": "CASE o.state WHEN 'completed' THEN 'completed' WHEN 'committed' THEN 'inProgress' "
                     "WHEN 'rejected' THEN 'rejected' ELSE 'acknowledged' END",
        }, own)
        cur.execute(sql, {**params, "offering": offering.pk, "code": offering.code, "like": f"{PREFIX}%"})
        sql, params = insert_select(OrderItemPrice, {
            "item_id": "i.id", "catalog_price_id": "%(price)s", "name": "'Monthly fee'", "price_type": "'recurring'",
            "recurring_period": "'month'", "list_amount": "30", "duty_free_amount": "30", "tax_rate": "23",
            "tax_included_amount": "36.9", "currency": "'EUR'",
        }, f"{items} i JOIN {orders} o ON o.id = i.order_id WHERE o.order_number LIKE %(like)s")
        cur.execute(sql, {**params, "price": price.pk, "like": f"{PREFIX}%"})
        sql, params = insert_select(OrderNote, {
            "order_id": "o.id", "text": "'Customer asked for a morning appointment.'", "author": "'bench'",
            "created_at": "o.order_date",
        }, f"{own} AND mod(substr(o.order_number, {len(PREFIX) + 1})::int, 10) = 0")
        cur.execute(sql, {**params, "like": f"{PREFIX}%"})
    for model in (CustomerOrder, OrderItem, OrderItemPrice, OrderNote):
        with connection.cursor() as cur:
            cur.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    print(f"  loaded {n:,} orders with their items, prices and notes in {time.perf_counter() - t0:.0f} s", flush=True)
    return {"customers": customers}


def _accounts(customers: list[int]):
    from customers.models import BillingAccount

    return BillingAccount.objects.filter(customer_id__in=customers).values_list("customer_id", "pk")


def cleanup() -> None:
    """Delete the orders the bench loaded, with their items, prices and notes."""
    from bench.bench_order_jeopardy import _without_triggers
    from orders.models import CustomerOrder, OrderItem, OrderItemPrice, OrderNote

    orders, items = CustomerOrder._meta.db_table, OrderItem._meta.db_table
    own = f"SELECT id FROM {orders} WHERE order_number LIKE %(like)s"
    with transaction.atomic(), connection.cursor() as cur:
        _without_triggers(cur)  # nothing else refers to the bench's rows: no per-row foreign key checks
        args = {"like": f"{PREFIX}%"}
        cur.execute(f"DELETE FROM {OrderItemPrice._meta.db_table} WHERE item_id IN "
                    f"(SELECT id FROM {items} WHERE order_id IN ({own}))", args)
        cur.execute(f"DELETE FROM {OrderNote._meta.db_table} WHERE order_id IN ({own})", args)
        cur.execute(f"DELETE FROM {items} WHERE order_id IN ({own})", args)
        cur.execute(f"DELETE FROM {orders} WHERE order_number LIKE %(like)s", args)
    for model in (CustomerOrder, OrderItem, OrderItemPrice, OrderNote):
        with connection.cursor() as cur:
            cur.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def csr_session() -> str:
    """A signed-in CSR's session cookie (sessions are in the database: the server's workers read it)."""
    from django.contrib.auth.models import Group
    from django.test import Client

    from bss.models import User
    from bss.roles import Role

    user, _ = User.objects.get_or_create(username="bench-csr")
    user.groups.add(Group.objects.get(name=Role.CSR))
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def count_get_queries(path: str, headers: dict) -> int:
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if "Cookie" in headers:
        client.cookies["sessionid"] = headers["Cookie"].split("=", 1)[1]
    auth = {k: v for k, v in headers.items() if k == "Authorization"}

    def call():
        response = client.get(path, headers=auth)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])

    call()
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def explain_tmf_list(user) -> None:
    """EXPLAIN ANALYZE of the statements the TMF list runs for its page and its count, as the view builds them
    (captured from the queryset the view lists)."""
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from rest_framework.request import Request

    from orders.tmf.views import ProductOrderViewSet

    view = ProductOrderViewSet()
    request = Request(RequestFactory().get(TMF))
    request.user = user
    view.request, view.format_kwarg, view.kwargs = request, None, {}
    qs = view.get_queryset().order_by(*view.ordering)
    with CaptureQueriesContext(connection) as page:
        list(qs[:20])
    with CaptureQueriesContext(connection) as count:
        qs.count()
    from orders.models import CustomerOrder

    with CaptureQueriesContext(connection) as twin:
        CustomerOrder.objects.count()
    for title, sql in (("TMF622 list's page of 20 (before its prefetches)", page.captured_queries[0]["sql"]),
                       ("TMF622 list's count", count.captured_queries[0]["sql"]),
                       ("twin's count, for comparison", twin.captured_queries[0]["sql"])):
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql.replace("%", "%%"))
            plan = [r[0] for r in cur.fetchall()]
        print(f"\n  EXPLAIN ANALYZE, the {title}:")
        print("\n".join("      " + line for line in plan[:30]), flush=True)


@benchmark("orderlists", title="Order lists over 1,000,000 orders: TMF622 list beside a bare DRF list, the portal page")
def run(ctx):
    from bench.bench_order_intake import integrator_token, interleaved, latency_row, load_timed
    from bench.load import Server
    from bss.models import User

    n = int(os.environ.get("BENCH_ORDER_LISTS_N", N_DEFAULT))
    seconds = ctx.options.get("seconds", 10)
    rounds = ctx.options.get("rounds", 3)
    load(n)
    try:
        token = integrator_token()
        auth = {"Authorization": f"Token {token}"}
        cookie = {"Cookie": f"sessionid={csr_session()}"}
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)  # the pages' manifest, as production has it
        explain_tmf_list(User.objects.get(username="bench-integrator"))
        ours = {"method": "GET", "path": f"{TMF}?limit=20", "headers": auth}
        twin = {"method": "GET", "path": f"{TWIN}?limit=20", "headers": auth}
        portal = {"method": "GET", "path": PORTAL, "headers": cookie}
        queries = [count_get_queries(s["path"], s["headers"]) for s in (ours, twin, portal)]
        with Server() as server:
            o, t = interleaved(server, [ours, twin], rounds=rounds, seconds=seconds)
            p = load_timed(server, seconds=seconds / rounds, warmup=2, **portal)
    finally:
        cleanup()
    print(f"  lists at {n:,} orders: TMF622 {o.rps:.1f}/s p50 {o.percentile(50):.0f} ms p95 {o.percentile(95):.0f} ms; "
          f"bare list {t.rps:.1f}/s p50 {t.percentile(50):.0f} ms p95 {t.percentile(95):.0f} ms; "
          f"portal {p.rps:.1f}/s p95 {p.percentile(95):.0f} ms", flush=True)
    yield Row(case=f"TMF622 GET productOrder list of 20, {n:,} orders (items, prices, notes, totals)",
              ours=per_second(o.rps, queries=queries[0], note=o.note),
              twin=per_second(t.rps, queries=queries[1], note=t.note), twin_label="bare DRF list of 20 order rows",
              target=0.5)
    yield latency_row(f"the same, p95 latency (16 connections; {o.requests} / {t.requests} requests)", o, t,
                      "bare DRF list p95", 95)
    yield Row(case=f"portal /csr/orders/ (25 a page), {n:,} orders, p95 {p.percentile(95):.0f} ms",
              ours=per_second(p.rps, queries=queries[2], note=p.note))
