"""TMF620 Product Catalog Management v4 wire shapes over the catalog models.

Attribute names are the spec's. Where the spec has no attribute for something the catalog
keeps, the representation adds a small, documented set of extension attributes (TMF630
extension pattern) and nothing else:

- productOffering: ``code`` (the stable offering code feasibility rules and orders use),
  ``technology``, ``bandwidthMbps``, ``requiresInstallAddress``, ``requiresSpecialDesign``,
  ``deliveredByPartner``, ``partnerName``;
- productOfferingPrice: ``productOffering`` (the offering the price belongs to; v4 has no back
  reference) and ``priceAlteration`` (introductory discounts and other alterations, in the
  shape of TMF622's PriceAlteration so an order can copy them as they are).

Writes: each resource serializer's ``arguments(data, create=...)`` turns a validated body (on
PATCH a merge patch: only the attributes sent) into the keyword arguments of its one
orders.services.catalog use case. References stay as sent: the service resolves them, and one
that names nothing of ours is kept as sent and returned here in the same attribute (a list
attribute lists the references we hold, then those kept). Spec attributes we do not model go
to the service as ``kept_attributes`` (kept in tmf_extra, returned as sent).

Representation conventions:

- ``channel`` / ``marketSegment`` list where the offering is sold; an offering restricted to
  nothing is sold everywhere, so all channels / segments are listed.
- ``prodSpecCharValueUse`` is the specification's characteristics as this offering uses them
  (an offering with ``bandwidthMbps`` narrows a ``bandwidth_mbps`` characteristic to it).
- ``productSpecCharacteristicValue``: entries with ``value`` are the allowed values (the one
  with ``isDefault`` is the default); an entry with ``valueFrom``/``valueTo`` is the allowed
  range. A characteristic with a default but no list of allowed values shows that default as
  its only value entry, ``isDefault`` true, and such a single default entry is read back the
  same way (a default, not a restriction).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bss.roles import is_staff_user
from bss.tmf.renderers import tmf_datetime
from bss.tmf.serializers import (
    RelatedRefSerializer,
    TimePeriodSerializer,
    TmfResourceSerializer,
    absolute_url,
)
from bss.tmf.spec import TmfSpec
from customers.selectors import customer_segments
from orders.models import (
    Catalog,
    Category,
    OfferingQualification,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
    SpecCharacteristic,
)
from orders.models.catalog import LifecycleStatus, SalesChannel

Status = LifecycleStatus
VT = SpecCharacteristic.ValueType
SEGMENTS = dict(customer_segments())  # market segment value -> label
TMF620 = "TMF620-ProductCatalog-v4.0.0.swagger.json"
PT = ProductOfferingPrice.PriceType

# TMF priceType <-> ours.
PRICE_TYPE_OUT = {PT.RECURRING: "recurring", PT.ONE_TIME: "oneTime", PT.USAGE: "usage"}
PRICE_TYPE_IN = {"recurring": PT.RECURRING, "onetime": PT.ONE_TIME, "nonrecurring": PT.ONE_TIME, "usage": PT.USAGE}
PERIOD_IN = {"day": "day", "daily": "day", "days": "day", "week": "week", "weekly": "week", "weeks": "week",
             "month": "month", "monthly": "month", "months": "month", "year": "year", "yearly": "year",
             "years": "year", "annual": "year"}
VALUE_TYPE_IN = {"string": VT.STRING, "text": VT.STRING, "integer": VT.INTEGER, "int": VT.INTEGER,
                 "decimal": VT.DECIMAL, "number": VT.DECIMAL, "float": VT.DECIMAL, "boolean": VT.BOOLEAN,
                 "bool": VT.BOOLEAN}


# --- strict scalar fields: JSON types are checked, nothing is coerced ----------------------------

class StrictCharField(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.NUMBER)
class StrictNumberField(serializers.Field):
    """A JSON number, returned as an exact Decimal (never a float)."""

    default_error_messages = {"invalid": "Must be a number."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        try:
            value = Decimal(str(data))
        except InvalidOperation:
            self.fail("invalid")
        if not value.is_finite():
            self.fail("invalid")
        return value

    def to_representation(self, value):
        return value  # exact: rendered as the Decimal it is


class LifecycleStatusField(StrictCharField):
    """draft / active / retired, case-insensitive."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data).strip().lower()
        if value not in Status.values:
            raise serializers.ValidationError(f"'{data}' is not one of {', '.join(Status.values)}.")
        return value


# --- representation helpers -------------------------------------------------------------------

def href(name: str, pk, request=None) -> str:
    return absolute_url(reverse(f"tmf620:{name}-detail", kwargs={"pk": pk}), request)


def ref(obj, name: str, referred_type: str, request=None, **extra) -> dict:
    return {"id": str(obj.pk), "href": href(name, obj.pk, request), "name": obj.name, **extra,
            "@referredType": referred_type}


def compact(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None}


def valid_for(start, end) -> dict | None:
    return compact({"startDateTime": tmf_datetime(start), "endDateTime": tmf_datetime(end)}) or None


def kept(obj, attribute: str) -> list[dict]:
    """The references of a list attribute that named nothing of ours, kept as sent (tmf_extra)."""
    value = (obj.tmf_extra or {}).get(attribute)
    return list(value) if isinstance(value, list) else []


def renamed(data: dict, names: dict[str, str]) -> dict:
    """The attributes of ``data`` named in ``names`` (TMF name -> service argument), as arguments."""
    return {ours: data[theirs] for theirs, ours in names.items() if theirs in data}


