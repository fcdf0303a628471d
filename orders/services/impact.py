"""Impact analysis of a customer order (seed 000 1.1.1.5.1.1 "Perform Impact Analysis"), read-only.

Before an order is committed, staff (and integrators) see what it would do to the customer's solution:

- the **affected products** (the product each modify / delete item acts on) and the **services** that
  realize them (service inventory), the items of the order that depend on each item, and the customer's
  **dependent products**: live products whose prerequisite (a configured ``prerequisite`` feasibility rule,
  ``{"requires_any": [...]}``) would no longer be met once the order removes or changes what they need;
- the **charges that follow**: recurring charges that stop (what the product is charged now: the prices
  agreed on the order that created or last changed it, else the catalog's prices in force), recurring charges
  that start (the prices agreed on this order, or for items not yet submitted the catalog's prices in force
  as the order would agree them), one-time fees, and the net change per recurring period; Decimal, rounded
  once to the cent;
- **penalties**: only from data we hold. A minimum (contract) term is read from the product's TMF637
  ``productTerm`` or its offering's TMF620 ``productOfferingTerm`` (kept as sent in ``tmf_extra``:
  ``[{"name", "duration": {"amount", "units"}, "validFor": {"startDateTime", "endDateTime"}}]``). Terminating
  a product inside its term shows the term, when it ends, and the recurring charges left until then
  ("remaining minimum-term charges"). Without a term the penalty is "none": nothing is invented.

Two entry points, the same answer: ``order_impact(order)`` for a stored order and
``items_impact(customer=..., items=[OrderItemInput, ...])`` for items not yet submitted (the portal's
confirm step, the API preview). Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from bss.money import q
from customers import selectors as customer_selectors
from orders.models import CustomerOrder, FeasibilityRule, OrderItem, OrderItemPrice, ProductOffering

from .ordering import OrderItemInput, _agreed_prices

ZERO = Decimal("0")
LIVE_PRODUCT = ("created", "pendingActive", "active", "suspended")
NOT_COMMITTED = (CustomerOrder.State.PENDING, CustomerOrder.State.ACKNOWLEDGED, CustomerOrder.State.HELD,
                 CustomerOrder.State.AWAITING_PREREQUISITE)
PERIOD_DAYS = {"day": 1, "week": 7, "month": None, "year": None}  # months and years counted on the calendar


@dataclass(frozen=True)
class Charge:
    """One charge that starts, stops or is taken once: per the item's quantity, before and including tax."""

    name: str
    price_type: str  # recurring | one_time
    period: str  # the recurring period (month, year...), "" for one-time
    quantity: int
    duty_free: Decimal
    tax_included: Decimal
    currency: str
    source: str  # "agreed on this order", "agreed on order CO…", "catalog price in force"


@dataclass(frozen=True)
class Term:
    """A minimum (contract) term from the product or its offering."""

    name: str
    source: str  # "product" | "offering"
    ends: dt.datetime | None
    duration: str  # "24 months" as given
    in_force: bool  # the term has not ended yet


@dataclass(frozen=True)
class Penalty:
    """What ending a product inside its minimum term costs, from the charges left until the term ends."""

    term: Term
    remaining_periods: dict  # {"month": 7}
    amount: Decimal  # tax included
    currency: str
    basis: str


@dataclass(frozen=True)
class AffectedService:
    name: str
    state: str
    specification: str


@dataclass
class ItemImpact:
    item_id: str
    action: str
    offering: str  # the offering the item orders (for delete: the product's)
    offering_code: str
    product: dict | None  # {"id", "name", "serial", "status", "offering"} for modify / delete
    change: str  # a sentence: what happens to the product
    charges_stop: list[Charge] = field(default_factory=list)
    charges_start: list[Charge] = field(default_factory=list)
    one_time: list[Charge] = field(default_factory=list)
    services: list[AffectedService] = field(default_factory=list)
    depends_on: list[str] = field(default_factory=list)
    dependent_items: list[str] = field(default_factory=list)  # items of the order that depend on this one
    term: Term | None = None
    penalty: Penalty | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DependentProduct:
    """A live product of the customer that would lose a prerequisite once the order completes."""

    product_id: int
    name: str
    serial: str
    offering_code: str
    needs: list[str]  # the offering codes it needs one of
    because: str  # the rule's staff message
    items: list[str]  # the order's items that remove what it needs


