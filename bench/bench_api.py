"""The paths every TMF API shares, under concurrent load from loopback (gunicorn as in production:
4 sync workers, DEBUG off), each beside a bare DRF twin on the same server (bench/twins.py):

- GET one customer (TMF629) vs a bare DRF retrieve of the same row;
- GET a list of 20 (TMF629) vs a bare DRF list of 20 (both count the table for paging);
- POST a customer (TMF629: history and outbox written too) vs a bare DRF insert of one row.

Queries per request are counted in-process on the same code (django.test.Client). The machine
may be shared with other work: each side is measured in rounds interleaved with its twin's, and
the best round of each side counts, so a burst of outside load does not land on one side only.
"""

from __future__ import annotations

import json

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.harness import Row, benchmark, per_second
from bench.load import Server, load

TMF = "/tmf-api/customerManagement/v4/customer"
TWIN = "/bench/twin/customer"
TMF_BODY = json.dumps({"name": "Bench {n}", "engagedParty": {"id": "ext-{n}", "@referredType": "Individual"}})
TWIN_BODY = json.dumps({"name": "Bench {n}"})


def integrator_token() -> str:
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from bss.models import User
    from bss.roles import Role

    user, _ = User.objects.get_or_create(username="bench-integrator")
    user.groups.add(Group.objects.get(name=Role.INTEGRATOR))
    return Token.objects.get_or_create(user=user)[0].key


def count_queries(client: Client, method: str, path: str, headers: dict, body: str | None = None) -> int:
    def call(n):
        payload = None if body is None else body.replace("{n}", f"count-{n}")
        response = getattr(client, method.lower())(path, data=payload, content_type="application/json",
                                                   headers=headers)
        assert 200 <= response.status_code < 300, (path, response.status_code, response.content[:500])

    call(0)  # the first request of a process may fill caches (content types, permissions)
    with CaptureQueriesContext(connection) as ctx:
        call(1)
    return len(ctx.captured_queries)


@benchmark("api", title="Shared TMF paths under load, beside bare DRF twins")
def run(ctx):
    from bench.bench_customer_search import load as load_customers
    from customers.models import Customer

    n = ctx.options.get("n", 100_000)
    ctx.once("customers", lambda: load_customers(n))
    seconds = ctx.options.get("seconds", 10)
    rounds = ctx.options.get("rounds", 3)
    token = integrator_token()
    one = Customer.objects.get(customer_number=f"CB{n // 2:08d}").pk
    auth = {"Authorization": f"Token {token}"}
    post = {**auth, "Content-Type": "application/json"}
    client = Client()
    cases = [
        ("TMF GET one customer", ("GET", f"{TMF}/{one}", auth, None),
         "bare DRF retrieve", ("GET", f"{TWIN}/{one}", auth, None), 0.5),
        ("TMF GET list of 20", ("GET", f"{TMF}?limit=20", auth, None),
         "bare DRF list of 20", ("GET", f"{TWIN}?limit=20", auth, None), 0.5),
        ("TMF POST customer", ("POST", TMF, post, TMF_BODY),
         "bare DRF insert", ("POST", TWIN, post, TWIN_BODY), 0.25),
    ]
    with Server() as server:
        health = load(server, "GET", "/healthz", headers={}, seconds=seconds)
        yield Row(case="health check (SELECT 1), for scale", ours=per_second(health.rps, note=health.note))
        for case, ours_req, twin_label, twin_req, target in cases:
            sides = (ours_req, twin_req)
            queries = [count_queries(client, *side) for side in sides]
            best = [None, None]
            for i in range(rounds):
                for n, (method, path, headers, body) in enumerate(sides):
                    result = load(server, method, path, headers=headers, body=body, seconds=seconds / rounds,
                                  warmup=2 if i == 0 else 0)
                    # the best round counts; a round with errors is kept (and reported) whatever its rate
                    if best[n] is None or result.errors or (not best[n].errors and result.rps > best[n].rps):
                        best[n] = result
            ours, twin = (per_second(r.rps, queries=q, note=r.note) for r, q in zip(best, queries, strict=True))
            yield Row(case=case, ours=ours, twin=twin, twin_label=twin_label, target=target)
