"""The feasibility engine (eTOM 1.1.1.5.1): pure domain logic, no request, no queries.

``evaluate(context, rules, coverage, capacity)`` checks every order item against the configured rules
(eligibility, prerequisite, exclusion, transition, serviceability, compatibility) and the
offering itself (orderable, channel, segment, characteristics, install address), and returns
per item: feasible or not, machine-readable reasons, alternatives, and a trace of every rule
(in range or not, passed or not, why) for staff and for the rule tester.

The caller (orders.services.feasibility) loads everything in a fixed number of queries, so
evaluating 10 items against 200 rules costs the same queries as 1 item against 1 rule.

Rule parameters (``FeasibilityRule.params``) by type:

- eligibility:    {"customer_types": [...], "segments": [...], "statuses": [...],
                   "credit_classes": [...], "channels": [...], "min_account_age_days": N}
                  every listed condition must hold.
- prerequisite:   {"requires_any": [offering codes], "scope": "customer" | "account"}
                  an active product, or an item added in the same order, of one of them.
- exclusion:      {"excludes": [offering codes]} cannot coexist (products or same order);
                  {"area_codes": [...], "postcode_prefixes": [...]} not sold at these places.
- transition:     {"from": [codes], "to": [codes], "allowed": true, "min_tenure_days": N}
                  for modify items: once any rule names the current offering in "from", the
                  new offering must be in the "to" of an allowing rule.
- serviceability: {"technology": "fiber" (default: the offering's), "check_bandwidth": true,
                   "suggest_lower_bandwidth": true} the install address must be covered;
                  {"resources": ["port", "vlan"], "min_free": 1} and there must be free capacity
                  there: at least min_free free resources of each kind in the pools serving the
                  address (the capacity facts service activation gives, passed in: Capacity);
                  "check_coverage": false checks the capacity only. A capacity refusal's
                  reason code is "capacity".
- compatibility:  {"offerings": [codes], "max_quantity": N, "scope": "order" | "account" |
                   "customer", "mode": "max" | "not_together"} a template of offerings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

RULE_TYPES = ("eligibility", "prerequisite", "exclusion", "transition", "serviceability", "compatibility")
LIVE_PRODUCT = {"created", "active", "suspended"}

PARAM_KEYS = {
    "eligibility": {"customer_types": list, "segments": list, "statuses": list, "credit_classes": list,
                    "channels": list, "min_account_age_days": int},
    "prerequisite": {"requires_any": list, "scope": str},
    "exclusion": {"excludes": list, "area_codes": list, "postcode_prefixes": list},
    "transition": {"from": list, "to": list, "allowed": bool, "min_tenure_days": int},
    "serviceability": {"technology": str, "check_bandwidth": bool, "suggest_lower_bandwidth": bool,
                       "resources": list, "min_free": int, "check_coverage": bool},
    "compatibility": {"offerings": list, "max_quantity": int, "scope": str, "mode": str},
}
REQUIRED_PARAMS = {"prerequisite": ["requires_any"], "transition": ["from", "to"], "compatibility": ["offerings"]}


def validate_params(rule_type: str, params: dict) -> dict[str, str]:
    """Errors in a rule's parameters, {key: message}; used by admin forms and services."""
    if rule_type not in PARAM_KEYS:
        return {"rule_type": f"Unknown rule type '{rule_type}'."}
    if not isinstance(params, dict):
        return {"params": "Parameters must be a JSON object."}
    spec, errors = PARAM_KEYS[rule_type], {}
    for key, value in params.items():
        if key not in spec:
            errors[key] = f"Unknown parameter for a {rule_type} rule; use: {', '.join(spec)}."
        elif spec[key] is int and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            errors[key] = "Must be a whole number ≥ 0."
        elif spec[key] is not int and not isinstance(value, spec[key]):
            errors[key] = f"Must be a {spec[key].__name__}."
    for key in REQUIRED_PARAMS.get(rule_type, []):
        if not params.get(key):
            errors.setdefault(key, "Required for this rule type.")
    if rule_type == "exclusion" and not any(params.get(k) for k in ("excludes", "area_codes", "postcode_prefixes")):
        errors["excludes"] = "Give offerings to exclude, or area codes / postcode prefixes."
    if params.get("scope") and params["scope"] not in ("customer", "account", "order"):
        errors["scope"] = "One of customer, account, order."
    if params.get("mode") and params["mode"] not in ("max", "not_together"):
        errors["mode"] = "One of max, not_together."
    if rule_type == "serviceability" and isinstance(params.get("resources"), list):
        if not all(isinstance(k, str) and k.strip() for k in params["resources"]):
            errors["resources"] = "Resource kinds, e.g. [\"port\", \"vlan\"]."
    if rule_type == "serviceability" and params.get("min_free") == 0:
        errors["min_free"] = "At least 1."
    if rule_type == "serviceability" and params.get("check_coverage") is False and not params.get("resources"):
        errors["resources"] = "A rule that does not check coverage must check the capacity of some resources."
    return errors


