"""orders.services.catalog: the rules of the product catalog, lifecycle transitions, DELETE
semantics, and the history and events every write leaves behind (and that a refused write
leaves nothing behind)."""

from decimal import Decimal

import pytest
from django.utils import timezone

from bss.actors import Actor
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError, DomainValidationError
from bss.events.models import Event
from orders.models import (
    Catalog,
    Category,
    PriceAlteration,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
    SpecCharacteristic,
)
from orders.services import catalog as services
from tests.factories import (
    CatalogFactory,
    CategoryFactory,
    PriceAlterationFactory,
    ProductFactory,
    ProductOfferingFactory,
    ProductOfferingPriceFactory,
    ProductSpecificationFactory,
    ServiceSpecificationFactory,
    SpecCharacteristicFactory,
    bundle,
)

pytestmark = pytest.mark.django_db

STORED = (Category, Catalog, ProductSpecification, SpecCharacteristic, ProductOffering, ProductOfferingPrice,
          PriceAlteration, HistoryEntry, Event)
ACTIVE, DRAFT, RETIRED = "active", "draft", "retired"


def counts():
    return {m.__name__: m.objects.count() for m in STORED}


def events() -> list[str]:
    return list(Event.objects.order_by("pk").values_list("event_type", flat=True))


def history(obj) -> list[HistoryEntry]:
    return list(HistoryEntry.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)
                .order_by("pk"))


def refused(fn, *, field: str | None = None, error=DomainValidationError, **kw):
    """Call a service that must refuse: the expected error, the field named, nothing stored."""
    before = counts()
    with pytest.raises(error) as exc:
        fn(**kw)
    assert counts() == before
    if field is not None:
        assert any(k == field or k.endswith(f".{field}") for k in exc.value.field_errors), exc.value.field_errors
    return exc.value


@pytest.fixture
def system():
    return Actor.system("test")


# --- characteristics --------------------------------------------------------------------------

class TestCharacteristics:
    def test_valid_definitions_are_normalized(self):
        c = services.validate_characteristic({"name": " bandwidth_mbps ", "value_type": "integer",
                                              "allowed_values": [100, "500", 1000], "default_value": 500,
                                              "mandatory": True})
        assert c["name"] == "bandwidth_mbps"
        assert c["allowed_values"] == [100, 500, 1000]
        assert c["default_value"] == "500"
        d = services.validate_characteristic({"name": "ratio", "value_type": "decimal",
                                              "allowed_values": ["0.5", 1.25], "min_value": 0, "max_value": 2})
        assert d["allowed_values"] == ["0.5", "1.25"]
        assert d["min_value"] == Decimal("0") and d["max_value"] == Decimal("2")
        b = services.validate_characteristic({"name": "roaming", "value_type": "boolean", "default_value": "False"})
        assert b["default_value"] == "false"

    @pytest.mark.parametrize("data, field", [
        ({"name": "bw", "value_type": "integer", "allowed_values": [100, "fast"]}, "allowed_values"),
        ({"name": "bw", "value_type": "integer", "allowed_values": [100, 1.5]}, "allowed_values"),
        ({"name": "bw", "value_type": "integer", "allowed_values": [True]}, "allowed_values"),
        ({"name": "colour", "value_type": "string", "allowed_values": ["black", 3]}, "allowed_values"),
        ({"name": "flag", "value_type": "boolean", "allowed_values": ["maybe"]}, "allowed_values"),
        ({"name": "bw", "value_type": "integer", "allowed_values": [100, 100]}, "allowed_values"),
        ({"name": "bw", "value_type": "integer", "allowed_values": [100, 500], "default_value": 200}, "default_value"),
        ({"name": "bw", "value_type": "integer", "default_value": "x"}, "default_value"),
        ({"name": "n", "value_type": "integer", "min_value": 5, "max_value": 1}, "max_value"),
        ({"name": "n", "value_type": "integer", "min_value": "1.5"}, "min_value"),
        ({"name": "n", "value_type": "integer", "min_value": 1, "max_value": 3, "allowed_values": [4]},
         "allowed_values"),
        ({"name": "n", "value_type": "integer", "min_value": 1, "max_value": 3, "default_value": 0}, "default_value"),
        ({"name": "s", "value_type": "string", "min_value": 1}, "min_value"),
        ({"name": "", "value_type": "string"}, "name"),
        ({"name": "x", "value_type": "colour"}, "value_type"),
    ])
    def test_invalid_definitions_are_refused(self, data, field):
        with pytest.raises(DomainValidationError) as exc:
            services.validate_characteristic(data)
        assert field in exc.value.field_errors

    def test_value_problem_for_order_capture(self):
        spec = ProductSpecificationFactory()
        bw = SpecCharacteristicFactory(specification=spec, name="bw", value_type="integer", allowed_values=[100, 500])
        sites = SpecCharacteristicFactory(specification=spec, name="sites", value_type="integer",
                                          min_value=Decimal("2"), max_value=Decimal("50"))
        assert services.characteristic_value_problem(bw, 500) is None
        assert services.characteristic_value_problem(bw, "100") is None
        assert "not one of 100, 500" in services.characteristic_value_problem(bw, 200)
        assert "not a whole number" in services.characteristic_value_problem(bw, "fast")
        assert services.characteristic_value_problem(sites, 10) is None
        assert "below 2" in services.characteristic_value_problem(sites, 1)
        assert "above 50" in services.characteristic_value_problem(sites, 51)


