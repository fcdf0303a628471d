"""Credit authorization configuration: the credit policy and the simulated bureau's rules. The
rules that used to live in the admin form are here, so every door (admin, demo, later an API)
gets them."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from bss.actors import Actor
from bss.audit.services import UNSET, given, history_record_created, model_update
from bss.errors import DomainValidationError
from customers.selectors import credit_classes
from orders.models import BureauSimulationRule, CreditPolicy

CREDIT_POLICY_FIELDS = ("name", "check_credit_limit", "decline_credit_classes", "refer_credit_classes",
                        "max_outstanding_balance", "use_bureau", "bureau_min_amount",
                        "deposit_percent_when_referred")
BUREAU_RULE_FIELDS = ("priority", "name", "credit_classes", "name_contains", "min_amount", "outcome", "score",
                      "is_active")


def _class_list_errors(data: dict, *fields: str) -> dict:
    known = credit_classes()
    errors = {}
    for name in fields:
        value = data.get(name)
        if value in (None, ""):
            continue
        if not isinstance(value, list) or any(v not in known for v in value):
            errors[name] = f"A list of credit classes, e.g. [\"D\"]; known: {', '.join(known)}."
    return errors


def credit_policy_errors(data: dict, *, policy_id: int | None = None) -> dict:
    errors = _class_list_errors(data, "decline_credit_classes", "refer_credit_classes")
    deposit = data.get("deposit_percent_when_referred")
    if deposit is not None and not (Decimal(0) <= deposit <= Decimal(100)):
        errors["deposit_percent_when_referred"] = "A percentage between 0 and 100."
    for name in ("max_outstanding_balance", "bureau_min_amount"):
        if data.get(name) is not None and data[name] < 0:
            errors[name] = "A non-negative amount."
    if data.get("is_active"):
        other = CreditPolicy.objects.filter(is_active=True).exclude(pk=policy_id).first()
        if other is not None:
            errors["is_active"] = (f"'{other}' is the active policy; save this one inactive and use the "
                                   f"'Make active' action to switch.")
    return errors


@transaction.atomic
def credit_policy_create(*, name: str, actor: Actor, is_active: bool = False, check_credit_limit: bool = True,
                         decline_credit_classes: list | None = None, refer_credit_classes: list | None = None,
                         max_outstanding_balance: Decimal | None = None, use_bureau: bool = True,
                         bureau_min_amount: Decimal = Decimal("0"),
                         deposit_percent_when_referred: Decimal = Decimal("0")) -> CreditPolicy:
    data = dict(name=name, is_active=is_active, check_credit_limit=check_credit_limit,
                decline_credit_classes=decline_credit_classes or [], refer_credit_classes=refer_credit_classes or [],
                max_outstanding_balance=max_outstanding_balance, use_bureau=use_bureau,
                bureau_min_amount=bureau_min_amount, deposit_percent_when_referred=deposit_percent_when_referred)
    errors = credit_policy_errors(data)
    if errors:
        raise DomainValidationError(errors)
    policy = CreditPolicy.objects.create(**data)
    history_record_created(obj=policy, actor=actor, action="orders.credit_policy.created")
    return policy


@transaction.atomic
def credit_policy_update(*, policy: CreditPolicy, actor: Actor, name: str = UNSET, check_credit_limit: bool = UNSET,
                         decline_credit_classes: list = UNSET, refer_credit_classes: list = UNSET,
                         max_outstanding_balance: Decimal | None = UNSET, use_bureau: bool = UNSET,
                         bureau_min_amount: Decimal = UNSET,
                         deposit_percent_when_referred: Decimal = UNSET) -> CreditPolicy:
    """Only the arguments given change; which policy is active changes through credit_policy_activate."""
    changes = given(name=name, check_credit_limit=check_credit_limit, decline_credit_classes=decline_credit_classes,
                    refer_credit_classes=refer_credit_classes, max_outstanding_balance=max_outstanding_balance,
                    use_bureau=use_bureau, bureau_min_amount=bureau_min_amount,
                    deposit_percent_when_referred=deposit_percent_when_referred)
    policy = CreditPolicy.objects.select_for_update().get(pk=policy.pk)
    errors = credit_policy_errors(changes, policy_id=policy.pk)
    if errors:
        raise DomainValidationError(errors)
    model_update(instance=policy, fields=CREDIT_POLICY_FIELDS, data=changes, actor=actor,
                 action="orders.credit_policy.updated")
    return policy


@transaction.atomic
def bureau_rule_create(*, name: str, outcome: str, actor: Actor, priority: int = 100,
                       credit_classes: list | None = None, name_contains: str = "",
                       min_amount: Decimal | None = None, score: int = 600,
                       is_active: bool = True) -> BureauSimulationRule:
    data = dict(name=name, outcome=outcome, priority=priority, credit_classes=credit_classes or [],
                name_contains=name_contains, min_amount=min_amount, score=score, is_active=is_active)
    errors = _class_list_errors(data, "credit_classes")
    if outcome not in BureauSimulationRule.Outcome.values:
        errors["outcome"] = f"One of {', '.join(BureauSimulationRule.Outcome.values)}."
    if errors:
        raise DomainValidationError(errors)
    rule = BureauSimulationRule.objects.create(**data)
    history_record_created(obj=rule, actor=actor, action="orders.bureau_simulation_rule.created")
    return rule


@transaction.atomic
def bureau_rule_update(*, rule: BureauSimulationRule, actor: Actor, priority: int = UNSET, name: str = UNSET,
                       credit_classes: list = UNSET, name_contains: str = UNSET, min_amount: Decimal | None = UNSET,
                       outcome: str = UNSET, score: int = UNSET, is_active: bool = UNSET) -> BureauSimulationRule:
    """Only the arguments given change."""
    changes = given(priority=priority, name=name, credit_classes=credit_classes, name_contains=name_contains,
                    min_amount=min_amount, outcome=outcome, score=score, is_active=is_active)
    rule = BureauSimulationRule.objects.select_for_update().get(pk=rule.pk)
    errors = _class_list_errors(changes, "credit_classes")
    if errors:
        raise DomainValidationError(errors)
    model_update(instance=rule, fields=BUREAU_RULE_FIELDS, data=changes, actor=actor,
                 action="orders.bureau_simulation_rule.updated")
    return rule