def capacity_kinds(rules: list[Rule]) -> list[str]:
    """The resource kinds whose capacity the rules check (what the caller must gather before evaluate)."""
    return sorted({k for r in rules if r.rule_type == "serviceability" for k in r.params.get("resources") or ()})


# --- inputs --------------------------------------------------------------------------------

@dataclass(frozen=True)
class CharacteristicSpec:
    name: str
    value_type: str
    mandatory: bool
    allowed_values: tuple
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    default: str = ""  # a mandatory characteristic with a default is satisfied by it


@dataclass(frozen=True)
class Offering:
    id: int
    code: str
    name: str
    orderable: bool
    lifecycle_status: str
    sales_channels: tuple = ()
    customer_segments: tuple = ()
    technology: str = ""
    bandwidth_mbps: int | None = None
    requires_install_address: bool = False
    characteristics: tuple[CharacteristicSpec, ...] = ()


@dataclass(frozen=True)
class CustomerFacts:
    customer_id: int | None
    customer_type: str  # individual | organization
    segment: str
    status: str  # prospect for a new prospect
    credit_class: str
    since: datetime | None


@dataclass(frozen=True)
class Place:
    area_code: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class OwnedProduct:
    offering_code: str
    status: str
    billing_account_id: int | None
    start_date: datetime | None
    product_id: int | None = None


@dataclass
class Item:
    id: str
    action: str  # add | modify | delete | no_change
    offering: Offering | None
    offering_ref: str = ""
    characteristics: dict[str, Any] = field(default_factory=dict)
    quantity: int = 1
    product: OwnedProduct | None = None  # the product a modify/delete acts on


@dataclass(frozen=True)
class Rule:
    id: int
    name: str
    rule_type: str
    priority: int
    offering_codes: frozenset  # application range; empty = all
    segments: tuple
    channels: tuple
    customer_types: tuple
    valid_from: datetime | None
    valid_to: datetime | None
    params: dict
    staff_message: str
    customer_message: str
    alternatives: tuple[Offering, ...] = ()


@dataclass(frozen=True)
class Coverage:
    technology: str
    area_code: str
    postcode_prefix: str
    max_bandwidth_mbps: int | None


@dataclass(frozen=True)
class Capacity:
    """Free resources of one kind in the pools serving the context's place (service activation's answer)."""

    kind: str
    label: str  # "port", "VLAN", "number"
    free: int
    pools: tuple[tuple[str, int], ...] = ()  # (pool code, free) of each pool serving the place


@dataclass
class Context:
    customer: CustomerFacts
    channel: str
    place: Place | None
    items: list[Item]
    products: list[OwnedProduct]
    billing_account_id: int | None
    at: datetime
    catalog: dict[str, Offering] = field(default_factory=dict)  # every orderable offering, for alternatives


# --- outputs -------------------------------------------------------------------------------

GENERIC_CUSTOMER_MESSAGE = "This offer is not available for you at the moment."


@dataclass
class Reason:
    code: str
    staff_message: str
    customer_message: str
    rule_id: int | None = None
    rule_type: str = ""
    input_error: bool = False  # bad input (unknown offering, invalid value…), not a rule outcome

    def as_dict(self) -> dict:
        return {"code": self.code, "ruleId": self.rule_id, "ruleType": self.rule_type,
                "staffMessage": self.staff_message, "customerMessage": self.customer_message,
                "inputError": self.input_error}


