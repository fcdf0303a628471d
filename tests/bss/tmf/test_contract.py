"""The TMF contract, run over every TMF resource the URL conf registers (discovered from the
resolver, so an API added later is covered the day it is mounted): shapes against the official
spec, ?fields=, the column filters, paging headers, the Error bodies (400/404/405), every spec
attribute accepted on POST, wrong types refused all at once, and the hostile inputs (dates at the
end of time, NaN, deep JSON, unknown attributes, bad JSON, oversized bodies, media types that are
not JSON, over-long strings) never a 500, and Idempotency-Key replay on every POST.

A new resource needs one entry in RESOURCES (how to make one, a minimal valid POST body)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from django.urls import URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from bss.roles import Role
from bss.tmf.filtering import string_form
from bss.tmf.hub import HubViewSet
from bss.tmf.views import TmfViewSet
from tests.factories import (
    CatalogFactory,
    CategoryFactory,
    CustomerFactory,
    IndividualFactory,
    OrganizationFactory,
    ProductOfferingFactory,
    ProductOfferingPriceFactory,
    ProductSpecificationFactory,
    ServiceSpecificationFactory,
    staff_user,
)
from tests.tmf_spec import assert_tmf_error, spec_problems

END_OF_TIME = "9999-12-31T23:59:59.999Z"


def _walk(patterns, namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(x for x in (namespace, p.namespace) if x) or None
            yield from _walk(p.url_patterns, ns)
            continue
        cls = getattr(p.callback, "cls", None)
        if (cls is not None and issubclass(cls, TmfViewSet) and not issubclass(cls, HubViewSet)
                and p.name and p.name.endswith("-list") and namespace):
            yield f"{namespace}:{p.name}", cls


def discovered() -> dict[str, type[TmfViewSet]]:
    return dict(_walk(get_resolver().url_patterns))


ROUTES = discovered()


# --- how to make one of each resource -----------------------------------------------------------

def _offering_ref() -> dict:
    return {"id": str(ProductOfferingFactory(lifecycle_status="active").pk)}


def _qualification(client) -> str:
    code = ProductOfferingFactory(lifecycle_status="active").code
    body = {"productOfferingQualificationItem": [{"id": "1", "productOffering": {"id": code}}]}
    resp = client.post(reverse("tmf679:productofferingqualification-list"), body, format="json")
    assert resp.status_code == 201, resp.content
    return resp.json()["id"]


@dataclass
class Resource:
    make: Callable  # (client) -> id of a stored resource
    body: Callable[[], dict]  # a minimal valid POST body
    # sample values for spec attributes whose generated sample is not one we take (enums we model)
    samples: dict = field(default_factory=dict)


EXT_PARTY = {"id": "ext-1", "href": "https://crm.example.com/party/ext-1", "name": "Outside",
             "@referredType": "Organization"}
RESOURCES: dict[str, Resource] = {
    "Customer": Resource(lambda c: CustomerFactory().pk, lambda: {"name": "Ada", "engagedParty": EXT_PARTY},
                         {"status": "active", "contactMedium": [
                             {"mediumType": "email", "characteristic": {"emailAddress": "ada@example.com"}}],
                          "engagedParty": EXT_PARTY, "relatedParty": [EXT_PARTY]}),
    "Individual": Resource(lambda c: IndividualFactory().pk, lambda: {"givenName": "Ada", "familyName": "Byron"},
                           {"status": "validated", "birthDate": "1815-12-10T00:00:00Z", "nationality": "GB"}),
    "Organization": Resource(lambda c: OrganizationFactory().pk, lambda: {"tradingName": "Engines"},
                             {"status": "validated"}),
    "ProductOffering": Resource(
        lambda c: ProductOfferingFactory(lifecycle_status="active").pk, lambda: {"name": "Fiber 1G"},
        {"lifecycleStatus": "active", "channel": [{"id": "api"}], "marketSegment": [{"id": "residential"}],
         "isBundle": False,
         # a specification we do not hold: kept as the reference sent, never a 400
         "productSpecification": {"id": "partner-spec-7", "name": "Partner spec", "@referredType": "ProductSpecification"},
         "category": [], "bundledProductOffering": [], "productOfferingPrice": []}),
    "ProductSpecification": Resource(
        lambda c: ProductSpecificationFactory().pk, lambda: {"name": "Fiber"},
        {"lifecycleStatus": "active", "serviceSpecification": [], "isBundle": False, "productSpecCharacteristic": [
            {"name": "speed", "valueType": "integer", "productSpecCharacteristicValue": [{"value": 100}]}]}),
    "ProductOfferingPrice": Resource(
        lambda c: ProductOfferingPriceFactory().pk,
        lambda: {"name": "Fee", "priceType": "recurring", "price": {"unit": "EUR", "value": 10},
                 "productOffering": _offering_ref()},
        {"priceType": "recurring", "recurringChargePeriodType": "month", "recurringChargePeriodLength": 1,
         "price": {"unit": "EUR", "value": 12.5}, "unitOfMeasure": None, "tax": [{"taxCategory": "standard"}],
         "lifecycleStatus": "active", "isBundle": False}),
    "Category": Resource(lambda c: CategoryFactory().pk, lambda: {"name": "Broadband"},
                         {"lifecycleStatus": "active", "parentId": None, "productOffering": []}),
    "Catalog": Resource(lambda c: CatalogFactory().pk, lambda: {"name": "Retail"},
                        {"lifecycleStatus": "active", "category": []}),
    "ProductOfferingQualification": Resource(
        _qualification, lambda: {"productOfferingQualificationItem": [{"id": "1", "productOffering": _offering_ref()}]},
        {"productOfferingQualificationItem": None, "channel": {"id": "api"},
         "place": [{"role": "installationAddress", "areaCode": "DUB01"}]}),
    # TMF622: an order for a customer and an offering we hold (its filters then find it by them)
    "ProductOrder": Resource(
        lambda c: _product_order(c), lambda: _product_order_body(),
        {"priority": "1", "channel": [{"id": "api", "name": "API"}], "relatedParty": [EXT_PARTY],
         "billingAccount": {"id": "ext-account-1", "@referredType": "BillingAccount"}}),
    "CancelProductOrder": Resource(
        lambda c: _cancel_product_order(c), lambda: {"productOrder": {"id": "ext-order-1",
                                                                      "@referredType": "ProductOrder"}}),
    # TMF641 v4 and v3 (keyed "<namespace>:<type>" where one type is served in two shapes)
    "ServiceOrder": Resource(
        lambda c: _service_order().pk,
        lambda: {"serviceOrderItem": [{"id": "1", "action": "add", "service": {
            "serviceSpecification": {"id": str(ServiceSpecificationFactory(lifecycle_status="active").pk)}}}]},
        {"priority": "1", "relatedParty": [EXT_PARTY], "note": [{"id": "1", "text": "Call first"}]}),
    # TMF641 v4 cancelServiceOrder (a task: one for an order we hold, cancelled at once)
    "CancelServiceOrder": Resource(
        lambda c: _cancel_service_order(c), lambda: {"serviceOrder": {"id": "ext-so-1",
                                                                      "@referredType": "ServiceOrder"}},
        {"serviceOrder": {"id": "ext-so-2", "@referredType": "ServiceOrder"}}),
    "tmf641v3:ServiceOrder": Resource(
        lambda c: _service_order().pk,
        lambda: {"orderItem": [{"id": "1", "action": "add", "service": {"serviceSpecification": {
            "id": "partner-spec-9", "href": "https://partner.example.com/serviceSpecification/partner-spec-9"}}}]},
        {"priority": "1", "relatedParty": [{**EXT_PARTY, "role": "requester"}], "note": [{"text": "Call first"}]}),
    # TMF638 (writes: administrators)
    "Service": Resource(
        lambda c: _service().pk,
        lambda: {"state": "active", "name": "Line", "serviceSpecification": {"id": "partner-spec-3"}},
        {"state": "active", "relatedParty": [EXT_PARTY], "serviceSpecification": {"id": "partner-spec-3"}}),
    # TMF637 (writes: the data-migration role; an administrator here): a product with an account, a place and a
    # serial so that every column filter is checked
    "Product": Resource(
        lambda c: _product().pk,
        lambda: {"status": "active", "productOffering": {"id": "fiber-500", "name": "Fiber 500"},
                 "relatedParty": [{"id": str(CustomerFactory().pk), "role": "customer", "@referredType": "Customer"}]}),
}


def _product():
    from tests.factories import AddressFactory, BillingAccountFactory, ProductFactory

    customer = CustomerFactory()
    return ProductFactory(customer=customer, billing_account=BillingAccountFactory(customer=customer),
                          place=AddressFactory(customer=customer), product_serial="353871234567",
                          characteristics={"speed": 500}, start_date=datetime(2026, 1, 31, 12, tzinfo=UTC))


def _product_order_body() -> dict:
    customer = CustomerFactory(status="active")
    return {"productOrderItem": [{"id": "1", "action": "add", "productOffering": _offering_ref()}],
            "relatedParty": [{"id": str(customer.pk), "@referredType": "Customer", "role": "customer"}]}


def _product_order(client) -> str:
    resp = client.post(reverse("tmf622:productorder-list"), _product_order_body(), format="json")
    assert resp.status_code == 201, resp.content
    return resp.json()["id"]


def _cancel_product_order(client) -> str:
    body = {"productOrder": {"id": _product_order(client), "@referredType": "ProductOrder"},
            "cancellationReason": "changed my mind"}
    resp = client.post(reverse("tmf622:cancelproductorder-list"), body, format="json")
    assert resp.status_code == 201, resp.content
    return resp.json()["id"]


def _service_order():
    from bss.actors import Actor
    from service_activation.services.service_orders import ServiceItemInput, service_order_issue

    spec = ServiceSpecificationFactory(lifecycle_status="active")
    return service_order_issue(actor=Actor.system("contract test"), customer_id=CustomerFactory().pk, origin="api",
                               external_id="ext-so-1", category="Broadband", start=False,
                               requested_completion_date=datetime(2030, 1, 31, 12, tzinfo=UTC),
                               items=[ServiceItemInput(item_id="1", specification_id=spec.pk)])


def _cancel_service_order(client) -> str:
    body = {"serviceOrder": {"id": str(_service_order().pk), "@referredType": "ServiceOrder"},
            "cancellationReason": "changed my mind", "requestedCancellationDate": "2030-01-31T12:00:00Z"}
    resp = client.post(reverse("tmf641:cancelserviceorder-list"), body, format="json")
    assert resp.status_code == 201, resp.content
    return resp.json()["id"]


def _service():
    from service_activation.models import Service

    return Service.objects.create(name="Fiber line", customer=CustomerFactory(), state="active",
                                  specification=ServiceSpecificationFactory(lifecycle_status="active"),
                                  start_date=datetime(2026, 1, 31, 12, tzinfo=UTC))


def _serializer(view):
    return view.serializer_class


def _tmf_type(name):
    return _serializer(ROUTES[name]).tmf_type


@pytest.fixture
def client(db):
    c = APIClient()
    c.force_authenticate(staff_user(Role.ADMIN))
    return c


@pytest.fixture(params=sorted(ROUTES), ids=lambda n: n.split(":")[1].removesuffix("-list"))
def route(request, client):
    name = request.param
    view = ROUTES[name]
    tmf_type = view.serializer_class.tmf_type
    key = f"{name.split(':')[0]}:{tmf_type}" if f"{name.split(':')[0]}:{tmf_type}" in RESOURCES else tmf_type
    assert key in RESOURCES, f"{name}: add {tmf_type} to RESOURCES (how to make one, a valid body)"
    res = RESOURCES[key]
    return name, view, res, reverse(name)


def _make(client, route) -> tuple[str, dict]:
    name, view, res, url = route
    pk = str(res.make(client))
    resp = client.get(f"{url}/{pk}")
    assert resp.status_code == 200, resp.content
    return pk, resp.json()


def _writable(view) -> bool:
    return "post" in view.http_method_names and view.perform_create is not TmfViewSet.perform_create


# --- the discovery itself -------------------------------------------------------------------------

def test_every_tmf_api_is_discovered():
    namespaces = {n.split(":")[0] for n in ROUTES}
    assert {"tmf629", "tmf632", "tmf620", "tmf679"} <= namespaces, namespaces
    assert len(ROUTES) >= 9


def test_every_resource_declares_its_spec():
    missing = [n for n, v in ROUTES.items() if _serializer(v).tmf_spec is None]
    assert not missing, f"declare tmf_spec = TmfSpec(<file>, <resource>) on the serializers of {missing}"


# --- reading ----------------------------------------------------------------------------------

def test_list_and_retrieve_shape_against_the_spec(client, route):
    name, view, res, url = route
    pk, item = _make(client, route)
    ser = _serializer(view)
    resp = client.get(url)
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/json")
    assert resp["X-Total-Count"] == "1" and resp["X-Result-Count"] == "1"
    [listed] = resp.json()
    assert listed == item
    assert item["id"] == pk and item["href"].endswith(f"{url}/{pk}") and item["@type"] == ser.tmf_type
    spec = ser.tmf_spec.spec
    assert spec_problems(spec, ser.tmf_spec.resource, item, extensions=ser.extension_names()) == []


def test_fields_selection(client, route):
    name, view, res, url = route
    pk, item = _make(client, route)
    attribute = next(k for k in item if k not in ("id", "href"))
    for resp in (client.get(url, {"fields": f" {attribute} ,\n"}), client.get(f"{url}/{pk}", {"fields": attribute})):
        data = resp.json()
        data = data[0] if isinstance(data, list) else data
        assert data == {"id": pk, "href": item["href"], attribute: item[attribute]}


def _values(data, path):
    from bss.tmf.filtering import _values_at

    return [v for v in _values_at(data, path.split(".")) if not isinstance(v, (dict, list))]


def test_every_column_filter_finds_the_resource(client, route):
    name, view, res, url = route
    pk, item = _make(client, route)
    checked = 0
    for attribute in view.db_filters:
        for value in _values(item, attribute)[:1]:
            resp = client.get(url, {attribute: string_form(value)})
            assert resp.status_code == 200, (attribute, resp.content)
            assert pk in [i["id"] for i in resp.json()], (attribute, value)
            assert resp["X-Total-Count"] == str(len(resp.json()))
            checked += 1
    assert checked, f"{name}: no column filter could be checked"
    assert client.get(url, {"id": pk}).json()[0]["id"] == pk
    assert client.get(url, {"id": "0"}).json() == []


def test_a_filter_on_a_non_column_attribute_is_bounded(client, route, settings):
    name, view, res, url = route
    _make(client, route)
    tmf_type = _serializer(view).tmf_type
    assert [i["@type"] for i in client.get(url, {"@type": tmf_type}).json()] == [tmf_type]
    settings.TMF_FILTER_CANDIDATE_LIMIT = 0
    error = assert_tmf_error(client.get(url, {"@type": tmf_type}), 400)
    assert "id" in error["message"] and "@type" in error["message"]
    assert client.get(url, {"id": "0", "@type": tmf_type}).status_code == 200  # narrowed to nothing first


def test_paging_headers(client, route):
    name, view, res, url = route
    _make(client, route)
    _make(client, route)
    resp = client.get(url, {"limit": 1})
    assert resp["X-Total-Count"] == "2" and resp["X-Result-Count"] == "1" and len(resp.json()) == 1
    resp = client.get(url, {"offset": 5})
    assert resp["X-Total-Count"] == "2" and resp["X-Result-Count"] == "0" and resp.json() == []
    assert_tmf_error(client.get(url, {"offset": "x"}), 400)


def test_not_found_and_method_not_allowed_bodies(client, route):
    name, view, res, url = route
    pk, _ = _make(client, route)
    for suffix in ("999999999", "abc", "1.5"):
        assert_tmf_error(client.get(f"{url}/{suffix}"), 404)
    assert_tmf_error(client.put(f"{url}/{pk}", {}, format="json"), 405)
    assert_tmf_error(client.post(f"{url}/{pk}", {}, format="json"), 405)


# --- hostile filters ----------------------------------------------------------------------------

def _date_filters(view) -> list[str]:
    from django.db import models

    from bss.tmf.views import _model_field

    model = _model_of(view)
    out = ["validFor.startDateTime"]
    for attribute, lookup in view.db_filters.items():
        lookups = (lookup,) if isinstance(lookup, str) else lookup
        if any(isinstance(_model_field(model, x), models.DateTimeField) for x in lookups):
            out.append(attribute)
    return out


def test_dates_at_the_end_of_time_are_never_a_500(client, route):
    name, view, res, url = route
    _make(client, route)
    attributes = set(_date_filters(view)) | {a for a in view.db_filters if "date" in a.lower() or a == "lastUpdate"}
    for attribute in sorted(attributes):
        for op in ("", ".gt", ".gte", ".lt", ".lte"):
            for value in (END_OF_TIME, "9999-12-31T23:00:00-02:00", "0001-01-01T00:00:00+02:00"):
                resp = client.get(url, {f"{attribute}{op}": value})
                assert resp.status_code == 200, (attribute, op, value, resp.content)
                assert resp["X-Total-Count"] == str(len(resp.json()))


def test_nan_and_infinity_comparisons_are_400(client, route):
    name, view, res, url = route
    _make(client, route)
    for attribute in ("name", "id", *view.db_filters):
        for value in ("NaN", "-Infinity", "sNaN"):
            assert_tmf_error(client.get(url, {f"{attribute}.gt": value}), 400)
        resp = client.get(url, {attribute: "NaN"})
        assert resp.status_code == 200, (attribute, resp.content)


# --- writing ----------------------------------------------------------------------------------

def _sample(spec: dict, schema: dict, depth: int = 0):
    """A value of the schema's type (objects with their required attributes)."""
    if "$ref" in schema:
        return _sample(spec, spec["definitions"][schema["$ref"].rsplit("/", 1)[1]], depth)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "array":
        return [_sample(spec, schema.get("items", {}), depth + 1)]
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return 1
    if kind == "string":
        return "2026-01-31T12:00:00.000Z" if schema.get("format") == "date-time" else "sample"
    if schema.get("properties") and depth < 6:
        props = schema["properties"]
        return {k: _sample(spec, props[k], depth + 1) for k in schema.get("required", [])} or \
            {next(iter(props)): _sample(spec, next(iter(props.values())), depth + 1)}
    return "sample"  # Any


