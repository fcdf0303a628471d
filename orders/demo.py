"""Demo product catalog (used by `manage.py seed_demo`).

Idempotent (whatever exists, by code or name, is left as it is) and deterministic, written
through orders.services.catalog so history and events look like real operation. Other demo
modules (feasibility rules, coverage) refer to the offering codes below: keep them stable.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from bss.actors import Actor
from bss.audit.services import history_record_created
from service_activation.models import ServiceSpecification

from .models import Catalog, Category, ProductOffering, ProductOfferingPrice, ProductSpecification
from .models.catalog import LifecycleStatus
from .services import catalog as services

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
        spec, created = ServiceSpecification.objects.get_or_create(code=code, defaults={"name": name})
        if created:
            history_record_created(obj=spec, actor=actor, action="service_activation.service_specification.created")
        out[code] = spec
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
