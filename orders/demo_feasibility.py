"""Demo coverage and feasibility rules over the demo catalog (idempotent, by rule name)."""

from django.db import transaction

from bss.actors import Actor

from .models import CoverageArea, FeasibilityRule, ProductOffering
from .services.feasibility import feasibility_rule_save

COVERAGE = [("fiber", "DUB01", 1000), ("fiber", "DUB02", 1000), ("fiber", "DUB03", 500), ("fiber", "CRK01", 500),
            ("fiber", "GAL01", 100), ("fiber", "LIM01", 100)]
FIBER = ["fiber-100", "fiber-500", "fiber-1000"]
MOBILE = ["mobile-s", "mobile-m", "mobile-l"]

RULES = [
    dict(name="Fiber needs coverage at the install address", rule_type="serviceability", range=FIBER,
         params={"technology": "fiber", "check_bandwidth": True, "suggest_lower_bandwidth": True},
         staff_message="Install address is not covered by fiber at this speed",
         customer_message="Fiber at this speed is not available at your address yet."),
    dict(name="IPTV needs broadband", rule_type="prerequisite", range=["iptv-addon"],
         params={"requires_any": [*FIBER, "fiber-500-tv"], "scope": "customer"}, alternatives=["fiber-500-tv"],
         staff_message="IPTV add-on needs an active or ordered fiber broadband product",
         customer_message="TV needs a broadband subscription: order broadband with it, or choose the bundle."),
    dict(name="Static IP needs broadband", rule_type="prerequisite", range=["static-ip-addon"],
         params={"requires_any": [*FIBER, "fiber-500-tv"], "scope": "customer"},
         staff_message="Static IP add-on needs fiber broadband",
         customer_message="A static IP needs a broadband subscription."),
    dict(name="Business VPN is for business customers", rule_type="eligibility", range=["business-vpn"],
         params={"customer_types": ["organization"], "segments": ["sme", "enterprise", "government"]},
         staff_message="Business VPN is sold to SME, enterprise and government customers only",
         customer_message="This offer is for business customers."),
    dict(name="Unlimited mobile needs good credit", rule_type="eligibility", range=["mobile-l"],
         params={"credit_classes": ["A", "B"]}, alternatives=["mobile-m"],
         staff_message="Unlimited plan requires credit class A or B",
         customer_message="This plan is not available on your account; the 50GB plan is."),
    dict(name="One fiber line per account", rule_type="compatibility", range=[*FIBER, "fiber-500-tv"],
         params={"offerings": [*FIBER, "fiber-500-tv"], "max_quantity": 1, "scope": "account", "mode": "max"},
         staff_message="An account has at most one fiber line; change the existing one instead",
         customer_message="You already have broadband on this account."),
    dict(name="At most five mobile lines per account", rule_type="compatibility", range=MOBILE,
         params={"offerings": MOBILE, "max_quantity": 5, "scope": "account"},
         staff_message="More than five mobile lines on one account need a business account",
         customer_message="You have reached the number of mobile lines for this account."),
    dict(name="Partner router not delivered in Sligo", rule_type="exclusion", range=["partner-router"],
         params={"area_codes": ["SLI01"]}, staff_message="The router partner does not deliver to this area",
         customer_message="This router cannot be delivered to your address."),
    dict(name="Mobile S upgrades", rule_type="transition", range=[],
         params={"from": ["mobile-s"], "to": ["mobile-m", "mobile-l"], "allowed": True},
         staff_message="Upgrade from Mobile S"),
    dict(name="Mobile M changes", rule_type="transition", range=[],
         params={"from": ["mobile-m"], "to": ["mobile-l", "mobile-s"], "allowed": True},
         staff_message="Change from Mobile M"),
    dict(name="Mobile L downgrade after 6 months", rule_type="transition", range=[],
         params={"from": ["mobile-l"], "to": ["mobile-m", "mobile-s"], "allowed": True, "min_tenure_days": 180},
         staff_message="Downgrades from the unlimited plan are allowed after 180 days",
         customer_message="You can move to a smaller plan after six months on this one."),
]


def seed_feasibility(actor: Actor | None = None) -> int:
    actor = actor or Actor.system("seed_demo")
    for tech, area, bw in COVERAGE:
        CoverageArea.objects.get_or_create(technology=tech, area_code=area, defaults={"max_bandwidth_mbps": bw})
    offerings = {o.code: o for o in ProductOffering.objects.all()}
    created = 0
    for spec in RULES:
        if FeasibilityRule.objects.filter(name=spec["name"]).exists():
            continue
        with transaction.atomic():
            rule = FeasibilityRule(name=spec["name"], rule_type=spec["rule_type"], params=spec["params"],
                                   staff_message=spec["staff_message"],
                                   customer_message=spec.get("customer_message", ""))
            feasibility_rule_save(rule=rule, actor=actor,
                                  offerings=[offerings[c] for c in spec["range"] if c in offerings],
                                  alternatives=[offerings[c] for c in spec.get("alternatives", []) if c in offerings])
        created += 1
    return created
