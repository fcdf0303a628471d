"""Product catalog use cases (TMF620): categories, catalogs, product specifications with their
characteristics and their link to service specifications, offerings (bundles, lifecycle) and
prices (with alterations).

Every write in every front door (admin, TMF620, demo data) goes through these functions; each
is one transaction, validates with DomainValidationError (400, nothing stored), records history
and publishes its TMF620 event. The ``validate_*`` functions are pure and are also used by the
admin forms, so the same rules show as form errors.

Deleting: nothing that may have been sold is hard-deleted. An active offering is retired, a
retired one stays as it is; only a draft offering that nothing refers to is removed. The same
holds for specifications, categories and prices: referenced -> retired, otherwise deleted.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.text import slugify

from bss.actors import Actor
from bss.audit.services import diff, history_record, model_update, snapshot
from bss.errors import ApplicationError, DomainValidationError
from bss.events import EventType, publish
from bss.fsm import fsm_transition
from bss.lifecycle import lifecycle_change
from bss.money import CURRENCIES
from customers.models import Customer, Product

from .. import events as ev
from ..models import (
    Catalog,
    Category,
    PriceAlteration,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
    SpecCharacteristic,
)
from ..models.catalog import LifecycleStatus, SalesChannel

Status = LifecycleStatus
VT = SpecCharacteristic.ValueType
PT = ProductOfferingPrice.PriceType
PERIODS = ("day", "week", "month", "year")
CURRENCY_CODES = {code for code, _ in CURRENCIES}
INTEGER_FORM = re.compile(r"-?(0|[1-9][0-9]*)", re.ASCII)
MAX_AMOUNT = Decimal("1e10")  # 14 digits, 4 after the point
FOUR_PLACES, TWO_PLACES = Decimal("0.0001"), Decimal("0.01")

OFFERING_FIELDS = ("name", "description", "version", "specification", "valid_from", "valid_to", "is_bundle",
                   "is_sellable", "sales_channels", "customer_segments", "delivered_by_partner", "partner_name",
                   "technology", "bandwidth_mbps", "requires_install_address", "requires_special_design", "tmf_extra")
OFFERING_M2M = ("categories", "bundled_offerings")
SPEC_FIELDS = ("name", "description", "brand", "version", "lifecycle_status", "tmf_extra")
CHAR_FIELDS = ("name", "description", "value_type", "mandatory", "allowed_values", "default_value", "min_value",
               "max_value")
PRICE_FIELDS = ("name", "price_type", "amount", "currency", "recurring_period", "unit_of_measure", "tax_category",
                "lifecycle_status", "valid_from", "valid_to", "tmf_extra")
ALTERATION_FIELDS = ("name", "percentage", "amount", "duration_periods")
CATEGORY_FIELDS = ("name", "description", "parent", "is_root", "lifecycle_status", "tmf_extra")
CATALOG_FIELDS = ("name", "description", "catalog_type", "lifecycle_status", "valid_from", "valid_to", "tmf_extra")


# --- shared helpers -------------------------------------------------------------------------

def _unknown(data: dict, allowed: tuple[str, ...]) -> None:
    extra = sorted(set(data) - set(allowed))
    if extra:
        raise DomainValidationError({k: "Unknown field." for k in extra})


def _period_check(errors: dict, valid_from, valid_to) -> None:
    if valid_from and valid_to and valid_to <= valid_from:
        errors["valid_to"] = "The end of the validity period must be after its start."


def _status_check(errors: dict, value, field: str = "lifecycle_status") -> None:
    if value not in Status.values:
        errors[field] = f"'{value}' is not one of {', '.join(Status.values)}."


def _unique_code(model, name: str) -> str:
    base = (slugify(name) or model._meta.model_name)[:50]
    code, n = base, 1
    while model.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def _code_check(errors: dict, model, code: str) -> None:
    if not re.fullmatch(r"[-a-zA-Z0-9_]+", code or "") or len(code) > 60:
        errors["code"] = "Use 1-60 letters, digits, hyphens or underscores."
    elif model.objects.filter(code=code).exists():
        errors["code"] = f"The code '{code}' is already used."


def _ids(objs) -> list[int]:
    return sorted(o.pk for o in objs)


def _m2m_state(obj, names) -> dict:
    return {n: sorted(getattr(obj, n).values_list("pk", flat=True)) for n in names}


def _record_update(obj, before: dict, after: dict, *, action: str, actor: Actor, root=None, reason: str = "") -> dict:
    changes = diff(before, after)
    if changes:
        history_record(obj=obj, action=action, actor=actor, changes=changes, root=root, reason=reason)
    return changes


def _catalog_update(obj, *, fields: tuple[str, ...], data: dict, m2m: dict | None = None, extra: dict | None = None,
                    action: str, actor: Actor, root=None, reason: str = "",
                    state_event: EventType | None, change_event: EventType) -> dict:
    """The shape every catalog update shares: the attributes and many-to-many sets through the
    one update helper (one history row), then the lifecycle through its FSM transition, then one
    event: a StateChange when the lifecycle moved, else an AttributeValueChange if anything changed."""
    data = dict(data)
    status = data.pop("lifecycle_status", None)
    m2m = {k: v for k, v in (m2m or {}).items() if v is not None}
    before = obj.lifecycle_status
    extra = dict(extra or {})
    if status is not None and status != before:
        # the transition checks and moves the lifecycle; the one history row below records it
        lifecycle_change(obj, status=status, actor=actor, reason=reason, root=root, record=False)
        extra["lifecycle_status"] = [before, status]
    changes = model_update(instance=obj, fields=(*fields, *m2m), data={**data, **m2m}, actor=actor, action=action,
                           root=root, reason=reason, validate=False, extra=extra)
    if changes:
        publish(state_event if "lifecycle_status" in changes and state_event else change_event, obj)
    return changes


def _deleted(obj, *, action: str, actor: Actor, event: EventType, reason: str = "") -> None:
    """Record and announce a hard delete (rendered before the row goes), then delete."""
    history_record(obj=obj, action=action, actor=actor, reason=reason,
                   changes={k: [v, None] for k, v in snapshot(obj).items() if v not in (None, "", [], {})})
    publish(event, obj)
    pk = obj.pk
    try:
        with transaction.atomic():
            obj.delete()
    except (ProtectedError, RestrictedError) as e:
        names = sorted({str(o._meta.verbose_name) for o in e.protected_objects} if isinstance(e, ProtectedError)
                       else {str(o._meta.verbose_name) for o in e.restricted_objects})
        raise ApplicationError(f"{obj} is still referenced by {', '.join(names)}; retire it instead.",
                               code="referenced", extra={"id": pk})


# --- characteristic values ------------------------------------------------------------------

def characteristic_value(value_type: str, value: Any):
    """``value`` as a value of ``value_type`` (int, Decimal, bool or str); ValueError says why not."""
    if value_type == VT.STRING:
        if not isinstance(value, str):
            raise ValueError("is not text")
        return value
    if value_type == VT.BOOLEAN:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise ValueError("is not true or false")
    if isinstance(value, bool) or value is None:
        raise ValueError("is not a number")
    if value_type == VT.INTEGER:
        if isinstance(value, int):
            return value
        if isinstance(value, str) and INTEGER_FORM.fullmatch(value.strip()):
            return int(value)
        raise ValueError("is not a whole number")
    if value_type == VT.DECIMAL:
        try:
            number = Decimal(str(value).strip()) if isinstance(value, int | float | str | Decimal) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValueError("is not a decimal number")
        return number
    raise ValueError(f"has an unknown value type '{value_type}'")


def _stored(value):
    """How a typed value is kept in JSON (decimals as exact strings)."""
    return str(value) if isinstance(value, Decimal) else value


def _number_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _range_text(lo, hi) -> str:
    return f"{_number_text(lo) if lo is not None else ''}..{_number_text(hi) if hi is not None else ''}"


def _as_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def validate_characteristic(data: dict) -> dict:
    """Check one characteristic definition; returns it normalized (typed allowed values, the
    default as text). Allowed values, the default and the range must match the value type."""
    _unknown(data, CHAR_FIELDS)
    errors: dict[str, str] = {}
    out = {"name": (data.get("name") or "").strip(), "description": data.get("description") or "",
           "value_type": data.get("value_type") or VT.STRING, "mandatory": bool(data.get("mandatory")),
           "allowed_values": [], "default_value": "", "min_value": None, "max_value": None}
    vt = out["value_type"]
    if not out["name"]:
        errors["name"] = "A characteristic needs a name."
    elif len(out["name"]) > 100:
        errors["name"] = "At most 100 characters."
    if vt not in VT.values:
        errors["value_type"] = f"'{vt}' is not one of {', '.join(VT.values)}."
        raise DomainValidationError(errors)
    numeric = vt in (VT.INTEGER, VT.DECIMAL)
    for bound in ("min_value", "max_value"):
        raw = data.get(bound)
        if raw in (None, ""):
            continue
        if not numeric:
            errors[bound] = f"A {vt} characteristic has no numeric range."
            continue
        try:
            number = characteristic_value(VT.DECIMAL, raw)
        except ValueError as e:
            errors[bound] = f"{raw!r} {e}."
            continue
        if vt == VT.INTEGER and number != number.to_integral_value():
            errors[bound] = f"{raw!r} is not a whole number."
        elif abs(number) >= MAX_AMOUNT:
            errors[bound] = f"{raw!r} is too large."
        else:
            out[bound] = number.quantize(FOUR_PLACES)
    lo, hi = out["min_value"], out["max_value"]
    if lo is not None and hi is not None and lo > hi:
        errors["max_value"] = "The maximum must not be below the minimum."

    def in_range(v) -> bool:
        return (lo is None or v >= lo) and (hi is None or v <= hi)

    allowed = data.get("allowed_values") or []
    if not isinstance(allowed, list | tuple):
        errors["allowed_values"] = "Give a list of values."
        allowed = []
    typed, problems = [], []
    for v in allowed:
        try:
            t = characteristic_value(vt, v)
        except ValueError as e:
            problems.append(f"{v!r} {e}")
            continue
        if numeric and not in_range(t):
            problems.append(f"{v!r} is outside {_range_text(lo, hi)}")
        elif t in typed:
            problems.append(f"{v!r} is listed twice")
        else:
            typed.append(t)
    if problems:
        errors["allowed_values"] = f"Values must be of type {vt}: " + "; ".join(problems) + "."
    out["allowed_values"] = [_stored(v) for v in typed]
    default = data.get("default_value")
    if default not in (None, ""):
        try:
            t = characteristic_value(vt, default)
            if typed and t not in typed:
                errors["default_value"] = f"{default!r} is not one of the allowed values."
            elif numeric and not in_range(t):
                errors["default_value"] = f"{default!r} is outside {_range_text(lo, hi)}."
            out["default_value"] = _as_text(t)
            if len(out["default_value"]) > 100:
                errors["default_value"] = "At most 100 characters."
        except ValueError as e:
            errors["default_value"] = f"{default!r} {e}."
    if errors:
        raise DomainValidationError(errors)
    return out


def characteristic_value_problem(characteristic: SpecCharacteristic, value) -> str | None:
    """Why ``value`` is not acceptable for the characteristic (None when it is); for order capture."""
    try:
        t = characteristic_value(characteristic.value_type, value)
    except ValueError as e:
        return f"{value!r} {e}"
    allowed = [characteristic_value(characteristic.value_type, v) for v in characteristic.allowed_values or []]
    if allowed and t not in allowed:
        return f"{value!r} is not one of {', '.join(_as_text(v) for v in allowed)}"
    if characteristic.min_value is not None and t < characteristic.min_value:
        return f"{value!r} is below {_number_text(characteristic.min_value)}"
    if characteristic.max_value is not None and t > characteristic.max_value:
        return f"{value!r} is above {_number_text(characteristic.max_value)}"
    return None


def _characteristics_validate(items: list[dict]) -> list[dict]:
    cleaned, errors, seen = [], {}, set()
    for i, item in enumerate(items):
        try:
            c = validate_characteristic(dict(item))
        except DomainValidationError as e:
            errors.update({f"characteristics[{i}].{k}": v for k, v in e.field_errors.items()})
            continue
        if c["name"] in seen:
            errors[f"characteristics[{i}].name"] = f"'{c['name']}' is defined twice."
        seen.add(c["name"])
        cleaned.append(c)
    if errors:
        raise DomainValidationError(errors)
    return cleaned


def _characteristics_state(spec: ProductSpecification) -> list[dict]:
    return [{f: (str(getattr(c, f)) if isinstance(getattr(c, f), Decimal) else getattr(c, f)) for f in CHAR_FIELDS}
            for c in spec.characteristics.order_by("name")]


def _characteristics_sync(spec: ProductSpecification, items: list[dict]) -> None:
    existing = {c.name: c for c in spec.characteristics.all()}
    keep = set()
    for data in items:
        keep.add(data["name"])
        c = existing.get(data["name"]) or SpecCharacteristic(specification=spec)
        for k, v in data.items():
            setattr(c, k, v)
        c.save()
    spec.characteristics.exclude(name__in=keep).delete()


# --- service specification link ------------------------------------------------------------

def _service_specs_check(errors: dict, service_specs, current_ids=()) -> None:
    from service_activation.models import ServiceSpecification

    retired = [s.code for s in service_specs if s.lifecycle_status == ServiceSpecification.LifecycleStatus.RETIRED
               and s.pk not in set(current_ids)]
    if retired:
        errors["service_specifications"] = f"Retired service specification(s) cannot be linked: {', '.join(retired)}."


@transaction.atomic
def specification_link_service_specs(*, specification: ProductSpecification, service_specifications,
                                     actor: Actor) -> ProductSpecification:
    """Set the service specifications that realize a product specification (order decomposition)."""
    return specification_update(specification=specification, actor=actor,
                                service_specifications=list(service_specifications))


# --- product specifications -------------------------------------------------------------------

def validate_specification(*, specification: ProductSpecification | None, data: dict,
                           service_specifications=None) -> None:
    """Rules for a specification's own fields and its service specification link."""
    errors: dict[str, str] = {}
    if "name" in data and not (data["name"] or "").strip():
        errors["name"] = "A product specification needs a name."
    if "lifecycle_status" in data:
        _status_check(errors, data["lifecycle_status"])
    if service_specifications is not None:
        current = specification.service_specifications.values_list("pk", flat=True) \
            if specification is not None and specification.pk else ()
        _service_specs_check(errors, list(service_specifications), current)
    if errors:
        raise DomainValidationError(errors)


