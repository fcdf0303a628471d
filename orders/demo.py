"""Demo data of order handling (used by `manage.py seed_demo` through OrdersConfig.demo_seed): the
catalog, coverage and feasibility rules, the credit policy and the simulated bureau's rules. Idempotent
(by code or name): what an operator edited is left alone. Everything is written through the services."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from bss.actors import Actor
from orders.models import (
    BureauSimulationRule,
    Catalog,
    Category,
    CoverageArea,
    CreditPolicy,
    FeasibilityRule,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
)
from orders.models.catalog import LifecycleStatus
from orders.services import catalog as services
from orders.services.coverage import coverage_area_create
from orders.services.credit_policy import bureau_rule_create, credit_policy_create
from orders.services.feasibility import feasibility_rule_save
from service_activation.models import ServiceSpecification
from service_activation.services import service_specification_create

SERVICE_SPECS = [
    ("mobile-access", "Mobile access (SIM, number, data)"),
    ("fiber-access", "Fiber access (FTTH line)"),
    ("iptv-service", "IPTV service (set-top box, channel packages)"),
    ("static-ip", "Static public IPv4 address"),
    ("vpn-service", "Business IP VPN (MPLS)"),
    ("cpe-delivery", "Customer equipment delivery"),
]

CATEGORIES = [("Mobile", "Mobile plans"), ("Broadband", "Fixed broadband"), ("TV", "Television"),
              ("Business", "Services for business customers"), ("Add-ons", "Options added to a main product")]

# code, name, service specs, characteristics
SPECS = [
    ("mobile-plan", "Mobile postpaid plan", ["mobile-access"], [
        {"name": "msisdn", "value_type": "string", "description": "Mobile number; assigned when left empty"},
        {"name": "roaming", "value_type": "boolean", "default_value": "false", "description": "EU roaming"},
    ]),
    ("fiber-broadband", "Fiber broadband", ["fiber-access"], [
        {"name": "bandwidth_mbps", "value_type": "integer", "allowed_values": [100, 500, 1000],
         "description": "the offering sets it; give it only to check it"},
        {"name": "install_type", "value_type": "string", "allowed_values": ["technician", "self-install"],
         "default_value": "technician"},
    ]),
    ("iptv", "IPTV", ["iptv-service"], [
        {"name": "set_top_boxes", "value_type": "integer", "min_value": 1, "max_value": 3, "default_value": 1},
    ]),
    ("static-ip", "Static IP address", ["static-ip"], []),
    ("business-vpn", "Business VPN", ["vpn-service", "fiber-access"], [
        {"name": "sites", "value_type": "integer", "mandatory": True, "min_value": 2, "max_value": 50},
        {"name": "topology", "value_type": "string", "allowed_values": ["hub-and-spoke", "full-mesh"],
         "default_value": "hub-and-spoke"},
    ]),
    ("router", "Wi-Fi router", ["cpe-delivery"], [
        {"name": "colour", "value_type": "string", "allowed_values": ["black", "white"], "default_value": "black"},
    ]),
]

BUSINESS = ["sme", "enterprise", "government"]

# Prices: (name, price_type, amount, extra fields)
MONTHLY, ONCE, USAGE = ProductOfferingPrice.PriceType.RECURRING, ProductOfferingPrice.PriceType.ONE_TIME, \
    ProductOfferingPrice.PriceType.USAGE
SIM = ("SIM activation", ONCE, "10.00", {})
INSTALL = ("Installation", ONCE, "49.00", {})
OVERAGE = ("Data beyond the allowance", USAGE, "2.00", {"unit_of_measure": "GB"})

# code, name, spec, categories, offering fields, prices, lifecycle ("active" | "retired")
OFFERINGS = [
    ("mobile-s", "Mobile S 10GB", "mobile-plan", ["Mobile"], {"technology": "mobile"},
     [("Monthly fee", MONTHLY, "15.00", {}), SIM, OVERAGE], "active"),
    ("mobile-m", "Mobile M 50GB", "mobile-plan", ["Mobile"], {"technology": "mobile"},
     [("Monthly fee", MONTHLY, "25.00", {}), SIM, OVERAGE], "active"),
    ("mobile-l", "Mobile L Unlimited", "mobile-plan", ["Mobile"], {"technology": "mobile"},
     [("Monthly fee", MONTHLY, "35.00", {}), SIM], "active"),
    ("fiber-100", "Fiber 100", "fiber-broadband", ["Broadband"],
     {"technology": "fiber", "bandwidth_mbps": 100, "requires_install_address": True},
     [("Monthly fee", MONTHLY, "30.00", {}), INSTALL], "active"),
    ("fiber-500", "Fiber 500", "fiber-broadband", ["Broadband"],
     {"technology": "fiber", "bandwidth_mbps": 500, "requires_install_address": True},
     [("Monthly fee", MONTHLY, "40.00", {"alterations": [
         {"name": "Introductory offer: 50% off for 3 months", "percentage": Decimal("50"), "duration_periods": 3}]}),
      INSTALL], "active"),
    ("fiber-1000", "Fiber 1000", "fiber-broadband", ["Broadband"],
     {"technology": "fiber", "bandwidth_mbps": 1000, "requires_install_address": True},
     [("Monthly fee", MONTHLY, "55.00", {}), INSTALL], "active"),
    ("iptv-addon", "IPTV add-on", "iptv", ["TV", "Add-ons"],
     {"technology": "iptv", "description": "TV over your broadband line; needs a broadband subscription."},
     [("Monthly fee", MONTHLY, "12.00", {})], "active"),
    ("static-ip-addon", "Static IP add-on", "static-ip", ["Add-ons", "Business"], {"technology": "ip"},
     [("Monthly fee", MONTHLY, "5.00", {}), ("Set-up", ONCE, "15.00", {})], "active"),
    ("business-vpn", "Business VPN", "business-vpn", ["Business"],
     {"technology": "vpn", "requires_special_design": True, "requires_install_address": True,
      "customer_segments": BUSINESS, "sales_channels": ["portal", "api", "telesales"],
      "description": "Site-to-site VPN designed for the customer's sites; every order goes through design."},
     [("Monthly fee per site", MONTHLY, "250.00", {}), ("Design and installation", ONCE, "500.00", {})], "active"),
    ("partner-router", "Wi-Fi 6 router (delivered by partner)", "router", ["Broadband", "Add-ons"],
     {"delivered_by_partner": True, "partner_name": "Emerald Devices Ltd"},
     [("Router", ONCE, "99.00", {})], "active"),
    ("fiber-500-tv", "Fiber 500 + TV bundle", None, ["Broadband", "TV"],
     {"technology": "fiber", "bandwidth_mbps": 500, "requires_install_address": True,
      "bundled": ["fiber-500", "iptv-addon"]},
     [("Monthly fee", MONTHLY, "47.00", {}), INSTALL], "active"),
    ("mobile-classic", "Mobile Classic 5GB", "mobile-plan", ["Mobile"],
     {"technology": "mobile", "description": "No longer sold; kept for existing customers."},
     [("Monthly fee", MONTHLY, "12.00", {})], "retired"),
]

CATALOG = ("Consumer & Business", "The operator's product catalog for consumers and businesses")


def _service_specs(actor: Actor) -> dict[str, ServiceSpecification]:
    out = {}
    for code, name in SERVICE_SPECS:
        out[code] = (ServiceSpecification.objects.filter(code=code).first()
                     or service_specification_create(code=code, name=name, actor=actor))
    return out


def _categories(actor: Actor) -> dict[str, Category]:
    out = {}
    for name, description in CATEGORIES:
        out[name] = Category.objects.filter(name=name).first() or services.category_create(
            actor=actor, name=name, description=description)
    return out


def _specs(actor: Actor, service_specs) -> dict[str, ProductSpecification]:
    out = {}
    for code, name, realized_by, characteristics in SPECS:
        out[code] = ProductSpecification.objects.filter(code=code).first() or services.specification_create(
            actor=actor, code=code, name=name, characteristics=characteristics,
            service_specifications=[service_specs[c] for c in realized_by])
    return out


def _offering(actor: Actor, row, specs, categories) -> ProductOffering:
    code, name, spec, cats, fields, prices, lifecycle = row
    offering = ProductOffering.objects.filter(code=code).first()
    if offering is None:
        fields = dict(fields)
        bundled = [ProductOffering.objects.get(code=c) for c in fields.pop("bundled", [])]
        offering = services.offering_create(
            actor=actor, code=code, name=name, specification=specs[spec] if spec else None,
            categories=[categories[c] for c in cats], bundled_offerings=bundled, **fields)
    existing = set(offering.prices.values_list("name", flat=True))
    for price_name, price_type, amount, extra in prices:
        if price_name not in existing:
            services.price_create(actor=actor, offering=offering, name=price_name, price_type=price_type,
                                  amount=Decimal(amount), **extra)
    if offering.lifecycle_status == LifecycleStatus.DRAFT:
        offering = services.offering_launch(offering_id=offering.pk, actor=actor, reason="demo catalog")
    if lifecycle == LifecycleStatus.RETIRED and offering.lifecycle_status == LifecycleStatus.ACTIVE:
        offering = services.offering_retire(offering_id=offering.pk, actor=actor, reason="replaced by Mobile S/M/L")
    return offering


@transaction.atomic
def seed_catalog(*, actor: Actor | None = None) -> int:
    """Create the demo catalog; returns how many offerings were created (0 on a rerun)."""
    actor = actor or Actor.system("seed_demo")
    before = ProductOffering.objects.count()
    service_specs = _service_specs(actor)
    categories = _categories(actor)
    specs = _specs(actor, service_specs)
    for row in OFFERINGS:
        _offering(actor, row, specs, categories)
    if not Catalog.objects.filter(name=CATALOG[0]).exists():
        services.catalog_create(actor=actor, name=CATALOG[0], description=CATALOG[1],
                                categories=list(categories.values()))
    return ProductOffering.objects.count() - before


COVERAGE = [("fiber", "DUB01", 1000), ("fiber", "DUB02", 1000), ("fiber", "DUB03", 500), ("fiber", "CRK01", 500),
            ("fiber", "GAL01", 100), ("fiber", "LIM01", 100)]
FIBER = ["fiber-100", "fiber-500", "fiber-1000"]
MOBILE = ["mobile-s", "mobile-m", "mobile-l"]

FEASIBILITY_RULES = [
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
        if not CoverageArea.objects.filter(technology=tech, area_code=area).exists():
            coverage_area_create(technology=tech, area_code=area, max_bandwidth_mbps=bw, actor=actor)
    offerings = {o.code: o for o in ProductOffering.objects.all()}
    created = 0
    for spec in FEASIBILITY_RULES:
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


CREDIT_POLICY = {
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
BUREAU_RULES = [
    (10, "Demo: names containing 'Timeout' time out", {"name_contains": "Timeout"}, "timeout", 0),
    (20, "Demo: names containing 'Refer' are referred", {"name_contains": "Refer"}, "refer", 560),
    (30, "Class D is declined", {"credit_classes": ["D"]}, "decline", 420),
    (40, "Orders of 2000 or more are referred", {"min_amount": Decimal("2000")}, "refer", 610),
    (50, "Class A scores high", {"credit_classes": ["A"]}, "approve", 780),
]


@transaction.atomic
def seed_credit(actor: Actor | None = None) -> dict:
    """Returns what was created: {"policy": bool, "rules": n}."""
    actor = actor or Actor.system("seed_demo")
    created_policy = False
    if not CreditPolicy.objects.filter(name=CREDIT_POLICY["name"]).exists():
        has_active = CreditPolicy.objects.filter(is_active=True).exists()
        credit_policy_create(**CREDIT_POLICY, is_active=not has_active, actor=actor)
        created_policy = True
    made = 0
    for priority, name, criteria, outcome, score in BUREAU_RULES:
        if not BureauSimulationRule.objects.filter(name=name).exists():
            bureau_rule_create(name=name, priority=priority, outcome=outcome, score=score, actor=actor, **criteria)
            made += 1
    return {"policy": created_policy, "rules": made}


def seed(*, actor: Actor, options: dict) -> list[str]:
    """OrdersConfig.demo_seed: catalog, feasibility rules and coverage, credit policy."""
    from .demo_orders import seed_orders

    return [f"catalog: {seed_catalog(actor=actor)} offerings created",
            f"feasibility: {seed_feasibility(actor)} rules created",
            f"credit: {seed_credit(actor)}", *seed_orders(actor=actor)]