@dataclass
class Trace:
    rule_id: int
    name: str
    rule_type: str
    in_range: bool
    passed: bool | None
    detail: str

    def as_dict(self) -> dict:
        return {"ruleId": self.rule_id, "name": self.name, "ruleType": self.rule_type, "inRange": self.in_range,
                "passed": self.passed, "detail": self.detail}


@dataclass
class ItemResult:
    item_id: str
    offering_code: str
    offering_name: str
    reasons: list[Reason] = field(default_factory=list)
    alternatives: list[Offering] = field(default_factory=list)
    trace: list[Trace] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.reasons

    @property
    def input_errors(self) -> list[Reason]:
        return [r for r in self.reasons if r.input_error]

    def as_dict(self) -> dict:
        return {"itemId": self.item_id, "offering": self.offering_code, "offeringName": self.offering_name,
                "feasible": self.feasible, "reasons": [r.as_dict() for r in self.reasons],
                "alternatives": [{"id": o.id, "code": o.code, "name": o.name} for o in self.alternatives],
                "trace": [t.as_dict() for t in self.trace]}


# --- evaluation ----------------------------------------------------------------------------

def _fail(result: ItemResult, code: str, staff: str, customer: str = "", rule: Rule | None = None,
          input_error: bool = False) -> None:
    result.reasons.append(Reason(code=code, staff_message=staff,
                                 customer_message=customer or (rule.customer_message if rule else "")
                                 or GENERIC_CUSTOMER_MESSAGE,
                                 rule_id=rule.id if rule else None, rule_type=rule.rule_type if rule else "",
                                 input_error=input_error))


def _check_value(spec: CharacteristicSpec, value) -> str | None:
    if spec.value_type == "boolean":
        if not isinstance(value, bool) and str(value).lower() not in ("true", "false"):
            return "must be true or false"
    elif spec.value_type in ("integer", "decimal"):
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return f"must be a {'whole ' if spec.value_type == 'integer' else ''}number"
        if spec.value_type == "integer" and number != number.to_integral_value():
            return "must be a whole number"
        if spec.min_value is not None and number < spec.min_value:
            return f"must be at least {spec.min_value.normalize():f}"
        if spec.max_value is not None and number > spec.max_value:
            return f"must be at most {spec.max_value.normalize():f}"
    if spec.allowed_values and str(value) not in {str(v) for v in spec.allowed_values}:
        return f"must be one of {', '.join(str(v) for v in spec.allowed_values)}"
    return None


def _check_offering(ctx: Context, item: Item, result: ItemResult) -> None:
    o = item.offering
    if o is None:
        _fail(result, "unknown_offering", f"No product offering '{item.offering_ref}' in the catalog.",
              "This offer does not exist.", input_error=True)
        return
    if item.action in ("add", "modify") and not o.orderable:
        _fail(result, "offering_not_orderable",
              f"{o.name} is {o.lifecycle_status} or outside its validity period and cannot be ordered.",
              "This offer can no longer be ordered.", input_error=True)
    if item.action in ("modify", "delete") and item.product is None:
        _fail(result, "product_required", f"A {item.action} item must name the customer's product it changes.",
              input_error=True)
    if item.action == "add":
        if o.sales_channels and ctx.channel not in o.sales_channels:
            _fail(result, "channel", f"{o.name} is not sold through the {ctx.channel} channel "
                                     f"(only {', '.join(o.sales_channels)}).", "This offer is not sold here.")
        if o.customer_segments and ctx.customer.segment not in o.customer_segments:
            _fail(result, "segment", f"{o.name} is for segments {', '.join(o.customer_segments)}, "
                                     f"not {ctx.customer.segment}.")
        if o.requires_install_address and ctx.place is None:
            _fail(result, "install_address_required", f"{o.name} needs an install address.",
                  "Please give the installation address.", input_error=True)
    known = {c.name: c for c in o.characteristics}
    for name, value in item.characteristics.items():
        if name not in known:
            _fail(result, "invalid_characteristic", f"{o.name} has no characteristic '{name}'.",
                  f"'{name}' is not an option of this offer.", input_error=True)
        else:
            problem = _check_value(known[name], value)
            if problem:
                _fail(result, "invalid_characteristic", f"{name} {problem} (got {value!r}).",
                      f"{name} {problem}.", input_error=True)
    if item.action == "add":
        for c in o.characteristics:
            if c.mandatory and not c.default and c.name not in item.characteristics:
                _fail(result, "missing_characteristic", f"{o.name} needs a value for '{c.name}'.",
                      f"Please choose {c.name}.", input_error=True)