@transaction.atomic
def specification_create(*, actor: Actor, name: str, code: str | None = None, characteristics: list[dict] = (),
                         service_specifications=(), **data) -> ProductSpecification:
    _unknown(data, SPEC_FIELDS)
    data["name"] = (name or "").strip()
    service_specifications = list(service_specifications)
    validate_specification(specification=None, data=data, service_specifications=service_specifications)
    errors: dict[str, str] = {}
    if code:
        _code_check(errors, ProductSpecification, code)
    if errors:
        raise DomainValidationError(errors)
    chars = _characteristics_validate(list(characteristics))
    spec = ProductSpecification.objects.create(code=code or _unique_code(ProductSpecification, name), **data)
    _characteristics_sync(spec, chars)
    spec.service_specifications.set(service_specifications)
    history_record(obj=spec, action="orders.product_specification.created", actor=actor,
                   changes={**{k: [None, v] for k, v in snapshot(spec).items() if v not in (None, "", [], {})},
                            "characteristics": [None, _characteristics_state(spec)],
                            "service_specifications": [None, _ids(service_specifications)]})
    publish(ev.PRODUCT_SPECIFICATION_CREATE, spec)
    return spec


@transaction.atomic
def specification_update(*, specification: ProductSpecification, actor: Actor, characteristics: list[dict] | None = None,
                         service_specifications=None, reason: str = "", **data) -> ProductSpecification:
    _unknown(data, SPEC_FIELDS)
    spec = ProductSpecification.objects.select_for_update().get(pk=specification.pk)
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
    if service_specifications is not None:
        service_specifications = list(service_specifications)
    validate_specification(specification=spec, data=data, service_specifications=service_specifications)
    chars = _characteristics_validate(list(characteristics)) if characteristics is not None else None
    extra = None
    if chars is not None:
        before_chars = _characteristics_state(spec)
        _characteristics_sync(spec, chars)
        extra = {"characteristics": [before_chars, _characteristics_state(spec)]}
    _catalog_update(spec, fields=SPEC_FIELDS, data=data, m2m={"service_specifications": service_specifications},
                    extra=extra, action="orders.product_specification.updated", actor=actor, reason=reason,
                    state_event=ev.PRODUCT_SPECIFICATION_STATE_CHANGE,
                    change_event=ev.PRODUCT_SPECIFICATION_ATTRIBUTE_VALUE_CHANGE)
    return spec