def validity_arguments(data: dict) -> dict:
    """validFor as valid_from / valid_to (JSON merge patch: only the keys sent change)."""
    period = data.get("validFor") or {}
    return renamed(period, {"startDateTime": "valid_from", "endDateTime": "valid_to"})


def number(value: Decimal | None) -> Decimal | None:
    """An exact JSON number: the TMF renderer writes a Decimal as it is, never through float."""
    return value


def decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def typed_value(value_type: str, value):
    """A stored value (JSON, or the default's text) as the JSON value its type calls for."""
    if value_type == VT.BOOLEAN:
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if value_type == VT.INTEGER:
        return int(value)
    if value_type == VT.DECIMAL:
        return Decimal(str(value))
    return value


def characteristic_values(c: SpecCharacteristic, *, only=None) -> list[dict]:
    """productSpecCharacteristicValue entries for a characteristic (``only``: narrowed to these)."""
    allowed = [typed_value(c.value_type, v) for v in c.allowed_values or []]
    default = typed_value(c.value_type, c.default_value) if c.default_value != "" else None
    if only is not None:
        allowed = [v for v in allowed if v in only] if allowed else list(only)
    if allowed:
        values = [compact({"value": v, "valueType": c.value_type, "isDefault": v == default})
                  for v in allowed]
    elif default is not None:
        values = [{"value": default, "valueType": c.value_type, "isDefault": True}]
    else:
        values = []
    if c.min_value is not None or c.max_value is not None:
        values.append(compact({"valueType": c.value_type, "rangeInterval": "closed",
                               "valueFrom": decimal_text(c.min_value) if c.min_value is not None else None,
                               "valueTo": decimal_text(c.max_value) if c.max_value is not None else None}))
    return values


def characteristic_representation(c: SpecCharacteristic) -> dict:
    return compact({
        "name": c.name, "description": c.description or None, "valueType": c.value_type, "configurable": True,
        "minCardinality": 1 if c.mandatory else 0, "maxCardinality": 1,
        "productSpecCharacteristicValue": characteristic_values(c),
        "@type": "ProductSpecificationCharacteristic",
    })


# --- nested input shapes --------------------------------------------------------------------

class CharacteristicValueSerializer(serializers.Serializer):
    value = serializers.JSONField(required=False)
    valueType = StrictCharField(required=False, max_length=20)
    isDefault = StrictBooleanField(required=False)
    valueFrom = serializers.JSONField(required=False)
    valueTo = serializers.JSONField(required=False)
    rangeInterval = StrictCharField(required=False, max_length=20)

    def validate(self, attrs):
        if "value" not in attrs and "valueFrom" not in attrs and "valueTo" not in attrs:
            raise serializers.ValidationError("Give a value, or a range with valueFrom/valueTo.")
        if attrs.get("rangeInterval", "closed") != "closed":
            raise serializers.ValidationError("Only closed ranges (rangeInterval 'closed') are supported.")
        return attrs


class ProductSpecCharacteristicSerializer(serializers.Serializer):
    name = StrictCharField(max_length=100)
    description = StrictCharField(required=False, allow_blank=True, max_length=255)
    valueType = StrictCharField(required=False, max_length=20)
    configurable = StrictBooleanField(required=False)
    minCardinality = StrictIntegerField(required=False, min_value=0)
    maxCardinality = StrictIntegerField(required=False, min_value=0)
    productSpecCharacteristicValue = CharacteristicValueSerializer(many=True, required=False)

    def validate_valueType(self, value):
        if value.lower() not in VALUE_TYPE_IN:
            raise serializers.ValidationError(f"'{value}' is not one of string, integer, decimal, boolean.")
        return VALUE_TYPE_IN[value.lower()]

    def validate(self, attrs):
        if attrs.get("maxCardinality") not in (None, 1):
            raise serializers.ValidationError({"maxCardinality": "Characteristics take one value (maxCardinality 1)."})
        return attrs


def characteristic_from_tmf(item: dict) -> dict:
    """One productSpecCharacteristic as the service's characteristic fields."""
    vt = item.get("valueType", VT.STRING)
    plain = [v for v in item.get("productSpecCharacteristicValue", []) if "value" in v]
    ranges = [v for v in item.get("productSpecCharacteristicValue", []) if "value" not in v]
    default = next((v["value"] for v in plain if v.get("isDefault")), None)
    allowed = [] if len(plain) == 1 and plain[0].get("isDefault") else [v["value"] for v in plain]
    lo = next((r["valueFrom"] for r in ranges if r.get("valueFrom") is not None), None)
    hi = next((r["valueTo"] for r in ranges if r.get("valueTo") is not None), None)
    return {"name": item["name"], "description": item.get("description", ""), "value_type": vt,
            "mandatory": item.get("minCardinality", 0) >= 1, "allowed_values": allowed,
            "default_value": default, "min_value": lo, "max_value": hi}


class MoneySerializer(serializers.Serializer):
    unit = StrictCharField(max_length=3)
    value = StrictNumberField()


class QuantitySerializer(serializers.Serializer):
    amount = StrictNumberField(required=False)
    units = StrictCharField(max_length=20)

    def validate_amount(self, value):
        if value != 1:
            raise serializers.ValidationError("Prices are per one unit (amount 1).")
        return value


class TaxItemSerializer(serializers.Serializer):
    taxCategory = StrictCharField(max_length=10)
    taxRate = serializers.JSONField(required=False)
    taxAmount = serializers.JSONField(required=False)

    def validate(self, attrs):
        if "taxRate" in attrs or "taxAmount" in attrs:
            raise serializers.ValidationError("Tax rates and amounts come from billing's tax rules; "
                                              "give the taxCategory only.")
        if attrs["taxCategory"] not in ProductOfferingPrice.TaxCategory.values:
            raise serializers.ValidationError({"taxCategory": f"'{attrs['taxCategory']}' is not one of "
                                               f"{', '.join(ProductOfferingPrice.TaxCategory.values)}."})
        return attrs