# --- specifications and the service specification link ---------------------------------------

class TestSpecifications:
    def test_create_with_characteristics_and_service_specs(self, system):
        access = ServiceSpecificationFactory(code="fiber-access")
        spec = services.specification_create(
            actor=system, name="Fiber broadband", code="fiber-bb", service_specifications=[access],
            characteristics=[{"name": "bandwidth_mbps", "value_type": "integer", "allowed_values": [100, 500]},
                             {"name": "install_type", "allowed_values": ["self", "technician"]}])
        assert spec.code == "fiber-bb"
        assert list(spec.service_specifications.all()) == [access]
        chars = {c.name: c for c in spec.characteristics.all()}
        assert chars["bandwidth_mbps"].allowed_values == [100, 500]
        assert chars["install_type"].value_type == "string"
        (entry,) = history(spec)
        assert entry.action == "orders.product_specification.created"
        assert entry.changes["service_specifications"] == [None, [access.pk]]
        assert [c["name"] for c in entry.changes["characteristics"][1]] == ["bandwidth_mbps", "install_type"]
        assert events() == ["ProductSpecificationCreateEvent"]
        payload = Event.objects.get().payload["event"]["productSpecification"]
        assert payload["productNumber"] == "fiber-bb"

    def test_code_is_generated_and_unique(self, system):
        a = services.specification_create(actor=system, name="Fiber Broadband")
        b = services.specification_create(actor=system, name="Fiber Broadband")
        assert (a.code, b.code) == ("fiber-broadband", "fiber-broadband-2")
        refused(services.specification_create, actor=system, name="X", code="fiber-broadband", field="code")

    def test_bad_characteristic_stores_nothing(self, system):
        e = refused(services.specification_create, actor=system, name="Fiber", characteristics=[
            {"name": "ok", "value_type": "string"},
            {"name": "bandwidth_mbps", "value_type": "integer", "allowed_values": ["fast"]}])
        assert "characteristics[1].allowed_values" in e.field_errors
        e = refused(services.specification_create, actor=system, name="Fiber", characteristics=[
            {"name": "a"}, {"name": "a"}])
        assert "characteristics[1].name" in e.field_errors

    def test_update_syncs_characteristics_by_name(self, system):
        spec = services.specification_create(actor=system, name="Router", characteristics=[
            {"name": "colour", "allowed_values": ["black"]}, {"name": "wifi", "value_type": "boolean"}])
        colour_id = spec.characteristics.get(name="colour").pk
        Event.objects.all().delete()
        services.specification_update(specification=spec, actor=system, characteristics=[
            {"name": "colour", "allowed_values": ["black", "white"], "default_value": "white"}])
        colour = spec.characteristics.get()
        assert colour.pk == colour_id and colour.allowed_values == ["black", "white"]
        assert colour.default_value == "white"
        entry = history(spec)[-1]
        assert entry.action == "orders.product_specification.updated"
        before, after = entry.changes["characteristics"]
        assert [c["name"] for c in before] == ["colour", "wifi"] and [c["name"] for c in after] == ["colour"]
        assert events() == ["ProductSpecificationAttributeValueChangeEvent"]

    def test_update_without_change_records_nothing(self, system):
        spec = services.specification_create(actor=system, name="Router", characteristics=[{"name": "colour"}])
        before = counts()
        services.specification_update(specification=spec, actor=system, name="Router",
                                      characteristics=[{"name": "colour"}])
        assert counts() == before

    def test_service_spec_link(self, system):
        spec = ProductSpecificationFactory()
        a, b = ServiceSpecificationFactory(), ServiceSpecificationFactory()
        services.specification_link_service_specs(specification=spec, service_specifications=[a, b], actor=system)
        assert set(spec.service_specifications.all()) == {a, b}
        assert history(spec)[-1].changes["service_specifications"] == [[], sorted([a.pk, b.pk])]
        old = ServiceSpecificationFactory(lifecycle_status="retired")
        refused(services.specification_link_service_specs, specification=spec, service_specifications=[a, old],
                actor=system, field="service_specifications")
        # a retired one that is already linked may stay
        spec.service_specifications.add(old)
        services.specification_link_service_specs(specification=spec, service_specifications=[old], actor=system)
        assert list(spec.service_specifications.all()) == [old]

    def test_delete_unused_spec(self, system):
        spec = SpecCharacteristicFactory().specification
        assert services.specification_delete(specification=spec, actor=system) == "deleted"
        assert not ProductSpecification.objects.filter(pk=spec.pk).exists()
        assert not SpecCharacteristic.objects.exists()
        assert history(spec)[-1].action == "orders.product_specification.deleted"
        assert events() == ["ProductSpecificationDeleteEvent"]

    def test_delete_spec_in_use_retires_it(self, system):
        spec = ProductSpecificationFactory()
        ProductOfferingFactory(specification=spec, lifecycle_status=RETIRED)
        assert services.specification_delete(specification=spec, actor=system) == "retired"
        spec.refresh_from_db()
        assert spec.lifecycle_status == RETIRED
        assert events() == ["ProductSpecificationStateChangeEvent"]