@transaction.atomic
def specification_delete(*, specification: ProductSpecification, actor: Actor, reason: str = "") -> str:
    """Delete an unused specification; one that offerings use is retired instead.
    Returns "deleted" or "retired"."""
    spec = ProductSpecification.objects.select_for_update().get(pk=specification.pk)
    if spec.offerings.exists():
        if spec.lifecycle_status != Status.RETIRED:
            specification_update(specification=spec, actor=actor, lifecycle_status=Status.RETIRED,
                                 reason=reason or "Retired on delete: offerings use it")
        return "retired"
    _deleted(spec, action="orders.product_specification.deleted", actor=actor,
             event=ev.PRODUCT_SPECIFICATION_DELETE, reason=reason)
    return "deleted"


# --- categories and catalogs ----------------------------------------------------------------

def validate_category(category: Category | None, data: dict) -> None:
    errors: dict[str, str] = {}
    if "name" in data:
        if not (data["name"] or "").strip():
            errors["name"] = "A category needs a name."
        elif Category.objects.filter(name=data["name"].strip()).exclude(pk=getattr(category, "pk", None)).exists():
            errors["name"] = f"A category named '{data['name'].strip()}' already exists."
    if "lifecycle_status" in data:
        _status_check(errors, data["lifecycle_status"])
    parent = data.get("parent")
    if parent is not None and data.get("is_root") is True:
        errors["is_root"] = "A category with a parent is not a root category."
    if parent is not None and category is not None:
        node, seen = parent, set()
        while node is not None and node.pk not in seen:
            if node.pk == category.pk:
                errors["parent"] = "A category cannot be inside itself or one of its subcategories."
                break
            seen.add(node.pk)
            node = node.parent
    if errors:
        raise DomainValidationError(errors)