class AlterationPriceSerializer(serializers.Serializer):
    percentage = StrictNumberField(required=False)
    dutyFreeAmount = MoneySerializer(required=False)

    def validate(self, attrs):
        if ("percentage" in attrs) == ("dutyFreeAmount" in attrs):
            raise serializers.ValidationError("Give either a percentage or a dutyFreeAmount.")
        return attrs


class PriceAlterationSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    description = StrictCharField(required=False, allow_blank=True)
    priceType = StrictCharField(required=False)
    price = AlterationPriceSerializer()
    applicationDuration = StrictIntegerField(required=False, allow_null=True, min_value=1, max_value=32767)
    recurringChargePeriod = StrictCharField(required=False)
    unitOfMeasure = StrictCharField(required=False)
    priority = StrictIntegerField(required=False)


def alteration_arguments(item: dict) -> dict:
    """One priceAlteration as the price service's alteration (a fixed amount with the currency it
    was given in: the service refuses one that is not the price's)."""
    price = item["price"]
    out = {"name": item["name"], "duration_periods": item.get("applicationDuration")}
    if "percentage" in price:
        out["percentage"] = price["percentage"]
    else:
        out["amount"], out["currency"] = price["dutyFreeAmount"]["value"], price["dutyFreeAmount"]["unit"]
    return out


class BundledProductOfferingSerializer(serializers.Serializer):
    id = StrictCharField(max_length=64)
    href = StrictCharField(required=False, allow_blank=True, max_length=500)
    name = StrictCharField(required=False, allow_blank=True, max_length=200)
    lifecycleStatus = StrictCharField(required=False, allow_blank=True)


class ReferenceSerializer(RelatedRefSerializer):
    """CategoryRef, ChannelRef, ProductSpecificationRef...: an ``id`` (string) is required."""

    def get_fields(self):
        fields = super().get_fields()
        fields["id"] = StrictCharField(max_length=64)
        fields["version"] = StrictCharField(required=False, allow_blank=True, max_length=20)
        return fields


def read_only_list():
    return serializers.ListField(child=serializers.DictField(), required=False)


# --- resources ---------------------------------------------------------------------------------

# TMF attribute -> offering_create / offering_update argument, for the attributes copied as they are.
OFFERING_NAMES = {"name": "name", "description": "description", "version": "version", "isBundle": "is_bundle",
                  "isSellable": "is_sellable", "technology": "technology", "bandwidthMbps": "bandwidth_mbps",
                  "requiresInstallAddress": "requires_install_address",
                  "requiresSpecialDesign": "requires_special_design", "deliveredByPartner": "delivered_by_partner",
                  "partnerName": "partner_name", "productSpecification": "specification", "category": "categories",
                  "bundledProductOffering": "bundled_offerings", "productOfferingPrice": "prices"}