@dataclass
class OrderImpact:
    currency: str
    items: list[ItemImpact] = field(default_factory=list)
    dependent_products: list[DependentProduct] = field(default_factory=list)
    recurring: list[dict] = field(default_factory=list)  # [{"period", "stops", "starts", "net", "currency"}]
    one_time_total: Decimal = ZERO
    penalties_total: Decimal = ZERO
    penalties: str = "none"  # "none" or a sentence
    order_number: str = ""
    state: str = ""
    committed: bool = False  # the order is past commitment: the analysis is for the record

    @property
    def affected_products(self) -> list[dict]:
        return [i.product for i in self.items if i.product]

    @property
    def has_changes(self) -> bool:
        return any(i.action in ("modify", "delete") for i in self.items)

    def as_dict(self) -> dict:
        """JSON-ready: Decimals and dates as strings."""

        def plain(value):
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, dt.datetime):
                return value.isoformat().replace("+00:00", "Z")
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [plain(v) for v in value]
            return value

        data = asdict(self)
        data["affected_products"] = self.affected_products
        return plain(data)


# --- what a product is charged now --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Price:
    name: str
    price_type: str
    recurring_period: str
    duty_free_amount: Decimal
    tax_included_amount: Decimal
    currency: str


def _price(p: OrderItemPrice) -> _Price:
    return _Price(p.name, p.price_type, p.recurring_period or ("month" if p.price_type == "recurring" else ""),
                  Decimal(p.duty_free_amount), Decimal(p.tax_included_amount), p.currency)


def _catalog_prices(offering: ProductOffering | None, action: str = "add") -> list[_Price]:
    """The catalog's prices in force, as an order placed now would agree them (the same rule: first alteration,
    tax rate): built on an unsaved item, nothing stored."""
    if offering is None:
        return []
    return [_price(p) for p in _agreed_prices(OrderItem(offering=offering, action=action))]


def _current_charges(product, offerings: dict[str, ProductOffering]) -> tuple[list[_Price], int, str]:
    """What the product is charged now: (prices per unit, quantity, source). The prices agreed on the completed
    order item that created or last changed it (not a suspend/resume), else the catalog's prices in force."""
    item = (OrderItem.objects.filter(product_id=product.pk, action__in=["add", "modify"],
                                     state=OrderItem.State.COMPLETED, order__lifecycle_action="")
            .select_related("order").prefetch_related("prices").order_by("-order__completion_date", "-pk").first())
    if item is not None and item.prices.all():
        return [_price(p) for p in item.prices.all()], item.quantity, f"agreed on order {item.order.order_number}"
    quantity = product.characteristics.get("quantity", 1) if isinstance(product.characteristics, dict) else 1
    quantity = quantity if isinstance(quantity, int) and quantity > 0 else 1
    return _catalog_prices(offerings.get(product.offering_code)), quantity, "catalog price in force"


def _charges(prices: Iterable[_Price], quantity: int, source: str, *, kind: str) -> list[Charge]:
    return [Charge(name=p.name, price_type=p.price_type, period=p.recurring_period if kind == "recurring" else "",
                   quantity=quantity, duty_free=q(p.duty_free_amount * quantity),
                   tax_included=q(p.tax_included_amount * quantity), currency=p.currency, source=source)
            for p in prices if p.price_type == kind]


# --- minimum terms and penalties ------------------------------------------------------------------------------

def _add_duration(start: dt.datetime, amount: int, units: str) -> dt.datetime | None:
    units = units.lower().rstrip("s")
    if units in ("day", "week"):
        return start + dt.timedelta(days=amount * (7 if units == "week" else 1))
    if units in ("month", "year"):
        months = amount * (12 if units == "year" else 1)
        year, month = divmod(start.month - 1 + months, 12)
        year, month = start.year + year, month + 1
        days = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31,
                30, 31, 30, 31][month - 1]
        return start.replace(year=year, month=month, day=min(start.day, days))
    return None