def _offerings_check(errors: dict, offerings, field="offerings") -> None:
    retired = [o.code for o in offerings if o.lifecycle_status == Status.RETIRED]
    if retired:
        errors[field] = f"Retired offering(s) cannot be added: {', '.join(retired)}."


@transaction.atomic
def category_create(*, actor: Actor, name: str, offerings=None, **data) -> Category:
    _unknown(data, CATEGORY_FIELDS)
    data["name"] = (name or "").strip()
    validate_category(None, data)
    errors: dict[str, str] = {}
    _offerings_check(errors, offerings or [])
    if errors:
        raise DomainValidationError(errors)
    if data.get("parent") is not None:
        data["is_root"] = False
    category = Category.objects.create(**data)
    category.offerings.set(offerings or [])
    history_record(obj=category, action="orders.category.created", actor=actor,
                   changes={**{k: [None, v] for k, v in snapshot(category).items() if v not in (None, "", [], {})},
                            "offerings": [None, _ids(offerings or [])]})
    publish(ev.CATEGORY_CREATE, category)
    return category


@transaction.atomic
def category_update(*, category: Category, actor: Actor, offerings=None, reason: str = "", **data) -> Category:
    _unknown(data, CATEGORY_FIELDS)
    category = Category.objects.select_for_update().get(pk=category.pk)
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
    validate_category(category, data)
    if offerings is not None:
        offerings = list(offerings)
        errors: dict[str, str] = {}
        current = set(category.offerings.values_list("pk", flat=True))
        _offerings_check(errors, [o for o in offerings if o.pk not in current])
        if errors:
            raise DomainValidationError(errors)
    if data.get("parent") is not None:
        data["is_root"] = False
    elif "parent" in data and "is_root" not in data:
        data["is_root"] = True
    extra = None
    if offerings is not None:  # the reverse side of ProductOffering.categories
        before_ids = sorted(category.offerings.values_list("pk", flat=True))
        category.offerings.set(offerings)
        extra = {"offerings": [before_ids, sorted(o.pk for o in offerings)]}
    _catalog_update(category, fields=CATEGORY_FIELDS, data=data, extra=extra, action="orders.category.updated",
                    actor=actor, reason=reason, state_event=ev.CATEGORY_STATE_CHANGE,
                    change_event=ev.CATEGORY_ATTRIBUTE_VALUE_CHANGE)
    return category


@transaction.atomic
def category_delete(*, category: Category, actor: Actor, reason: str = "") -> str:
    """Delete an unused category; one with offerings, catalogs or subcategories is retired."""
    category = Category.objects.select_for_update().get(pk=category.pk)
    if category.offerings.exists() or category.catalogs.exists() or category.children.exists():
        if category.lifecycle_status != Status.RETIRED:
            category_update(category=category, actor=actor, lifecycle_status=Status.RETIRED,
                            reason=reason or "Retired on delete: still in use")
        return "retired"
    _deleted(category, action="orders.category.deleted", actor=actor, event=ev.CATEGORY_DELETE, reason=reason)
    return "deleted"


def validate_catalog(catalog: Catalog | None, data: dict) -> None:
    errors: dict[str, str] = {}
    if "name" in data:
        if not (data["name"] or "").strip():
            errors["name"] = "A catalog needs a name."
        elif Catalog.objects.filter(name=data["name"].strip()).exclude(pk=getattr(catalog, "pk", None)).exists():
            errors["name"] = f"A catalog named '{data['name'].strip()}' already exists."
    if "lifecycle_status" in data:
        _status_check(errors, data["lifecycle_status"])
    if "catalog_type" in data and not (data["catalog_type"] or "").strip():
        errors["catalog_type"] = "A catalog needs a type."
    _period_check(errors, data.get("valid_from", getattr(catalog, "valid_from", None)),
                  data.get("valid_to", getattr(catalog, "valid_to", None)))
    if errors:
        raise DomainValidationError(errors)


@transaction.atomic
def catalog_create(*, actor: Actor, name: str, categories=(), **data) -> Catalog:
    _unknown(data, CATALOG_FIELDS)
    data["name"] = (name or "").strip()
    validate_catalog(None, data)
    catalog = Catalog.objects.create(**data)
    catalog.categories.set(categories)
    history_record(obj=catalog, action="orders.catalog.created", actor=actor,
                   changes={**{k: [None, v] for k, v in snapshot(catalog).items() if v not in (None, "", [], {})},
                            "categories": [None, _ids(categories)]})
    publish(ev.CATALOG_CREATE, catalog)
    return catalog