class ProductOfferingSerializer(TmfResourceSerializer):
    tmf_type = "ProductOffering"
    tmf_spec = TmfSpec(TMF620, "ProductOffering")
    url_name = "tmf620:productoffering-detail"
    EXTENSIONS = ("code", "technology", "bandwidthMbps", "requiresInstallAddress", "requiresSpecialDesign",
                  "deliveredByPartner", "partnerName")

    name = StrictCharField(max_length=200)
    description = StrictCharField(required=False, allow_blank=True)
    version = StrictCharField(required=False, max_length=20)
    lifecycleStatus = LifecycleStatusField(required=False)
    statusReason = StrictCharField(required=False, allow_blank=True, max_length=255, write_only=True)
    validFor = TimePeriodSerializer(required=False)
    isBundle = StrictBooleanField(required=False)
    isSellable = StrictBooleanField(required=False)
    productSpecification = ReferenceSerializer(required=False, allow_null=True)
    category = ReferenceSerializer(many=True, required=False)
    bundledProductOffering = BundledProductOfferingSerializer(many=True, required=False)
    channel = ReferenceSerializer(many=True, required=False)
    marketSegment = ReferenceSerializer(many=True, required=False)
    productOfferingPrice = ReferenceSerializer(many=True, required=False)
    prodSpecCharValueUse = read_only_list()
    lastUpdate = serializers.CharField(read_only=True)
    # extensions
    code = StrictCharField(required=False, max_length=60)
    technology = StrictCharField(required=False, allow_blank=True, max_length=30)
    bandwidthMbps = StrictIntegerField(required=False, allow_null=True, min_value=1)
    requiresInstallAddress = StrictBooleanField(required=False)
    requiresSpecialDesign = StrictBooleanField(required=False)
    deliveredByPartner = StrictBooleanField(required=False)
    partnerName = StrictCharField(required=False, allow_blank=True, max_length=100)

    def validate_lifecycleStatus(self, value):
        if self.instance is None and value == Status.RETIRED:
            raise serializers.ValidationError("A new offering starts as draft or active.")
        return value

    def validate_channel(self, refs):
        bad = [r["id"] for r in refs if r["id"] not in SalesChannel.values]
        if bad:
            raise serializers.ValidationError(
                f"Unknown channel(s) {', '.join(bad)}; use {', '.join(SalesChannel.values)}.")
        return refs

    def validate_marketSegment(self, refs):
        bad = [r["id"] for r in refs if r["id"] not in SEGMENTS]
        if bad:
            raise serializers.ValidationError(
                f"Unknown market segment(s) {', '.join(bad)}; use {', '.join(SEGMENTS)}.")
        return refs

    @classmethod
    def arguments(cls, data: dict, *, create: bool) -> dict:
        """offering_create (``create``) / offering_update keyword arguments. lifecycleStatus active on
        create launches the new offering; on update it is the lifecycle move of the same call."""
        data, extra = cls.split_passthrough(dict(data))
        out = {**renamed(data, OFFERING_NAMES), **validity_arguments(data)}
        if "channel" in data:
            out["sales_channels"] = list(dict.fromkeys(r["id"] for r in data["channel"]))
        if "marketSegment" in data:
            out["customer_segments"] = list(dict.fromkeys(r["id"] for r in data["marketSegment"]))
        if create:
            out.update(code=data.get("code"), launch=data.get("lifecycleStatus") == Status.ACTIVE)
        else:
            out.update(renamed(data, {"lifecycleStatus": "lifecycle_status"}), reason=data.get("statusReason", ""))
        if extra:
            out["kept_attributes"] = extra
        return out

    def represent(self, o: ProductOffering) -> dict:
        request = self.context.get("request")
        spec = o.specification
        channels = o.sales_channels or SalesChannel.values
        segments = o.customer_segments or list(SEGMENTS)
        return {
            "name": o.name,
            "description": o.description or None,
            "version": o.version,
            "lifecycleStatus": o.lifecycle_status,
            "lastUpdate": tmf_datetime(o.updated_at),
            "validFor": valid_for(o.valid_from, o.valid_to),
            "isBundle": o.is_bundle,
            "isSellable": o.is_sellable,
            "productSpecification": ref(spec, "productspecification", "ProductSpecification", request,
                                        version=spec.version) if spec else None,
            "productOfferingPrice": [ref(p, "productofferingprice", "ProductOfferingPrice", request)
                                     for p in o.prices.all()] + kept(o, "productOfferingPrice"),
            "category": [ref(c, "category", "Category", request) for c in o.categories.all()] + kept(o, "category"),
            "bundledProductOffering": [
                {"id": str(m.pk), "href": href("productoffering", m.pk, request), "name": m.name,
                 "lifecycleStatus": m.lifecycle_status, "@type": "BundledProductOffering"}
                for m in o.bundled_offerings.all()] + kept(o, "bundledProductOffering"),
            "channel": [{"id": c, "name": SalesChannel(c).label, "@referredType": "Channel"} for c in channels],
            "marketSegment": [{"id": s, "name": SEGMENTS[s], "@referredType": "MarketSegment"}
                              for s in segments],
            "prodSpecCharValueUse": [
                compact({"name": c.name, "description": c.description or None, "valueType": c.value_type,
                         "minCardinality": 1 if c.mandatory else 0, "maxCardinality": 1,
                         "productSpecCharacteristicValue": characteristic_values(
                             c, only=[o.bandwidth_mbps] if c.name == "bandwidth_mbps" and o.bandwidth_mbps else None),
                         "productSpecification": ref(spec, "productspecification", "ProductSpecification", request),
                         "@type": "ProductSpecificationCharacteristicValueUse"})
                for c in spec.characteristics.all()] if spec else [],
            "code": o.code,
            "technology": o.technology or None,
            "bandwidthMbps": o.bandwidth_mbps,
            "requiresInstallAddress": o.requires_install_address,
            "requiresSpecialDesign": o.requires_special_design,
            "deliveredByPartner": o.delivered_by_partner,
            "partnerName": o.partner_name or None,
        }


class ProductSpecificationSerializer(TmfResourceSerializer):
    tmf_type = "ProductSpecification"
    tmf_spec = TmfSpec(TMF620, "ProductSpecification")
    url_name = "tmf620:productspecification-detail"

    name = StrictCharField(max_length=200)
    description = StrictCharField(required=False, allow_blank=True)
    brand = StrictCharField(required=False, allow_blank=True, max_length=100)
    version = StrictCharField(required=False, max_length=20)
    lifecycleStatus = LifecycleStatusField(required=False)
    productNumber = StrictCharField(required=False, max_length=60)
    productSpecCharacteristic = ProductSpecCharacteristicSerializer(many=True, required=False)
    serviceSpecification = ReferenceSerializer(many=True, required=False)
    lastUpdate = serializers.CharField(read_only=True)

    @classmethod
    def arguments(cls, data: dict, *, create: bool) -> dict:
        """specification_create (``create``) / specification_update keyword arguments."""
        data, extra = cls.split_passthrough(dict(data))
        out = renamed(data, {"name": "name", "description": "description", "brand": "brand", "version": "version",
                             "lifecycleStatus": "lifecycle_status", "serviceSpecification": "service_specifications"})
        if "productSpecCharacteristic" in data:
            out["characteristics"] = [characteristic_from_tmf(c) for c in data["productSpecCharacteristic"]]
        if create:
            out["code"] = data.get("productNumber")
        if extra:
            out["kept_attributes"] = extra
        return out

    def represent(self, s: ProductSpecification) -> dict:
        return {
            "name": s.name,
            "description": s.description or None,
            "brand": s.brand or None,
            "version": s.version,
            "lifecycleStatus": s.lifecycle_status,
            "productNumber": s.code,
            "isBundle": False,
            "lastUpdate": tmf_datetime(s.updated_at),
            "productSpecCharacteristic": [characteristic_representation(c) for c in s.characteristics.all()],
            "serviceSpecification": [{"id": str(ss.pk), "name": ss.name, "@referredType": "ServiceSpecification"}
                                     for ss in s.service_specifications.all()] + kept(s, "serviceSpecification"),
        }


