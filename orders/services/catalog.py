"""Product catalog use cases (TMF620): categories, catalogs, product specifications with their
characteristics and their link to service specifications, offerings (bundles, lifecycle) and
prices (with alterations).

Every write in every front door (admin, TMF620, demo data) goes through these functions; each
is one use case: one call, one transaction, one history row and one event. They take explicit
keyword arguments (``UNSET``: not given, left as it is); an update that also moves the
lifecycle (``lifecycle_status``) records both in the same history row and publishes one event,
a StateChange. Rules fail with DomainValidationError (400, nothing stored); a lifecycle move
the lifecycle does not allow, or a write to something read-only, with ApplicationError (409).
The ``validate_*`` functions are pure and are also used by the admin forms, so the same rules
show as form errors.

References: a related row may be given as the row (admin, demo) or as the TMF reference the
client sent (``{"id": ..., "href": ..., "@referredType": ...}``), resolved here with
bss.tmf.references. One that names something we hold is linked; one that names nothing of ours
is never an error (ARCHITECTURE.md, validation policy): it is kept as sent in ``tmf_extra`` under
its TMF620 attribute (KEPT_REFERENCES), and the representation returns it in the same place.
A resolved reference still obeys the rules (e.g. a retired category cannot be added).

``tmf_extra`` holds the TMF attributes kept as sent: ``tmf_extra`` replaces it (admin),
``kept_attributes`` is merged into it as a JSON merge patch (TMF620: the spec attributes sent
that we do not model; None removes one).

Money: a price's amount is a bss.money.Money (``price.money``): amounts are parsed (never from
a float), checked and rounded through Money, with the catalog's 4 decimal places (rated prices
keep sub-cent precision; invoices round once); a fixed alteration is in its price's currency.

Deleting: nothing that may have been sold is hard-deleted. An active offering is retired, a
retired one stays as it is; only a draft offering that nothing refers to is removed. The same
holds for specifications, categories and prices: referenced -> retired, otherwise deleted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Model, ProtectedError, QuerySet, RestrictedError
from django.utils.text import slugify

from bss.actors import Actor
from bss.audit.services import UNSET, given, history_record, snapshot
from bss.errors import ApplicationError, DomainValidationError
from bss.events import EventType, one_event, publish
from bss.fsm import fsm_transition
from bss.lifecycle import lifecycle_change, lifecycle_update
from bss.money import CURRENCIES, Money
from bss.tmf.references import resolve_reference, resolve_references
from customers import selectors as customer_selectors
from service_activation.models import ServiceSpecification

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
DEFAULT_CURRENCY = "EUR"
INTEGER_FORM = re.compile(r"-?(0|[1-9][0-9]*)", re.ASCII)
MAX_AMOUNT = Decimal("1e10")  # 14 digits, 4 after the point
PRICE_PLACES = 4  # catalog prices keep sub-cent precision (NUMERIC(14, 4)); invoices round once
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

# Where a reference that names nothing of ours is kept (tmf_extra key: the TMF620 attribute).
KEPT_REFERENCES = {
    (ProductOffering, "specification"): "productSpecification",  # one reference
    (ProductOffering, "categories"): "category",  # a list of references
    (ProductOffering, "bundled_offerings"): "bundledProductOffering",
    (ProductOffering, "prices"): "productOfferingPrice",
    (ProductSpecification, "service_specifications"): "serviceSpecification",
    (Category, "parent"): "parentId",  # the id as sent
    (Category, "offerings"): "productOffering",
    (Catalog, "categories"): "category",
    (ProductOfferingPrice, "offering"): "productOffering",
}
# The attributes a kept BundledProductOffering keeps besides those of a reference.
BUNDLED_OFFERING_ATTRIBUTES = ("lifecycleStatus",)


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


def _given(value) -> bool:
    return value is not UNSET


def _stripped(value):
    return (value or "").strip() if _given(value) else value


def _catalog_update(obj, *, fields: tuple[str, ...], data: dict, status=UNSET, m2m: dict | None = None,
                    extra: dict | None = None, action: str, actor: Actor, root=None, reason: str = "",
                    state_event: EventType, change_event: EventType,
                    status_actions: dict[str, str] | None = None) -> dict:
    """The shape every catalog update shares: the lifecycle through its FSM transition (checked
    first: a move the lifecycle does not allow is a 409 before anything changes), the attributes
    and many-to-many sets through the one update helper, all in ONE history row, then ONE event:
    a StateChange when the lifecycle moved, else an AttributeValueChange if anything changed.
    ``data``/``m2m`` values that are UNSET (or None for a many-to-many set) are not given;
    ``status_actions``: the history action for a lifecycle move to that status (else ``action``)."""
    m2m = {k: v for k, v in (m2m or {}).items() if v is not None and v is not UNSET}
    changes = lifecycle_update(obj, fields=(*fields, *m2m), data={**data, **m2m}, status=status, actor=actor,
                               action=action, root=root, reason=reason, validate=False, extra=extra,
                               status_actions=status_actions)
    if changes:
        publish(state_event if "lifecycle_status" in changes else change_event, obj)
    return changes


def _deleted(obj, *, action: str, actor: Actor, event: EventType, reason: str = "", root=None) -> None:
    """Record and announce a hard delete (rendered before the row goes), then delete."""
    history_record(obj=obj, action=action, actor=actor, reason=reason, root=root,
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


# --- references: rows of ours, or TMF references resolved here --------------------------------

def _resolve_one(item, queryset: QuerySet, *, by=("pk",)) -> tuple[Model | None, dict | None]:
    """(the row, None) for a row or a reference to one of ours; (None, the reference as sent) for a
    reference that names nothing of ours; (None, None) for None."""
    if item is None or isinstance(item, Model):
        return item, None
    row, kept = resolve_reference(item, queryset, by=by)
    return (row, None) if row is not None else (None, kept)


def _resolve_many(items: Iterable, queryset: QuerySet, *, by=("pk",),
                  extra_attributes=()) -> tuple[list[Model], list[dict]]:
    """(the rows: those given and those the references name, the references kept as sent)."""
    items = list(items)
    rows = [i for i in items if isinstance(i, Model)]
    found, kept = resolve_references([i for i in items if not isinstance(i, Model)], queryset, by=by,
                                     extra_attributes=extra_attributes)
    return rows + found, kept


def kept_references(obj, relation: str) -> list[dict]:
    """The references of ``obj``'s ``relation`` that name nothing of ours, as they were sent."""
    value = (obj.tmf_extra or {}).get(KEPT_REFERENCES[type(obj), relation]) if obj is not None else None
    return list(value) if isinstance(value, list) else []