# --- offerings ----------------------------------------------------------------------------------

class TestOfferingCreate:
    def test_create_is_draft_with_history_and_event(self, system):
        spec, cat = ProductSpecificationFactory(), CategoryFactory()
        o = services.offering_create(actor=system, name="Fiber 500", code="fiber-500", specification=spec,
                                     categories=[cat], sales_channels=["portal", "api"],
                                     customer_segments=["residential"], technology="fiber", bandwidth_mbps=500,
                                     requires_install_address=True)
        assert o.lifecycle_status == DRAFT and not o.is_orderable()
        assert list(o.categories.all()) == [cat]
        (entry,) = history(o)
        assert entry.action == "orders.product_offering.created"
        assert entry.changes["categories"] == [None, [cat.pk]]
        assert entry.changes["bandwidth_mbps"] == [None, 500]
        assert events() == ["ProductOfferingCreateEvent"]
        assert Event.objects.get().payload["event"]["productOffering"]["lifecycleStatus"] == DRAFT

    def test_create_and_launch(self, system):
        o = services.offering_create(actor=system, name="Mobile S", launch=True)
        assert o.lifecycle_status == ACTIVE and o.code == "mobile-s" and o.is_orderable()
        # one use case, one event (issue: "one use case = one service call = one transaction = one event")
        assert events() == ["ProductOfferingCreateEvent"]
        assert Event.objects.get().payload["event"]["productOffering"]["lifecycleStatus"] == ACTIVE

    @pytest.mark.parametrize("fields, field", [
        ({"name": " "}, "name"),
        ({"sales_channels": ["fax"]}, "sales_channels"),
        ({"sales_channels": ["api", "api"]}, "sales_channels"),
        ({"customer_segments": ["students"]}, "customer_segments"),
        ({"delivered_by_partner": True}, "partner_name"),
        ({"bandwidth_mbps": 0}, "bandwidth_mbps"),
        ({"valid_from": timezone.now(), "valid_to": timezone.now() - timezone.timedelta(days=1)}, "valid_to"),
        ({"code": "has space"}, "code"),
        ({"is_bundle": True}, "bundled_offerings"),
    ])
    def test_bad_attributes_are_refused(self, system, fields, field):
        fields.setdefault("name", "Offer")
        refused(services.offering_create, actor=system, field=field, **fields)

    def test_retired_references_are_refused(self, system):
        refused(services.offering_create, actor=system, name="X",
                specification=ProductSpecificationFactory(lifecycle_status=RETIRED), field="specification")
        refused(services.offering_create, actor=system, name="X",
                categories=[CategoryFactory(lifecycle_status=RETIRED)], field="categories")
        a, old = ProductOfferingFactory(lifecycle_status=ACTIVE), ProductOfferingFactory(lifecycle_status=RETIRED)
        refused(services.offering_create, actor=system, name="X", bundled_offerings=[a, old],
                field="bundled_offerings")