class ProductOfferingPriceSerializer(TmfResourceSerializer):
    tmf_type = "ProductOfferingPrice"
    tmf_spec = TmfSpec(TMF620, "ProductOfferingPrice")
    url_name = "tmf620:productofferingprice-detail"
    EXTENSIONS = ("productOffering", "priceAlteration")

    name = StrictCharField(max_length=200)
    lifecycleStatus = LifecycleStatusField(required=False)
    priceType = StrictCharField(max_length=20)
    price = MoneySerializer()
    recurringChargePeriodType = StrictCharField(required=False, allow_blank=True, max_length=10)
    recurringChargePeriodLength = StrictIntegerField(required=False, allow_null=True)
    unitOfMeasure = QuantitySerializer(required=False, allow_null=True)
    tax = TaxItemSerializer(many=True, required=False)
    validFor = TimePeriodSerializer(required=False)
    lastUpdate = serializers.CharField(read_only=True)
    # extensions
    productOffering = ReferenceSerializer()
    priceAlteration = PriceAlterationSerializer(many=True, required=False)

    def validate_priceType(self, value):
        key = value.replace("_", "").replace("-", "").lower()
        if key not in PRICE_TYPE_IN:
            raise serializers.ValidationError(f"'{value}' is not one of recurring, oneTime, usage.")
        return PRICE_TYPE_IN[key]

    def validate_recurringChargePeriodType(self, value):
        if value and value.lower() not in PERIOD_IN:
            raise serializers.ValidationError(f"'{value}' is not one of day, week, month, year.")
        return PERIOD_IN.get(value.lower(), "")

    def validate_recurringChargePeriodLength(self, value):
        if value not in (None, 1):
            raise serializers.ValidationError("Only a period length of 1 is supported (e.g. every month).")
        return value

    def validate_tax(self, value):
        if len(value) > 1:
            raise serializers.ValidationError("A price has one tax category.")
        return value

    @classmethod
    def arguments(cls, data: dict, *, create: bool) -> dict:
        """price_create (``create``: with the productOffering reference) / price_update keyword arguments."""
        data, extra = cls.split_passthrough(dict(data))
        out = {**renamed(data, {"name": "name", "lifecycleStatus": "lifecycle_status", "priceType": "price_type",
                                "recurringChargePeriodType": "recurring_period"}), **validity_arguments(data)}
        if "price" in data:
            out["amount"], out["currency"] = data["price"]["value"], data["price"]["unit"]
        if "unitOfMeasure" in data:
            out["unit_of_measure"] = (data["unitOfMeasure"] or {}).get("units", "")
        if data.get("tax"):
            out["tax_category"] = data["tax"][0]["taxCategory"]
        if "priceAlteration" in data:
            out["alterations"] = [alteration_arguments(a) for a in data["priceAlteration"]]
        if create:
            out["offering"] = data["productOffering"]
        if extra:
            out["kept_attributes"] = extra
        return out

    def validate(self, attrs):
        ptype = attrs.get("priceType", self.instance.price_type if self.instance else None)
        if ptype is not None and ptype != PT.RECURRING and (attrs.get("recurringChargePeriodType") or
                                                            attrs.get("recurringChargePeriodLength")):
            raise serializers.ValidationError({"recurringChargePeriodType": "Only recurring prices have a period."})
        if ptype is not None and ptype != PT.USAGE and attrs.get("unitOfMeasure"):
            raise serializers.ValidationError({"unitOfMeasure": "Only usage prices have a unit of measure."})
        return attrs

    def represent(self, p: ProductOfferingPrice) -> dict:
        request = self.context.get("request")
        alterations = [
            compact({"name": a.name, "priceType": PRICE_TYPE_OUT[p.price_type],
                     "price": {"percentage": number(a.percentage)} if a.percentage is not None else
                     {"dutyFreeAmount": a.money.to_tmf()},
                     "applicationDuration": a.duration_periods,
                     "recurringChargePeriod": p.recurring_period or None,
                     "unitOfMeasure": p.unit_of_measure or None, "@type": "PriceAlteration"})
            for a in p.alterations.all()]
        recurring = p.price_type == PT.RECURRING
        return {
            "name": p.name,
            "lifecycleStatus": p.lifecycle_status,
            "priceType": PRICE_TYPE_OUT[p.price_type],
            "price": p.money.to_tmf(),  # exact: never through float
            "recurringChargePeriodType": p.recurring_period if recurring else None,
            "recurringChargePeriodLength": 1 if recurring else None,
            "unitOfMeasure": {"amount": 1, "units": p.unit_of_measure} if p.unit_of_measure else None,
            "tax": [{"taxCategory": p.tax_category, "@type": "TaxItem"}],
            "validFor": valid_for(p.valid_from, p.valid_to),
            "lastUpdate": tmf_datetime(p.updated_at),
            "isBundle": False,
            # an offering we do not hold: None here, the reference kept as sent (tmf_extra) instead
            "productOffering": ref(p.offering, "productoffering", "ProductOffering", request) if p.offering else None,
            "priceAlteration": alterations or None,
        }