def _tmf_extra_after(model, current: dict | None, *, tmf_extra=UNSET, kept_attributes=UNSET,
                     kept: dict | None = None) -> dict:
    """tmf_extra after a write: ``current`` replaced by ``tmf_extra`` if given, ``kept_attributes``
    merged in (a merge patch: None removes one), then each relation written now keeps the
    references that stayed unresolved (``kept``: {relation: what is kept, None / [] for nothing})."""
    out = dict(current or {}) if tmf_extra is UNSET or tmf_extra is None else dict(tmf_extra)
    if kept_attributes is not UNSET and kept_attributes is not None:
        out.update(kept_attributes)
    for relation, refs in (kept or {}).items():
        out[KEPT_REFERENCES[model, relation]] = refs or None
    return {k: v for k, v in out.items() if v is not None}


def _segments() -> list[str]:
    return [value for value, _ in customer_selectors.customer_segments()]


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


def _service_specifications(items) -> tuple[list[ServiceSpecification], list[dict]]:
    return _resolve_many(items, ServiceSpecification.objects, by=("pk", "code"))


@transaction.atomic
def specification_create(*, actor: Actor, name: str, code: str | None = None, description: str = UNSET,
                         brand: str = UNSET, version: str = UNSET, lifecycle_status: str = UNSET,
                         characteristics: Iterable[dict] = (), service_specifications: Iterable = (),
                         tmf_extra: dict = UNSET, kept_attributes: dict = UNSET) -> ProductSpecification:
    """A new product specification. ``service_specifications``: rows or references (one that names
    no service specification of ours is kept as sent)."""
    data = given(name=(name or "").strip(), description=description, brand=brand, version=version,
                 lifecycle_status=lifecycle_status)
    linked, kept = _service_specifications(service_specifications or ())
    validate_specification(specification=None, data=data, service_specifications=linked)
    errors: dict[str, str] = {}
    if code:
        _code_check(errors, ProductSpecification, code)
    if errors:
        raise DomainValidationError(errors)
    chars = _characteristics_validate(list(characteristics or ()))
    data["tmf_extra"] = _tmf_extra_after(ProductSpecification, None, tmf_extra=tmf_extra,
                                         kept_attributes=kept_attributes, kept={"service_specifications": kept})
    spec = ProductSpecification.objects.create(code=code or _unique_code(ProductSpecification, name), **data)
    _characteristics_sync(spec, chars)
    spec.service_specifications.set(linked)
    history_record(obj=spec, action="orders.product_specification.created", actor=actor,
                   changes={**{k: [None, v] for k, v in snapshot(spec).items() if v not in (None, "", [], {})},
                            "characteristics": [None, _characteristics_state(spec)],
                            "service_specifications": [None, _ids(linked)]})
    publish(ev.PRODUCT_SPECIFICATION_CREATE, spec)
    return spec