@transaction.atomic
def catalog_update(*, catalog: Catalog, actor: Actor, categories=None, reason: str = "", **data) -> Catalog:
    _unknown(data, CATALOG_FIELDS)
    catalog = Catalog.objects.select_for_update().get(pk=catalog.pk)
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
    validate_catalog(catalog, data)
    _catalog_update(catalog, fields=CATALOG_FIELDS, data=data,
                    m2m={"categories": list(categories) if categories is not None else None},
                    action="orders.catalog.updated", actor=actor, reason=reason,
                    state_event=ev.CATALOG_STATE_CHANGE, change_event=ev.CATALOG_ATTRIBUTE_VALUE_CHANGE)
    return catalog


@transaction.atomic
def catalog_delete(*, catalog: Catalog, actor: Actor, reason: str = "") -> str:
    """A catalog only groups categories; nothing refers to it, so it is deleted."""
    catalog = Catalog.objects.select_for_update().get(pk=catalog.pk)
    _deleted(catalog, action="orders.catalog.deleted", actor=actor, event=ev.CATALOG_DELETE, reason=reason)
    return "deleted"


# --- product offerings ----------------------------------------------------------------------

def _bundle_contains(member: ProductOffering, target_pk: int | None, seen=None) -> bool:
    """Whether ``member`` is, or (through nested bundles) contains, the offering ``target_pk``."""
    seen = seen if seen is not None else set()
    if target_pk is not None and member.pk == target_pk:
        return True
    if member.pk in seen:
        return False
    seen.add(member.pk)
    return any(_bundle_contains(m, target_pk, seen) for m in member.bundled_offerings.all())


def validate_offering(*, offering: ProductOffering | None, data: dict, categories=None,
                      bundled_offerings=None) -> None:
    """Business rules for an offering's attributes (``data``: model field values, only the
    changed ones on update) and its bundle members and categories."""
    def current(field, default=None):
        return data[field] if field in data else getattr(offering, field, default) if offering else default

    errors: dict[str, str] = {}
    if "name" in data and not (data["name"] or "").strip():
        errors["name"] = "An offering needs a name."
    if "version" in data and not (data["version"] or "").strip():
        errors["version"] = "Give a version (e.g. 1.0)."
    _period_check(errors, current("valid_from"), current("valid_to"))
    if "sales_channels" in data:
        channels = data["sales_channels"] or []
        bad = [c for c in channels if c not in SalesChannel.values] if isinstance(channels, list) else ["?"]
        if bad:
            errors["sales_channels"] = (f"Unknown sales channel(s) {', '.join(map(str, bad))}; "
                                        f"use {', '.join(SalesChannel.values)}.")
        elif len(set(channels)) != len(channels):
            errors["sales_channels"] = "A sales channel is listed twice."
    if "customer_segments" in data:
        segments = data["customer_segments"] or []
        bad = [s for s in segments if s not in Customer.Segment.values] if isinstance(segments, list) else ["?"]
        if bad:
            errors["customer_segments"] = (f"Unknown customer segment(s) {', '.join(map(str, bad))}; "
                                           f"use {', '.join(Customer.Segment.values)}.")
        elif len(set(segments)) != len(segments):
            errors["customer_segments"] = "A customer segment is listed twice."
    if current("delivered_by_partner", False) and not (current("partner_name", "") or "").strip():
        errors["partner_name"] = "Name the partner who delivers this offering."
    bandwidth = current("bandwidth_mbps")
    if bandwidth is not None and (isinstance(bandwidth, bool) or not isinstance(bandwidth, int) or bandwidth <= 0):
        errors["bandwidth_mbps"] = "The bandwidth is a positive whole number of Mbit/s."
    spec = data.get("specification")
    if spec is not None and spec.lifecycle_status == Status.RETIRED and (
            offering is None or offering.specification_id != spec.pk):
        errors["specification"] = f"The product specification '{spec.code}' is retired."
    if categories is not None:
        current_ids = set(offering.categories.values_list("pk", flat=True)) if offering and offering.pk else set()
        retired = [c.name for c in categories if c.lifecycle_status == Status.RETIRED and c.pk not in current_ids]
        if retired:
            errors["categories"] = f"Retired categor(ies) cannot be used: {', '.join(retired)}."
    is_bundle = current("is_bundle", False)
    members = list(bundled_offerings) if bundled_offerings is not None else (
        list(offering.bundled_offerings.all()) if offering and offering.pk else [])
    own_pk = offering.pk if offering else None
    if members and not is_bundle:
        errors["bundled_offerings"] = "Only a bundle contains other offerings; mark it as a bundle."
    elif is_bundle and len({m.pk for m in members}) < 2:
        errors["bundled_offerings"] = "A bundle is made of at least two offerings."
    elif bundled_offerings is not None:
        current_ids = set(offering.bundled_offerings.values_list("pk", flat=True)) if own_pk else set()
        if own_pk is not None and any(_bundle_contains(m, own_pk) for m in members):
            errors["bundled_offerings"] = "A bundle cannot contain itself (directly or through another bundle)."
        elif len({m.pk for m in members}) != len(members):
            errors["bundled_offerings"] = "An offering is listed twice in the bundle."
        else:
            retired = [m.code for m in members if m.lifecycle_status == Status.RETIRED and m.pk not in current_ids]
            if retired:
                errors["bundled_offerings"] = f"Retired offering(s) cannot be bundled: {', '.join(retired)}."
    if errors:
        raise DomainValidationError(errors)


def _offering_state(offering: ProductOffering) -> dict:
    return {**snapshot(offering), **_m2m_state(offering, OFFERING_M2M)}