class CategorySerializer(TmfResourceSerializer):
    tmf_type = "Category"
    tmf_spec = TmfSpec(TMF620, "Category")
    url_name = "tmf620:category-detail"

    name = StrictCharField(max_length=100)
    description = StrictCharField(required=False, allow_blank=True)
    isRoot = StrictBooleanField(required=False)
    parentId = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=64)
    lifecycleStatus = LifecycleStatusField(required=False)
    productOffering = ReferenceSerializer(many=True, required=False)
    subCategory = read_only_list()
    lastUpdate = serializers.CharField(read_only=True)

    @classmethod
    def arguments(cls, data: dict, *, create: bool) -> dict:
        """category_create / category_update keyword arguments (``parentId``: a reference by id)."""
        data, extra = cls.split_passthrough(dict(data))
        out = renamed(data, {"name": "name", "description": "description", "isRoot": "is_root",
                             "lifecycleStatus": "lifecycle_status", "productOffering": "offerings"})
        if "parentId" in data:
            out["parent"] = {"id": data["parentId"]} if data["parentId"] else None
        if extra:
            out["kept_attributes"] = extra
        return out

    def represent(self, c: Category) -> dict:
        request = self.context.get("request")
        return {
            "name": c.name,
            "description": c.description or None,
            "isRoot": c.is_root,
            "parentId": str(c.parent_id) if c.parent_id else None,
            "lifecycleStatus": c.lifecycle_status,
            "lastUpdate": tmf_datetime(c.updated_at),
            "subCategory": [ref(s, "category", "Category", request) for s in c.children.all()],
            "productOffering": [ref(o, "productoffering", "ProductOffering", request) for o in c.offerings.all()]
            + kept(c, "productOffering"),
        }


class CatalogSerializer(TmfResourceSerializer):
    tmf_type = "Catalog"
    tmf_spec = TmfSpec(TMF620, "Catalog")
    url_name = "tmf620:catalog-detail"

    name = StrictCharField(max_length=100)
    description = StrictCharField(required=False, allow_blank=True)
    catalogType = StrictCharField(required=False, max_length=50)
    lifecycleStatus = LifecycleStatusField(required=False)
    validFor = TimePeriodSerializer(required=False)
    category = ReferenceSerializer(many=True, required=False)
    lastUpdate = serializers.CharField(read_only=True)

    @classmethod
    def arguments(cls, data: dict, *, create: bool) -> dict:
        """catalog_create / catalog_update keyword arguments."""
        data, extra = cls.split_passthrough(dict(data))
        out = {**renamed(data, {"name": "name", "description": "description", "catalogType": "catalog_type",
                                "lifecycleStatus": "lifecycle_status", "category": "categories"}),
               **validity_arguments(data)}
        if extra:
            out["kept_attributes"] = extra
        return out

    def represent(self, c: Catalog) -> dict:
        request = self.context.get("request")
        return {
            "name": c.name,
            "description": c.description or None,
            "catalogType": c.catalog_type,
            "lifecycleStatus": c.lifecycle_status,
            "validFor": valid_for(c.valid_from, c.valid_to),
            "lastUpdate": tmf_datetime(c.updated_at),
            "category": [ref(cat, "category", "Category", request) for cat in c.categories.all()] + kept(c, "category"),
        }


class RefSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=64)
    href = serializers.CharField(required=False, allow_blank=True)
    name = serializers.CharField(required=False, allow_blank=True)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return {**{k: v for k, v in data.items() if k.startswith("@")}, **value} if isinstance(data, dict) else value


class PlaceSerializer(serializers.Serializer):
    """RelatedPlaceRefOrValue: a reference to one of our addresses (id) or an address value."""

    role = serializers.CharField(max_length=50)
    id = serializers.CharField(required=False, max_length=64)
    href = serializers.CharField(required=False, allow_blank=True)
    name = serializers.CharField(required=False, allow_blank=True)
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=20)
    areaCode = serializers.CharField(required=False, allow_blank=True, max_length=20)
    city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    streetName = serializers.CharField(required=False, allow_blank=True, max_length=200)
    country = serializers.CharField(required=False, allow_blank=True, max_length=60)

    def validate(self, attrs):
        if not attrs.get("id") and not (attrs.get("postcode") or attrs.get("areaCode")):
            raise serializers.ValidationError("A place needs the id of an address, or a postcode / areaCode.")
        return attrs


class ProductCharacteristicSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    value = serializers.JSONField()


class ProductValueSerializer(serializers.Serializer):
    id = serializers.CharField(required=False, max_length=64, help_text="the customer's product (modify/delete)")
    productCharacteristic = ProductCharacteristicSerializer(many=True, required=False)
    billingAccount = RefSerializer(required=False)


class QualificationItemSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=64)
    action = serializers.ChoiceField(choices=["add", "modify", "delete", "no_change"], required=False, default="add")
    productOffering = RefSerializer()
    product = ProductValueSerializer(required=False)
    quantity = serializers.IntegerField(required=False, min_value=1, default=1)


READ_ONLY = {"state", "qualificationResult", "effectiveQualificationDate", "productOfferingQualificationDate",
             "expectedPOQCompletionDate", "expirationDate"}