def _wrong(schema: dict, spec: dict):
    if "$ref" in schema:
        target = spec["definitions"][schema["$ref"].rsplit("/", 1)[1]]
        return 42 if target.get("properties") or target.get("type") == "string" else None
    return {"string": 42, "boolean": "yes", "integer": "many", "number": "lots", "array": "a list",
            "object": 42}.get(schema.get("type"))


def _model_of(view):
    from django.apps import apps

    for model in apps.get_models():
        if model.__name__ == view.serializer_class.tmf_type or (
                view.serializer_class.tmf_type == "ProductOfferingQualification"
                and model.__name__ == "OfferingQualification") or (
                view.serializer_class.tmf_type in ("Individual", "Organization") and model.__name__ == "Party") or (
                view.serializer_class.tmf_type == "ProductOrder" and model.__name__ == "CustomerOrder"):
            return model
    raise LookupError(view)


def test_every_spec_attribute_is_accepted_on_post(client, route):
    name, view, res, url = route
    if not _writable(view):
        pytest.skip("read-only resource")
    ser = _serializer(view)
    spec = ser.tmf_spec
    definition = spec.definition(spec.definition_name(update=False))
    body = res.body()
    passthrough = ser.passthrough_names()
    for attribute, schema in definition["properties"].items():
        if attribute in body or attribute in view.read_only_on_create or attribute.startswith("@"):
            continue
        if attribute in res.samples:
            if res.samples[attribute] is not None:
                body[attribute] = res.samples[attribute]
            continue
        body[attribute] = _sample(spec.spec, schema)
    resp = client.post(url, body, format="json")
    assert resp.status_code == 201, resp.content
    stored = client.get(resp["Location"]).json()
    for attribute in passthrough & set(body):
        assert stored.get(attribute) == body[attribute], attribute  # kept verbatim and returned