class TestBundles:
    def test_bundle_of_two(self, system):
        a, b = ProductOfferingFactory(lifecycle_status=ACTIVE), ProductOfferingFactory(lifecycle_status=ACTIVE)
        o = services.offering_create(actor=system, name="Duo", bundled_offerings=[a, b])
        assert o.is_bundle and set(o.bundled_offerings.all()) == {a, b}

    def test_a_bundle_needs_two_members(self, system):
        a = ProductOfferingFactory(lifecycle_status=ACTIVE)
        refused(services.offering_create, actor=system, name="Solo", bundled_offerings=[a],
                field="bundled_offerings")

    def test_only_bundles_have_members(self, system):
        a, b = ProductOfferingFactory(), ProductOfferingFactory()
        refused(services.offering_create, actor=system, name="X", is_bundle=False, bundled_offerings=[a, b],
                field="bundled_offerings")

    def test_a_bundle_cannot_contain_itself(self, system):
        a, b = ProductOfferingFactory(), ProductOfferingFactory()
        duo = bundle(a, b)
        refused(services.offering_update, offering=duo, actor=system, bundled_offerings=[a, duo],
                field="bundled_offerings")

    def test_nor_through_another_bundle(self, system):
        a, b, c = ProductOfferingFactory(), ProductOfferingFactory(), ProductOfferingFactory()
        inner = bundle(a, b)
        outer = bundle(inner, c)
        e = refused(services.offering_update, offering=inner, actor=system, bundled_offerings=[a, outer],
                    field="bundled_offerings")
        assert "itself" in e.field_errors["bundled_offerings"][0]

    def test_launch_needs_active_members(self, system):
        a, b = ProductOfferingFactory(lifecycle_status=ACTIVE), ProductOfferingFactory()
        duo = bundle(a, b)
        with pytest.raises(ApplicationError) as exc:
            services.offering_launch(offering_id=duo.pk, actor=system)
        assert exc.value.status_code == 409 and b.code in exc.value.message
        services.offering_launch(offering_id=b.pk, actor=system)
        assert services.offering_launch(offering_id=duo.pk, actor=system).lifecycle_status == ACTIVE

    def test_a_member_of_an_active_bundle_cannot_retire(self, system):
        a, b = ProductOfferingFactory(lifecycle_status=ACTIVE), ProductOfferingFactory(lifecycle_status=ACTIVE)
        duo = bundle(a, b, lifecycle_status=ACTIVE)
        with pytest.raises(ApplicationError):
            services.offering_retire(offering_id=a.pk, actor=system)
        services.offering_retire(offering_id=duo.pk, actor=system)
        assert services.offering_retire(offering_id=a.pk, actor=system).lifecycle_status == RETIRED