def _term(product, offering: ProductOffering | None, *, at: dt.datetime) -> Term | None:
    """The first term with an end we can tell, from the product (TMF637 productTerm), else its offering
    (TMF620 productOfferingTerm). Terms are data as sent; anything we cannot read is no term."""
    sources = []
    if product is not None and isinstance(product.tmf_extra, dict):
        sources.append(("product", product.tmf_extra.get("productTerm")))
    if offering is not None and isinstance(offering.tmf_extra, dict):
        sources.append(("offering", offering.tmf_extra.get("productOfferingTerm")))
    for source, terms in sources:
        for t in terms if isinstance(terms, list) else []:
            if not isinstance(t, dict):
                continue
            valid_for = t.get("validFor") if isinstance(t.get("validFor"), dict) else {}
            duration = t.get("duration") if isinstance(t.get("duration"), dict) else {}
            end = parse_datetime(str(valid_for["endDateTime"])) if valid_for.get("endDateTime") else None
            amount, units = duration.get("amount"), str(duration.get("units") or "")
            text = f"{amount} {units}".strip() if amount is not None else ""
            if end is None and isinstance(amount, int | float) and amount > 0 and product is not None:
                started = product.start_date or product.created_at
                if valid_for.get("startDateTime"):
                    started = parse_datetime(str(valid_for["startDateTime"])) or started
                end = _add_duration(started, int(amount), units) if started else None
            if end is None and not text:
                continue
            if end is not None and timezone.is_naive(end):
                end = timezone.make_aware(end, dt.UTC)
            return Term(name=str(t.get("name") or "Minimum term"), source=source, ends=end, duration=text,
                        in_force=end is not None and end > at)
    return None


def _periods_left(at: dt.datetime, end: dt.datetime, period: str) -> int:
    """Whole or started recurring periods from ``at`` to ``end``."""
    if end <= at:
        return 0
    days = PERIOD_DAYS.get(period)
    if days is not None:
        return math.ceil((end - at).total_seconds() / (days * 86400))
    months = (end.year - at.year) * 12 + end.month - at.month
    if (end.day, end.time()) > (at.day, at.time()):
        months += 1
    return math.ceil(months / 12) if period == "year" else max(months, 0)


def _penalty(term: Term | None, stopping: list[Charge], *, at: dt.datetime) -> Penalty | None:
    if term is None or not term.in_force or term.ends is None:
        return None
    periods: dict[str, int] = {}
    amount, currency = ZERO, ""
    if not stopping:
        return None  # inside its term, but nothing recurring to count: the term is shown, no amount invented
    for c in stopping:
        n = periods.setdefault(c.period or "month", _periods_left(at, term.ends, c.period or "month"))
        amount += c.tax_included * n
        currency = currency or c.currency
    return Penalty(term=term, remaining_periods=periods, amount=q(amount), currency=currency,
                   basis="the recurring charges left until the minimum term ends")


# --- the analysis -----------------------------------------------------------------------------------------

@dataclass
class _Line:
    item_id: str
    action: str
    quantity: int
    offering: ProductOffering | None
    product: object | None
    prices: list[_Price] | None  # agreed on the order (stored), None: from the catalog
    depends_on: list[str]


def _offerings_by_code(codes: Iterable[str]) -> dict[str, ProductOffering]:
    codes = {c for c in codes if c}
    return {o.code: o for o in ProductOffering.objects.filter(code__in=codes).prefetch_related("prices__alterations")}


def _product_dict(product, offerings) -> dict:
    o = offerings.get(product.offering_code)
    return {"id": product.pk, "name": product.name, "serial": product.product_serial, "status": product.status,
            "offering": o.name if o else product.offering_name or product.offering_code,
            "offering_code": product.offering_code}