@transaction.atomic
def specification_update(*, specification: ProductSpecification, actor: Actor, name: str = UNSET,
                         description: str = UNSET, brand: str = UNSET, version: str = UNSET,
                         lifecycle_status: str = UNSET, characteristics: Iterable[dict] | None = UNSET,
                         service_specifications: Iterable | None = UNSET, tmf_extra: dict = UNSET,
                         kept_attributes: dict = UNSET, reason: str = "") -> ProductSpecification:
    """Change attributes, characteristics (synced by name), the service specifications and the
    lifecycle: one history row, one event (a StateChange when the lifecycle moved)."""
    spec = ProductSpecification.objects.select_for_update().get(pk=specification.pk)
    data = given(name=_stripped(name), description=description, brand=brand, version=version)
    linked, kept = None, {}
    if service_specifications not in (UNSET, None):
        linked, kept["service_specifications"] = _service_specifications(service_specifications)
    validate_specification(specification=spec, data={**data, **given(lifecycle_status=lifecycle_status)},
                           service_specifications=linked)
    chars = _characteristics_validate(list(characteristics)) if characteristics not in (UNSET, None) else None
    extra = None
    if chars is not None:
        before_chars = _characteristics_state(spec)
        _characteristics_sync(spec, chars)
        extra = {"characteristics": [before_chars, _characteristics_state(spec)]}
    if kept or _given(tmf_extra) or _given(kept_attributes):
        data["tmf_extra"] = _tmf_extra_after(ProductSpecification, spec.tmf_extra, tmf_extra=tmf_extra,
                                             kept_attributes=kept_attributes, kept=kept)
    _catalog_update(spec, fields=SPEC_FIELDS, data=data, status=lifecycle_status,
                    m2m={"service_specifications": linked}, extra=extra,
                    action="orders.product_specification.updated", actor=actor, reason=reason,
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

def validate_category(category: Category | None, data: dict, *, external_parent: bool = False) -> None:
    """``external_parent``: the category has a parent we do not hold (kept as a reference)."""
    errors: dict[str, str] = {}
    if "name" in data:
        if not (data["name"] or "").strip():
            errors["name"] = "A category needs a name."
        elif Category.objects.filter(name=data["name"].strip()).exclude(pk=getattr(category, "pk", None)).exists():
            errors["name"] = f"A category named '{data['name'].strip()}' already exists."
    if "lifecycle_status" in data:
        _status_check(errors, data["lifecycle_status"])
    parent = data.get("parent")
    if (parent is not None or external_parent) and data.get("is_root") is True:
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


def _category_parent(parent, data: dict, kept: dict) -> None:
    """Resolve a given parent (a row, a reference, or None) into ``data`` / ``kept``; a category
    with a parent (ours or not) is no root."""
    data["parent"], ref = _resolve_one(parent, Category.objects)
    kept["parent"] = ref.get("id") if ref else None
    if data["parent"] is not None or kept["parent"]:
        data["is_root"] = False


@transaction.atomic
def category_create(*, actor: Actor, name: str, description: str = UNSET, parent=UNSET, is_root: bool = UNSET,
                    lifecycle_status: str = UNSET, offerings: Iterable = UNSET, tmf_extra: dict = UNSET,
                    kept_attributes: dict = UNSET) -> Category:
    """``parent``: a category or a reference; ``offerings``: offerings or references (those that name
    nothing of ours are kept as sent)."""
    data = given(name=(name or "").strip(), description=description, is_root=is_root,
                 lifecycle_status=lifecycle_status)
    kept: dict = {}
    if parent is not UNSET:
        _category_parent(parent, data, kept)
    validate_category(None, {**data, **given(is_root=is_root)}, external_parent=bool(kept.get("parent")))
    members, kept["offerings"] = _resolve_many(offerings if offerings not in (UNSET, None) else (),
                                               ProductOffering.objects, by=("pk", "code"))
    errors: dict[str, str] = {}
    _offerings_check(errors, members)
    if errors:
        raise DomainValidationError(errors)
    data["tmf_extra"] = _tmf_extra_after(Category, None, tmf_extra=tmf_extra, kept_attributes=kept_attributes,
                                         kept=kept)
    category = Category.objects.create(**data)
    category.offerings.set(members)
    history_record(obj=category, action="orders.category.created", actor=actor,
                   changes={**{k: [None, v] for k, v in snapshot(category).items() if v not in (None, "", [], {})},
                            "offerings": [None, _ids(members)]})
    publish(ev.CATEGORY_CREATE, category)
    return category


@transaction.atomic
def category_update(*, category: Category, actor: Actor, name: str = UNSET, description: str = UNSET,
                    parent=UNSET, is_root: bool = UNSET, lifecycle_status: str = UNSET,
                    offerings: Iterable | None = UNSET, tmf_extra: dict = UNSET, kept_attributes: dict = UNSET,
                    reason: str = "") -> Category:
    category = Category.objects.select_for_update().get(pk=category.pk)
    data = given(name=_stripped(name), description=description, is_root=is_root)
    kept: dict = {}
    if parent is not UNSET:
        _category_parent(parent, data, kept)
        if data["parent"] is None and not kept["parent"] and not _given(is_root):
            data["is_root"] = True  # out of its tree: a root again
    validate_category(category, {**data, **given(is_root=is_root, lifecycle_status=lifecycle_status)},
                      external_parent=bool(kept.get("parent")))
    extra = None
    if offerings not in (UNSET, None):
        members, kept["offerings"] = _resolve_many(offerings, ProductOffering.objects, by=("pk", "code"))
        errors: dict[str, str] = {}
        current = set(category.offerings.values_list("pk", flat=True))
        _offerings_check(errors, [o for o in members if o.pk not in current])
        if errors:
            raise DomainValidationError(errors)
        # the reverse side of ProductOffering.categories
        before_ids = sorted(category.offerings.values_list("pk", flat=True))
        category.offerings.set(members)
        extra = {"offerings": [before_ids, _ids(members)]}
    if kept or _given(tmf_extra) or _given(kept_attributes):
        data["tmf_extra"] = _tmf_extra_after(Category, category.tmf_extra, tmf_extra=tmf_extra,
                                             kept_attributes=kept_attributes, kept=kept)
    _catalog_update(category, fields=CATEGORY_FIELDS, data=data, status=lifecycle_status, extra=extra,
                    action="orders.category.updated", actor=actor, reason=reason,
                    state_event=ev.CATEGORY_STATE_CHANGE, change_event=ev.CATEGORY_ATTRIBUTE_VALUE_CHANGE)
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
def catalog_create(*, actor: Actor, name: str, description: str = UNSET, catalog_type: str = UNSET,
                   lifecycle_status: str = UNSET, valid_from=UNSET, valid_to=UNSET, categories: Iterable = (),
                   tmf_extra: dict = UNSET, kept_attributes: dict = UNSET) -> Catalog:
    """``categories``: categories or references (those that name nothing of ours are kept as sent)."""
    data = given(name=(name or "").strip(), description=description, catalog_type=catalog_type,
                 lifecycle_status=lifecycle_status, valid_from=valid_from, valid_to=valid_to)
    validate_catalog(None, data)
    linked, kept = _resolve_many(categories or (), Category.objects)
    data["tmf_extra"] = _tmf_extra_after(Catalog, None, tmf_extra=tmf_extra, kept_attributes=kept_attributes,
                                         kept={"categories": kept})
    catalog = Catalog.objects.create(**data)
    catalog.categories.set(linked)
    history_record(obj=catalog, action="orders.catalog.created", actor=actor,
                   changes={**{k: [None, v] for k, v in snapshot(catalog).items() if v not in (None, "", [], {})},
                            "categories": [None, _ids(linked)]})
    publish(ev.CATALOG_CREATE, catalog)
    return catalog


@transaction.atomic
def catalog_update(*, catalog: Catalog, actor: Actor, name: str = UNSET, description: str = UNSET,
                   catalog_type: str = UNSET, lifecycle_status: str = UNSET, valid_from=UNSET, valid_to=UNSET,
                   categories: Iterable | None = UNSET, tmf_extra: dict = UNSET, kept_attributes: dict = UNSET,
                   reason: str = "") -> Catalog:
    catalog = Catalog.objects.select_for_update().get(pk=catalog.pk)
    data = given(name=_stripped(name), description=description, catalog_type=catalog_type, valid_from=valid_from,
                 valid_to=valid_to)
    validate_catalog(catalog, {**data, **given(lifecycle_status=lifecycle_status)})
    linked, kept = None, {}
    if categories not in (UNSET, None):
        linked, kept["categories"] = _resolve_many(categories, Category.objects)
    if kept or _given(tmf_extra) or _given(kept_attributes):
        data["tmf_extra"] = _tmf_extra_after(Catalog, catalog.tmf_extra, tmf_extra=tmf_extra,
                                             kept_attributes=kept_attributes, kept=kept)
    _catalog_update(catalog, fields=CATALOG_FIELDS, data=data, status=lifecycle_status, m2m={"categories": linked},
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
                      bundled_offerings=None, external_members: int | None = None) -> None:
    """Business rules for an offering's attributes (``data``: model field values, only the
    changed ones on update) and its bundle members and categories. ``external_members``: how
    many bundle members are offerings we do not hold (kept as references); they count as
    members (None: those the offering keeps, when ``bundled_offerings`` is not given)."""
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
        segments, known = data["customer_segments"] or [], _segments()
        bad = [s for s in segments if s not in known] if isinstance(segments, list) else ["?"]
        if bad:
            errors["customer_segments"] = (f"Unknown customer segment(s) {', '.join(map(str, bad))}; "
                                           f"use {', '.join(known)}.")
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
    if external_members is None:
        external_members = len(kept_references(offering, "bundled_offerings")) \
            if bundled_offerings is None and offering is not None and offering.pk else 0
    own_pk = offering.pk if offering else None
    if (members or external_members) and not is_bundle:
        errors["bundled_offerings"] = "Only a bundle contains other offerings; mark it as a bundle."
    elif is_bundle and len({m.pk for m in members}) + external_members < 2:
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


def _offering_references(offering: ProductOffering | None, data: dict, *, specification, categories,
                         bundled_offerings, prices) -> tuple[list | None, list | None, dict]:
    """Resolve the references given (UNSET / None for a list: not given): the specification into
    ``data``; returns (categories, bundle members, {relation: what is kept as sent})."""
    kept: dict = {}
    if specification is not UNSET:
        data["specification"], kept["specification"] = _resolve_one(
            specification, ProductSpecification.objects, by=("pk", "code"))
    found_categories = members = None
    if categories not in (UNSET, None):
        found_categories, kept["categories"] = _resolve_many(categories, Category.objects)
    if bundled_offerings not in (UNSET, None):
        members, kept["bundled_offerings"] = _resolve_many(bundled_offerings, ProductOffering.objects,
                                                           by=("pk", "code"),
                                                           extra_attributes=BUNDLED_OFFERING_ATTRIBUTES)
    if prices not in (UNSET, None):
        # A price belongs to one offering (price_create names it); a reference to any price that is
        # not this offering's own is kept as sent, never relinked.
        own = offering.prices.all() if offering is not None else ProductOfferingPrice.objects.none()
        _, kept["prices"] = _resolve_many(prices, own)
    return found_categories, members, kept


def _launch_problems(offering: ProductOffering, *, specification=UNSET, members=None, external: int | None = None,
                     is_bundle=UNSET) -> list[str]:
    """Why the offering (with the changes given, if any) cannot be launched. Bundle members we do
    not hold (kept as references) count as members; their lifecycle is not ours to check."""
    spec = offering.specification if specification is UNSET else specification
    members = list(offering.bundled_offerings.all()) if members is None else list(members)
    external = len(kept_references(offering, "bundled_offerings")) if external is None else external
    is_bundle = offering.is_bundle if is_bundle is UNSET else is_bundle
    problems = []
    if spec is not None and spec.lifecycle_status == Status.RETIRED:
        problems.append(f"its product specification '{spec.code}' is retired")
    inactive = [m.code for m in members if m.lifecycle_status != Status.ACTIVE]
    if inactive:
        problems.append(f"bundled offering(s) not active: {', '.join(inactive)}")
    if is_bundle and len(members) + external < 2:
        problems.append("a bundle is made of at least two offerings")
    return problems


def _not_launchable(offering: ProductOffering, problems: list[str]) -> ApplicationError:
    return ApplicationError(f"Offering '{offering.code}' cannot be launched: {'; '.join(problems)}.",
                            code="not_launchable", extra={"state": offering.lifecycle_status})


def _retire_check(offering: ProductOffering) -> None:
    bundles = [b.code for b in offering.in_bundles.filter(lifecycle_status=Status.ACTIVE)]
    if bundles:
        raise ApplicationError(f"Offering '{offering.code}' is part of active bundle(s) {', '.join(bundles)}; "
                               "retire those first.", code="in_active_bundle",
                               extra={"state": offering.lifecycle_status})


@transaction.atomic
def offering_create(*, actor: Actor, name: str, code: str | None = None, description: str = UNSET,
                    version: str = UNSET, specification=UNSET, valid_from=UNSET, valid_to=UNSET,
                    is_bundle: bool = UNSET, is_sellable: bool = UNSET, sales_channels: list[str] = UNSET,
                    customer_segments: list[str] = UNSET, delivered_by_partner: bool = UNSET,
                    partner_name: str = UNSET, technology: str = UNSET, bandwidth_mbps: int | None = UNSET,
                    requires_install_address: bool = UNSET, requires_special_design: bool = UNSET,
                    categories: Iterable = (), bundled_offerings: Iterable = (), prices: Iterable = (),
                    tmf_extra: dict = UNSET, kept_attributes: dict = UNSET, launch: bool = False) -> ProductOffering:
    """A new offering starts as draft; ``launch=True`` makes it active in the same transaction.
    ``specification``, ``categories`` and ``bundled_offerings`` take rows or references (kept as sent
    when they name nothing of ours); ``prices``: references only (a new offering has no price yet,
    so they are kept as sent; prices are created with price_create)."""
    data = given(name=(name or "").strip(), description=description, version=version, valid_from=valid_from,
                 valid_to=valid_to, is_bundle=is_bundle, is_sellable=is_sellable, sales_channels=sales_channels,
                 customer_segments=customer_segments, delivered_by_partner=delivered_by_partner,
                 partner_name=partner_name, technology=technology, bandwidth_mbps=bandwidth_mbps,
                 requires_install_address=requires_install_address, requires_special_design=requires_special_design)
    found_categories, members, kept = _offering_references(None, data, specification=specification,
                                                           categories=categories, bundled_offerings=bundled_offerings,
                                                           prices=prices)
    found_categories, members = found_categories or [], members or []
    external = len(kept.get("bundled_offerings") or [])
    if (members or external) and "is_bundle" not in data:
        data["is_bundle"] = True
    errors: dict[str, str] = {}
    if code:
        _code_check(errors, ProductOffering, code)
    try:
        validate_offering(offering=None, data=data, categories=found_categories, bundled_offerings=members,
                          external_members=external)
    except DomainValidationError as e:
        errors.update({k: v[0] for k, v in e.field_errors.items()})
    if errors:
        raise DomainValidationError(errors)
    data["tmf_extra"] = _tmf_extra_after(ProductOffering, None, tmf_extra=tmf_extra, kept_attributes=kept_attributes,
                                         kept=kept)
    offering = ProductOffering.objects.create(code=code or _unique_code(ProductOffering, data["name"]), **data)
    offering.categories.set(found_categories)
    offering.bundled_offerings.set(members)
    history_record(obj=offering, action="orders.product_offering.created", actor=actor,
                   changes={k: [None, v] for k, v in _offering_state(offering).items() if v not in (None, "", [], {})})
    # one use case, one event: created and launched at once is one CreateEvent showing it active
    with one_event():
        if launch:
            offering = offering_launch(offering_id=offering.pk, actor=actor)
        publish(ev.PRODUCT_OFFERING_CREATE, offering)
    return offering


# The moves of an offering's lifecycle and the history action each records.
OFFERING_MOVES = {(Status.DRAFT, Status.ACTIVE): "orders.product_offering.launched",
                  (Status.ACTIVE, Status.RETIRED): "orders.product_offering.retired"}


@transaction.atomic
def offering_update(*, offering: ProductOffering, actor: Actor, name: str = UNSET, description: str = UNSET,
                    version: str = UNSET, specification=UNSET, valid_from=UNSET, valid_to=UNSET,
                    is_bundle: bool = UNSET, is_sellable: bool = UNSET, sales_channels: list[str] = UNSET,
                    customer_segments: list[str] = UNSET, delivered_by_partner: bool = UNSET,
                    partner_name: str = UNSET, technology: str = UNSET, bandwidth_mbps: int | None = UNSET,
                    requires_install_address: bool = UNSET, requires_special_design: bool = UNSET,
                    categories: Iterable | None = UNSET, bundled_offerings: Iterable | None = UNSET,
                    prices: Iterable | None = UNSET, lifecycle_status: str = UNSET, tmf_extra: dict = UNSET,
                    kept_attributes: dict = UNSET, reason: str = "") -> ProductOffering:
    """Change attributes, the specification, categories, bundle members and the lifecycle in one
    use case: one history row, one event (a StateChange when the lifecycle moved, else an
    AttributeValueChange). draft -> active is a launch and active -> retired a retirement, with
    the checks of offering_launch / offering_retire made on the offering as this call leaves it
    (409, nothing changed, when they fail); any other move is 409. Retired offerings are
    read-only (409). References as in offering_create; ``prices``: references to this
    offering's own prices (any other is kept as sent, never relinked)."""
    offering = ProductOffering.objects.select_for_update().get(pk=offering.pk)
    status = offering.lifecycle_status
    if lifecycle_status not in (UNSET, None) and lifecycle_status not in Status.values:
        raise DomainValidationError({"lifecycle_status": f"'{lifecycle_status}' is not one of "
                                                         f"{', '.join(Status.values)}."})
    moves = lifecycle_status not in (UNSET, None) and lifecycle_status != status
    data = given(name=_stripped(name), description=description, version=version, valid_from=valid_from,
                 valid_to=valid_to, is_bundle=is_bundle, is_sellable=is_sellable, sales_channels=sales_channels,
                 customer_segments=customer_segments, delivered_by_partner=delivered_by_partner,
                 partner_name=partner_name, technology=technology, bandwidth_mbps=bandwidth_mbps,
                 requires_install_address=requires_install_address, requires_special_design=requires_special_design)
    writes = bool(data) or specification is not UNSET or any(
        v not in (UNSET, None) for v in (categories, bundled_offerings, prices, tmf_extra, kept_attributes))
    if status == Status.RETIRED and (writes or moves):
        raise ApplicationError(f"Offering '{offering.code}' is retired; retired offerings are read-only.",
                               extra={"state": status})
    if moves and (status, lifecycle_status) not in OFFERING_MOVES:
        raise ApplicationError(f"A {status} offering cannot become {lifecycle_status}.", extra={"state": status})
    found_categories, members, kept = _offering_references(offering, data, specification=specification,
                                                           categories=categories, bundled_offerings=bundled_offerings,
                                                           prices=prices)
    external = len(kept["bundled_offerings"] or []) if "bundled_offerings" in kept else None
    if (members or external) and "is_bundle" not in data and not offering.is_bundle:
        data["is_bundle"] = True
    validate_offering(offering=offering, data=data, categories=found_categories, bundled_offerings=members,
                      external_members=external)
    if status == Status.ACTIVE and members is not None:
        inactive = [m.code for m in members if m.lifecycle_status != Status.ACTIVE]
        if inactive:
            raise DomainValidationError({"bundled_offerings": "An active bundle can only contain active offerings; "
                                                              f"not active: {', '.join(inactive)}."})
    if moves and lifecycle_status == Status.ACTIVE:
        problems = _launch_problems(offering, specification=data.get("specification", UNSET), members=members,
                                    external=external, is_bundle=data.get("is_bundle", UNSET))
        if problems:
            raise _not_launchable(offering, problems)
    if moves and lifecycle_status == Status.RETIRED:
        _retire_check(offering)
    if kept or tmf_extra is not UNSET or kept_attributes is not UNSET:
        data["tmf_extra"] = _tmf_extra_after(ProductOffering, offering.tmf_extra, tmf_extra=tmf_extra,
                                             kept_attributes=kept_attributes, kept=kept)
    _catalog_update(offering, fields=OFFERING_FIELDS, data=data, status=lifecycle_status if moves else UNSET,
                    m2m={"categories": found_categories, "bundled_offerings": members},
                    action="orders.product_offering.updated", actor=actor, reason=reason,
                    state_event=ev.PRODUCT_OFFERING_STATE_CHANGE,
                    change_event=ev.PRODUCT_OFFERING_ATTRIBUTE_VALUE_CHANGE,
                    status_actions={to: action for (_, to), action in OFFERING_MOVES.items()})
    return offering


@transaction.atomic
def offering_launch(*, offering_id: int, actor: Actor, reason: str = "") -> ProductOffering:
    """draft -> active (409 from any other state). A bundle launches once all its members are active."""
    offering = ProductOffering.objects.select_for_update().get(pk=offering_id)
    if offering.lifecycle_status == Status.DRAFT:
        problems = _launch_problems(offering)
        if problems:
            raise _not_launchable(offering, problems)
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
        _retire_check(offering)
    fsm_transition(offering, "retire", actor=actor, reason=reason, state_field="lifecycle_status",
                   action="orders.product_offering.retired")
    publish(ev.PRODUCT_OFFERING_STATE_CHANGE, offering)
    return offering


OFFERING_TRANSITIONS = {(Status.DRAFT, Status.ACTIVE): offering_launch, (Status.ACTIVE, Status.RETIRED): offering_retire}


@transaction.atomic
def offering_change_status(*, offering_id: int, status: str, actor: Actor, reason: str = "") -> ProductOffering:
    """Move an offering to ``status`` through its lifecycle (nothing else); same status is a no-op,
    anything the lifecycle does not allow is 409. An update that also moves the lifecycle is one
    offering_update call."""
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
    products = customer_selectors.product_count_for_offering(offering_code=offering.code)
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

def _number_check(errors: dict, field: str, value, *, positive: bool = False) -> Decimal | None:
    """A percentage: an exact Decimal (never a float), >= 0 (> 0 with ``positive``), 4 places at most."""
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


def price_money(errors: dict, field: str, value, currency: str, *, positive: bool = False) -> Money | None:
    """``value`` in ``currency`` as the Money a catalog price holds, or None with the reason in
    ``errors``: parsed by Money (a Decimal, an int or a numeric string, never a float), >= 0 (> 0
    with ``positive``), at most 10 digits before and 4 after the point, rounded (exactly) to the
    catalog's 4 places through Money. An unknown ``currency`` is the caller's to report."""
    try:
        money = Money(value, currency if currency in CURRENCY_CODES else DEFAULT_CURRENCY)
    except TypeError:
        errors[field] = "Give the amount as a decimal number."
        return None
    except ValueError:
        errors[field] = f"{value!r} is not a decimal number."
        return None
    if money.amount < 0 or (positive and not money):
        errors[field] = "The amount must be greater than zero." if positive else "The amount must not be negative."
    elif money.amount >= MAX_AMOUNT or money.amount.as_tuple().exponent < -PRICE_PLACES:
        errors[field] = "At most 10 digits before and 4 after the decimal point."
    else:
        return round(money, PRICE_PLACES)
    return None


def validate_price(data: dict) -> dict:
    """Check a complete set of price fields; returns them normalized. Recurring prices need a
    period, usage prices a unit of measure; the amount is a Money (price_money) >= 0."""
    _unknown(data, PRICE_FIELDS)
    out = dict(data)
    errors: dict[str, str] = {}
    if not (out.get("name") or "").strip():
        errors["name"] = "A price needs a name."
    out["name"] = (out.get("name") or "").strip()
    ptype = out.get("price_type")
    if ptype not in PT.values:
        errors["price_type"] = f"'{ptype}' is not one of {', '.join(PT.values)}."
    currency = out.get("currency", DEFAULT_CURRENCY)
    if currency not in CURRENCY_CODES:
        errors["currency"] = f"'{out.get('currency')}' is not one of {', '.join(sorted(CURRENCY_CODES))}."
    money = price_money(errors, "amount", out.get("amount"), currency)
    if money is not None:
        out["amount"] = money.amount
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


def validate_alteration(data: dict, *, price_type: str | None = None, currency: str | None = None) -> dict:
    """An alteration reduces the price by a percentage or a fixed amount, optionally for the first
    N periods (recurring prices only). A fixed amount is a Money in the price's ``currency``: a
    Money, or an amount with the ``currency`` it was given in, in another currency is refused."""
    _unknown(data, (*ALTERATION_FIELDS, "currency"))
    out = {"name": (data.get("name") or "").strip(), "percentage": None, "amount": None,
           "duration_periods": data.get("duration_periods")}
    errors: dict[str, str] = {}
    if not out["name"]:
        errors["name"] = "An alteration needs a name."
    pct, amt = data.get("percentage"), data.get("amount")
    if (pct is None) == (amt is None):
        errors["percentage"] = "Give either a percentage or an amount."
    elif pct is not None:
        value = _number_check(errors, "percentage", pct, positive=True)
        if value is not None and (value > 100 or value != value.quantize(TWO_PLACES)):
            errors["percentage"] = "A percentage is at most 100, with up to 2 decimals."
        out["percentage"] = value.quantize(TWO_PLACES) if value is not None else None
    else:
        sent = amt.currency if isinstance(amt, Money) else data.get("currency")
        of_price = currency or sent or DEFAULT_CURRENCY
        if sent is not None and sent != of_price:
            errors["amount"] = f"An alteration of a {of_price} price is in {of_price}, not {sent}."
        else:
            money = price_money(errors, "amount", amt.amount if isinstance(amt, Money) else amt, of_price,
                                positive=True)
            out["amount"] = money.amount if money is not None else None
    duration = out["duration_periods"]
    if duration is not None:
        if isinstance(duration, bool) or not isinstance(duration, int) or not 1 <= duration <= 32767:
            errors["duration_periods"] = "The duration is a whole number of periods (1 or more)."
        elif price_type is not None and price_type != PT.RECURRING:
            errors["duration_periods"] = "Only alterations of recurring prices last a number of periods."
    if errors:
        raise DomainValidationError(errors)
    return out


def _alterations_validate(items, price_type, currency) -> list[dict]:
    cleaned, errors = [], {}
    for i, item in enumerate(items):
        try:
            cleaned.append(validate_alteration(dict(item), price_type=price_type, currency=currency))
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


def _locked_price(price: ProductOfferingPrice) -> ProductOfferingPrice:
    # of=("self",): the offering is read along (it may be NULL: no lock through an outer join)
    return ProductOfferingPrice.objects.select_for_update(of=("self",)).select_related("offering").get(pk=price.pk)


@transaction.atomic
def price_create(*, actor: Actor, offering, name: str, price_type: str, amount, currency: str = UNSET,
                 recurring_period: str = UNSET, unit_of_measure: str = UNSET, tax_category: str = UNSET,
                 lifecycle_status: str = UNSET, valid_from=UNSET, valid_to=UNSET, alterations: Iterable[dict] = (),
                 tmf_extra: dict = UNSET, kept_attributes: dict = UNSET) -> ProductOfferingPrice:
    """A price of an offering (not of a retired one). ``offering``: the offering or a reference; a
    reference to an offering we do not hold is kept as sent and the price belongs to no offering
    of ours (it is never sold through our orders)."""
    row, ref = _resolve_one(offering, ProductOffering.objects, by=("pk", "code"))
    if row is not None:
        row = ProductOffering.objects.select_for_update().get(pk=row.pk)
        if row.lifecycle_status == Status.RETIRED:
            raise DomainValidationError({"offering": f"Offering '{row.code}' is retired; it takes no new prices."})
    data = given(name=name, price_type=price_type, amount=amount, currency=currency, recurring_period=recurring_period,
                 unit_of_measure=unit_of_measure, tax_category=tax_category, lifecycle_status=lifecycle_status,
                 valid_from=valid_from, valid_to=valid_to)
    data.setdefault("recurring_period", "month" if price_type == PT.RECURRING else "")
    data = validate_price(data)
    money = Money(data.pop("amount"), data.pop("currency", DEFAULT_CURRENCY))  # validated: exact, 4 places
    items = _alterations_validate(alterations or (), data["price_type"], money.currency)
    data["tmf_extra"] = _tmf_extra_after(ProductOfferingPrice, None, tmf_extra=tmf_extra,
                                         kept_attributes=kept_attributes, kept={"offering": ref})
    price = ProductOfferingPrice(offering=row, **data)
    price.money = money
    price.save()
    _alterations_replace(price, items)
    history_record(obj=price, action="orders.product_offering_price.created", actor=actor, root=row,
                   changes={k: [None, v] for k, v in _price_state(price).items() if v not in (None, "", [], {})})
    publish(ev.PRODUCT_OFFERING_PRICE_CREATE, price)
    return price


@transaction.atomic
def price_update(*, price: ProductOfferingPrice, actor: Actor, name: str = UNSET, price_type: str = UNSET,
                 amount=UNSET, currency: str = UNSET, recurring_period: str = UNSET, unit_of_measure: str = UNSET,
                 tax_category: str = UNSET, lifecycle_status: str = UNSET, valid_from=UNSET, valid_to=UNSET,
                 alterations: Iterable[dict] | None = UNSET, tmf_extra: dict = UNSET, kept_attributes: dict = UNSET,
                 reason: str = "") -> ProductOfferingPrice:
    """Change a price, replace its alterations and move its lifecycle: one history row, one event.
    Prices of retired offerings are read-only (409). A new currency takes the fixed-amount
    alterations again (they are amounts in the price's currency)."""
    price = _locked_price(price)
    offering = price.offering
    if offering is not None and offering.lifecycle_status == Status.RETIRED:
        raise ApplicationError(f"Offering '{offering.code}' is retired; its prices are read-only.",
                               extra={"state": offering.lifecycle_status})
    data = given(name=name, price_type=price_type, amount=amount, currency=currency, recurring_period=recurring_period,
                 unit_of_measure=unit_of_measure, tax_category=tax_category, valid_from=valid_from, valid_to=valid_to)
    if data.get("price_type") == PT.RECURRING and not data.get("recurring_period") and not price.recurring_period:
        data["recurring_period"] = "month"  # as on create
    current = {f: getattr(price, f) for f in PRICE_FIELDS if f not in ("lifecycle_status", "tmf_extra")}
    merged = validate_price({**current, **data, **given(lifecycle_status=lifecycle_status)})
    merged.pop("lifecycle_status", None)
    money = Money(merged.pop("amount"), merged.pop("currency"))  # validated: exact, 4 places
    items = _alterations_validate(alterations, merged["price_type"], money.currency) \
        if alterations not in (UNSET, None) else None
    if items is None and merged["price_type"] != PT.RECURRING and price.alterations.filter(
            duration_periods__isnull=False).exists():
        raise DomainValidationError({"price_type": "This price has alterations that last a number of periods; "
                                                   "only recurring prices can have them."})
    if items is None and money.currency != price.currency and price.alterations.filter(amount__isnull=False).exists():
        raise DomainValidationError({"currency": f"This price has fixed-amount alterations in {price.currency}; "
                                                 f"give them again, in {money.currency}, with the new currency."})
    extra = None
    before_alterations = _alterations_state(price)
    if items is not None and _alterations_plain(items) != before_alterations:
        _alterations_replace(price, items)
        extra = {"alterations": [before_alterations, _alterations_state(price)]}
    changes = {**merged, "amount": money.amount, "currency": money.currency}
    if tmf_extra is not UNSET or kept_attributes is not UNSET:
        changes["tmf_extra"] = _tmf_extra_after(ProductOfferingPrice, price.tmf_extra, tmf_extra=tmf_extra,
                                                kept_attributes=kept_attributes)
    _catalog_update(price, fields=PRICE_FIELDS, data=changes, status=lifecycle_status, extra=extra,
                    action="orders.product_offering_price.updated", actor=actor, root=offering,
                    reason=reason, state_event=ev.PRODUCT_OFFERING_PRICE_STATE_CHANGE,
                    change_event=ev.PRODUCT_OFFERING_PRICE_ATTRIBUTE_VALUE_CHANGE)
    return price


@transaction.atomic
def price_delete(*, price: ProductOfferingPrice, actor: Actor, reason: str = "") -> str:
    """A price of a draft offering (or of no offering of ours) is deleted; a price of an offering
    that has been sold (active or retired) is retired instead, so existing products keep their price."""
    price = _locked_price(price)
    offering = price.offering
    if offering is not None and offering.lifecycle_status != Status.DRAFT:
        if price.lifecycle_status != Status.RETIRED:
            lifecycle_change(price, status=Status.RETIRED, actor=actor, root=offering,
                             reason=reason or "Retired on delete", action="orders.product_offering_price.retired")
            publish(ev.PRODUCT_OFFERING_PRICE_STATE_CHANGE, price)
        return "retired"
    history_record(obj=price, action="orders.product_offering_price.deleted", actor=actor, root=offering,
                   reason=reason, changes={k: [v, None] for k, v in _price_state(price).items()
                                           if v not in (None, "", [], {})})
    publish(ev.PRODUCT_OFFERING_PRICE_DELETE, price)
    price.delete()
    return "deleted"