class TestLifecycle:
    def test_launch_and_retire_record_history_and_events(self, system):
        o = ProductOfferingFactory()
        services.offering_launch(offering_id=o.pk, actor=system, reason="go live")
        services.offering_retire(offering_id=o.pk, actor=system, reason="end of sale")
        o = ProductOffering.objects.get(pk=o.pk)
        assert o.lifecycle_status == RETIRED and not o.is_orderable()
        launched, retired = history(o)
        assert (launched.action, launched.from_state, launched.to_state, launched.reason) == (
            "orders.product_offering.launched", DRAFT, ACTIVE, "go live")
        assert (retired.from_state, retired.to_state, retired.channel) == (ACTIVE, RETIRED, "system")
        assert events() == ["ProductOfferingStateChangeEvent"] * 2

    @pytest.mark.parametrize("status, fn", [(ACTIVE, "offering_launch"), (RETIRED, "offering_launch"),
                                            (DRAFT, "offering_retire"), (RETIRED, "offering_retire")])
    def test_transitions_not_allowed_are_409(self, system, status, fn):
        o = ProductOfferingFactory(lifecycle_status=status)
        before = counts()
        with pytest.raises(ApplicationError) as exc:
            getattr(services, fn)(offering_id=o.pk, actor=system)
        assert exc.value.status_code == 409
        assert counts() == before
        assert ProductOffering.objects.get(pk=o.pk).lifecycle_status == status

    def test_change_status(self, system):
        o = ProductOfferingFactory()
        assert services.offering_change_status(offering_id=o.pk, status=ACTIVE, actor=system).lifecycle_status == ACTIVE
        assert services.offering_change_status(offering_id=o.pk, status=ACTIVE, actor=system).lifecycle_status == ACTIVE
        with pytest.raises(ApplicationError):
            services.offering_change_status(offering_id=o.pk, status=DRAFT, actor=system)
        with pytest.raises(DomainValidationError):
            services.offering_change_status(offering_id=o.pk, status="launched", actor=system)

    def test_update_changes_attributes_with_history(self, system):
        o = ProductOfferingFactory(lifecycle_status=ACTIVE, name="Old")
        cat = CategoryFactory()
        services.offering_update(offering=o, actor=system, name="New", categories=[cat], sales_channels=["retail"])
        o = ProductOffering.objects.get(pk=o.pk)
        assert (o.name, o.sales_channels, list(o.categories.all())) == ("New", ["retail"], [cat])
        entry = history(o)[-1]
        assert entry.changes["name"] == ["Old", "New"] and entry.changes["categories"] == [[], [cat.pk]]
        assert events() == ["ProductOfferingAttributeValueChangeEvent"]

    def test_retired_offerings_are_read_only(self, system):
        o = ProductOfferingFactory(lifecycle_status=RETIRED)
        with pytest.raises(ApplicationError) as exc:
            services.offering_update(offering=o, actor=system, name="Revived")
        assert exc.value.status_code == 409
        assert ProductOffering.objects.get(pk=o.pk).name != "Revived"

    def test_an_active_bundle_only_takes_active_members(self, system):
        a, b = ProductOfferingFactory(lifecycle_status=ACTIVE), ProductOfferingFactory(lifecycle_status=ACTIVE)
        duo = bundle(a, b, lifecycle_status=ACTIVE)
        refused(services.offering_update, offering=duo, actor=system,
                bundled_offerings=[a, ProductOfferingFactory()], field="bundled_offerings")


class TestOfferingDelete:
    def test_active_is_retired(self, system):
        o = ProductOfferingFactory(lifecycle_status=ACTIVE)
        assert services.offering_delete(offering=o, actor=system) == "retired"
        assert ProductOffering.objects.get(pk=o.pk).lifecycle_status == RETIRED

    def test_retired_stays(self, system):
        o = ProductOfferingFactory(lifecycle_status=RETIRED)
        before = counts()
        assert services.offering_delete(offering=o, actor=system) == "retired"
        assert counts() == before

    def test_unused_draft_is_deleted(self, system):
        o = ProductOfferingPriceFactory().offering
        assert services.offering_delete(offering=o, actor=system) == "deleted"
        assert not ProductOffering.objects.filter(pk=o.pk).exists()
        assert not ProductOfferingPrice.objects.exists()
        assert history(o)[-1].action == "orders.product_offering.deleted"
        assert events() == ["ProductOfferingDeleteEvent"]
        assert Event.objects.get().payload["event"]["productOffering"]["id"] == str(o.pk)

    @pytest.mark.parametrize("reference", ["bundle", "product"])
    def test_referenced_draft_is_kept(self, system, reference):
        o = ProductOfferingFactory()
        if reference == "bundle":
            bundle(o, ProductOfferingFactory())
        else:
            ProductFactory(offering_code=o.code)  # products name offerings by their code only
        before = counts()
        with pytest.raises(ApplicationError) as exc:
            services.offering_delete(offering=o, actor=system)
        assert exc.value.status_code == 409 and "referenced" in exc.value.message
        assert counts() == before


# --- prices -------------------------------------------------------------------------------------

