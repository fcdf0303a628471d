"""Catalog admin: every screen works (changelist with search and filters, change, add, history),
writes go through the catalog services (their rules show as form errors; history channel
'admin'; events), launch/retire actions, retired offerings stay visible but read-only, and
nothing is deleted."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

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
from tests.admin_forms import form_errors, post_data
from tests.factories import (
    CategoryFactory,
    PriceAlterationFactory,
    ProductOfferingFactory,
    ProductOfferingPriceFactory,
    ServiceSpecificationFactory,
    SpecCharacteristicFactory,
)

pytestmark = pytest.mark.django_db

MODELS = [Category, Catalog, ProductSpecification, ProductOffering, ProductOfferingPrice, ServiceSpecification]
ids = [m._meta.label for m in MODELS]


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def action(admin_client, model, name, objs, reason="Catalog review 12/2026"):
    """Run an admin action the way a person does: the action asks for a reason first, then applies."""
    data = {"action": name, ACTION_CHECKBOX_NAME: [o.pk for o in objs]}
    confirm = admin_client.post(url(model, "changelist"), data)
    assert confirm.status_code == 200 and "data-confirm-action" in confirm.content.decode()
    return admin_client.post(url(model, "changelist"), {**data, "apply": "1", "reason": reason}, follow=True)


def offering(pk) -> ProductOffering:
    return ProductOffering.objects.get(pk=pk)  # lifecycle_status is FSM-protected: no refresh_from_db


@pytest.fixture
def demo():
    seed_catalog()


# --- every screen ---------------------------------------------------------------------------------

@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_changelist_search_and_filters(admin_client, demo, model):
    response = admin_client.get(url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1
    assert admin_client.get(url(model, "changelist"), {"q": "fiber"}).status_code == 200
    for spec in response.context["cl"].filter_specs:
        for choice in spec.choices(response.context["cl"]):
            assert admin_client.get(url(model, "changelist") + choice["query_string"]).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_change_add_and_history_pages(admin_client, demo, model):
    obj = model._default_manager.order_by("pk").first()
    assert admin_client.get(url(model, "change", obj.pk)).status_code == 200
    assert admin_client.get(url(model, "add")).status_code == 200
    assert admin_client.get(url(model, "history", obj.pk)).status_code == 200


def test_search_and_filter_offerings(admin_client, demo):
    found = admin_client.get(url(ProductOffering, "changelist"), {"q": "fiber-500"}).context["cl"].result_list
    assert {o.code for o in found} == {"fiber-500", "fiber-500-tv"}
    retired = admin_client.get(url(ProductOffering, "changelist"), {"lifecycle_status__exact": "retired"})
    assert [o.code for o in retired.context["cl"].result_list] == ["mobile-classic"]
    partner = admin_client.get(url(ProductOffering, "changelist"), {"delivered_by_partner__exact": "1"})
    assert [o.code for o in partner.context["cl"].result_list] == ["partner-router"]
    specs = admin_client.get(url(ProductSpecification, "changelist"), {"q": "colour"}).context["cl"].result_list
    assert [s.code for s in specs] == ["router"]


def test_history_page_shows_catalog_history(admin_client, demo):
    fiber = ProductOffering.objects.get(code="fiber-500")
    page = admin_client.get(url(ProductOffering, "history", fiber.pk)).content.decode()
    assert "orders.product_offering.created" in page and "orders.product_offering.launched" in page
    assert "orders.product_offering_price.created" in page  # prices are part of the offering's history


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_nothing_is_deleted(admin_client, demo, model):
    obj = model._default_manager.order_by("pk").first()
    assert admin_client.get(url(model, "delete", obj.pk)).status_code == 403
    assert admin_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model._default_manager.filter(pk=obj.pk).exists()
    action_form = admin_client.get(url(model, "changelist")).context["action_form"]
    assert "delete_selected" not in (dict(action_form.fields["action"].choices) if action_form else {})


# --- lifecycle actions -------------------------------------------------------------------------------

def test_launch_and_retire_actions(admin_client, admin_user):
    a, b = ProductOfferingFactory(), ProductOfferingFactory()
    response = action(admin_client, ProductOffering, "launch", [a, b])
    assert "2 done." in response.content.decode()
    assert {offering(a.pk).lifecycle_status, offering(b.pk).lifecycle_status} == {"active"}
    entry = HistoryEntry.objects.get(object_id=str(a.pk), action="orders.product_offering.launched")
    assert (entry.channel, entry.actor, entry.from_state, entry.to_state) == ("admin", admin_user, "draft", "active")
    assert entry.reason == "Catalog review 12/2026"
    action(admin_client, ProductOffering, "retire", [a])
    assert offering(a.pk).lifecycle_status == "retired"
    assert Event.objects.filter(event_type="ProductOfferingStateChangeEvent", resource_id=str(a.pk)).count() == 2


def test_actions_report_what_is_not_allowed(admin_client):
    draft, retired = ProductOfferingFactory(), ProductOfferingFactory(lifecycle_status="retired")
    page = action(admin_client, ProductOffering, "retire", [draft, retired]).content.decode()
    assert "Cannot retire" in page and "done." not in page
    assert action(admin_client, ProductOffering, "launch", [retired]).status_code == 200
    assert (offering(draft.pk).lifecycle_status, offering(retired.pk).lifecycle_status) == ("draft", "retired")


# --- retired offerings: visible, read-only ------------------------------------------------------------

def test_retired_offering_is_view_only(admin_client):
    price = ProductOfferingPriceFactory(offering__lifecycle_status="retired", offering__name="Old plan")
    old = price.offering
    response = admin_client.get(url(ProductOffering, "change", old.pk))
    assert response.status_code == 200
    assert "Old plan" in response.content.decode()
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()
    assert admin_client.post(url(ProductOffering, "change", old.pk), {"name": "Revived"}).status_code == 403
    assert offering(old.pk).name == "Old plan"
    price_page = admin_client.get(url(ProductOfferingPrice, "change", price.pk))
    assert price_page.status_code == 200 and price_page.context["has_change_permission"] is False
    assert ProductOffering.objects.get(pk=old.pk).lifecycle_status == "retired"
    active = ProductOfferingFactory(lifecycle_status="active")
    assert admin_client.get(url(ProductOffering, "change", active.pk)).context["has_change_permission"] is True


# --- writes go through the services ---------------------------------------------------------------

def test_add_offering_with_a_price(admin_client, admin_user):
    cat = CategoryFactory()
    page = admin_client.get(url(ProductOffering, "add"))
    data = post_data(page, code="fiber-2000", name="Fiber 2000", technology="fiber", bandwidth_mbps="2000",
                     categories=[cat.pk], sales_channels=["portal", "api"], **{
                         "prices-TOTAL_FORMS": "1", "prices-0-name": "Monthly fee",
                         "prices-0-price_type": "recurring", "prices-0-amount": "59.99", "prices-0-currency": "EUR",
                         "prices-0-recurring_period": "month", "prices-0-tax_category": "standard",
                         "prices-0-lifecycle_status": "active"})
    response = admin_client.post(url(ProductOffering, "add"), data)
    assert response.status_code == 302, form_errors(response)
    o = ProductOffering.objects.get(code="fiber-2000")
    assert (o.lifecycle_status, o.bandwidth_mbps, o.sales_channels) == ("draft", 2000, ["portal", "api"])
    assert list(o.categories.all()) == [cat]
    assert o.prices.get().amount == Decimal("59.99")
    actions = list(HistoryEntry.objects.filter(channel="admin").order_by("pk").values_list("action", flat=True))
    assert actions == ["orders.product_offering.created", "orders.product_offering_price.created"]
    assert list(Event.objects.order_by("pk").values_list("event_type", flat=True)) == [
        "ProductOfferingCreateEvent", "ProductOfferingPriceCreateEvent"]


def test_change_offering_records_only_what_changed(admin_client):
    o = ProductOfferingFactory(lifecycle_status="active", name="Before")
    ProductOfferingPriceFactory(offering=o)
    page = admin_client.get(url(ProductOffering, "change", o.pk))
    response = admin_client.post(url(ProductOffering, "change", o.pk), post_data(page, name="After"))
    assert response.status_code == 302, form_errors(response)
    entry = HistoryEntry.objects.get(object_id=str(o.pk), action="orders.product_offering.updated")
    assert entry.changes == {"name": ["Before", "After"]} and entry.channel == "admin"
    assert list(Event.objects.values_list("event_type", flat=True)) == ["ProductOfferingAttributeValueChangeEvent"]


@pytest.mark.parametrize("change, message", [
    ("self", "cannot contain itself"),
    ("one", "at least two"),
    ("partner", "Name the partner"),
    ("price", "usage price needs a unit"),
])
def test_offering_rules_show_as_form_errors(admin_client, change, message):
    a, b = ProductOfferingFactory(), ProductOfferingFactory()
    o = ProductOfferingFactory(is_bundle=True)
    o.bundled_offerings.set([a, b])
    page = admin_client.get(url(ProductOffering, "change", o.pk))
    overrides = {"self": {"bundled_offerings": [a.pk, o.pk]}, "one": {"bundled_offerings": [a.pk]},
                 "partner": {"delivered_by_partner": "on"},
                 "price": {"prices-TOTAL_FORMS": "1", "prices-0-name": "Data", "prices-0-price_type": "usage",
                           "prices-0-amount": "2", "prices-0-currency": "EUR", "prices-0-tax_category": "standard",
                           "prices-0-lifecycle_status": "active"}}[change]
    history = HistoryEntry.objects.count()
    response = admin_client.post(url(ProductOffering, "change", o.pk), post_data(page, **overrides))
    assert message in form_errors(response)
    assert set(offering(o.pk).bundled_offerings.all()) == {a, b}
    assert not ProductOfferingPrice.objects.exists()
    assert HistoryEntry.objects.count() == history


def test_add_specification_with_characteristics(admin_client):
    svc = ServiceSpecificationFactory(code="fiber-access", name="Fiber access")
    page = admin_client.get(url(ProductSpecification, "add"))
    data = post_data(page, code="fiber", name="Fiber", service_specifications=[svc.pk], **{
        "characteristics-TOTAL_FORMS": "1", "characteristics-0-name": "bandwidth_mbps",
        "characteristics-0-value_type": "integer", "characteristics-0-mandatory": "on",
        "characteristics-0-allowed_values": "[100, 500]", "characteristics-0-default_value": "500"})
    response = admin_client.post(url(ProductSpecification, "add"), data)
    assert response.status_code == 302, form_errors(response)
    spec = ProductSpecification.objects.get(code="fiber")
    assert list(spec.service_specifications.all()) == [svc]
    (char,) = spec.characteristics.all()
    assert (char.allowed_values, char.default_value, char.mandatory) == ([100, 500], "500", True)
    assert set(HistoryEntry.objects.filter(object_id=str(spec.pk)).values_list("channel", flat=True)) == {"admin"}


def test_characteristic_rules_show_as_form_errors(admin_client):
    char = SpecCharacteristicFactory(name="bandwidth_mbps", value_type="integer", allowed_values=[100])
    page = admin_client.get(url(ProductSpecification, "change", char.specification.pk))
    response = admin_client.post(url(ProductSpecification, "change", char.specification.pk),
                                 post_data(page, **{"characteristics-0-allowed_values": '[100, "fast"]'}))
    assert "not a whole number" in form_errors(response)
    assert SpecCharacteristic.objects.get(pk=char.pk).allowed_values == [100]


def test_change_characteristics_goes_through_the_service(admin_client):
    char = SpecCharacteristicFactory(name="colour", allowed_values=["black"])
    spec = char.specification
    page = admin_client.get(url(ProductSpecification, "change", spec.pk))
    response = admin_client.post(url(ProductSpecification, "change", spec.pk), post_data(
        page, **{"characteristics-0-allowed_values": '["black", "white"]'}))
    assert response.status_code == 302, form_errors(response)
    assert SpecCharacteristic.objects.get(pk=char.pk).allowed_values == ["black", "white"]
    entry = HistoryEntry.objects.get(object_id=str(spec.pk), action="orders.product_specification.updated")
    assert entry.changes["characteristics"][1][0]["allowed_values"] == ["black", "white"]


def test_price_alterations(admin_client):
    price = ProductOfferingPriceFactory(offering__lifecycle_status="active")
    page = admin_client.get(url(ProductOfferingPrice, "change", price.pk))
    new = {"alterations-TOTAL_FORMS": "1", "alterations-0-name": "Intro", "alterations-0-percentage": "50",
           "alterations-0-duration_periods": "3"}
    response = admin_client.post(url(ProductOfferingPrice, "change", price.pk), post_data(page, **new))
    assert response.status_code == 302, form_errors(response)
    (alt,) = price.alterations.all()
    assert (alt.percentage, alt.duration_periods) == (Decimal("50.00"), 3)
    entry = HistoryEntry.objects.get(object_id=str(price.pk), action="orders.product_offering_price.updated")
    assert entry.changes["alterations"][0] == [] and entry.root_object_id == str(price.offering_id)


@pytest.mark.parametrize("overrides, message", [
    ({"alterations-0-amount": "5"}, "either a percentage or an amount"),
    ({"price_type": "one_time"}, "Only alterations of recurring prices"),
])
def test_alteration_rules_show_as_form_errors(admin_client, overrides, message):
    alt = PriceAlterationFactory(price__offering__lifecycle_status="active")
    page = admin_client.get(url(ProductOfferingPrice, "change", alt.price.pk))
    response = admin_client.post(url(ProductOfferingPrice, "change", alt.price.pk), post_data(page, **overrides))
    assert message in form_errors(response)
    assert PriceAlteration.objects.get(pk=alt.pk).amount is None
    assert ProductOfferingPrice.objects.get(pk=alt.price.pk).price_type == "recurring"


def test_price_type_and_alterations_change_together(admin_client):
    alt = PriceAlterationFactory(price__offering__lifecycle_status="active")
    page = admin_client.get(url(ProductOfferingPrice, "change", alt.price.pk))
    response = admin_client.post(url(ProductOfferingPrice, "change", alt.price.pk), post_data(
        page, price_type="one_time", **{"alterations-0-DELETE": "on"}))
    assert response.status_code == 302, form_errors(response)
    price = ProductOfferingPrice.objects.get(pk=alt.price.pk)
    assert (price.price_type, price.recurring_period, price.alterations.count()) == ("one_time", "", 0)
    (entry,) = HistoryEntry.objects.filter(action="orders.product_offering_price.updated")
    assert set(entry.changes) == {"price_type", "recurring_period", "alterations"}


def test_add_price_checks_the_rules(admin_client):
    o = ProductOfferingFactory()
    page = admin_client.get(url(ProductOfferingPrice, "add"))
    base = {"offering": o.pk, "name": "Fee", "price_type": "recurring", "amount": "-5", "currency": "EUR",
            "recurring_period": "month", "tax_category": "standard", "lifecycle_status": "active"}
    response = admin_client.post(url(ProductOfferingPrice, "add"), post_data(page, **base))
    assert "must not be negative" in form_errors(response)
    response = admin_client.post(url(ProductOfferingPrice, "add"), post_data(page, **{**base, "amount": "5"}))
    assert response.status_code == 302, form_errors(response)
    assert o.prices.get().amount == Decimal("5")
    retired = ProductOfferingFactory(lifecycle_status="retired")
    response = admin_client.post(url(ProductOfferingPrice, "add"), post_data(page, **{**base, "amount": "5",
                                                                                         "offering": retired.pk}))
    assert "retired" in form_errors(response)
    assert not retired.prices.exists()


def test_category_and_catalog(admin_client):
    parent = CategoryFactory(name="Broadband")
    page = admin_client.get(url(Category, "add"))
    response = admin_client.post(url(Category, "add"), post_data(page, name="Broadband"))
    assert "already exists" in form_errors(response)
    response = admin_client.post(url(Category, "add"), post_data(page, name="Fiber", parent=parent.pk,
                                                                   lifecycle_status="active"))
    assert response.status_code == 302, form_errors(response)
    child = Category.objects.get(name="Fiber")
    assert (child.is_root, child.parent) == (False, parent)
    assert HistoryEntry.objects.get(object_id=str(child.pk)).channel == "admin"
    page = admin_client.get(url(Category, "change", parent.pk))
    response = admin_client.post(url(Category, "change", parent.pk), post_data(page, parent=child.pk))
    assert "inside itself" in form_errors(response)
    page = admin_client.get(url(Catalog, "add"))
    response = admin_client.post(url(Catalog, "add"), post_data(page, name="Retail", catalog_type="productCatalog",
                                                                  lifecycle_status="active",
                                                                  categories=[parent.pk, child.pk]))
    assert response.status_code == 302, form_errors(response)
    assert set(Catalog.objects.get().categories.all()) == {parent, child}
    assert Event.objects.filter(event_type="CatalogCreateEvent").count() == 1


def test_spec_admin_lists_what_realizes_it(admin_client, demo):
    page = admin_client.get(url(ProductSpecification, "changelist"), {"q": "fiber-broadband"}).content.decode()
    assert "fiber-access" in page
