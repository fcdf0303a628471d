"""TMF620 endpoints: thin views over orders.services.catalog on the shared toolkit.

Reads are open to every role that may view the catalog; writes need the catalog
administrator's permissions (role Admin), others get 403. An offering's productSpecification
that we do not hold is kept as the reference sent (bss.tmf.references). Other references in a
write (categories, bundled offerings, service specifications, a price's offering) must name
things the catalog holds: an unknown or retired one is a 400 with the reason, and nothing is stored.

DELETE never removes what may have been sold: an active offering is retired (a draft that
nothing refers to is deleted); specifications, categories and prices in use are retired.
"""

from __future__ import annotations

from rest_framework.exceptions import ValidationError

from bss.actors import Actor
from bss.roles import is_staff_user
from bss.tmf.ids import local_id
from bss.tmf.references import resolve_reference
from bss.tmf.views import TmfViewSet
from customers.scoping import visible_to
from orders import feasibility as fe
from orders.models import (
    Catalog,
    Category,
    OfferingQualification,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
)
from orders.models.catalog import LifecycleStatus, SalesChannel
from orders.services import catalog as services
from orders.services.feasibility import ANSWERED_UNQUALIFIED, ItemInput, offering_qualification_request
from orders.tmf.serializers import (
    READ_ONLY,
    CatalogSerializer,
    CategorySerializer,
    ProductOfferingPriceSerializer,
    ProductOfferingQualificationSerializer,
    ProductOfferingSerializer,
    ProductSpecificationSerializer,
    characteristic_from_tmf,
)
from service_activation.models import ServiceSpecification

Status = LifecycleStatus


class CatalogTmfViewSet(TmfViewSet):
    """The services name fields as the models do; the toolkit answers with the TMF attribute names
    (``error_names`` for the first part of an error key, ``nested_error_names`` for the parts below)."""