def _services(product_ids: list[int]) -> dict[int, list[AffectedService]]:
    from service_activation import selectors as sa_selectors

    out = {}
    for pid in product_ids:
        out[pid] = [AffectedService(name=s.name, state=s.get_state_display(),
                                    specification=s.specification.name if s.specification else "")
                    for s in sa_selectors.services_for_product(product_id=pid)]
    return out


def _prerequisite_rules() -> list[tuple[FeasibilityRule, set[str], set[str], str]]:
    """Active prerequisite rules: (rule, the offerings it applies to (empty: all), what they need, scope)."""
    out = []
    for r in FeasibilityRule.objects.filter(rule_type=FeasibilityRule.RuleType.PREREQUISITE,
                                            is_active=True).prefetch_related("offerings"):
        needs = set((r.params or {}).get("requires_any") or [])
        if needs:
            out.append((r, {o.code for o in r.offerings.all()}, needs, (r.params or {}).get("scope", "customer")))
    return out


def _dependent_products(customer, lines: list[_Line], products: list) -> list[DependentProduct]:
    """Live products the order leaves without a prerequisite: what they need is deleted (or changed to another
    offering) by the order and nothing else the customer keeps or adds gives it."""
    removed: dict[int, tuple[str, str]] = {}  # product id -> (offering code it loses, item id)
    for line in lines:
        if line.product is None:
            continue
        if line.action == "delete" or (line.action == "modify" and line.offering is not None
                                       and line.offering.code != line.product.offering_code):
            removed[line.product.pk] = (line.product.offering_code, line.item_id)
    if not removed:
        return []
    rules = _prerequisite_rules()
    if not rules:
        return []
    changed_to = {line.product.pk: line.offering.code for line in lines
                  if line.product is not None and line.action == "modify" and line.offering is not None}
    added = {line.offering.code for line in lines if line.action == "add" and line.offering is not None}
    account_of = {line.product.pk: line.product.billing_account_id for line in lines if line.product is not None}
    out = []
    for p in products:
        if p.pk in removed or p.status not in LIVE_PRODUCT:
            continue
        for rule, applies_to, needs, scope in rules:
            if applies_to and p.offering_code not in applies_to:
                continue
            losing = [(code, item) for pid, (code, item) in removed.items() if code in needs
                      and (scope != "account" or account_of.get(pid) == p.billing_account_id)]
            if not losing:
                continue
            kept = {changed_to.get(x.pk, x.offering_code) for x in products
                    if x.status in LIVE_PRODUCT and x.pk not in removed and x.pk != p.pk
                    and (scope != "account" or x.billing_account_id == p.billing_account_id)}
            kept |= {changed_to[pid] for pid in removed if pid in changed_to}
            if (kept | added) & needs:
                continue
            out.append(DependentProduct(product_id=p.pk, name=p.name, serial=p.product_serial,
                                        offering_code=p.offering_code, needs=sorted(needs),
                                        because=rule.staff_message or rule.name,
                                        items=sorted({item for _code, item in losing})))
            break
    return out


def _change_words(line: _Line, product_offering: str) -> str:
    name = line.offering.name if line.offering else ""
    if line.action == "add":
        return f"New: {name or 'an offering we do not hold'}" + (f" × {line.quantity}" if line.quantity > 1 else "")
    if line.action == "delete":
        return f"Terminated: {line.product.name if line.product else 'a product we do not hold'}"
    if line.action == "modify":
        if line.product is None:
            return "Changes a product we do not hold"
        if line.offering is not None and line.offering.code != line.product.offering_code:
            return f"{line.product.name}: {product_offering} → {name}"
        return f"{line.product.name}: options changed"
    return "No change"


