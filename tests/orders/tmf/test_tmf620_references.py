"""TMF620 references that name nothing of ours are never a 400 (ARCHITECTURE.md, validation
policy): the request is 201 / 200, a reference we can resolve is linked, one we cannot is kept
as sent and returned on GET in the same attribute; pointing the attribute at something we hold
replaces what was kept. Every reference of the catalog: an offering's productSpecification,
category, bundledProductOffering and productOfferingPrice, a specification's
serviceSpecification, a category's parentId and productOffering, a catalog's category, a
price's productOffering."""

import pytest
from rest_framework.test import APIClient

from bss.events.models import Event
from bss.roles import Role
from orders.models import Catalog, Category, ProductOffering, ProductOfferingPrice, ProductSpecification
from orders.tmf.serializers import ProductOfferingPriceSerializer, ProductOfferingSerializer
from tests.factories import (
    CategoryFactory,
    ProductOfferingFactory,
    ProductOfferingPriceFactory,
    ServiceSpecificationFactory,
    staff_user,
)
from tests.tmf_spec import load_spec, spec_problems

API = "/tmf-api/productCatalogManagement/v4"
PO, PS, POP, CATEGORY, CATALOG = (f"{API}/productOffering", f"{API}/productSpecification",
                                  f"{API}/productOfferingPrice", f"{API}/category", f"{API}/catalog")
EXTENSIONS = {"ProductOffering": set(ProductOfferingSerializer.EXTENSIONS),
              "ProductOfferingPrice": set(ProductOfferingPriceSerializer.EXTENSIONS)}

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api():
    client = APIClient()
    client.force_authenticate(staff_user(Role.ADMIN))
    return client


@pytest.fixture(scope="module")
def tmf620():
    return load_spec("TMF620-ProductCatalog-v4.0.0.swagger.json")


def created(admin_api, url: str, body: dict, tmf620, definition: str) -> dict:
    resp = admin_api.post(url, body, format="json")
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert admin_api.get(resp["Location"]).json() == data  # GET returns what POST did
    assert spec_problems(tmf620, definition, data, extensions=EXTENSIONS.get(definition, set())) == []
    return data


def partner(ref_id: str, referred_type: str, **more) -> dict:
    return {"id": ref_id, "href": f"https://partner.example.com/{referred_type}/{ref_id}", "name": f"Partner {ref_id}",
            **more, "@referredType": referred_type}


class TestOffering:
    def test_categories(self, admin_api, tmf620):
        ours, theirs = CategoryFactory(), partner("cat-9", "Category")
        data = created(admin_api, PO, {"name": "Resold TV", "category": [{"id": str(ours.pk)}, theirs]}, tmf620,
                       "ProductOffering")
        assert [c["id"] for c in data["category"]] == [str(ours.pk), "cat-9"]
        assert data["category"][1] == theirs
        offering = ProductOffering.objects.get(pk=data["id"])
        assert list(offering.categories.all()) == [ours]
        # naming only categories we hold replaces what was kept
        resp = admin_api.patch(data["href"], {"category": [{"id": str(ours.pk)}]}, format="json")
        assert resp.status_code == 200, resp.content
        assert [c["id"] for c in resp.json()["category"]] == [str(ours.pk)]
        assert "category" not in ProductOffering.objects.get(pk=data["id"]).tmf_extra

    def test_bundle_members(self, admin_api, tmf620):
        ours = ProductOfferingFactory(lifecycle_status="active")
        theirs = {"id": "partner-box", "name": "Partner set-top box", "lifecycleStatus": "active"}
        data = created(admin_api, PO, {"name": "TV duo", "lifecycleStatus": "active",
                                       "bundledProductOffering": [{"id": ours.code}, theirs]}, tmf620,
                       "ProductOffering")
        # a member we do not hold counts as a member (two: a bundle) and does not stop the launch
        assert (data["isBundle"], data["lifecycleStatus"]) == (True, "active")
        assert data["bundledProductOffering"][1] == theirs
        assert [m["id"] for m in data["bundledProductOffering"]] == [str(ours.pk), "partner-box"]
        assert list(ProductOffering.objects.get(pk=data["id"]).bundled_offerings.all()) == [ours]
        # one member (ours) and none kept is still no bundle
        resp = admin_api.post(PO, {"name": "Solo", "bundledProductOffering": [{"id": ours.code}]}, format="json")
        assert resp.status_code == 400 and "at least two" in resp.json()["message"]

    def test_prices(self, admin_api, tmf620):
        data = created(admin_api, PO, {"name": "Resold", "productOfferingPrice": [partner("p-1", "ProductOfferingPrice")]},
                       tmf620, "ProductOffering")
        assert data["productOfferingPrice"] == [partner("p-1", "ProductOfferingPrice")]
        assert not ProductOfferingPrice.objects.exists()
        own = ProductOfferingPriceFactory(offering=ProductOffering.objects.get(pk=data["id"]))
        resp = admin_api.patch(data["href"], {"productOfferingPrice": [{"id": str(own.pk)}]}, format="json")
        assert [p["id"] for p in resp.json()["productOfferingPrice"]] == [str(own.pk)]

    def test_specification_and_the_rest_of_the_body_together(self, admin_api, tmf620):
        body = {"name": "Everything external", "productSpecification": partner("spec-1", "ProductSpecification"),
                "category": [partner("cat-1", "Category")],
                "bundledProductOffering": [{"id": "po-1"}, {"id": "po-2"}],
                "productOfferingPrice": [{"id": "pop-1"}]}
        data = created(admin_api, PO, body, tmf620, "ProductOffering")
        for attribute in ("productSpecification", "category", "bundledProductOffering", "productOfferingPrice"):
            assert data[attribute] == body[attribute], attribute
        assert data["isBundle"] is True
        (event,) = Event.objects.filter(event_type="ProductOfferingCreateEvent")
        assert event.payload["event"]["productOffering"]["category"] == body["category"]


