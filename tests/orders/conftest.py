"""Fixtures shared by the orders tests."""

import pytest

from tests.factories import (
    CoverageAreaFactory,
    FeasibilityRuleFactory,
    ProductOfferingFactory,
    ProductSpecificationFactory,
    SpecCharacteristicFactory,
)


def _offering(code, **kw):
    kw.setdefault("lifecycle_status", "active")
    return ProductOfferingFactory(code=code, name=code.replace("-", " ").title(), **kw)


@pytest.fixture
def feasibility_catalog(db):
    """A small catalog, coverage and rule set for feasibility tests: (offerings by code, rules by name)."""
    spec = ProductSpecificationFactory(code="fiber-spec", name="Fiber access")
    SpecCharacteristicFactory(specification=spec, name="install_type", allowed_values=["self", "technician"])
    fiber = {"technology": "fiber", "requires_install_address": True, "specification": spec}
    offerings = {
        "fiber-100": _offering("fiber-100", bandwidth_mbps=100, **fiber),
        "fiber-500": _offering("fiber-500", bandwidth_mbps=500, **fiber),
        "iptv-addon": _offering("iptv-addon", technology="iptv"),
        "fiber-500-tv": _offering("fiber-500-tv", is_bundle=True),
        "business-vpn": _offering("business-vpn", customer_segments=["sme", "enterprise"]),
        "mobile-s": _offering("mobile-s"),
        "mobile-classic": _offering("mobile-classic", lifecycle_status="retired"),
        "draft-plan": _offering("draft-plan", lifecycle_status="draft"),
    }
    CoverageAreaFactory(technology="fiber", area_code="DUB01", max_bandwidth_mbps=1000)
    CoverageAreaFactory(technology="fiber", area_code="GAL01", max_bandwidth_mbps=100)
    rules = {
        "coverage": FeasibilityRuleFactory(rule_type="serviceability", params={"technology": "fiber"},
                                           offerings=[offerings["fiber-100"], offerings["fiber-500"]]),
        "iptv": FeasibilityRuleFactory(rule_type="prerequisite", params={"requires_any": ["fiber-100", "fiber-500"]},
                                       offerings=[offerings["iptv-addon"]], alternatives=[offerings["fiber-500-tv"]],
                                       customer_message="TV needs broadband."),
    }
    return offerings, rules