def test_wrong_types_are_refused_all_at_once_and_nothing_is_stored(client, route):
    name, view, res, url = route
    if not _writable(view):
        pytest.skip("read-only resource")
    ser = _serializer(view)
    spec = ser.tmf_spec
    definition = spec.definition(spec.definition_name(update=False))
    body, wrong = res.body(), []
    for attribute, schema in definition["properties"].items():
        value = _wrong(schema, spec.spec)
        if value is not None and attribute not in view.read_only_on_create:
            body[attribute] = value
            wrong.append(attribute)
    before = _model_of(view).objects.count()
    error = assert_tmf_error(client.post(url, body, format="json"), 400)
    for attribute in wrong:
        assert f"{attribute}:" in error["message"], (attribute, error["message"])
    assert _model_of(view).objects.count() == before
    # the same for a single string attribute sent as a number, on every API
    strings = [a for a, s in definition["properties"].items() if s.get("type") == "string"
               and a not in view.read_only_on_create and not a.startswith("@")]
    if strings:
        error = assert_tmf_error(client.post(url, {**res.body(), strings[0]: 42}, format="json"), 400)
        assert f"{strings[0]}: Must be a string" in error["message"], error["message"]


def test_wrong_types_are_refused_on_patch(client, route):
    name, view, res, url = route
    if "patch" not in view.http_method_names or view.perform_update is TmfViewSet.perform_update:
        pytest.skip("no PATCH")
    pk, item = _make(client, route)
    spec = _serializer(view).tmf_spec
    definition = spec.definition(spec.definition_name(update=True))
    attribute = next(a for a, s in definition["properties"].items() if s.get("type") == "string"
                     and a not in view.read_only_on_update and not a.startswith("@"))
    error = assert_tmf_error(client.patch(f"{url}/{pk}", {attribute: 42}, format="json"), 400)
    assert attribute in error["message"]
    assert client.get(f"{url}/{pk}").json() == item


