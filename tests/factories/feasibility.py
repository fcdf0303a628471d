"""Feasibility rules and network coverage."""

import factory

from orders.models import CoverageArea, FeasibilityRule


class CoverageAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoverageArea

    technology = "fiber"
    area_code = factory.Sequence(lambda n: f"AREA{n:02d}")
    max_bandwidth_mbps = 1000


class FeasibilityRuleFactory(factory.django.DjangoModelFactory):
    """A rule; ``offerings=[...]`` is its range and ``alternatives=[...]`` what it proposes instead."""

    class Meta:
        model = FeasibilityRule
        skip_postgeneration_save = True

    rule_type = FeasibilityRule.RuleType.ELIGIBILITY
    params = factory.LazyFunction(dict)
    name = factory.LazyAttribute(lambda r: f"{r.rule_type} {r.params}")
    staff_message = factory.LazyAttribute(lambda r: f"{r.rule_type} says no")
    customer_message = "Not available for you."

    @factory.post_generation
    def offerings(self, create, extracted, **kwargs):
        if create and extracted:
            self.offerings.set(extracted)

    @factory.post_generation
    def alternatives(self, create, extracted, **kwargs):
        if create and extracted:
            self.alternatives.set(extracted)
