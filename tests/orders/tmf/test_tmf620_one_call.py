"""TMF620 writes are one use case each: a PATCH that changes attributes and the lifecycle together
is ONE catalog service call, so it leaves exactly one history row (the attribute changes and
``lifecycle_status: [old, new]`` together) and publishes exactly one event (a StateChange), for
offerings, specifications, categories, catalogs and prices. A refused lifecycle move leaves
nothing behind, the attributes of the same PATCH included."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from bss.audit.models import HistoryEntry
from bss.events.models import Event
from bss.roles import Role
from orders.models import Catalog, Category, ProductOffering, ProductOfferingPrice, ProductSpecification
from tests.factories import (
    CatalogFactory,
    CategoryFactory,
    ProductOfferingFactory,
    ProductOfferingPriceFactory,
    ProductSpecificationFactory,
    bundle,
    staff_user,
)
from tests.tmf_spec import assert_tmf_error

API = "/tmf-api/productCatalogManagement/v4"

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api():
    client = APIClient()
    client.force_authenticate(staff_user(Role.ADMIN))
    return client


def marks() -> tuple[int, int]:
    return (Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
            HistoryEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)


def written_since(mark: tuple[int, int]) -> tuple[list[Event], list[HistoryEntry]]:
    return (list(Event.objects.filter(pk__gt=mark[0]).order_by("pk")),
            list(HistoryEntry.objects.filter(pk__gt=mark[1]).order_by("pk")))


def patch_one_use_case(admin_api, url: str, body: dict, event_type: str) -> HistoryEntry:
    mark = marks()
    resp = admin_api.patch(url, body, format="json")
    assert resp.status_code == 200, resp.content
    events, entries = written_since(mark)
    assert [e.event_type for e in events] == [event_type]
    (entry,) = entries
    assert events[0].resource_id == entry.object_id
    return entry


def test_offering_fields_and_launch(admin_api):
    o = ProductOfferingFactory(name="Old", specification=ProductSpecificationFactory())
    entry = patch_one_use_case(admin_api, f"{API}/productOffering/{o.pk}",
                               {"name": "New", "description": "Now on sale", "lifecycleStatus": "active",
                                "statusReason": "go live"}, "ProductOfferingStateChangeEvent")
    assert entry.changes["name"] == ["Old", "New"] and entry.changes["description"] == ["", "Now on sale"]
    assert entry.changes["lifecycle_status"] == ["draft", "active"]
    assert (entry.action, entry.reason) == ("orders.product_offering.launched", "go live")
    o = ProductOffering.objects.get(pk=o.pk)
    assert (o.name, o.lifecycle_status) == ("New", "active")
    (event,) = Event.objects.filter(event_type="ProductOfferingStateChangeEvent")
    assert event.payload["event"]["productOffering"]["name"] == "New"
    # the same status again is no lifecycle move: an attribute change
    entry = patch_one_use_case(admin_api, f"{API}/productOffering/{o.pk}",
                               {"name": "Newer", "lifecycleStatus": "active"},
                               "ProductOfferingAttributeValueChangeEvent")
    assert set(entry.changes) == {"name"} and entry.action == "orders.product_offering.updated"


def test_offering_fields_and_retirement(admin_api):
    o = ProductOfferingFactory(lifecycle_status="active", version="1.0")
    entry = patch_one_use_case(admin_api, f"{API}/productOffering/{o.pk}",
                               {"version": "1.1", "lifecycleStatus": "retired"}, "ProductOfferingStateChangeEvent")
    assert entry.changes["version"] == ["1.0", "1.1"] and entry.changes["lifecycle_status"] == ["active", "retired"]
    assert entry.action == "orders.product_offering.retired"


def test_offering_members_and_launch_are_checked_together(admin_api):
    """The launch checks the bundle as the same PATCH leaves it; refused, it leaves nothing."""
    a, b = ProductOfferingFactory(lifecycle_status="active"), ProductOfferingFactory(lifecycle_status="active")
    draft = ProductOfferingFactory()
    duo = bundle(a, draft, name="Duo")  # one member is a draft: the bundle cannot launch as it is
    mark = marks()
    body = assert_tmf_error(admin_api.patch(f"{API}/productOffering/{duo.pk}",
                                            {"name": "Duo 2", "lifecycleStatus": "active"}, format="json"), 409)
    assert draft.code in body["message"]
    assert written_since(mark) == ([], [])
    assert ProductOffering.objects.get(pk=duo.pk).name == "Duo"
    entry = patch_one_use_case(admin_api, f"{API}/productOffering/{duo.pk}",
                               {"bundledProductOffering": [{"id": str(a.pk)}, {"id": str(b.pk)}],
                                "lifecycleStatus": "active"}, "ProductOfferingStateChangeEvent")
    assert entry.changes["bundled_offerings"][1] == sorted([a.pk, b.pk])
    assert ProductOffering.objects.get(pk=duo.pk).lifecycle_status == "active"


def test_specification(admin_api):
    spec = ProductSpecificationFactory(name="Old")
    entry = patch_one_use_case(admin_api, f"{API}/productSpecification/{spec.pk}",
                               {"name": "New", "brand": "Acme", "lifecycleStatus": "retired"},
                               "ProductSpecificationStateChangeEvent")
    assert entry.changes["name"] == ["Old", "New"] and entry.changes["lifecycle_status"] == ["active", "retired"]
    assert ProductSpecification.objects.get(pk=spec.pk).lifecycle_status == "retired"


def test_category(admin_api):
    cat = CategoryFactory()
    entry = patch_one_use_case(admin_api, f"{API}/category/{cat.pk}",
                               {"description": "Legacy", "lifecycleStatus": "retired"}, "CategoryStateChangeEvent")
    assert entry.changes["description"] == ["", "Legacy"] and entry.changes["lifecycle_status"] == ["active", "retired"]
    assert Category.objects.get(pk=cat.pk).lifecycle_status == "retired"


def test_catalog(admin_api):
    catalog, cat = CatalogFactory(), CategoryFactory()
    entry = patch_one_use_case(admin_api, f"{API}/catalog/{catalog.pk}",
                               {"description": "Old range", "category": [{"id": str(cat.pk)}],
                                "lifecycleStatus": "retired"}, "CatalogStateChangeEvent")
    assert entry.changes["categories"] == [[], [cat.pk]] and entry.changes["lifecycle_status"] == ["active", "retired"]
    assert Catalog.objects.get(pk=catalog.pk).lifecycle_status == "retired"


def test_price(admin_api):
    price = ProductOfferingPriceFactory(offering__lifecycle_status="active")
    entry = patch_one_use_case(admin_api, f"{API}/productOfferingPrice/{price.pk}",
                               {"price": {"unit": "EUR", "value": 25}, "lifecycleStatus": "retired"},
                               "ProductOfferingPriceStateChangeEvent")
    assert entry.changes["amount"] == ["20.0000", "25.0000"]
    assert entry.changes["lifecycle_status"] == ["active", "retired"]
    price = ProductOfferingPrice.objects.get(pk=price.pk)
    assert (price.amount, price.lifecycle_status) == (Decimal("25"), "retired")