def _analyse(*, customer, lines: list[_Line], currency: str, lifecycle: bool, at: dt.datetime) -> OrderImpact:
    impact = OrderImpact(currency=currency)
    products = list(customer_selectors.customer_products_for_feasibility(customer_id=customer.pk)
                    .only("id", "offering_code", "status", "billing_account_id", "name", "product_serial")) \
        if customer else []
    touched = [line.product for line in lines if line.product is not None]
    offerings = _offerings_by_code([p.offering_code for p in touched])
    services = _services([p.pk for p in touched])
    dependents: dict[str, list[str]] = {}
    for line in lines:
        for d in line.depends_on:
            dependents.setdefault(d, []).append(line.item_id)
    recurring: dict[tuple[str, str], dict] = {}
    one_time = ZERO
    penalties: list[Penalty] = []

    for line in lines:
        product_offering = offerings.get(line.product.offering_code) if line.product is not None else None
        ii = ItemImpact(
            item_id=line.item_id, action=line.action,
            offering=(line.offering.name if line.offering else (product_offering.name if product_offering else "")),
            offering_code=line.offering.code if line.offering else (line.product.offering_code if line.product
                                                                     else ""),
            product=_product_dict(line.product, offerings) if line.product is not None else None,
            change=_change_words(line, product_offering.name if product_offering else
                                 (line.product.offering_name if line.product is not None else "")),
            depends_on=list(line.depends_on), dependent_items=sorted(dependents.get(line.item_id, [])))
        source = "agreed on this order" if line.prices is not None else "catalog price in force"
        new_prices = line.prices if line.prices is not None else _catalog_prices(line.offering, line.action)
        if line.product is not None:
            ii.services = services.get(line.product.pk, [])
        if lifecycle:
            ii.notes.append("A suspension or resumption does not change the product's offering or prices.")
        elif line.action == "add":
            ii.charges_start = _charges(new_prices, line.quantity, source, kind="recurring")
            ii.one_time = _charges(new_prices, line.quantity, source, kind="one_time")
            ii.term = _term(None, line.offering, at=at)
            if ii.term is not None:
                ii.notes.append(f"Starts a minimum term: {ii.term.duration or ii.term.name}.")
        elif line.action in ("modify", "delete") and line.product is not None:
            now_prices, now_qty, now_source = _current_charges(line.product, offerings)
            ii.charges_stop = _charges(now_prices, now_qty, now_source, kind="recurring")
            ii.term = _term(line.product, product_offering, at=at)
            if line.action == "modify":
                ii.charges_start = _charges(new_prices, line.quantity, source, kind="recurring")
                ii.one_time = _charges(new_prices, line.quantity, source, kind="one_time")
                if ii.term is not None and ii.term.in_force:
                    ii.notes.append(f"Changed inside its minimum term (until {ii.term.ends:%d %b %Y}): the catalog "
                                    "holds no change penalty, none is shown.")
            else:
                ii.penalty = _penalty(ii.term, ii.charges_stop, at=at)
                if ii.penalty is not None:
                    penalties.append(ii.penalty)
        elif line.action in ("modify", "delete"):
            ii.notes.append("The product it names is not one we hold: its charges cannot be told.")
        for c in ii.charges_stop:
            r = recurring.setdefault((c.period, c.currency), {"stops": ZERO, "starts": ZERO})
            r["stops"] += c.tax_included
        for c in ii.charges_start:
            r = recurring.setdefault((c.period, c.currency), {"stops": ZERO, "starts": ZERO})
            r["starts"] += c.tax_included
        one_time += sum((c.tax_included for c in ii.one_time), ZERO)
        impact.items.append(ii)

    impact.recurring = [{"period": period, "currency": cur, "stops": q(v["stops"]), "starts": q(v["starts"]),
                         "net": q(v["starts"] - v["stops"])} for (period, cur), v in sorted(recurring.items())]
    impact.one_time_total = q(one_time)
    impact.penalties_total = q(sum((p.amount for p in penalties), ZERO))
    if penalties:
        impact.penalties = (f"Early termination inside a minimum term: {impact.penalties_total} "
                            f"{penalties[0].currency or currency} of recurring charges left until the term ends.")
    elif any(i.action == "delete" and i.term is not None for i in impact.items):
        impact.penalties = "none: the minimum term has ended"
    else:
        impact.penalties = "none: no contract or minimum term on the products or their offerings"
    impact.dependent_products = _dependent_products(customer, lines, products)
    return impact