def _out_of_range(rule: Rule, ctx: Context, item: Item) -> str:
    """Why the rule does not apply to this item ('' when it does)."""
    if rule.offering_codes and (item.offering is None or item.offering.code not in rule.offering_codes):
        return "offering not in the rule's range"
    if rule.segments and ctx.customer.segment not in rule.segments:
        return f"segment {ctx.customer.segment} not in range"
    if rule.channels and ctx.channel not in rule.channels:
        return f"channel {ctx.channel} not in range"
    if rule.customer_types and ctx.customer.customer_type not in rule.customer_types:
        return f"customer type {ctx.customer.customer_type} not in range"
    if rule.valid_from and ctx.at < rule.valid_from:
        return "rule not yet valid"
    if rule.valid_to and ctx.at >= rule.valid_to:
        return "rule expired"
    return ""


def _live_products(ctx: Context, scope: str = "customer") -> list[OwnedProduct]:
    removed = {i.product.product_id for i in ctx.items if i.action in ("delete", "modify") and i.product}
    products = [p for p in ctx.products if p.status in LIVE_PRODUCT and p.product_id not in removed]
    if scope == "account" and ctx.billing_account_id:
        products = [p for p in products if p.billing_account_id == ctx.billing_account_id]
    return products


def _order_adds(ctx: Context, exclude: Item | None = None) -> list[Item]:
    return [i for i in ctx.items if i is not exclude and i.offering and i.action in ("add", "modify")]


def _eligibility(rule, ctx, item):
    p, c, failed = rule.params, ctx.customer, []
    for key, actual in (("customer_types", c.customer_type), ("segments", c.segment), ("statuses", c.status),
                        ("credit_classes", c.credit_class), ("channels", ctx.channel)):
        if p.get(key) and actual not in p[key]:
            failed.append(f"{key.replace('_', ' ')[:-1]} {actual} not in {', '.join(p[key])}")
    if p.get("min_account_age_days"):
        age = (ctx.at - c.since).days if c.since else 0
        if age < p["min_account_age_days"]:
            failed.append(f"customer for {age} days, needs {p['min_account_age_days']}")
    return not failed, "; ".join(failed) or "customer qualifies"


def _prerequisite(rule, ctx, item):
    need = set(rule.params.get("requires_any", []))
    owned = need & {p.offering_code for p in _live_products(ctx, rule.params.get("scope", "customer"))}
    if owned:
        return True, f"has {', '.join(sorted(owned))}"
    in_order = [i for i in _order_adds(ctx, item) if i.offering.code in need]
    if in_order:
        return True, f"{IN_ORDER}{','.join(i.id for i in in_order)}"
    return False, f"needs one of {', '.join(sorted(need))} (owned or in this order)"


IN_ORDER = "satisfied in this order by item "


def _prerequisites_in_order_must_be_feasible(rules: list[Rule], results: list[ItemResult]) -> None:
    """An item whose prerequisite is met only by other items of the same order fails when all of
    those items fail (repeated until stable, so chains of prerequisites resolve too)."""
    by_id = {r.item_id: r for r in results}
    rule_by_id = {r.id: r for r in rules}
    changed = True
    while changed:
        changed = False
        for result in results:
            if not result.feasible:
                continue
            for t in result.trace:
                if t.rule_type == "prerequisite" and t.passed and t.detail.startswith(IN_ORDER):
                    providers = [by_id[i] for i in t.detail.removeprefix(IN_ORDER).split(",") if i in by_id]
                    if providers and not any(p.feasible for p in providers):
                        rule = rule_by_id[t.rule_id]
                        t.passed = False
                        t.detail = "its prerequisite in this order is not feasible"
                        _fail(result, "prerequisite", f"{rule.staff_message} ({t.detail})", rule=rule)
                        changed = True


