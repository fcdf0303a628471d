"""Identify-contact search on a large customer base (default 100,000 customers).

Loads synthetic customers with multi-row inserts into the database named by DATABASE_URL
(use a throw-away PostgreSQL database), then times customer_search for each kind of query
and counts its SQL queries. Usage:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bss_bench .venv/bin/python bench/run.py search
"""

from __future__ import annotations

import random
import statistics
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

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