class References:
    """Resolves the references of one request; every unresolved one is reported together."""

    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def one(self, model, ref: dict | None, attribute: str, *, by_code: bool = True, label: str = ""):
        if ref is None:
            return None
        key = str(ref.get("id", "")).strip()
        obj = model.objects.filter(pk=local_id(key)).first() if local_id(key) is not None else None
        if obj is None and by_code and key:
            obj = model.objects.filter(code=key).first()
        if obj is None:
            self.errors.setdefault(attribute, []).append(f"Unknown {label or model._meta.verbose_name} '{key}'.")
        return obj

    def many(self, model, refs: list[dict], attribute: str, **kw) -> list:
        found = [self.one(model, r, attribute, **kw) for r in refs]
        return [o for o in found if o is not None]

    def check(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _validity(data: dict, out: dict) -> None:
    # JSON merge patch: only the keys sent change.
    period = data.get("validFor")
    if period is not None:
        if "startDateTime" in period:
            out["valid_from"] = period["startDateTime"]
        if "endDateTime" in period:
            out["valid_to"] = period["endDateTime"]


def _kept(obj, extra: dict) -> dict:
    """tmf_extra after a write: the spec attributes we keep as sent (merge patch: null removes one)."""
    merged = {**((obj.tmf_extra or {}) if obj is not None else {}), **extra}
    return {k: v for k, v in merged.items() if v is not None}


def _copy(data: dict, out: dict, mapping: dict) -> None:
    for theirs, ours in mapping.items():
        if theirs in data:
            out[ours] = data[theirs]


# --- productOffering ------------------------------------------------------------------------

OFFERING_MAP = {"name": "name", "description": "description", "version": "version", "isBundle": "is_bundle",
                "isSellable": "is_sellable", "technology": "technology", "bandwidthMbps": "bandwidth_mbps",
                "requiresInstallAddress": "requires_install_address",
                "requiresSpecialDesign": "requires_special_design", "deliveredByPartner": "delivered_by_partner",
                "partnerName": "partner_name"}


class ProductOfferingViewSet(CatalogTmfViewSet):
    serializer_class = ProductOfferingSerializer
    error_names = {**{ours: theirs for theirs, ours in OFFERING_MAP.items()}, "sales_channels": "channel",
                   "customer_segments": "marketSegment", "specification": "productSpecification",
                   "categories": "category", "bundled_offerings": "bundledProductOffering"}
    read_only_on_create = {"lastUpdate", "prodSpecCharValueUse"}
    read_only_on_update = {"lastUpdate", "prodSpecCharValueUse", "code"}
    db_filters = {"id": "pk", "name": "name", "description": "description", "version": "version",
                  "lifecycleStatus": "lifecycle_status", "code": "code", "technology": "technology",
                  "bandwidthMbps": "bandwidth_mbps", "partnerName": "partner_name",
                  "lastUpdate": "updated_at", "validFor.startDateTime": "valid_from",
                  "validFor.endDateTime": "valid_to", "productSpecification.id": "specification_id",
                  "productSpecification.name": "specification__name", "category.id": "categories__id",
                  "category.name": "categories__name", "bundledProductOffering.id": "bundled_offerings__id",
                  "productOfferingPrice.id": "prices__id"}

    def get_queryset(self):
        qs = ProductOffering.objects.select_related("specification").prefetch_related(
            "categories", "prices", "bundled_offerings", "specification__characteristics").distinct()
        if not is_staff_user(self.request.user):  # customers never see unlaunched offerings
            qs = qs.exclude(lifecycle_status=ProductOffering.LifecycleStatus.DRAFT)
        return qs

    def _fields(self, data: dict, instance: ProductOffering | None, extra: dict) -> tuple[dict, dict]:
        refs = References()
        fields: dict = {}
        _copy(data, fields, OFFERING_MAP)
        _validity(data, fields)
        if "channel" in data:
            fields["sales_channels"] = list(dict.fromkeys(r["id"] for r in data["channel"]))
        if "marketSegment" in data:
            fields["customer_segments"] = list(dict.fromkeys(r["id"] for r in data["marketSegment"]))
        if "productSpecification" in data:
            # A specification we do not hold is kept as the reference sent (never a 400).
            fields["specification"], kept = resolve_reference(data["productSpecification"],
                                                              ProductSpecification.objects, by=("pk", "code"))
            extra["productSpecification"] = None if fields["specification"] else kept
        related = {}
        if "category" in data:
            related["categories"] = refs.many(Category, data["category"], "category", by_code=False)
        if "bundledProductOffering" in data:
            related["bundled_offerings"] = refs.many(ProductOffering, data["bundledProductOffering"],
                                                     "bundledProductOffering", label="product offering")
        if "productOfferingPrice" in data:
            own = {str(p.pk) for p in instance.prices.all()} if instance else set()
            foreign = [str(r["id"]) for r in data["productOfferingPrice"] if str(r["id"]) not in own]
            if foreign:
                refs.errors["productOfferingPrice"] = [
                    f"Not a price of this offering: {', '.join(foreign)}. Prices are created with POST "
                    "productOfferingPrice naming the offering in its productOffering."]
        refs.check()
        return fields, related

    def perform_create(self, data, actor: Actor):
        data, extra = self.serializer_class.split_passthrough(dict(data))
        fields, related = self._fields(data, None, extra)
        offering = services.offering_create(actor=actor, code=data.get("code"), **fields, **related,
                                            tmf_extra=_kept(None, extra),
                                            launch=data.get("lifecycleStatus") == Status.ACTIVE)
        return self.get_queryset().get(pk=offering.pk)

    def perform_update(self, offering, data, actor: Actor):
        data, extra = self.serializer_class.split_passthrough(dict(data))
        fields, related = self._fields(data, offering, extra)
        if extra:
            fields["tmf_extra"] = _kept(offering, extra)
        reason = data.get("statusReason", "")
        if fields or related:
            services.offering_update(offering=offering, actor=actor, reason=reason, **fields, **related)
        if "lifecycleStatus" in data:
            services.offering_change_status(offering_id=offering.pk, status=data["lifecycleStatus"], actor=actor,
                                            reason=reason)
        return self.get_queryset().get(pk=offering.pk)

    def perform_destroy(self, offering, actor: Actor):
        services.offering_delete(offering=offering, actor=actor, reason="TMF620 DELETE")


# --- productSpecification -------------------------------------------------------------------

class ProductSpecificationViewSet(CatalogTmfViewSet):
    serializer_class = ProductSpecificationSerializer
    error_names = {"code": "productNumber", "characteristics": "productSpecCharacteristic",
                   "service_specifications": "serviceSpecification"}
    nested_error_names = {"value_type": "valueType", "mandatory": "minCardinality",
                    "allowed_values": "productSpecCharacteristicValue",
                    "default_value": "productSpecCharacteristicValue.isDefault",
                    "min_value": "productSpecCharacteristicValue.valueFrom",
                    "max_value": "productSpecCharacteristicValue.valueTo"}
    read_only_on_create = {"lastUpdate"}
    read_only_on_update = {"lastUpdate", "productNumber"}
    db_filters = {"id": "pk", "name": "name", "description": "description", "brand": "brand",
                  "version": "version", "lifecycleStatus": "lifecycle_status", "productNumber": "code",
                  "lastUpdate": "updated_at", "serviceSpecification.id": "service_specifications__id",
                  "productSpecCharacteristic.name": "characteristics__name"}

    def get_queryset(self):
        return ProductSpecification.objects.prefetch_related("characteristics", "service_specifications").distinct()

    def _fields(self, data: dict) -> dict:
        fields: dict = {}
        _copy(data, fields, {"name": "name", "description": "description", "brand": "brand", "version": "version",
                             "lifecycleStatus": "lifecycle_status"})
        if "productSpecCharacteristic" in data:
            fields["characteristics"] = [characteristic_from_tmf(c) for c in data["productSpecCharacteristic"]]
        if "serviceSpecification" in data:
            refs = References()
            fields["service_specifications"] = refs.many(ServiceSpecification, data["serviceSpecification"],
                                                         "serviceSpecification", label="service specification")
            refs.check()
        return fields

    def perform_create(self, data, actor: Actor):
        data, extra = self.serializer_class.split_passthrough(dict(data))
        spec = services.specification_create(actor=actor, code=data.get("productNumber"), **self._fields(data),
                                             tmf_extra=_kept(None, extra))
        return self.get_queryset().get(pk=spec.pk)

    def perform_update(self, spec, data, actor: Actor):
        data, extra = self.serializer_class.split_passthrough(dict(data))
        kept = {"tmf_extra": _kept(spec, extra)} if extra else {}
        services.specification_update(specification=spec, actor=actor, **self._fields(data), **kept)
        return self.get_queryset().get(pk=spec.pk)

    def perform_destroy(self, spec, actor: Actor):
        services.specification_delete(specification=spec, actor=actor, reason="TMF620 DELETE")


# --- productOfferingPrice -------------------------------------------------------------------

def _alteration_from_tmf(item: dict, currency: str | None) -> dict:
    price = item["price"]
    out = {"name": item["name"], "duration_periods": item.get("applicationDuration"), "percentage": None,
           "amount": None}
    if "percentage" in price:
        out["percentage"] = price["percentage"]
    else:
        money = price["dutyFreeAmount"]
        if currency and money["unit"] != currency:
            raise ValidationError({"priceAlteration": [f"An alteration of a {currency} price is in {currency}, "
                                                       f"not {money['unit']}."]})
        out["amount"] = money["value"]
    return out


class ProductOfferingPriceViewSet(CatalogTmfViewSet):
    serializer_class = ProductOfferingPriceSerializer
    error_names = {"amount": "price.value", "currency": "price.unit", "price_type": "priceType",
                   "recurring_period": "recurringChargePeriodType", "unit_of_measure": "unitOfMeasure",
                   "tax_category": "tax.taxCategory", "offering": "productOffering", "alterations": "priceAlteration"}
    nested_error_names = {"percentage": "price.percentage", "amount": "price.dutyFreeAmount.value",
                    "duration_periods": "applicationDuration"}
    read_only_on_create = {"lastUpdate"}
    read_only_on_update = {"lastUpdate", "productOffering"}
    db_filters = {"id": "pk", "name": "name", "lifecycleStatus": "lifecycle_status",
                  "recurringChargePeriodType": "recurring_period", "price.unit": "currency", "price.value": "amount",
                  "unitOfMeasure.units": "unit_of_measure", "tax.taxCategory": "tax_category",
                  "lastUpdate": "updated_at", "validFor.startDateTime": "valid_from",
                  "validFor.endDateTime": "valid_to", "productOffering.id": "offering_id",
                  "productOffering.name": "offering__name"}

    def get_queryset(self):
        qs = ProductOfferingPrice.objects.select_related("offering").prefetch_related("alterations")
        if not is_staff_user(self.request.user):
            qs = qs.exclude(offering__lifecycle_status=ProductOffering.LifecycleStatus.DRAFT)
        return qs

    def _fields(self, data: dict, instance: ProductOfferingPrice | None) -> dict:
        fields: dict = {}
        _copy(data, fields, {"name": "name", "lifecycleStatus": "lifecycle_status", "priceType": "price_type",
                             "recurringChargePeriodType": "recurring_period"})
        if "price" in data:
            fields["amount"], fields["currency"] = data["price"]["value"], data["price"]["unit"]
        if "unitOfMeasure" in data:
            fields["unit_of_measure"] = (data["unitOfMeasure"] or {}).get("units", "")
        if data.get("tax"):
            fields["tax_category"] = data["tax"][0]["taxCategory"]
        _validity(data, fields)
        if "priceAlteration" in data:
            currency = fields.get("currency", instance.currency if instance else None)
            fields["alterations"] = [_alteration_from_tmf(a, currency) for a in data["priceAlteration"]]
        return fields

    def perform_create(self, data, actor: Actor):
        data, extra = self.serializer_class.split_passthrough(dict(data))
        refs = References()
        offering = refs.one(ProductOffering, data["productOffering"], "productOffering", label="product offering")
        refs.check()
        price = services.price_create(actor=actor, offering=offering, **self._fields(data, None),
                                      tmf_extra=_kept(None, extra))
        return self.get_queryset().get(pk=price.pk)

    def perform_update(self, price, data, actor: Actor):
        data, extra = self.serializer_class.split_passthrough(dict(data))
        kept = {"tmf_extra": _kept(price, extra)} if extra else {}
        services.price_update(price=price, actor=actor, **self._fields(data, price), **kept)
        return self.get_queryset().get(pk=price.pk)

    def perform_destroy(self, price, actor: Actor):
        services.price_delete(price=price, actor=actor, reason="TMF620 DELETE")


# --- category and catalog -------------------------------------------------------------------

class CategoryViewSet(CatalogTmfViewSet):
    serializer_class = CategorySerializer
    error_names = {"parent": "parentId", "is_root": "isRoot", "offerings": "productOffering"}
    read_only_on_create = {"lastUpdate", "subCategory"}
    read_only_on_update = {"lastUpdate", "subCategory"}
    db_filters = {"id": "pk", "name": "name", "description": "description", "lifecycleStatus": "lifecycle_status",
                  "parentId": "parent_id", "lastUpdate": "updated_at", "productOffering.id": "offerings__id",
                  "subCategory.id": "children__id"}

    def get_queryset(self):
        return Category.objects.prefetch_related("children", "offerings").distinct()

    def _fields(self, data: dict) -> dict:
        refs = References()
        fields: dict = {}
        _copy(data, fields, {"name": "name", "description": "description", "isRoot": "is_root",
                             "lifecycleStatus": "lifecycle_status"})
        if "parentId" in data:
            fields["parent"] = refs.one(Category, {"id": data["parentId"]}, "parentId", by_code=False) \
                if data["parentId"] else None
        if "productOffering" in data:
            fields["offerings"] = refs.many(ProductOffering, data["productOffering"], "productOffering",
                                            label="product offering")
        refs.check()
        return fields

    def perform_create(self, data, actor: Actor):
        data, extra = self.serializer_class.split_passthrough(dict(data))
        category = services.category_create(actor=actor, **self._fields(data), tmf_extra=_kept(None, extra))
        return self.get_queryset().get(pk=category.pk)

    def perform_update(self, category, data, actor: Actor):
        data, extra = self.serializer_class.split_passthrough(dict(data))
        kept = {"tmf_extra": _kept(category, extra)} if extra else {}
        services.category_update(category=category, actor=actor, **self._fields(data), **kept)
        return self.get_queryset().get(pk=category.pk)

    def perform_destroy(self, category, actor: Actor):
        services.category_delete(category=category, actor=actor, reason="TMF620 DELETE")


class CatalogViewSet(CatalogTmfViewSet):
    serializer_class = CatalogSerializer
    error_names = {"catalog_type": "catalogType", "categories": "category"}
    read_only_on_create = {"lastUpdate"}
    read_only_on_update = {"lastUpdate"}
    db_filters = {"id": "pk", "name": "name", "description": "description", "catalogType": "catalog_type",
                  "lifecycleStatus": "lifecycle_status", "lastUpdate": "updated_at",
                  "validFor.startDateTime": "valid_from", "validFor.endDateTime": "valid_to",
                  "category.id": "categories__id", "category.name": "categories__name"}

    def get_queryset(self):
        return Catalog.objects.prefetch_related("categories").distinct()

    def _fields(self, data: dict) -> dict:
        fields: dict = {}
        _copy(data, fields, {"name": "name", "description": "description", "catalogType": "catalog_type",
                             "lifecycleStatus": "lifecycle_status"})
        _validity(data, fields)
        if "category" in data:
            refs = References()
            fields["categories"] = refs.many(Category, data["category"], "category", by_code=False)
            refs.check()
        return fields

    def perform_create(self, data, actor: Actor):
        data, extra = self.serializer_class.split_passthrough(dict(data))
        catalog = services.catalog_create(actor=actor, **self._fields(data), tmf_extra=_kept(None, extra))
        return self.get_queryset().get(pk=catalog.pk)

    def perform_update(self, catalog, data, actor: Actor):
        data, extra = self.serializer_class.split_passthrough(dict(data))
        kept = {"tmf_extra": _kept(catalog, extra)} if extra else {}
        services.catalog_update(catalog=catalog, actor=actor, **self._fields(data), **kept)
        return self.get_queryset().get(pk=catalog.pk)

    def perform_destroy(self, catalog, actor: Actor):
        services.catalog_delete(catalog=catalog, actor=actor, reason="TMF620 DELETE")


class ProductOfferingQualificationViewSet(TmfViewSet):
    serializer_class = ProductOfferingQualificationSerializer
    http_method_names = ["get", "post", "head", "options"]
    read_only_on_create = READ_ONLY
    db_filters = {"id": "pk", "qualificationResult": "qualification_result", "state": "state",
                  "productOfferingQualificationDate": "created_at"}

    def get_queryset(self):
        return visible_to(OfferingQualification.objects.select_related("customer"), self.request.user)

    def perform_create(self, data, actor):
        # Parse the TMF shape into the use case's inputs; resolving the references (within what the
        # caller may see) is the service's: one that names nothing of ours is kept as sent.
        customer_ref, prospect = None, None
        for party in data.get("relatedParty", []):
            kind = (party.get("@referredType") or "").lower()
            if kind == "customer":
                customer_ref = party["id"]
            elif kind in ("individual", "organization"):
                prospect = {"customer_type": kind, "segment": "residential" if kind == "individual" else "sme"}
        place_ref, place = None, None
        for p in data.get("place", []):
            if p.get("id"):
                place_ref = p["id"]
            else:
                place = fe.Place(area_code=p.get("areaCode", ""), postcode=p.get("postcode", ""))
        items, account_ref = [], None
        for i in data["productOfferingQualificationItem"]:
            product = i.get("product") or {}
            chars = {c["name"]: c["value"] for c in product.get("productCharacteristic", [])}
            if product.get("billingAccount"):
                account_ref = product["billingAccount"]["id"]
            items.append(ItemInput(id=i["id"], offering=i["productOffering"]["id"], action=i.get("action", "add"),
                                   characteristics=chars, quantity=i.get("quantity", 1),
                                   product_id=local_id(product.get("id"))))
        poq, _ = offering_qualification_request(
            actor=actor, request_body=dict(self.request.data), items=items, customer_ref=customer_ref,
            prospect=prospect, place_ref=place_ref, place=place, account_ref=account_ref,
            channel=self._channel(data), answer_unqualified=ANSWERED_UNQUALIFIED)
        return poq

    def _channel(self, data) -> str | None:
        ch = data.get("channel") or {}
        return next((v for v in (ch.get("id"), ch.get("name")) if v in SalesChannel.values), None)