def _exclusion(rule, ctx, item):
    p, problems = rule.params, []
    excluded = set(p.get("excludes", []))
    if excluded:
        clash = excluded & ({x.offering_code for x in _live_products(ctx)} |
                            {i.offering.code for i in _order_adds(ctx, item)})
        if clash:
            problems.append(f"cannot coexist with {', '.join(sorted(clash))}")
    if ctx.place and (p.get("area_codes") or p.get("postcode_prefixes")):
        if ctx.place.area_code and ctx.place.area_code in p.get("area_codes", []):
            problems.append(f"not sold in area {ctx.place.area_code}")
        pc = ctx.place.postcode.replace(" ", "").upper()
        if any(pc.startswith(x.replace(" ", "").upper()) for x in p.get("postcode_prefixes", [])):
            problems.append(f"not sold at postcode {ctx.place.postcode}")
    return not problems, "; ".join(problems) or "no conflict"


def _serviceability(rule, ctx, item, coverage):
    o = item.offering
    tech = rule.params.get("technology") or o.technology
    if ctx.place is None:
        return False, "no install address given", None
    pc = ctx.place.postcode.replace(" ", "").upper()
    areas = [c for c in coverage if c.technology == tech and (
        (c.area_code and c.area_code == ctx.place.area_code)
        or (c.postcode_prefix and pc.startswith(c.postcode_prefix.replace(" ", "").upper())))]
    if not areas:
        return False, f"{tech} is not available at {ctx.place.postcode or ctx.place.area_code}", 0
    best = max((a.max_bandwidth_mbps or 10**6) for a in areas)
    if rule.params.get("check_bandwidth", True) and o.bandwidth_mbps and o.bandwidth_mbps > best:
        return False, f"{tech} here offers at most {best} Mb/s; {o.name} needs {o.bandwidth_mbps}", best
    return True, f"{tech} available (up to {best} Mb/s)", best


def _where(place: Place) -> str:
    return f"area {place.area_code}" if place.area_code else f"postcode {place.postcode}"


def _many(n: int, label: str) -> str:
    return label if n == 1 else label + ("es" if label.endswith("s") else "s")


def _capacity(rule, ctx, capacity: dict[str, Capacity]):
    """Enough free resources of each kind the rule names in the pools serving the install address."""
    if ctx.place is None:
        return False, "no install address given"
    need, short, have = rule.params.get("min_free") or 1, [], []
    for kind in rule.params.get("resources") or ():
        fact = capacity.get(kind)
        if fact is None:
            short.append(f"capacity of {kind} unknown")
        elif not fact.pools:
            short.append(f"no {fact.label} pool serves {_where(ctx.place)}")
        elif fact.free < need:
            pools = ", ".join(f"{code}: {n} free" for code, n in fact.pools)
            short.append(f"{'no' if fact.free == 0 else f'only {fact.free}'} free {_many(max(fact.free, 1), fact.label)}"
                         f"{'' if need == 1 else f' (needs {need})'} in the pools serving {_where(ctx.place)} ({pools})")
        else:
            have.append(f"{fact.free} free {_many(fact.free, fact.label)}")
    if short:
        return False, "; ".join(short)
    return True, f"capacity at {_where(ctx.place)}: {', '.join(have)}"


def _compatibility(rule, ctx, item):
    p = rule.params
    group = set(p.get("offerings", []))
    if item.offering.code not in group:
        return True, "offering not in the template"
    scope = p.get("scope", "account")
    existing = [] if scope == "order" else [x.offering_code for x in _live_products(ctx, scope)
                                            if x.offering_code in group]
    in_order = [(i.offering.code, i.quantity) for i in _order_adds(ctx) if i.offering.code in group]
    if p.get("mode") == "not_together":
        present = set(existing) | {code for code, _ in in_order}
        if len(present) > 1:
            return False, f"{', '.join(sorted(present))} cannot be combined on one {scope}"
        return True, "no incompatible combination"
    total = len(existing) + sum(q for _, q in in_order)
    limit = p.get("max_quantity", 1)
    if total > limit:
        return False, f"{total} of {', '.join(sorted(group))} on one {scope}, at most {limit} allowed"
    return True, f"{total} of at most {limit}"