class TestPrices:
    def test_create_recurring_with_alteration(self, system):
        o = ProductOfferingFactory(lifecycle_status=ACTIVE)
        p = services.price_create(actor=system, offering=o, name="Monthly fee", price_type="recurring",
                                  amount=Decimal("39.99"), alterations=[
                                      {"name": "Intro", "percentage": Decimal("50"), "duration_periods": 3}])
        p = ProductOfferingPrice.objects.get(pk=p.pk)
        assert p.amount == Decimal("39.99") and p.recurring_period == "month" and p.currency == "EUR"
        (alt,) = p.alterations.all()
        assert (alt.percentage, alt.duration_periods) == (Decimal("50.00"), 3)
        (entry,) = history(p)
        assert entry.root_object_id == str(o.pk)
        assert entry.changes["alterations"][1][0]["percentage"] == "50.00"
        assert events() == ["ProductOfferingPriceCreateEvent"]

    def test_one_time_and_usage(self, system):
        o = ProductOfferingFactory()
        once = services.price_create(actor=system, offering=o, name="Install", price_type="one_time",
                                     amount=Decimal("49"), recurring_period="month")
        assert once.recurring_period == ""  # one-time prices do not repeat
        usage = services.price_create(actor=system, offering=o, name="Data", price_type="usage",
                                      amount=Decimal("0.0125"), unit_of_measure="GB")
        assert ProductOfferingPrice.objects.get(pk=usage.pk).amount == Decimal("0.0125")

    @pytest.mark.parametrize("fields, field", [
        ({"amount": Decimal("-1")}, "amount"),
        ({"amount": 10.5}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"amount": Decimal("1.00001")}, "amount"),
        ({"amount": Decimal("1e12")}, "amount"),
        ({"price_type": "usage"}, "unit_of_measure"),
        ({"price_type": "one_time", "unit_of_measure": "GB"}, "unit_of_measure"),
        ({"recurring_period": ""}, "recurring_period"),
        ({"recurring_period": "fortnight"}, "recurring_period"),
        ({"price_type": "monthly"}, "price_type"),
        ({"currency": "XYZ"}, "currency"),
        ({"tax_category": "luxury"}, "tax_category"),
        ({"name": ""}, "name"),
        ({"alterations": [{"name": "Both", "percentage": Decimal("10"), "amount": Decimal("1")}]}, "percentage"),
        ({"alterations": [{"name": "Neither"}]}, "percentage"),
        ({"alterations": [{"name": "Too much", "percentage": Decimal("150")}]}, "percentage"),
        ({"alterations": [{"name": "Nothing", "amount": Decimal("0")}]}, "amount"),
        ({"alterations": [{"name": "Zero periods", "amount": Decimal("5"), "duration_periods": 0}]},
         "duration_periods"),
        ({"price_type": "one_time", "alterations": [{"name": "x", "percentage": Decimal("10"),
                                                     "duration_periods": 3}]}, "duration_periods"),
    ])
    def test_bad_prices_are_refused(self, system, fields, field):
        o = ProductOfferingFactory()
        data = {"name": "Fee", "price_type": "recurring", "amount": Decimal("10"), **fields}
        refused(services.price_create, actor=system, offering=o, field=field, **data)

    def test_no_new_price_on_a_retired_offering(self, system):
        o = ProductOfferingFactory(lifecycle_status=RETIRED)
        refused(services.price_create, actor=system, offering=o, name="Fee", price_type="recurring",
                amount=Decimal("1"), field="offering")

    def test_update_and_alterations_replaced(self, system):
        alt = PriceAlterationFactory(price__offering__lifecycle_status=ACTIVE)
        price = alt.price
        services.price_update(price=price, actor=system, amount=Decimal("25"),
                              alterations=[{"name": "Fixed", "amount": Decimal("5"), "duration_periods": 6}])
        price = ProductOfferingPrice.objects.get(pk=price.pk)
        assert price.amount == Decimal("25")
        assert [(a.name, a.amount, a.percentage) for a in price.alterations.all()] == [
            ("Fixed", Decimal("5.0000"), None)]
        entry = history(price)[-1]
        assert entry.changes["amount"] == ["20.0000", "25.0000"]
        assert entry.changes["alterations"][0][0]["name"] == "Introductory discount"
        assert events() == ["ProductOfferingPriceAttributeValueChangeEvent"]

    def test_becoming_recurring_defaults_to_monthly(self, system):
        price = ProductOfferingPriceFactory(price_type="one_time", recurring_period="")
        assert services.price_update(price=price, actor=system, price_type="recurring").recurring_period == "month"
        refused(services.price_update, price=price, actor=system, recurring_period="", field="recurring_period")

    def test_update_without_change_records_nothing(self, system):
        alt = PriceAlterationFactory()
        before = counts()
        services.price_update(price=alt.price, actor=system, amount=Decimal("20"), alterations=[
            {"name": alt.name, "percentage": Decimal("50"), "duration_periods": 3}])
        assert counts() == before
        assert alt.price.alterations.get().pk == alt.pk

    def test_prices_of_retired_offerings_are_read_only(self, system):
        price = ProductOfferingPriceFactory(offering__lifecycle_status=RETIRED)
        with pytest.raises(ApplicationError):
            services.price_update(price=price, actor=system, amount=Decimal("1"))

    def test_delete_of_a_draft_price(self, system):
        price = ProductOfferingPriceFactory()
        assert services.price_delete(price=price, actor=system) == "deleted"
        assert not ProductOfferingPrice.objects.exists()
        assert events() == ["ProductOfferingPriceDeleteEvent"]

    def test_delete_of_a_sold_price_retires_it(self, system):
        price = ProductOfferingPriceFactory(offering__lifecycle_status=ACTIVE)
        assert services.price_delete(price=price, actor=system) == "retired"
        price.refresh_from_db()
        assert price.lifecycle_status == RETIRED
        assert history(price)[-1].changes["lifecycle_status"] == [ACTIVE, RETIRED]
        assert events() == ["ProductOfferingPriceStateChangeEvent"]


