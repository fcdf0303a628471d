"""Demo credit configuration (used by `manage.py seed_demo`): one active credit policy and the
simulated bureau's rules. Idempotent: existing rows (by name) are left as an operator edited them."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from .models import BureauSimulationRule, CreditPolicy

POLICY = {
    "name": "Standard consumer and business credit policy",
    "check_credit_limit": True,
    "decline_credit_classes": ["D"],
    "refer_credit_classes": ["C"],
    "use_bureau": True,
    "bureau_min_amount": Decimal("0"),
    "deposit_percent_when_referred": Decimal("20"),
}

# (priority, name, criteria, outcome, score). Try them in the portal with customers named
# "… Timeout …" or "… Refer …", a class D customer, or an amount of 2000 or more.
RULES = [
    (10, "Demo: names containing 'Timeout' time out", {"name_contains": "Timeout"}, "timeout", 0),
    (20, "Demo: names containing 'Refer' are referred", {"name_contains": "Refer"}, "refer", 560),
    (30, "Class D is declined", {"credit_classes": ["D"]}, "decline", 420),
    (40, "Orders of 2000 or more are referred", {"min_amount": Decimal("2000")}, "refer", 610),
    (50, "Class A scores high", {"credit_classes": ["A"]}, "approve", 780),
]


@transaction.atomic
def seed_credit() -> dict:
    """Returns what was created: {"policy": bool, "rules": n}."""
    created_policy = False
    if not CreditPolicy.objects.filter(name=POLICY["name"]).exists():
        has_active = CreditPolicy.objects.filter(is_active=True).exists()
        CreditPolicy.objects.create(**POLICY, is_active=not has_active)
        created_policy = True
    made = 0
    for priority, name, criteria, outcome, score in RULES:
        _, created = BureauSimulationRule.objects.get_or_create(
            name=name, defaults={"priority": priority, "outcome": outcome, "score": score, **criteria})
        made += created
    return {"policy": created_policy, "rules": made}