def test_specification_service_specifications(admin_api, tmf620):
    ours, theirs = ServiceSpecificationFactory(code="fiber-access"), partner("svc-9", "ServiceSpecification")
    data = created(admin_api, PS, {"name": "Fiber", "serviceSpecification": [{"id": "fiber-access"}, theirs]},
                   tmf620, "ProductSpecification")
    assert [s["id"] for s in data["serviceSpecification"]] == [str(ours.pk), "svc-9"]
    assert data["serviceSpecification"][1] == theirs
    spec = ProductSpecification.objects.get(pk=data["id"])
    assert list(spec.service_specifications.all()) == [ours]
    resp = admin_api.patch(data["href"], {"serviceSpecification": []}, format="json")
    assert resp.status_code == 200 and resp.json()["serviceSpecification"] == []
    assert ProductSpecification.objects.get(pk=data["id"]).tmf_extra == {}


def test_category_parent_and_offerings(admin_api, tmf620):
    data = created(admin_api, CATEGORY, {"name": "Partner TV", "parentId": "partner-root",
                                         "productOffering": [{"id": "po-9"}]}, tmf620, "Category")
    assert (data["parentId"], data["isRoot"], data["productOffering"]) == ("partner-root", False, [{"id": "po-9"}])
    assert Category.objects.get(pk=data["id"]).parent is None
    parent = CategoryFactory()
    resp = admin_api.patch(data["href"], {"parentId": str(parent.pk)}, format="json")
    assert resp.status_code == 200, resp.content
    assert (resp.json()["parentId"], resp.json()["isRoot"]) == (str(parent.pk), False)
    assert "parentId" not in Category.objects.get(pk=data["id"]).tmf_extra
    resp = admin_api.patch(data["href"], {"parentId": None}, format="json")
    assert "parentId" not in resp.json() and resp.json()["isRoot"] is True


def test_catalog_categories(admin_api, tmf620):
    ours = CategoryFactory()
    data = created(admin_api, CATALOG, {"name": "Wholesale", "category": [{"id": str(ours.pk)}, {"id": "cat-x"}]},
                   tmf620, "Catalog")
    assert [c["id"] for c in data["category"]] == [str(ours.pk), "cat-x"]
    assert list(Catalog.objects.get(pk=data["id"]).categories.all()) == [ours]


def test_price_offering(admin_api, tmf620):
    theirs = partner("po-77", "ProductOffering")
    data = created(admin_api, POP, {"name": "Resale fee", "priceType": "oneTime",
                                    "price": {"unit": "EUR", "value": 5}, "productOffering": theirs},
                   tmf620, "ProductOfferingPrice")
    assert data["productOffering"] == theirs
    price = ProductOfferingPrice.objects.get(pk=data["id"])
    assert price.offering is None and price.tmf_extra == {"productOffering": theirs}
    # a price of no offering of ours takes changes and, sold through nothing of ours, is deleted
    resp = admin_api.patch(data["href"], {"price": {"unit": "EUR", "value": 6}}, format="json")
    assert resp.status_code == 200 and resp.json()["productOffering"] == theirs
    assert admin_api.delete(data["href"]).status_code == 204
    assert not ProductOfferingPrice.objects.filter(pk=data["id"]).exists()
