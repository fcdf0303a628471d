"""Factories and test adapters for the credit authorization tests."""

from decimal import Decimal

import factory
from django.db import connection

from orders.credit import BureauResponse, BureauUnavailable
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


class RecordingBureau:
    """A bureau adapter for tests: approves with score 777 and records each request together
    with whether a database transaction was open while it was asked."""

    name = "recording-test"
    calls: list = []

    def assess(self, request):
        RecordingBureau.calls.append((request, connection.in_atomic_block))
        return BureauResponse(outcome="approve", score=777, reference="REC-1", reason="test bureau")


class DownBureau:
    name = "down-test"

    def assess(self, request):
        raise BureauUnavailable("connection refused")


RECORDING = "tests.orders.credit_factories.RecordingBureau"
DOWN = "tests.orders.credit_factories.DownBureau"
