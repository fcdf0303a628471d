"""Demo operator data for the customer inventory (used by `manage.py seed_demo`).

Deterministic (seeded random), idempotent (skips what exists), and written through the same
services the portal and APIs use, so history and events look like real operation.
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import transaction

from bss.actors import Actor

from . import services
from .models import BillCycle, Customer, Party

GIVEN = ["Aoife", "Conor", "Siobhan", "Liam", "Niamh", "Sean", "Ciara", "Darragh", "Orla", "Cian", "Emma",
         "Jack", "Saoirse", "Patrick", "Grace", "Oisin", "Roisin", "Eoin", "Aisling", "Fionn", "Maeve", "Ronan",
         "Clodagh", "Tadhg", "Sinead", "Kevin", "Aine", "Declan", "Mary", "John"]
FAMILY = ["Murphy", "Kelly", "O'Sullivan", "Walsh", "Smith", "O'Brien", "Byrne", "Ryan", "O'Connor", "O'Neill",
          "O'Reilly", "Doyle", "McCarthy", "Gallagher", "Doherty", "Kennedy", "Lynch", "Murray", "Quinn", "Moore",
          "McLoughlin", "Carroll", "Connolly", "Daly", "Connell", "Wilson", "Dunne", "Brennan", "Burke", "Collins"]
COMPANY_A = ["Atlantic", "Liffey", "Shannon", "Emerald", "Harbour", "Celtic", "Granite", "Oak", "Beacon", "Summit"]
COMPANY_B = ["Logistics", "Dental", "Architects", "Software", "Foods", "Pharmacy", "Motors", "Consulting",
             "Hotels", "Engineering"]
STREETS = ["Main Street", "Church Road", "Station Road", "Patrick Street", "Grafton Street", "Harbour View",
           "Mill Lane", "Castle Street", "Bridge Street", "Green Park", "College Road", "Quay Street"]
# (city, postcode prefix, area code used by serviceability rules)
PLACES = [("Dublin", "D02", "DUB01"), ("Dublin", "D04", "DUB02"), ("Dublin", "D15", "DUB03"),
          ("Cork", "T12", "CRK01"), ("Galway", "H91", "GAL01"), ("Limerick", "V94", "LIM01"),
          ("Ennis", "V95", "CLR01"), ("Sligo", "F91", "SLI01")]
CYCLES = [("C01", "Cycle 1", 1), ("C15", "Cycle 15", 15)]


def ensure_bill_cycles(actor: Actor | None = None) -> list[BillCycle]:
    actor = actor or Actor.system("seed_demo")
    existing = {c.code: c for c in BillCycle.objects.filter(code__in=[c[0] for c in CYCLES])}
    return [existing.get(code) or services.bill_cycle_create(code=code, name=name, day_of_month=day, actor=actor)
            for code, name, day in CYCLES]


def _address(rng, place):
    city, prefix, area = place
    return {"street1": f"{rng.randint(1, 180)} {rng.choice(STREETS)}", "city": city,
            "postcode": f"{prefix} {rng.choice('ACDEFHKNPRTVWXY')}{rng.randint(100, 999)}", "country": "IE",
            "area_code": area}


def seed_customers(count: int = 300, *, seed: int = 42, actor: Actor | None = None) -> int:
    """Create demo customers until `count` exist; returns how many were created."""
    actor = actor or Actor.system("seed_demo")
    rng = random.Random(seed)
    cycles = ensure_bill_cycles(actor)
    existing = Customer.objects.count()
    created = 0
    for i in range(count):
        # Draw every random value even for customers that exist, so reruns stay deterministic.
        business = i % 5 == 4
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        company = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)}"
        place = rng.choice(PLACES)
        addr = _address(rng, place)
        mobile = f"+353 8{rng.choice('3567')} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        landline = f"+353 1 {rng.randint(200, 899)} {rng.randint(1000, 9999)}"
        cycle = cycles[i % 2]
        credit = rng.choice("AABBBBC")
        status = rng.choices(["active", "active", "active", "prospect", "suspended", "closed"])[0]
        if i < existing:
            continue
        email_name = f"{given}.{family}".lower().replace("'", "")
        with transaction.atomic():
            if business:
                party = {"kind": Party.Kind.ORGANIZATION, "trading_name": f"{company} {i}",
                         "registration_number": f"IE{rng.randint(100000, 999999)}"}
                cust = {"segment": rng.choice(["soho", "sme", "sme", "enterprise"]), "credit_class": credit}
                media = [{"kind": "phone", "value": landline, "preferred": True},
                         {"kind": "email", "value": f"{email_name}@{company.split()[0].lower()}{i}.ie"}]
                contact = {"given_name": given, "family_name": family, "role": "primary", "job_title": "Office manager"}
            else:
                party = {"kind": Party.Kind.INDIVIDUAL, "given_name": given, "family_name": family}
                cust = {"segment": "residential", "credit_class": credit}
                media = [{"kind": "mobile", "value": mobile, "preferred": True},
                         {"kind": "email", "value": f"{email_name}{i}@example.ie"}]
                contact = {"given_name": given, "family_name": family, "role": "primary"}
            c = services.customer_onboard(
                actor=actor, party=party, customer=cust, contact=contact, media=media, address=addr,
                account={"bill_cycle": cycle, "currency": "EUR",
                         "credit_limit": Decimal(rng.choice([250, 500, 1000, 5000 if business else 750]))},
            )
            if business:
                main = c.billing_accounts.get()
                branch = services.address_create(customer=c, actor=actor, **_address(rng, rng.choice(PLACES)))
                services.billing_account_create(customer=c, actor=actor, billing_address=branch,
                                                bill_cycle=cycle, name=f"{c.name} – branch", parent=main)
            if status != "prospect":
                services.customer_change_status(customer_id=c.pk, status="active", actor=actor)
            if status in ("suspended", "closed"):
                services.customer_change_status(customer_id=c.pk, status=status, actor=actor,
                                                reason="Demo: non-payment" if status == "suspended" else
                                                "Demo: moved abroad")
        created += 1
    return created


SELF_SERVICE_USERNAME = "customer"


def seed_self_service_login(*, actor: Actor, password: str) -> str:
    """The demo self-service login 'customer', linked to the first active individual customer."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=SELF_SERVICE_USERNAME, defaults={
            "first_name": "Demo", "last_name": "Customer", "email": "customer@example.ie"})
        if created:
            user.set_password(password)
            user.save()
        first = Customer.objects.filter(party__kind="individual", status="active").order_by("pk").first()
        if first and not hasattr(user, "self_service"):
            services.self_service_grant(customer=first, user=user, actor=actor)
    return SELF_SERVICE_USERNAME


def seed(*, actor: Actor, options: dict) -> list[str]:
    """CustomersConfig.demo_seed: customers, bill cycles and the self-service login."""
    made = seed_customers(options.get("customers", 300), actor=actor)
    login = seed_self_service_login(actor=actor, password=options["password"])
    return [f"customers: {made} created, {Customer.objects.count()} in total",
            f"self-service login: {login}"]
