"""A small catalog, coverage and rule set for feasibility tests (built directly, no services)."""

import pytest

from orders.models import (
    CoverageArea,
    FeasibilityRule,
    ProductOffering,
    ProductSpecification,
    SpecCharacteristic,
)


def make_offering(code, **kw):
    kw.setdefault("lifecycle_status", "active")
    return ProductOffering.objects.create(code=code, name=kw.pop("name", code.replace("-", " ").title()), **kw)


def make_rule(rule_type, params, *, range=(), alternatives=(), **kw):
    rule = FeasibilityRule.objects.create(name=kw.pop("name", f"{rule_type} {params}"), rule_type=rule_type,
                                          params=params, staff_message=kw.pop("staff_message", f"{rule_type} says no"),
                                          customer_message=kw.pop("customer_message", "Not available for you."),
                                          **kw)
    rule.offerings.set(range)
    rule.alternatives.set(alternatives)
    return rule


@pytest.fixture
def feasibility_catalog(db):
    spec = ProductSpecification.objects.create(code="fiber-spec", name="Fiber access")
    SpecCharacteristic.objects.create(specification=spec, name="install_type", allowed_values=["self", "technician"])
    offerings = {
        "fiber-100": make_offering("fiber-100", technology="fiber", bandwidth_mbps=100, requires_install_address=True,
                                   specification=spec),
        "fiber-500": make_offering("fiber-500", technology="fiber", bandwidth_mbps=500, requires_install_address=True,
                                   specification=spec),
        "iptv-addon": make_offering("iptv-addon", technology="iptv"),
        "fiber-500-tv": make_offering("fiber-500-tv", is_bundle=True),
        "business-vpn": make_offering("business-vpn", customer_segments=["sme", "enterprise"]),
        "mobile-s": make_offering("mobile-s"),
        "mobile-classic": make_offering("mobile-classic", lifecycle_status="retired"),
        "draft-plan": make_offering("draft-plan", lifecycle_status="draft"),
    }
    CoverageArea.objects.create(technology="fiber", area_code="DUB01", max_bandwidth_mbps=1000)
    CoverageArea.objects.create(technology="fiber", area_code="GAL01", max_bandwidth_mbps=100)
    rules = {
        "coverage": make_rule("serviceability", {"technology": "fiber"},
                              range=[offerings["fiber-100"], offerings["fiber-500"]]),
        "iptv": make_rule("prerequisite", {"requires_any": ["fiber-100", "fiber-500"]}, range=[offerings["iptv-addon"]],
                          alternatives=[offerings["fiber-500-tv"]], customer_message="TV needs broadband."),
    }
    return offerings, rules