# --- categories and catalogs ----------------------------------------------------------------------

class TestCategoriesAndCatalogs:
    def test_category_tree(self, system):
        root = services.category_create(actor=system, name="Broadband")
        child = services.category_create(actor=system, name="Fiber", parent=root)
        assert root.is_root and not child.is_root
        refused(services.category_update, category=root, actor=system, parent=child, field="parent")
        refused(services.category_update, category=root, actor=system, parent=root, field="parent")
        refused(services.category_create, actor=system, name="Broadband", field="name")
        refused(services.category_create, actor=system, name="Copper", parent=root, is_root=True, field="is_root")
        services.category_update(category=child, actor=system, parent=None)
        assert Category.objects.get(pk=child.pk).is_root
        assert events() == ["CategoryCreateEvent", "CategoryCreateEvent", "CategoryAttributeValueChangeEvent"]

    def test_category_offerings(self, system):
        o = ProductOfferingFactory()
        cat = services.category_create(actor=system, name="TV", offerings=[o])
        assert list(o.categories.all()) == [cat]
        refused(services.category_update, category=cat, actor=system,
                offerings=[o, ProductOfferingFactory(lifecycle_status=RETIRED)], field="offerings")

    def test_category_delete(self, system):
        unused, used = CategoryFactory(), CategoryFactory()
        ProductOfferingFactory().categories.add(used)
        assert services.category_delete(category=unused, actor=system) == "deleted"
        assert services.category_delete(category=used, actor=system) == "retired"
        assert list(Category.objects.values_list("pk", "lifecycle_status")) == [(used.pk, RETIRED)]
        assert events() == ["CategoryDeleteEvent", "CategoryStateChangeEvent"]

    def test_catalog(self, system):
        cats = [CategoryFactory(), CategoryFactory()]
        catalog = services.catalog_create(actor=system, name="Consumer", categories=cats)
        assert set(catalog.categories.all()) == set(cats)
        refused(services.catalog_create, actor=system, name="Consumer", field="name")
        refused(services.catalog_update, catalog=catalog, actor=system, lifecycle_status="gone",
                field="lifecycle_status")
        services.catalog_update(catalog=catalog, actor=system, categories=cats[:1], lifecycle_status=RETIRED)
        assert history(catalog)[-1].changes["categories"] == [sorted(c.pk for c in cats), [cats[0].pk]]
        assert services.catalog_delete(catalog=CatalogFactory(), actor=system) == "deleted"
        assert events() == ["CatalogCreateEvent", "CatalogStateChangeEvent", "CatalogDeleteEvent"]