@pytest.mark.parametrize("raw, fragment", [
    ("{bad json", None), ('{"a": 1,}', None), ("[1, 2]", None), ("null", None), ('"text"', None),
    ("[" * 1000 + "]" * 1000, None), ('{"x": ' + "[" * 1000 + "]" * 1000 + "}", None),
    ('{"x": ' + '{"a": ' * 900 + "1" + "}" * 900 + "}", None),
    ('{"name": "a\\u0000b", "description": "x"}', None), ('{"note\\u0000": 1}', None),
], ids=["bad-json", "trailing-comma", "array", "null", "string", "deep-array", "deep-attribute", "deep-object",
        "nul-in-text", "nul-in-key"])
def test_malformed_bodies_are_400_and_store_nothing(client, route, raw, fragment):
    name, view, res, url = route
    if not _writable(view):
        pytest.skip("read-only resource")
    before = _model_of(view).objects.count()
    assert_tmf_error(client.post(url, raw, content_type="application/json"), 400)
    assert _model_of(view).objects.count() == before


def test_unknown_attributes_are_400_naming_them(client, route):
    name, view, res, url = route
    if not _writable(view):
        pytest.skip("read-only resource")
    before = _model_of(view).objects.count()
    error = assert_tmf_error(client.post(url, {**res.body(), "loyaltyTier": "gold", "colour": 1}, format="json"),
                             400)
    assert "loyaltyTier" in error["message"] and "colour" in error["message"]
    assert _model_of(view).objects.count() == before
    for attribute in ("id", "href"):
        assert attribute in assert_tmf_error(client.post(url, {**res.body(), attribute: "1"}, format="json"),
                                             400)["message"]


