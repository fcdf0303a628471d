"""Identify-contact search on a large customer base (default 100,000 customers).

Loads synthetic customers with multi-row inserts into the database named by DATABASE_URL
(use a throw-away PostgreSQL database), then times customer_search for each kind of query,
counts its SQL queries and, for the exact lookups, times the bare indexed SQL query that finds
the same row (the floor). Usage:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bss_bench .venv/bin/python bench/run.py search
"""

from __future__ import annotations

import random
import statistics
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.harness import Row, benchmark, per_second, timed

N_DEFAULT = 100_000
BATCH = 5_000


def load(n: int) -> None:
    from customers.demo import FAMILY, GIVEN, PLACES, STREETS, ensure_bill_cycles
    from customers.models import Address, BillingAccount, Contact, ContactMedium, Customer, Party

    have = Customer.objects.count()
    if have >= n:
        print(f"  {have} customers already loaded")
        return
    cycles = ensure_bill_cycles()
    rng = random.Random(7)
    t0 = time.perf_counter()
    for start in range(have, n, BATCH):
        stop = min(n, start + BATCH)
        with transaction.atomic():
            parties = Party.objects.bulk_create([
                Party(kind="individual", given_name=rng.choice(GIVEN), family_name=rng.choice(FAMILY) + str(i % 997))
                for i in range(start, stop)])
            customers = Customer.objects.bulk_create([
                Customer(customer_number=f"CB{i:08d}", name=p.display_name, party=p, status="active")
                for i, p in zip(range(start, stop), parties, strict=True)])
            addresses = Address.objects.bulk_create([
                Address(customer=c, street1=f"{i % 200 + 1} {rng.choice(STREETS)}", city=place[0],
                        postcode=f"{place[1]} B{i % 1000:03d}", country="IE", area_code=place[2])
                for i, c in enumerate(customers) for place in [rng.choice(PLACES)]])
            contacts = Contact.objects.bulk_create([
                Contact(customer=c, given_name=c.party.given_name, family_name=c.party.family_name, is_primary=True,
                        postal_address=a) for c, a in zip(customers, addresses, strict=True)])
            media = []
            for i, ct in zip(range(start, stop), contacts, strict=True):
                phone = f"+353 86 {i:07d}"
                email = f"bench{i}@example.ie"
                media.append(ContactMedium(contact=ct, kind="mobile", value=phone, match_key=phone.replace(" ", "")[-9:]))
                media.append(ContactMedium(contact=ct, kind="email", value=email, match_key=email))
            ContactMedium.objects.bulk_create(media)
            BillingAccount.objects.bulk_create([
                BillingAccount(account_number=f"BB{i:08d}", customer=c, name=c.name, bill_cycle=cycles[i % 2],
                               billing_address=a)
                for i, c, a in zip(range(start, stop), customers, addresses, strict=True)])
        print(f"  loaded {stop} customers ({(stop - have) / (time.perf_counter() - t0):,.0f}/s)", flush=True)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ANALYZE")


def run(n: int = N_DEFAULT, repeat: int = 5) -> list[dict]:
    from bss.models import User
    from customers.selectors import customer_search

    load(n)
    staff = User(is_superuser=True, username="bench")  # unsaved superuser: sees everything
    staff.is_active = True
    k = n // 2
    cases = [
        ("customer number", f"CB{k:08d}"),
        ("account number", f"BB{k:08d}"),
        ("phone (national format)", f"086 {k:07d}"),
        ("e-mail", f"bench{k}@example.ie"),
        ("family name", "Gallagher17"),
        ("name fragment", "Siobhan Kel"),
        ("street fragment", "Harbour View"),
    ]
    rows = []
    for label, q in cases:
        times = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                hits = customer_search(user=staff, q=q)
                times.append((time.perf_counter() - t0) * 1000)
        rows.append({"case": label, "query": q, "hits": len(hits), "median_ms": statistics.median(times),
                     "queries": len(ctx.captured_queries)})
    return rows


def _bare_sql(label: str):
    """The bare indexed query that finds the customer for an exact lookup (None: no such floor)."""
    from customers.models import BillingAccount, Contact, ContactMedium, Customer

    c, a = Customer._meta.db_table, BillingAccount._meta.db_table
    ct, m = Contact._meta.db_table, ContactMedium._meta.db_table
    return {
        "customer number": f"SELECT id FROM {c} WHERE customer_number = %s",
        "account number": f"SELECT customer_id FROM {a} WHERE account_number = %s",
        "phone (national format)": f"SELECT ct.customer_id FROM {m} m JOIN {ct} ct ON ct.id = m.contact_id "
                                   f"WHERE m.match_key = %s",
        "e-mail": f"SELECT ct.customer_id FROM {m} m JOIN {ct} ct ON ct.id = m.contact_id "
                  f"WHERE m.kind = 'email' AND m.match_key = %s",
    }.get(label)


@benchmark("search", title="Identify contact: customer_search beside the bare indexed query")
def harness_rows(ctx):
    n = ctx.options.get("n", N_DEFAULT)
    ctx.once("customers", lambda: load(n))
    k = n // 2
    keys = {"customer number": f"CB{k:08d}", "account number": f"BB{k:08d}",
            "phone (national format)": f"86{k:07d}"[-9:], "e-mail": f"bench{k}@example.ie"}
    for r in run(n, repeat=ctx.options.get("repeat", 9)):
        sql = _bare_sql(r["case"])
        twin = None
        if sql:
            def bare(sql=sql, key=keys[r["case"]]):
                with connection.cursor() as cur:
                    cur.execute(sql, [key])
                    return cur.fetchall()

            assert bare(), f"the bare query finds nothing for {r['case']}"
            twin = timed(bare, repeat=50, queries=1)
        ours = per_second(1000 / r["median_ms"], unit="ops/s", queries=r["queries"])
        hits = f"{r['hits']} hit" + ("" if r["hits"] == 1 else "s")
        yield Row(case=f"identify contact: {r['case']} `{r['query']}` ({hits})", ours=ours, twin=twin,
                  twin_label="bare indexed SQL" if twin else "")