@transaction.atomic
def offering_create(*, actor: Actor, name: str, code: str | None = None, categories=(), bundled_offerings=(),
                    launch: bool = False, **data) -> ProductOffering:
    """A new offering starts as draft; ``launch=True`` makes it active in the same transaction."""
    _unknown(data, OFFERING_FIELDS)
    data["name"] = (name or "").strip()
    categories, bundled_offerings = list(categories), list(bundled_offerings)
    if bundled_offerings and "is_bundle" not in data:
        data["is_bundle"] = True
    errors: dict[str, str] = {}
    if code:
        _code_check(errors, ProductOffering, code)
    try:
        validate_offering(offering=None, data=data, categories=categories, bundled_offerings=bundled_offerings)
    except DomainValidationError as e:
        errors.update({k: v[0] for k, v in e.field_errors.items()})
    if errors:
        raise DomainValidationError(errors)
    offering = ProductOffering.objects.create(code=code or _unique_code(ProductOffering, data["name"]), **data)
    offering.categories.set(categories)
    offering.bundled_offerings.set(bundled_offerings)
    history_record(obj=offering, action="orders.product_offering.created", actor=actor,
                   changes={k: [None, v] for k, v in _offering_state(offering).items() if v not in (None, "", [], {})})
    publish(ev.PRODUCT_OFFERING_CREATE, offering)
    if launch:
        offering = offering_launch(offering_id=offering.pk, actor=actor)
    return offering


@transaction.atomic
def offering_update(*, offering: ProductOffering, actor: Actor, categories=None, bundled_offerings=None,
                    reason: str = "", **data) -> ProductOffering:
    """Change attributes, categories or bundle members. Retired offerings are read-only (409)."""
    _unknown(data, OFFERING_FIELDS)
    offering = ProductOffering.objects.select_for_update().get(pk=offering.pk)
    if offering.lifecycle_status == Status.RETIRED:
        raise ApplicationError(f"Offering '{offering.code}' is retired; retired offerings are read-only.",
                               extra={"state": offering.lifecycle_status})
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
    categories = list(categories) if categories is not None else None
    bundled_offerings = list(bundled_offerings) if bundled_offerings is not None else None
    if bundled_offerings and "is_bundle" not in data and not offering.is_bundle:
        data["is_bundle"] = True
    validate_offering(offering=offering, data=data, categories=categories, bundled_offerings=bundled_offerings)
    if offering.lifecycle_status == Status.ACTIVE and bundled_offerings is not None:
        inactive = [m.code for m in bundled_offerings if m.lifecycle_status != Status.ACTIVE]
        if inactive:
            raise DomainValidationError({"bundled_offerings": "An active bundle can only contain active offerings; "
                                                              f"not active: {', '.join(inactive)}."})
    # The lifecycle of an offering moves through offering_launch / offering_retire only.
    _catalog_update(offering, fields=OFFERING_FIELDS, data=data,
                    m2m={"categories": categories, "bundled_offerings": bundled_offerings},
                    action="orders.product_offering.updated", actor=actor, reason=reason, state_event=None,
                    change_event=ev.PRODUCT_OFFERING_ATTRIBUTE_VALUE_CHANGE)
    return offering


@transaction.atomic
def offering_launch(*, offering_id: int, actor: Actor, reason: str = "") -> ProductOffering:
    """draft -> active (409 from any other state). A bundle launches once all its members are active."""
    offering = ProductOffering.objects.select_for_update().get(pk=offering_id)
    if offering.lifecycle_status == Status.DRAFT:
        problems = []
        if offering.specification_id and offering.specification.lifecycle_status == Status.RETIRED:
            problems.append(f"its product specification '{offering.specification.code}' is retired")
        inactive = [m.code for m in offering.bundled_offerings.all() if m.lifecycle_status != Status.ACTIVE]
        if inactive:
            problems.append(f"bundled offering(s) not active: {', '.join(inactive)}")
        if offering.is_bundle and offering.bundled_offerings.count() < 2:
            problems.append("a bundle is made of at least two offerings")
        if problems:
            raise ApplicationError(f"Offering '{offering.code}' cannot be launched: {'; '.join(problems)}.",
                                   code="not_launchable", extra={"state": offering.lifecycle_status})
    fsm_transition(offering, "launch", actor=actor, reason=reason, state_field="lifecycle_status",
                   action="orders.product_offering.launched")
    publish(ev.PRODUCT_OFFERING_STATE_CHANGE, offering)
    return offering


@transaction.atomic
def offering_retire(*, offering_id: int, actor: Actor, reason: str = "") -> ProductOffering:
    """active -> retired (409 from any other state). Retired offerings can no longer be ordered but
    stay readable for the products that customers already have."""
    offering = ProductOffering.objects.select_for_update().get(pk=offering_id)
    if offering.lifecycle_status == Status.ACTIVE:
        bundles = [b.code for b in offering.in_bundles.filter(lifecycle_status=Status.ACTIVE)]
        if bundles:
            raise ApplicationError(f"Offering '{offering.code}' is part of active bundle(s) {', '.join(bundles)}; "
                                   "retire those first.", code="in_active_bundle",
                                   extra={"state": offering.lifecycle_status})
    fsm_transition(offering, "retire", actor=actor, reason=reason, state_field="lifecycle_status",
                   action="orders.product_offering.retired")
    publish(ev.PRODUCT_OFFERING_STATE_CHANGE, offering)
    return offering


OFFERING_TRANSITIONS = {(Status.DRAFT, Status.ACTIVE): offering_launch, (Status.ACTIVE, Status.RETIRED): offering_retire}


@transaction.atomic
def offering_change_status(*, offering_id: int, status: str, actor: Actor, reason: str = "") -> ProductOffering:
    """Move an offering to ``status`` through its lifecycle; same status is a no-op, anything
    the lifecycle does not allow is 409."""
    offering = ProductOffering.objects.select_for_update().get(pk=offering_id)
    if status not in Status.values:
        raise DomainValidationError({"lifecycle_status": f"'{status}' is not one of {', '.join(Status.values)}."})
    if offering.lifecycle_status == status:
        return offering
    fn = OFFERING_TRANSITIONS.get((offering.lifecycle_status, status))
    if fn is None:
        raise ApplicationError(f"A {offering.lifecycle_status} offering cannot become {status}.",
                               extra={"state": offering.lifecycle_status})
    return fn(offering_id=offering.pk, actor=actor, reason=reason)


