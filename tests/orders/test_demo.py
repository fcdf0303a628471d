"""The demo catalog: idempotent (a second run adds nothing), deterministic, and holding the
offerings other demo data and journeys refer to, with the right flags."""

from decimal import Decimal

import pytest

from bss.audit.models import HistoryEntry
from bss.events.models import Event
from orders.demo import seed_catalog
from orders.models import (
    Catalog,
    Category,
    PriceAlteration,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
    SpecCharacteristic,
)
from service_activation.models import ServiceSpecification

pytestmark = pytest.mark.django_db

MODELS = (ServiceSpecification, Category, Catalog, ProductSpecification, SpecCharacteristic, ProductOffering,
          ProductOfferingPrice, PriceAlteration, HistoryEntry, Event)
CODES = {"mobile-s", "mobile-m", "mobile-l", "fiber-100", "fiber-500", "fiber-1000", "iptv-addon", "static-ip-addon",
         "business-vpn", "partner-router", "fiber-500-tv", "mobile-classic"}


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def offering(code) -> ProductOffering:
    return ProductOffering.objects.get(code=code)


def test_idempotent():
    assert seed_catalog() == len(CODES)
    first = counts()
    assert seed_catalog() == 0
    assert counts() == first
    assert first["ProductOffering"] == len(CODES) and first["Category"] == 5 and first["Catalog"] == 1


def test_completes_a_partial_catalog():
    seed_catalog()
    full = counts()
    snapshot = {o.code: (o.lifecycle_status, o.prices.count()) for o in ProductOffering.objects.all()}
    ProductOfferingPrice.objects.filter(offering__code="mobile-m", name="SIM activation").delete()
    seed_catalog()
    assert {o.code: (o.lifecycle_status, o.prices.count()) for o in ProductOffering.objects.all()} == snapshot
    assert counts()["ProductOfferingPrice"] == full["ProductOfferingPrice"]


def test_deterministic():
    seed_catalog()
    shape = sorted(ProductOffering.objects.values_list("code", "name", "lifecycle_status", "is_bundle"))
    prices = sorted(ProductOfferingPrice.objects.values_list("offering__code", "name", "price_type", "amount"))
    for model in (PriceAlteration, ProductOfferingPrice):
        model.objects.all().delete()
    ProductOffering.bundled_offerings.through.objects.all().delete()
    ProductOffering.objects.all().delete()
    seed_catalog()
    assert sorted(ProductOffering.objects.values_list("code", "name", "lifecycle_status", "is_bundle")) == shape
    assert sorted(ProductOfferingPrice.objects.values_list("offering__code", "name", "price_type", "amount")) == prices


def test_offerings_and_flags():
    seed_catalog()
    assert set(ProductOffering.objects.values_list("code", flat=True)) == CODES
    active = set(ProductOffering.objects.filter(lifecycle_status="active").values_list("code", flat=True))
    assert active == CODES - {"mobile-classic"}
    assert offering("mobile-classic").lifecycle_status == "retired" and not offering("mobile-classic").is_orderable()
    for code, mbps in (("fiber-100", 100), ("fiber-500", 500), ("fiber-1000", 1000)):
        o = offering(code)
        assert (o.technology, o.bandwidth_mbps, o.requires_install_address) == ("fiber", mbps, True)
        assert o.specification.code == "fiber-broadband" and o.is_orderable()
    assert offering("iptv-addon").technology == "iptv"
    vpn = offering("business-vpn")
    assert vpn.requires_special_design and vpn.customer_segments == ["sme", "enterprise", "government"]
    assert "self_service" not in vpn.sales_channels
    router = offering("partner-router")
    assert router.delivered_by_partner and router.partner_name
    tv = offering("fiber-500-tv")
    assert tv.is_bundle and set(tv.bundled_offerings.values_list("code", flat=True)) == {"fiber-500", "iptv-addon"}
    for code in ("mobile-s", "mobile-m", "mobile-l"):
        assert offering(code).categories.get().name == "Mobile"
    assert set(offering("iptv-addon").categories.values_list("name", flat=True)) == {"TV", "Add-ons"}
    assert set(Catalog.objects.get(name="Consumer & Business").categories.values_list("name", flat=True)) == {
        "Mobile", "Broadband", "TV", "Business", "Add-ons"}


def test_prices():
    seed_catalog()
    monthly = offering("fiber-500").prices.get(price_type="recurring")
    assert (monthly.amount, monthly.recurring_period, monthly.currency) == (Decimal("40"), "month", "EUR")
    (intro,) = monthly.alterations.all()
    assert (intro.percentage, intro.duration_periods) == (Decimal("50"), 3)
    assert offering("fiber-500").prices.filter(price_type="one_time", name="Installation").exists()
    overage = offering("mobile-s").prices.get(price_type="usage")
    assert (overage.unit_of_measure, overage.amount) == ("GB", Decimal("2"))
    assert not offering("mobile-l").prices.filter(price_type="usage").exists()  # unlimited
    for o in ProductOffering.objects.all():
        assert o.prices.filter(price_type="recurring").exists() or o.code == "partner-router", o.code


def test_specifications_and_service_link():
    seed_catalog()
    assert set(ServiceSpecification.objects.values_list("code", flat=True)) == {
        "mobile-access", "fiber-access", "iptv-service", "static-ip", "vpn-service", "cpe-delivery"}
    fiber = ProductSpecification.objects.get(code="fiber-broadband")
    bw = fiber.characteristics.get(name="bandwidth_mbps")
    assert (bw.value_type, bw.allowed_values, bw.mandatory) == ("integer", [100, 500, 1000], False)
    assert fiber.characteristics.get(name="install_type").allowed_values
    assert list(fiber.service_specifications.values_list("code", flat=True)) == ["fiber-access"]
    mobile = ProductSpecification.objects.get(code="mobile-plan")
    assert dict(mobile.characteristics.values_list("name", "value_type")) == {"msisdn": "string", "roaming": "boolean"}
    router = ProductSpecification.objects.get(code="router")
    assert router.characteristics.get().name == "colour"
    for spec in ProductSpecification.objects.all():
        assert spec.service_specifications.exists(), spec.code


def test_written_through_the_services():
    seed_catalog()
    fiber = offering("fiber-500")
    actions = set(HistoryEntry.objects.filter(object_id=str(fiber.pk), content_type__model="productoffering")
                  .values_list("action", flat=True))
    assert actions == {"orders.product_offering.created", "orders.product_offering.launched"}
    assert Event.objects.filter(event_type="ProductOfferingCreateEvent").count() == len(CODES)
    assert Event.objects.filter(event_type="ProductOfferingStateChangeEvent", resource_id=str(
        offering("mobile-classic").pk)).count() == 2