def order_impact(order: CustomerOrder, *, at: dt.datetime | None = None) -> OrderImpact:
    """The impact of a stored order: its open items with the prices agreed on it."""
    at = at or timezone.now()
    items = list(order.items.exclude(state__in=[OrderItem.State.CANCELLED, OrderItem.State.REJECTED])
                 .select_related("offering", "product").prefetch_related("prices", "depends_on").order_by("pk"))
    lines = [_Line(item_id=i.item_id, action=i.action, quantity=i.quantity, offering=i.offering, product=i.product,
                   prices=[_price(p) for p in i.prices.all()], depends_on=[d.item_id for d in i.depends_on.all()])
             for i in items]
    impact = _analyse(customer=order.customer, lines=lines, currency=order.currency,
                      lifecycle=bool(order.lifecycle_action), at=at)
    impact.order_number, impact.state = order.order_number, order.state
    impact.committed = order.state not in NOT_COMMITTED
    return impact


def items_impact(*, customer, items: list[OrderItemInput], user=None, lifecycle: bool = False,
                 at: dt.datetime | None = None) -> OrderImpact:
    """The impact of items not yet submitted (the portal's confirm step, the API preview): offerings by id or
    code, products by id among the customer's (as ``user`` may see them); prices as an order placed now would
    agree them. References that resolve to nothing are shown as such (the order itself would be rejected)."""
    from bss.tmf.ids import local_id

    at = at or timezone.now()
    system = user is None
    product_ids = [local_id(i.product) for i in items if i.product]
    products = {p.pk: p for p in customer_selectors.products_by_ids(user=user, ids=[p for p in product_ids if p],
                                                                     system=system)
                if customer is not None and p.customer_id == customer.pk}
    refs = [str(i.offering) for i in items if i.offering]
    by_ref = {o.code: o for o in ProductOffering.objects.filter(code__in=refs).prefetch_related("prices__alterations")}
    ids = [local_id(r) for r in refs if local_id(r) is not None]
    by_ref |= {str(o.pk): o for o in ProductOffering.objects.filter(pk__in=ids).prefetch_related("prices__alterations")}
    lines = []
    for i in items:
        product = products.get(local_id(i.product)) if i.product else None
        offering = by_ref.get(str(i.offering)) if i.offering else None
        if offering is None and product is not None:
            offering = _offerings_by_code([product.offering_code]).get(product.offering_code)
        lines.append(_Line(item_id=str(i.item_id), action=i.action, quantity=i.quantity if isinstance(i.quantity, int)
                           else 1, offering=offering, product=product, prices=None,
                           depends_on=[str(d) for d in i.depends_on]))
    currency = next((a.currency for a in customer.billing_accounts.all() if a.status == "active"), "EUR") \
        if customer is not None else "EUR"
    return _analyse(customer=customer, lines=lines, currency=currency, lifecycle=lifecycle, at=at)


def items_feasibility(*, customer, impact: OrderImpact, products) -> list[dict]:
    """The feasibility engine over previewed items (transition, prerequisite, exclusion rules...), as the order's
    assessment will run it, read-only: the items that would not be feasible, with the reasons in staff words.
    ``products``: the customer's products the items may name (the first one's install address is the place)."""
    from orders.services import feasibility as feasibility_svc

    by_pk = {p.pk: p for p in products}
    items = [feasibility_svc.ItemInput(id=i.item_id, offering=i.offering_code, action=i.action,
                                       product_id=i.product["id"] if i.product else None) for i in impact.items]
    place = next((by_pk[i.product["id"]].place for i in impact.items
                  if i.product and by_pk.get(i.product["id"]) and by_pk[i.product["id"]].place_id), None)
    account = customer.billing_accounts.filter(status="active").order_by("pk").first()
    results = feasibility_svc.feasibility_evaluate(customer=customer, items=items, channel="portal",
                                                   address=place, billing_account=account)
    return [{"item": r.item_id, "reasons": [x.staff_message for x in r.reasons]} for r in results if not r.feasible]