def offering_references(offering: ProductOffering) -> list[str]:
    """What refers to an offering (so that it must not be hard-deleted)."""
    refs = []
    bundles = list(offering.in_bundles.values_list("code", flat=True))
    if bundles:
        refs.append(f"bundle(s) {', '.join(bundles)}")
    products = Product.objects.filter(offering_code=offering.code).count()
    if products:
        refs.append(f"{products} customer product(s)")
    rules = offering.feasibility_rules.count() + offering.alternative_in_rules.count()
    if rules:
        refs.append(f"{rules} feasibility rule(s)")
    return refs


@transaction.atomic
def offering_delete(*, offering: ProductOffering, actor: Actor, reason: str = "") -> str:
    """DELETE semantics: an active offering is retired, a retired one stays retired, a draft that
    nothing refers to is deleted (409 for a draft still referenced). Returns what happened."""
    offering = ProductOffering.objects.select_for_update().get(pk=offering.pk)
    if offering.lifecycle_status == Status.ACTIVE:
        offering_retire(offering_id=offering.pk, actor=actor, reason=reason or "Retired on delete")
        return "retired"
    if offering.lifecycle_status == Status.RETIRED:
        return "retired"
    refs = offering_references(offering)
    if refs:
        raise ApplicationError(f"Draft offering '{offering.code}' is referenced by {'; '.join(refs)}; "
                               "remove those references first.", code="referenced",
                               extra={"state": offering.lifecycle_status})
    _deleted(offering, action="orders.product_offering.deleted", actor=actor, event=ev.PRODUCT_OFFERING_DELETE,
             reason=reason)
    return "deleted"


# --- prices -----------------------------------------------------------------------------------

def _amount_check(errors: dict, field: str, value, *, positive: bool = False) -> Decimal | None:
    if isinstance(value, bool) or isinstance(value, float) or value is None:
        errors[field] = "Give the amount as a decimal number."
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        errors[field] = f"{value!r} is not a decimal number."
        return None
    if not amount.is_finite():
        errors[field] = f"{value!r} is not a decimal number."
    elif amount < 0 or (positive and amount == 0):
        errors[field] = "The amount must be greater than zero." if positive else "The amount must not be negative."
    elif amount >= MAX_AMOUNT or amount.as_tuple().exponent < -4:
        errors[field] = "At most 10 digits before and 4 after the decimal point."
    else:
        return amount.quantize(FOUR_PLACES)
    return None


def validate_price(data: dict) -> dict:
    """Check a complete set of price fields; returns them normalized. Recurring prices need a
    period, usage prices a unit of measure; amounts are Decimals >= 0."""
    _unknown(data, PRICE_FIELDS)
    out = dict(data)
    errors: dict[str, str] = {}
    if not (out.get("name") or "").strip():
        errors["name"] = "A price needs a name."
    out["name"] = (out.get("name") or "").strip()
    ptype = out.get("price_type")
    if ptype not in PT.values:
        errors["price_type"] = f"'{ptype}' is not one of {', '.join(PT.values)}."
    amount = _amount_check(errors, "amount", out.get("amount"))
    if amount is not None:
        out["amount"] = amount
    if out.get("currency", "EUR") not in CURRENCY_CODES:
        errors["currency"] = f"'{out.get('currency')}' is not one of {', '.join(sorted(CURRENCY_CODES))}."
    period = (out.get("recurring_period") or "").strip()
    if ptype == PT.RECURRING:
        if not period:
            errors["recurring_period"] = f"A recurring price needs a period ({', '.join(PERIODS)})."
        elif period not in PERIODS:
            errors["recurring_period"] = f"'{period}' is not one of {', '.join(PERIODS)}."
        out["recurring_period"] = period
    else:
        out["recurring_period"] = ""  # one-time and usage prices do not repeat
    unit = (out.get("unit_of_measure") or "").strip()
    if ptype == PT.USAGE and not unit:
        errors["unit_of_measure"] = "A usage price needs a unit of measure (GB, minute, SMS...)."
    elif ptype != PT.USAGE and unit:
        errors["unit_of_measure"] = "Only usage prices have a unit of measure."
    elif len(unit) > 20:
        errors["unit_of_measure"] = "At most 20 characters."
    out["unit_of_measure"] = unit
    if out.get("tax_category", ProductOfferingPrice.TaxCategory.STANDARD) not in ProductOfferingPrice.TaxCategory.values:
        errors["tax_category"] = (f"'{out.get('tax_category')}' is not one of "
                                  f"{', '.join(ProductOfferingPrice.TaxCategory.values)}.")
    if "lifecycle_status" in out:
        _status_check(errors, out["lifecycle_status"])
    _period_check(errors, out.get("valid_from"), out.get("valid_to"))
    if errors:
        raise DomainValidationError(errors)
    return out


def validate_alteration(data: dict, *, price_type: str | None = None) -> dict:
    """An alteration reduces the price by a percentage or a fixed amount, optionally for the first
    N periods (recurring prices only)."""
    _unknown(data, ALTERATION_FIELDS)
    out = {"name": (data.get("name") or "").strip(), "percentage": None, "amount": None,
           "duration_periods": data.get("duration_periods")}
    errors: dict[str, str] = {}
    if not out["name"]:
        errors["name"] = "An alteration needs a name."
    pct, amt = data.get("percentage"), data.get("amount")
    if (pct is None) == (amt is None):
        errors["percentage"] = "Give either a percentage or an amount."
    elif pct is not None:
        value = _amount_check(errors, "percentage", pct, positive=True)
        if value is not None and (value > 100 or value != value.quantize(TWO_PLACES)):
            errors["percentage"] = "A percentage is at most 100, with up to 2 decimals."
        out["percentage"] = value.quantize(TWO_PLACES) if value is not None else None
    else:
        out["amount"] = _amount_check(errors, "amount", amt, positive=True)
    duration = out["duration_periods"]
    if duration is not None:
        if isinstance(duration, bool) or not isinstance(duration, int) or not 1 <= duration <= 32767:
            errors["duration_periods"] = "The duration is a whole number of periods (1 or more)."
        elif price_type is not None and price_type != PT.RECURRING:
            errors["duration_periods"] = "Only alterations of recurring prices last a number of periods."
    if errors:
        raise DomainValidationError(errors)
    return out


