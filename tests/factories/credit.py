"""Credit policies and the simulated bureau's rules."""

from decimal import Decimal

import factory

from orders.models import BureauSimulationRule, CreditPolicy


class CreditPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CreditPolicy

    name = factory.Sequence(lambda n: f"Policy {n}")
    is_active = True
    check_credit_limit = True
    decline_credit_classes = factory.LazyFunction(lambda: ["D"])
    refer_credit_classes = factory.LazyFunction(lambda: ["C"])
    use_bureau = True
    bureau_min_amount = Decimal("0")
    deposit_percent_when_referred = Decimal("0")


class BureauRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BureauSimulationRule

    priority = factory.Sequence(lambda n: 10 + n)
    name = factory.Sequence(lambda n: f"Rule {n}")
    outcome = BureauSimulationRule.Outcome.APPROVE
    score = 600