class ProductOfferingQualificationSerializer(TmfResourceSerializer):
    tmf_type = "ProductOfferingQualification"
    tmf_spec = TmfSpec("TMF679-ProductOfferingQualification-v4.0.0.swagger.json", "ProductOfferingQualification")
    url_name = "tmf679:productofferingqualification-detail"
    passthrough = ("note", "category", "requestedPOQCompletionDate")

    description = serializers.CharField(required=False, allow_blank=True, max_length=500)
    instantSyncQualification = serializers.BooleanField(required=False, default=True)
    provideAlternative = serializers.BooleanField(required=False, default=True)
    provideOnlyAvailable = serializers.BooleanField(required=False, default=False)
    provideUnavailabilityReason = serializers.BooleanField(required=False, default=True)
    channel = RefSerializer(required=False)
    place = PlaceSerializer(many=True, required=False)
    relatedParty = RelatedRefSerializer(many=True, required=False)
    productOfferingQualificationItem = QualificationItemSerializer(many=True, allow_empty=False)

    def validate_productOfferingQualificationItem(self, items):
        ids = [i["id"] for i in items]
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError("Item ids must be unique.")
        return items

    def represent(self, poq: OfferingQualification) -> dict:
        from bss.tmf.renderers import tmf_datetime

        req = poq.request
        customer_view = not is_staff_user(self.context["request"].user) if self.context.get("request") else False
        only_available = req.get("provideOnlyAvailable", False)
        items = []
        for r in poq.result:
            alternatives = r["alternatives"] if req.get("provideAlternative", True) else []
            outcome = "qualified" if r["feasible"] else ("alternate" if alternatives else "unqualified")
            if only_available and outcome != "qualified":
                continue
            item = {"id": r["itemId"], "action": next((i.get("action", "add") for i in
                                                       req.get("productOfferingQualificationItem", [])
                                                       if str(i.get("id")) == r["itemId"]), "add"),
                    "state": "done", "qualificationItemResult": outcome,
                    "productOffering": self._offering_ref(r["offering"], r["offeringName"])}
            if not r["feasible"] and req.get("provideUnavailabilityReason", True):
                item["eligibilityUnavailabilityReason"] = [
                    {"code": x["code"], "label": x["customerMessage"] if customer_view else x["staffMessage"],
                     "@type": "EligibilityUnavailabilityReason"} for x in r["reasons"]]
            if alternatives and not r["feasible"]:
                item["alternateProductOfferingProposal"] = [
                    {"id": f"{r['itemId']}-{n}", "alternateProductOffering": self._offering_ref(a["code"], a["name"])}
                    for n, a in enumerate(alternatives, start=1)]
            items.append(item)
        return {
            # spec attributes we keep as sent (the request is stored whole)
            **{name: req[name] for name in self.passthrough_names() if name in req},
            "description": req.get("description"),
            "state": poq.state,
            "qualificationResult": poq.qualification_result,
            "instantSyncQualification": True,
            "provideAlternative": req.get("provideAlternative", True),
            "provideOnlyAvailable": only_available,
            "provideUnavailabilityReason": req.get("provideUnavailabilityReason", True),
            "productOfferingQualificationDate": tmf_datetime(poq.created_at),
            "effectiveQualificationDate": tmf_datetime(poq.created_at),
            "channel": req.get("channel") or {"id": poq.channel, "name": poq.channel},
            "place": req.get("place"),
            "relatedParty": req.get("relatedParty"),
            "productOfferingQualificationItem": items,
        }

    def _offering_ref(self, code, name):
        ref = {"id": code, "name": name, "@referredType": "ProductOffering"}
        try:
            ref["href"] = absolute_url(reverse("tmf620:productoffering-detail", kwargs={"pk": code}),
                                       self.context.get("request"))
        except Exception:  # the catalog API may not be mounted
            pass
        return ref


# --- TMF622 Product Ordering ------------------------------------------------------------------------------

def _ref(kind: str, obj_id, name: str = "", url_name: str | None = None, request=None) -> dict:
    ref = {"id": str(obj_id), "@referredType": kind}
    if name:
        ref["name"] = name
    if url_name:
        try:
            ref["href"] = absolute_url(reverse(url_name, kwargs={"pk": obj_id}), request)
        except Exception:  # the API may not be mounted
            pass
    return ref


def _amount(value: Decimal, currency: str) -> dict:
    from bss.money import Money, q

    return Money(q(Decimal(value)), currency).to_tmf()