def _transition(rules, ctx, item, result):
    """Modify items: allowed paths from the current offering to the new one."""
    if item.action != "modify" or item.product is None or item.offering is None:
        return
    current, target = item.product.offering_code, item.offering.code
    relevant = [r for r in rules if r.rule_type == "transition" and current in r.params.get("from", [])]
    if not relevant:
        return
    allowing, refused = [], []
    for r in relevant:
        why = _out_of_range(r, ctx, item)
        if why:
            result.trace.append(Trace(r.id, r.name, r.rule_type, False, None, why))
            continue
        if target not in r.params.get("to", []):
            result.trace.append(Trace(r.id, r.name, r.rule_type, True, None, f"{target} not a target of this rule"))
            continue
        tenure = r.params.get("min_tenure_days")
        start = item.product.start_date
        if not r.params.get("allowed", True):
            refused.append(r)
            result.trace.append(Trace(r.id, r.name, r.rule_type, True, False, f"{current} → {target} forbidden"))
        elif tenure and (start is None or ctx.at - start < timedelta(days=tenure)):
            refused.append(r)
            result.trace.append(Trace(r.id, r.name, r.rule_type, True, False,
                                      f"needs {tenure} days on {current} first"))
        else:
            allowing.append(r)
            result.trace.append(Trace(r.id, r.name, r.rule_type, True, True, f"{current} → {target} allowed"))
    for r in refused:
        _fail(result, "transition", f"{r.staff_message} ({current} → {target})", rule=r)
        result.alternatives += [a for a in r.alternatives if a.orderable]
    if not allowing and not refused:
        _fail(result, "no_transition_path", f"No transition path from {current} to {target} is configured.",
              "This change of offer is not possible.")


def evaluate(ctx: Context, rules: list[Rule], coverage: list[Coverage],
             capacity: dict[str, Capacity] | None = None) -> list[ItemResult]:
    """``capacity``: by resource kind, the free capacity at ``ctx.place`` for the kinds ``capacity_kinds(rules)``
    names (the caller asks service activation; none needed when no rule checks capacity)."""
    capacity = capacity or {}
    rules = sorted(rules, key=lambda r: (r.priority, r.id))
    results = []
    for item in ctx.items:
        o = item.offering
        result = ItemResult(item_id=item.id, offering_code=o.code if o else item.offering_ref,
                            offering_name=o.name if o else item.offering_ref)
        _check_offering(ctx, item, result)
        if o is not None and item.action in ("add", "modify"):
            for rule in rules:
                if rule.rule_type == "transition":
                    continue
                why = _out_of_range(rule, ctx, item)
                if why:
                    result.trace.append(Trace(rule.id, rule.name, rule.rule_type, False, None, why))
                    continue
                best, code = None, rule.rule_type
                if rule.rule_type == "serviceability":
                    passed, detail = True, ""
                    if rule.params.get("check_coverage", True):
                        passed, detail, best = _serviceability(rule, ctx, item, coverage)
                    if passed and rule.params.get("resources"):
                        passed, capacity_detail = _capacity(rule, ctx, capacity)
                        detail = "; ".join(d for d in (detail, capacity_detail) if d)
                        if not passed:  # a lower bandwidth on the same network needs the same ports
                            code, best = "capacity", None
                else:
                    passed, detail = {"eligibility": _eligibility, "prerequisite": _prerequisite,
                                      "exclusion": _exclusion, "compatibility": _compatibility}[rule.rule_type](
                        rule, ctx, item)
                result.trace.append(Trace(rule.id, rule.name, rule.rule_type, True, passed, detail))
                if not passed:
                    _fail(result, code, f"{rule.staff_message} ({detail})", rule=rule)
                    result.alternatives += [a for a in rule.alternatives if a.orderable and a.code != o.code]
                    if best and rule.params.get("suggest_lower_bandwidth", True):
                        result.alternatives += sorted(
                            (x for x in ctx.catalog.values() if x.orderable and x.technology == o.technology
                             and x.bandwidth_mbps and x.bandwidth_mbps <= best and x.code != o.code),
                            key=lambda x: -x.bandwidth_mbps)[:1]
            _transition(rules, ctx, item, result)
        seen, unique = set(), []
        for a in result.alternatives:
            if a.code not in seen:
                seen.add(a.code)
                unique.append(a)
        result.alternatives = unique
        results.append(result)
    _prerequisites_in_order_must_be_feasible(rules, results)
    return results