def test_deep_json_inside_a_valid_body_is_400(client, route):
    name, view, res, url = route
    if not _writable(view):
        pytest.skip("read-only resource")
    raw = json.dumps(res.body())[:-1] + ', "@type": ' + "[" * 1000 + "]" * 1000 + "}"
    assert_tmf_error(client.post(url, raw, content_type="application/json"), 400)


# --- hostile input at the doors every router shares ------------------------------------------------

def test_an_oversized_body_is_413_and_stores_nothing(client, route, settings):
    name, view, res, url = route
    if not _writable(view):
        pytest.skip("read-only resource")
    settings.BSS_MAX_BODY_BYTES = 4_000
    before = _model_of(view).objects.count()
    body = {**res.body(), "description": "x" * 8_000}
    assert_tmf_error(client.post(url, body, format="json"), 413)
    assert _model_of(view).objects.count() == before


@pytest.mark.parametrize("content_type", ["application/json;;;", "application/json; charset", "text/plain",
                                          "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_is_415(client, route, content_type):
    name, view, res, url = route
    if not _writable(view):
        pytest.skip("read-only resource")
    before = _model_of(view).objects.count()
    assert_tmf_error(client.post(url, json.dumps(res.body()), content_type=content_type), 415)
    assert _model_of(view).objects.count() == before


def test_over_long_strings_are_refused_or_stored_never_a_500(client, route):
    name, view, res, url = route
    if not _writable(view):
        pytest.skip("read-only resource")
    before = _model_of(view).objects.count()
    body = {k: ("é" * 20_000 if isinstance(v, str) else v) for k, v in res.body().items()}
    body.setdefault("description", "é" * 20_000)
    resp = client.post(url, body, format="json")
    assert resp.status_code in (201, 400), resp.content
    if resp.status_code == 400:
        assert_tmf_error(resp, 400)
        assert _model_of(view).objects.count() == before


def test_an_idempotency_key_replays_the_first_answer_and_refuses_another_body(client, route):
    name, view, res, url = route
    if not _writable(view):
        pytest.skip("read-only resource")
    before = _model_of(view).objects.count()
    body = res.body()
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=f"contract-{name}")
    again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=f"contract-{name}")
    assert first.status_code == 201, first.content
    assert (again.status_code, again.json()) == (201, first.json())
    assert again["Idempotent-Replayed"] == "true"
    assert _model_of(view).objects.count() == before + 1
    other = {**body, "description": "another body"}
    assert_tmf_error(client.post(url, other, format="json", HTTP_IDEMPOTENCY_KEY=f"contract-{name}"), 422)


def test_a_nul_character_anywhere_in_a_valid_body_is_400(client, route):
    name, view, res, url = route
    if not _writable(view):
        pytest.skip("read-only resource")
    before = _model_of(view).objects.count()
    raw = json.dumps(res.body())[:-1] + ', "@baseType": "x\\u0000y"}'
    assert "NUL" in assert_tmf_error(client.post(url, raw, content_type="application/json"), 400)["message"]
    assert _model_of(view).objects.count() == before