class ProductOrderSerializer(TmfResourceSerializer):
    """TMF622 ProductOrder. The body is checked against the spec (ProductOrder_Create); what we model is parsed by
    the view into the ordering service's inputs and the rest kept as sent (tmf_extra). Extensions (TMF630):
    ``orderNumber``, ``milestone`` (the operator-configured status), ``rejectionReason``."""

    tmf_type = "ProductOrder"
    tmf_spec = TmfSpec("TMF622-ProductOrdering-v4.0.0.swagger.json", "ProductOrder")
    url_name = "tmf622:productorder-detail"

    productOrderItem = serializers.ListField(child=serializers.JSONField(), allow_empty=False)
    relatedParty = serializers.ListField(child=serializers.JSONField(), required=False)
    billingAccount = serializers.JSONField(required=False)
    channel = serializers.ListField(child=serializers.JSONField(), required=False)
    note = serializers.ListField(child=serializers.JSONField(), required=False)
    productOfferingQualification = serializers.ListField(child=serializers.JSONField(), required=False)
    externalId = serializers.CharField(required=False, allow_blank=True, max_length=100)
    priority = serializers.CharField(required=False, allow_blank=True, max_length=2)
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)
    category = serializers.CharField(required=False, allow_blank=True, max_length=60)
    requestedStartDate = serializers.DateTimeField(required=False)
    requestedCompletionDate = serializers.DateTimeField(required=False)
    orderNumber = serializers.CharField(read_only=True)
    milestone = serializers.JSONField(read_only=True)
    rejectionReason = serializers.JSONField(read_only=True)

    def validate_priority(self, value):
        if value not in ("", "0", "1", "2", "3", "4"):
            raise serializers.ValidationError("A priority from '0' (highest) to '4' (lowest).")
        return value

    def represent(self, order) -> dict:
        from orders.services.ordering import order_total

        request = self.context.get("request")
        parties = list(order.related_party or [])
        if order.customer_id and not any(str(p.get("id")) == str(order.customer_id) for p in parties):
            parties.append({**_ref("Customer", order.customer_id, order.customer.name,
                                   "tmf629:customer-detail", request), "role": "customer"})
        if "items" in getattr(order, "_prefetched_objects_cache", {}):  # a list page prefetched them
            order_items = list(order.items.all())
        else:  # one order (an event, a retrieve): its items, their offerings, prices and dependencies at once
            order_items = list(order.items.select_related("offering").prefetch_related("prices", "depends_on"))
        items = []
        for item in order_items:
            product = {}
            if item.product_id:
                product["id"] = str(item.product_id)
                try:
                    product["href"] = absolute_url(reverse("tmf637:product-detail", kwargs={"pk": item.product_id}),
                                                   request)
                except Exception:
                    pass
            if item.characteristics:
                product["productCharacteristic"] = [{"name": k, "value": v} for k, v in item.characteristics.items()]
            if item.place_id:
                product["place"] = [{"id": str(item.place_id), "role": "installationAddress",
                                     "@referredType": "GeographicAddress"}]
            row = {**(item.item_extra or {}), "id": item.item_id, "action": item.action, "quantity": item.quantity,
                   "state": item.state}
            if item.offering_id:
                row["productOffering"] = _ref("ProductOffering", item.offering_id, item.offering.name,
                                              "tmf620:productoffering-detail", request)
            elif item.offering_ref:
                row["productOffering"] = item.offering_ref
            if product:
                row["product"] = {**(row.get("product") or {}), **product}
            prices = [self._price(p) for p in item.prices.all()]
            if prices:
                row["itemPrice"] = prices
            deps = [d.item_id for d in item.depends_on.all()]
            if deps:
                row["productOrderItemRelationship"] = [{"id": d, "relationshipType": "dependsOn"} for d in deps]
            items.append(row)
        totals = [{"priceType": "recurring" if key.startswith("recurring") else "oneTime" if key == "one_time"
                   else key, **({"recurringChargePeriod": key.split(":", 1)[1]} if key.startswith("recurring") else {}),
                   "price": {"dutyFreeAmount": _amount(t["duty_free"], t["currency"]),
                             "taxIncludedAmount": _amount(t["tax_included"], t["currency"])}}
                  for key, t in order_total(order, order_items).items()]
        notes = [{"id": str(n.pk), "author": n.author, "date": tmf_datetime(n.created_at), "text": n.text}
                 for n in order.notes.all()]
        milestone = ({"code": order.milestone.code, "name": order.milestone.name,
                      "description": order.milestone.description()} if order.milestone_id else None)
        return {
            "orderNumber": order.order_number,
            "externalId": order.external_id or None,
            "priority": str(order.priority),
            "description": order.description or None,
            "category": order.category or None,
            "state": order.tmf_state,
            "orderDate": tmf_datetime(order.order_date),
            "requestedStartDate": tmf_datetime(order.requested_start_date),
            "requestedCompletionDate": tmf_datetime(order.requested_completion_date),
            "expectedCompletionDate": tmf_datetime(order.committed_date),
            "completionDate": tmf_datetime(order.completion_date),
            "cancellationDate": tmf_datetime(order.cancellation_date),
            "cancellationReason": order.cancellation_reason or None,
            "channel": [{"id": order.channel, "name": order.get_channel_display(), "role": "salesChannel"}],
            "relatedParty": parties,
            "billingAccount": _ref("BillingAccount", order.billing_account_id, order.billing_account.name
                                   if hasattr(order.billing_account, "name") else "", "tmf666:billingaccount-detail",
                                   request) if order.billing_account_id else None,
            "note": notes or None,
            "productOfferingQualification": [_ref("ProductOfferingQualification", order.qualification_id, "",
                                                  "tmf679:productofferingqualification-detail", request)]
            if order.qualification_id else None,
            "productOrderItem": items,
            "orderTotalPrice": totals or None,
            "milestone": milestone,
            "rejectionReason": order.rejection_reasons or None,
        }

    def _price(self, p) -> dict:
        price = {"dutyFreeAmount": _amount(p.duty_free_amount, p.currency),
                 "taxIncludedAmount": _amount(p.tax_included_amount, p.currency), "taxRate": p.tax_rate}
        row = {"name": p.name, "priceType": {"one_time": "oneTime"}.get(p.price_type, p.price_type), "price": price}
        if p.recurring_period:
            row["recurringChargePeriod"] = p.recurring_period
        if p.unit_of_measure:
            row["unitOfMeasure"] = p.unit_of_measure
        if p.discount_amount:
            row["priceAlteration"] = [{"name": p.discount_name or "discount", "priceType": row["priceType"],
                                       **({"applicationDuration": p.discount_periods} if p.discount_periods else {}),
                                       "price": {"dutyFreeAmount": _amount(-p.discount_amount, p.currency)}}]
        return row


class CancelProductOrderSerializer(TmfResourceSerializer):
    tmf_type = "CancelProductOrder"
    tmf_spec = TmfSpec("TMF622-ProductOrdering-v4.0.0.swagger.json", "CancelProductOrder")
    url_name = "tmf622:cancelproductorder-detail"

    productOrder = serializers.JSONField()
    cancellationReason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    requestedCancellationDate = serializers.DateTimeField(required=False)

    def represent(self, c) -> dict:
        request = self.context.get("request")
        order = (_ref("ProductOrder", c.order_id, c.order.order_number, "tmf622:productorder-detail", request)
                 if c.order_id else c.order_ref)
        return {"productOrder": order, "state": c.state, "cancellationReason": c.cancellation_reason or None,
                "requestedCancellationDate": tmf_datetime(c.requested_cancellation_date),
                "effectiveCancellationDate": tmf_datetime(c.effective_cancellation_date)}