def _alterations_validate(items, price_type) -> list[dict]:
    cleaned, errors = [], {}
    for i, item in enumerate(items):
        try:
            cleaned.append(validate_alteration(dict(item), price_type=price_type))
        except DomainValidationError as e:
            errors.update({f"alterations[{i}].{k}": v for k, v in e.field_errors.items()})
    if errors:
        raise DomainValidationError(errors)
    return cleaned


def _alterations_plain(items: list[dict]) -> list[dict]:
    return [{f: str(item[f]) if isinstance(item[f], Decimal) else item[f] for f in ALTERATION_FIELDS}
            for item in items]


def _alterations_state(price: ProductOfferingPrice) -> list[dict]:
    return _alterations_plain([{f: getattr(a, f) for f in ALTERATION_FIELDS} for a in price.alterations.order_by("pk")])


def _alterations_replace(price: ProductOfferingPrice, items: list[dict]) -> None:
    price.alterations.all().delete()
    for item in items:
        PriceAlteration.objects.create(price=price, **item)


def _price_state(price: ProductOfferingPrice) -> dict:
    return {**snapshot(price), "alterations": _alterations_state(price)}


@transaction.atomic
def price_create(*, actor: Actor, offering: ProductOffering, alterations=(), **data) -> ProductOfferingPrice:
    """A price of an offering (not of a retired one)."""
    offering = ProductOffering.objects.select_for_update().get(pk=offering.pk)
    if offering.lifecycle_status == Status.RETIRED:
        raise DomainValidationError({"offering": f"Offering '{offering.code}' is retired; it takes no new prices."})
    data.setdefault("recurring_period", "month" if data.get("price_type") == PT.RECURRING else "")
    data = validate_price(data)
    items = _alterations_validate(alterations, data["price_type"])
    price = ProductOfferingPrice.objects.create(offering=offering, **data)
    _alterations_replace(price, items)
    history_record(obj=price, action="orders.product_offering_price.created", actor=actor, root=offering,
                   changes={k: [None, v] for k, v in _price_state(price).items() if v not in (None, "", [], {})})
    publish(ev.PRODUCT_OFFERING_PRICE_CREATE, price)
    return price


@transaction.atomic
def price_update(*, price: ProductOfferingPrice, actor: Actor, alterations=None, reason: str = "",
                 **data) -> ProductOfferingPrice:
    """Change a price or replace its alterations. Prices of retired offerings are read-only (409)."""
    _unknown(data, PRICE_FIELDS)
    price = ProductOfferingPrice.objects.select_for_update().select_related("offering").get(pk=price.pk)
    if price.offering.lifecycle_status == Status.RETIRED:
        raise ApplicationError(f"Offering '{price.offering.code}' is retired; its prices are read-only.",
                               extra={"state": price.offering.lifecycle_status})
    if data.get("price_type") == PT.RECURRING and not data.get("recurring_period") and not price.recurring_period:
        data["recurring_period"] = "month"  # as on create
    merged = validate_price({**{f: getattr(price, f) for f in PRICE_FIELDS}, **data})
    items = _alterations_validate(alterations, merged["price_type"]) if alterations is not None else None
    if items is None and merged["price_type"] != PT.RECURRING and price.alterations.filter(
            duration_periods__isnull=False).exists():
        raise DomainValidationError({"price_type": "This price has alterations that last a number of periods; "
                                                   "only recurring prices can have them."})
    extra = None
    before_alterations = _alterations_state(price)
    if items is not None and _alterations_plain(items) != before_alterations:
        _alterations_replace(price, items)
        extra = {"alterations": [before_alterations, _alterations_state(price)]}
    _catalog_update(price, fields=PRICE_FIELDS, data=merged, extra=extra,
                    action="orders.product_offering_price.updated", actor=actor, root=price.offering,
                    reason=reason, state_event=ev.PRODUCT_OFFERING_PRICE_STATE_CHANGE,
                    change_event=ev.PRODUCT_OFFERING_PRICE_ATTRIBUTE_VALUE_CHANGE)
    return price


@transaction.atomic
def price_delete(*, price: ProductOfferingPrice, actor: Actor, reason: str = "") -> str:
    """A price of a draft offering is deleted; a price of an offering that has been sold (active
    or retired) is retired instead, so existing products keep their price."""
    price = ProductOfferingPrice.objects.select_for_update().select_related("offering").get(pk=price.pk)
    if price.offering.lifecycle_status != Status.DRAFT:
        if price.lifecycle_status != Status.RETIRED:
            lifecycle_change(price, status=Status.RETIRED, actor=actor, root=price.offering,
                             reason=reason or "Retired on delete", action="orders.product_offering_price.retired")
            publish(ev.PRODUCT_OFFERING_PRICE_STATE_CHANGE, price)
        return "retired"
    offering = price.offering
    history_record(obj=price, action="orders.product_offering_price.deleted", actor=actor, root=offering,
                   reason=reason, changes={k: [v, None] for k, v in _price_state(price).items()
                                           if v not in (None, "", [], {})})
    publish(ev.PRODUCT_OFFERING_PRICE_DELETE, price)
    price.delete()
    return "deleted"
