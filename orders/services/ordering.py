"""Customer order use cases (eTOM 1.1.1.5.4 to 1.1.1.5.8): issue, validate, assess, commit and decompose,
complete, cancel, close. Every front door (TMF622, portal, self-service, admin, tasks) calls these.

The flow (docs/orders.md):

1. ``customer_order_create`` stores the order and its initiating request. Malformed input is a
   DomainValidationError (400, nothing stored). References that name nothing of ours are kept as sent; the
   order is then stored and ``rejected`` with the reasons (TMF validation policy). A preauthorized order
   (trusted channel, existing active customer) is validated at once; others stay ``pending``.
2. ``customer_order_process`` (a task, after commit) validates a pending order, then assesses an
   acknowledged one: feasibility (skipped when it follows a qualification that qualified it), special
   handling (held with a design task), credit authorization (a referral holds it until the review). A
   feasible, authorized order is committed and decomposed into service orders (service_activation).
3. ``customer_order_try_complete`` runs when a service order reports (event) or a task is done: when every
   service order is completed and every mandatory task done, the order completes and the customer's
   product inventory is updated in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bss import dispatch
from bss.actors import Actor, Channel
from bss.audit.services import history_record
from bss.errors import ApplicationError, DomainValidationError
from bss.events import one_event, publish
from bss.fsm import fsm_transition
from bss.money import q
from bss.numbering import next_number
from bss.tmf.ids import local_id
from customers import selectors as customer_selectors
from customers import services as customer_services
from customers.scoping import self_service_customer_id
from orders.events import (
    PRODUCT_ORDER_ATTRIBUTE_VALUE_CHANGE,
    PRODUCT_ORDER_CREATE,
    PRODUCT_ORDER_INFORMATION_REQUIRED,
    PRODUCT_ORDER_STATE_CHANGE,
)
from orders.models import (
    CreditCheck,
    CustomerOrder,
    OfferingQualification,
    OrderItem,
    OrderItemPrice,
    OrderNote,
    OrderTask,
    OrderType,
    OrderTypeStep,
    ProductOffering,
)
from orders.models.catalog import SalesChannel

from . import catalog as catalog_services
from . import feasibility as feasibility_services
from .order_config import order_tasks_schedule

S = CustomerOrder.State
ACTIONS = tuple(OrderItem.Action.values)
DEFAULT_TAX_RATES = {"standard": Decimal("23"), "reduced": Decimal("13.5"), "zero": Decimal("0"),
                     "exempt": Decimal("0")}


@dataclass
class OrderItemInput:
    """One productOrderItem as a front door hands it in. References are as received (ids or codes)."""

    item_id: str
    action: str = "add"
    offering: str | None = None          # id or code of a ProductOffering
    offering_ref: dict = field(default_factory=dict)  # the reference as sent
    quantity: int = 1
    characteristics: dict[str, Any] = field(default_factory=dict)
    place: str | None = None             # an Address id of the customer's
    product: str | None = None           # the Product it modifies or terminates
    depends_on: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


def _reason(code: str, message: str, path: str = "") -> dict:
    return {"code": code, "message": message, "path": path}


def _tax_rate(category: str) -> Decimal:
    rates = {**DEFAULT_TAX_RATES, **{k: Decimal(str(v)) for k, v in getattr(settings, "BSS_TAX_RATES", {}).items()}}
    return rates.get(category, rates["standard"])


def _preauthorized(channel: str, customer) -> bool:
    """The preauthorization policy (settings.BSS_ORDER_PREAUTHORIZED_CHANNELS): orders from a trusted channel
    for an existing customer in good standing skip ``pending``."""
    channels = getattr(settings, "BSS_ORDER_PREAUTHORIZED_CHANNELS", ("portal", "retail", "telesales"))
    return channel in channels and customer is not None and customer.status == "active"


def _order_type_for(code: str | None, items: list[OrderItemInput]) -> OrderType | None:
    if code:
        found = OrderType.objects.filter(code=code).first()
        if found is None:
            raise DomainValidationError({"order_type": f"Unknown order type '{code}'."})
        return found
    actions = {i.action for i in items}
    kind = (OrderType.Kind.TERMINATE if actions == {"delete"} else
            OrderType.Kind.CHANGE if actions & {"modify", "delete"} else OrderType.Kind.PROVIDE)
    return (OrderType.objects.filter(kind=kind, is_default=True).first()
            or OrderType.objects.filter(kind=OrderType.Kind.PROVIDE, is_default=True).first())


def _check_shape(items: list[OrderItemInput], priority, *, account_level: bool = False) -> None:
    errors: dict[str, list[str]] = {}
    if not items and not account_level:
        errors["items"] = ["An order needs at least one item."]
    ids = [str(i.item_id) for i in items]
    if len(set(ids)) != len(ids):
        errors["items"] = ["Item ids must be unique within the order."]
    for n, i in enumerate(items):
        if not str(i.item_id).strip():
            errors.setdefault(f"items[{n}].id", []).append("This field is required.")
        if i.action not in ACTIONS:
            errors.setdefault(f"items[{n}].action", []).append(
                f"Unknown action '{i.action}': one of {', '.join(ACTIONS)}.")
        if not isinstance(i.quantity, int) or isinstance(i.quantity, bool) or i.quantity < 1:
            errors.setdefault(f"items[{n}].quantity", []).append("A whole number of at least 1.")
        for d in i.depends_on:
            if str(d) not in ids or str(d) == str(i.item_id):
                errors.setdefault(f"items[{n}].depends_on", []).append(f"No other item '{d}' in this order.")
    if priority is not None and priority not in CustomerOrder.Priority.values:
        errors["priority"] = ["A priority from 0 (highest) to 4 (lowest)."]
    if errors:
        raise DomainValidationError(errors, message="The order is malformed")


def _offering(ref: str | None) -> ProductOffering | None:
    if ref in (None, ""):
        return None
    qs = ProductOffering.objects.select_related("specification")
    pk = local_id(ref)
    return (qs.filter(pk=pk).first() if pk is not None else None) or qs.filter(code=str(ref)).first()


def _agreed_prices(item: OrderItem) -> list[OrderItemPrice]:
    """The prices in force now, with their first alteration (discount) and the tax rate: agreed at order time."""
    if item.offering is None or item.action not in ("add", "modify"):
        return []
    now = timezone.now()
    rows = []
    for p in item.offering.prices.prefetch_related("alterations").all():
        if p.lifecycle_status == "retired" or (p.valid_from and p.valid_from > now) or (p.valid_to and p.valid_to <= now):
            continue
        list_amount = Decimal(p.amount)
        discount, name, periods = Decimal("0"), "", None
        alt = next(iter(p.alterations.all()), None)
        if alt is not None:
            discount = (list_amount * alt.percentage / 100) if alt.percentage is not None else Decimal(alt.amount or 0)
            discount, name, periods = min(discount, list_amount), alt.name, alt.duration_periods
        duty_free = list_amount - discount
        rate = _tax_rate(p.tax_category)
        rows.append(OrderItemPrice(
            item=item, catalog_price=p, name=p.name, price_type=p.price_type, recurring_period=p.recurring_period
            if p.price_type == "recurring" else "", unit_of_measure=p.unit_of_measure, list_amount=list_amount,
            discount_amount=discount, discount_name=name, discount_periods=periods, duty_free_amount=duty_free,
            tax_rate=rate, tax_included_amount=duty_free * (1 + rate / 100), currency=p.currency))
    return rows


def order_total(order: CustomerOrder, items: list[OrderItem] | None = None) -> dict[str, dict[str, Decimal]]:
    """TMF622 orderTotalPrice: per price type (and recurring period), duty-free and tax-included totals,
    rounded once to cents. Keys: 'recurring:month', 'one_time', 'usage'. ``items``: the order's items when the
    caller has them loaded (with their prices), else they are read."""
    totals: dict[str, dict[str, Decimal]] = {}
    for item in order.items.all() if items is None else items:
        if item.state in (OrderItem.State.CANCELLED, OrderItem.State.REJECTED):
            continue
        for p in item.prices.all():
            if p.price_type == "usage":
                continue
            key = f"recurring:{p.recurring_period or 'month'}" if p.price_type == "recurring" else p.price_type
            t = totals.setdefault(key, {"duty_free": Decimal("0"), "tax_included": Decimal("0"),
                                        "currency": p.currency})
            t["duty_free"] += p.duty_free_amount * item.quantity
            t["tax_included"] += p.tax_included_amount * item.quantity
    for t in totals.values():
        t["duty_free"], t["tax_included"] = q(t["duty_free"]), q(t["tax_included"])
    return totals


def _credit_exposure(order: CustomerOrder, order_items: list[OrderItem] | None = None) -> Decimal:
    """What credit authorization assesses (orders.services.credit.order_credit_amount: one-time plus the first
    period of recurring prices, one currency), over the prices agreed on the order, tax included."""
    from types import SimpleNamespace

    from .credit import order_credit_amount

    if order_items is None:
        order_items = list(order.items.prefetch_related("prices"))
    return order_credit_amount([
        (SimpleNamespace(price_type=p.price_type, amount=p.tax_included_amount, currency=p.currency), item.quantity)
        for item in order_items if item.state not in (OrderItem.State.CANCELLED, OrderItem.State.REJECTED)
        for p in item.prices.all()])


def _state_change(order: CustomerOrder, transition: str, *, actor: Actor, reason: str = "") -> CustomerOrder:
    fsm_transition(order, transition, actor=actor, reason=reason, state_field="state",
                   action=f"orders.customer_order.{transition}", root=order.customer or order)
    publish(PRODUCT_ORDER_STATE_CHANGE, order)
    return order


def _locked(order_id: int) -> CustomerOrder:
    try:
        return CustomerOrder.objects.select_for_update().get(pk=order_id)
    except CustomerOrder.DoesNotExist:
        raise DomainValidationError({"order": "Not found."}) from None


def _after_commit_process(order_id: int) -> None:
    from orders.tasks import process_order_task

    transaction.on_commit(lambda: _enqueue(process_order_task, order_id))


def _enqueue(task, *args) -> None:
    """After commit; a broker outage leaves the order where it is and the periodic sweep
    (orders_resume_stalled) picks it up, so nothing is lost, and the request is not held up (bss.dispatch)."""
    dispatch.send(task, *args)


# --- issue (1.1.1.5.6) -----------------------------------------------------------------------------------

@transaction.atomic
def customer_order_create(
    *, actor: Actor, items: list[OrderItemInput], customer_ref: str | None = None, account_ref: str | None = None,
    channel: str | None = None, order_type: str | None = None, external_id: str = "", priority: int | None = None,
    description: str = "", category: str = "", related_party: list | None = None,
    requested_start_date: dt.datetime | None = None, requested_completion_date: dt.datetime | None = None,
    qualification_ref: str | None = None, originating_reference: str = "", notes: list[str] | None = None,
    requires_special_handling: bool = False, request_body: dict | None = None, tmf_extra: dict | None = None,
    modifies_order: CustomerOrder | None = None, lifecycle_action: str = "", lifecycle_reason: str = "",
    account_changes: dict | None = None,
) -> tuple[CustomerOrder, bool]:
    """Issue a customer order; returns (order, created). A repeated ``external_id`` from the same client
    returns the original order (created False)."""
    _check_shape(items, priority, account_level=bool(account_changes))
    user = actor.user if actor.user_id else None
    if external_id and user is not None:
        existing = CustomerOrder.objects.filter(created_by=user, external_id=external_id).first()
        if existing is not None:
            return existing, False

    system = user is None and actor.channel == Channel.SYSTEM
    own = None if system else self_service_customer_id(user)
    problems: list[dict] = []
    customer = customer_selectors.customer_visible(user=user, customer_id=local_id(customer_ref), system=system)
    if customer is None and customer_ref and not str(customer_ref).isdigit():
        customer = customer_selectors.customer_by_number(user=user, customer_number=str(customer_ref), system=system)
    if own is not None:
        customer = customer_selectors.customer_visible(user=user, customer_id=own)
        channel = SalesChannel.SELF_SERVICE
    if channel is None:
        channel = actor.channel if actor.channel in CustomerOrder.Channel.values else CustomerOrder.Channel.API
    elif channel not in CustomerOrder.Channel.values:
        raise DomainValidationError({"channel": [f"Unknown channel '{channel}'."]})
    if customer is None:
        problems.append(_reason("unknown_customer", "The order names no customer we hold"
                                + (f" ('{customer_ref}')." if customer_ref else "."), "relatedParty"))
    account = customer_selectors.billing_account_visible(user=user, account_id=local_id(account_ref), system=system)
    if account_ref and account is None:
        problems.append(_reason("unknown_billing_account", f"No billing account '{account_ref}'.", "billingAccount"))
    if account is None and customer is not None:
        account = customer.billing_accounts.filter(status="active").order_by("pk").first()
    elif account is not None and customer is not None and account.customer_id != customer.pk:
        problems.append(_reason("account_of_another_customer", "The billing account belongs to another customer.",
                                "billingAccount"))
    qualification = None
    if qualification_ref:
        qualification = OfferingQualification.objects.filter(pk=local_id(qualification_ref)).first()
        if qualification is None or (customer is not None and qualification.customer_id not in (None, customer.pk)):
            problems.append(_reason("unknown_qualification", f"No qualification '{qualification_ref}' of this "
                                                             "customer.", "productOfferingQualification"))
            qualification = None

    order = CustomerOrder.objects.create(
        order_number=next_number("CO", width=8, gapless=False), order_type=_order_type_for(order_type, items), customer=customer,
        billing_account=account, channel=channel, priority=CustomerOrder.Priority.NORMAL if priority is None
        else priority, external_id=external_id or "", category=category or "", description=description or "",
        related_party=related_party or [], requested_start_date=requested_start_date,
        requested_completion_date=requested_completion_date, qualification=qualification,
        originating_reference=originating_reference or "", requires_special_handling=requires_special_handling,
        initiating_request=request_body or {}, tmf_extra=tmf_extra or {}, created_by=user,
        modifies_order=modifies_order, currency=account.currency if account is not None and
        getattr(account, "currency", "") else "EUR", lifecycle_action=lifecycle_action or "",
        lifecycle_reason=lifecycle_reason or "", account_changes=account_changes or {})

    by_id: dict[str, OrderItem] = {}
    for i in items:
        offering = _offering(i.offering)
        if offering is None and (i.action == "add" or (i.action == "modify" and i.offering)):
            problems.append(_reason("unknown_offering", f"Item {i.item_id}: "
                                    + (f"no product offering '{i.offering}'." if i.offering else
                                       "no productOffering given."), f"productOrderItem[{i.item_id}].productOffering"))
        place = customer_selectors.address_visible(user=user, address_id=local_id(i.place), system=system) \
            if i.place else None
        if i.place and (place is None or (customer is not None and place.customer_id not in (None, customer.pk))):
            problems.append(_reason("unknown_place", f"Item {i.item_id}: no address '{i.place}' of the customer.",
                                    f"productOrderItem[{i.item_id}].product.place"))
            place = None
        product = None
        if i.product:
            pid = local_id(i.product)
            product = next(iter(customer_selectors.products_by_ids(user=user, ids=[pid], system=system)), None) \
                if pid is not None else None
            if product is None or (customer is not None and product.customer_id != customer.pk):
                problems.append(_reason("unknown_product", f"Item {i.item_id}: no product '{i.product}' of the "
                                                           "customer.", f"productOrderItem[{i.item_id}].product"))
                product = None
        if i.action in ("modify", "delete") and product is None and not i.product:
            problems.append(_reason("product_required", f"Item {i.item_id}: a {i.action} item names the product "
                                                        "it changes.", f"productOrderItem[{i.item_id}].product"))
        if offering is None and product is not None:
            offering = _offering(product.offering_code)
        item = OrderItem.objects.create(
            order=order, item_id=str(i.item_id), action=i.action, offering=offering,
            offering_ref=i.offering_ref or ({"id": i.offering} if i.offering else {}), quantity=i.quantity,
            characteristics=i.characteristics or {}, place=place, product=product, item_extra=i.extra or {})
        by_id[item.item_id] = item
        _primed(item, "prices", OrderItemPrice.objects.bulk_create(_agreed_prices(item)))
    through = OrderItem.depends_on.through  # new items: their dependencies inserted as they are, in one INSERT
    links = []
    for i in items:
        deps = [by_id[str(d)] for d in i.depends_on or []]
        links += [through(from_orderitem=by_id[str(i.item_id)], to_orderitem=d) for d in deps]
        _primed(by_id[str(i.item_id)], "depends_on", deps)
    through.objects.bulk_create(links, ignore_conflicts=True)
    created_notes = [OrderNote.objects.create(order=order, text=text, author_user=user,
                                              author=actor.label or (user.get_username() if user else ""))
                     for text in notes or []]
    # what was just stored is what the event's TMF representation shows: held in memory as if prefetched, so
    # the order is not read back for it; the services below change these same instances. Let go before the
    # order is returned (a caller that keeps it reads its items afresh).
    _primed(order, "items", list(by_id.values()))
    _primed(order, "notes", created_notes)
    if order.order_type is not None:
        OrderTask.objects.bulk_create([
            OrderTask(order=order, step=s, sequence=s.sequence, team=s.team)
            for s in order.order_type.steps.all()])

    history_record(obj=order, action="orders.customer_order.created", actor=actor, root=customer or order,
                   changes={"state": [None, order.state], "channel": [None, channel],
                            "items": [None, len(items)]})
    with one_event():
        publish(PRODUCT_ORDER_CREATE, order)
    if problems:
        _reject(order, problems, actor=actor)
    elif _preauthorized(channel, customer):
        _validate(order, actor=actor, reason="preauthorized: trusted channel, existing customer in good standing",
                  order_items=list(by_id.values()))
        _after_commit_process(order.pk)
    else:
        _after_commit_process(order.pk)
    order._prefetched_objects_cache = {}
    for item in by_id.values():
        item._prefetched_objects_cache = {}
    return order, True


def _primed(obj, relation: str, rows: list) -> None:
    """Hold ``rows`` as obj's prefetched ``relation`` (what prefetch_related would have read)."""
    qs = getattr(obj, relation).all()
    qs._result_cache, qs._prefetch_done = list(rows), True
    obj.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = qs


def _reject(order: CustomerOrder, reasons: list[dict], *, actor: Actor) -> None:
    order.rejection_reasons = list(order.rejection_reasons) + reasons
    order.save(update_fields=["rejection_reasons", "updated_at"])
    for item in order.items.all():
        if item.state in (OrderItem.State.ACKNOWLEDGED, OrderItem.State.HELD):
            fsm_transition(item, "reject", actor=actor, record=False, state_field="state")
    _state_change(order, "reject", actor=actor, reason="; ".join(r["message"] for r in reasons)[:500])


def _validation_problems(order: CustomerOrder, order_items: list[OrderItem] | None = None) -> list[dict]:
    """Validation (1.1.1.5.6): the customer may order, each offering is orderable on the channel, each
    characteristic is valid for its specification. ``order_items``: the items when the caller holds them (with
    their offerings and specifications), else they are read."""
    problems = []
    customer = order.customer
    if customer is None:
        return [_reason("unknown_customer", "The order names no customer we hold.", "relatedParty")]
    if customer.status in ("closed", "suspended"):
        problems.append(_reason("customer_not_orderable", f"Customer {customer.customer_number} is {customer.status}.",
                                "relatedParty"))
    for item in order.items.select_related("offering__specification") if order_items is None else order_items:
        o = item.offering
        if item.action in ("add", "modify") and o is not None:
            if not o.is_orderable():
                problems.append(_reason("offering_not_orderable", f"Item {item.item_id}: {o.name} is not on sale.",
                                        f"productOrderItem[{item.item_id}].productOffering"))
            if o.sales_channels and order.channel not in o.sales_channels:
                problems.append(_reason("channel_not_allowed", f"Item {item.item_id}: {o.name} is not sold through "
                                        f"{order.get_channel_display()}.", f"productOrderItem[{item.item_id}]"))
            if o.specification is not None:
                chars = {c.name: c for c in o.specification.characteristics.all()}
                for name, value in item.characteristics.items():
                    c = chars.get(name)
                    problem = (f"no characteristic '{name}'" if c is None
                               else catalog_services.characteristic_value_problem(c, value))
                    if problem:
                        problems.append(_reason("invalid_characteristic", f"Item {item.item_id}: {problem}.",
                                                f"productOrderItem[{item.item_id}].product.productCharacteristic"))
                if item.action == "add":
                    for c in chars.values():
                        if c.mandatory and c.name not in item.characteristics and not c.default_value:
                            problems.append(_reason("missing_characteristic",
                                                    f"Item {item.item_id}: {c.name} is required for {o.name}.",
                                                    f"productOrderItem[{item.item_id}].product.productCharacteristic"))
            if o.requires_install_address and item.action == "add" and item.place_id is None:
                address = customer.addresses.order_by("pk").first()
                if address is None:
                    problems.append(_reason("install_address_required",
                                            f"Item {item.item_id}: {o.name} needs an install address.",
                                            f"productOrderItem[{item.item_id}].product.place"))
                else:
                    item.place = address
                    item.save(update_fields=["place"])
    return problems


def _validate(order: CustomerOrder, *, actor: Actor, reason: str = "",
              order_items: list[OrderItem] | None = None) -> bool:
    problems = _validation_problems(order, order_items)
    if problems:
        _reject(order, problems, actor=actor)
        return False
    _state_change(order, "validate", actor=actor, reason=reason or "validated")
    return True


def _feasibility(order: CustomerOrder, order_items: list[OrderItem] | None = None) -> list[dict]:
    """Run the feasibility engine over the order's items (impact analysis included); store the result.
    ``order_items``: the items when the caller has them loaded (with offering and place), else they are read."""
    if order_items is None:
        order_items = list(order.items.select_related("offering", "place"))
    items = [feasibility_services.ItemInput(id=i.item_id, offering=i.offering_code,
                                            action={"noChange": "no_change"}.get(i.action, i.action),
                                            characteristics=i.characteristics, quantity=i.quantity,
                                            product_id=i.product_id)
             for i in order_items if i.state not in (OrderItem.State.CANCELLED, OrderItem.State.REJECTED)]
    first_place = next((i.place for i in order_items if i.place_id), None)
    results = feasibility_services.feasibility_evaluate(
        customer=order.customer, items=items, channel=order.channel, address=first_place,
        billing_account=order.billing_account)
    order.feasibility_result = [r.as_dict() for r in results]
    order.save(update_fields=["feasibility_result", "updated_at"])
    return [_reason(x["code"], f"Item {r['itemId']}: {x['staffMessage']}", f"productOrderItem[{r['itemId']}]")
            for r in order.feasibility_result if not r["feasible"] for x in r["reasons"]]


def _follows_qualification(order: CustomerOrder, order_items: list[OrderItem] | None = None) -> bool:
    """An order given a prior qualification that qualified all its offerings is not assessed again."""
    if order.qualification_id is None:
        return False
    poq = order.qualification
    if poq.qualification_result != "qualified":
        return False
    qualified = {r["offering"] for r in poq.result if r.get("feasible")}
    if order_items is None:
        order_items = list(order.items.select_related("offering"))
    return all(i.offering_code in qualified for i in order_items if i.action == "add")


def _needs_special_handling(order: CustomerOrder, order_items: list[OrderItem] | None = None) -> bool:
    if order.requires_special_handling:
        return True
    if order_items is None:
        order_items = list(order.items.select_related("offering"))
    return any(i.offering is not None and i.offering.requires_special_design for i in order_items)


def _assess(order: CustomerOrder, *, actor: Actor) -> None:
    """acknowledged -> committed / held / rejected (impact analysis, feasibility, special handling, credit)."""
    # the items as assessed, read once (with their offerings, places and agreed prices); nothing below changes
    # them before the commit, which reads them afresh
    order_items = list(order.items.select_related("offering", "place").prefetch_related("prices"))
    follows_qualification = _follows_qualification(order, order_items)
    if not follows_qualification and not order.lifecycle_action and not order.account_changes:
        infeasible = _feasibility(order, order_items)  # a suspension or an account change: nothing new to assess
        if infeasible:
            _reject(order, infeasible, actor=actor)
            return
    if _needs_special_handling(order, order_items) and not follows_qualification:
        order.requires_special_handling = True
        order.hold_reason = CustomerOrder.HoldReason.SPECIAL_HANDLING
        order.save(update_fields=["requires_special_handling", "hold_reason", "updated_at"])
        _state_change(order, "hold", actor=actor, reason="special handling: a service design is needed first")
        publish(PRODUCT_ORDER_INFORMATION_REQUIRED, order)
        from service_activation import services as sa_services

        sa_services.service_design_open(
            requirement="; ".join(f"{i.item_id}: {i.offering.name if i.offering else i.offering_code} "
                                  f"{i.characteristics or ''}".strip() for i in order.items.all())
            + (f" — {order.description}" if order.description else ""),
            customer_id=order.customer_id, customer_order_ref=order.order_number, customer_order_id=order.pk,
            actor=actor)
        return
    amount = _credit_exposure(order, order_items)
    if amount > 0 and order.customer is not None:
        from .credit import credit_check_request

        check = credit_check_request(customer=order.customer, amount=amount, currency=order.currency,
                                     billing_account=order.billing_account, actor=actor,
                                     order_reference=order.order_number)
        order.credit_check = check
        order.save(update_fields=["credit_check", "updated_at"])
        if check.decision == CreditCheck.Decision.DECLINED:
            why = check.reason or "see the credit check"
            _reject(order, [_reason("credit_declined", f"Credit authorization declined ({why}).", "")], actor=actor)
            return
        if check.status == CreditCheck.Status.PENDING_REVIEW:
            order.hold_reason = CustomerOrder.HoldReason.CREDIT_REFERRAL
            order.save(update_fields=["hold_reason", "updated_at"])
            _state_change(order, "hold", actor=actor, reason="credit referral waiting for review")
            return
    try:
        with transaction.atomic():  # a decomposition that cannot be done (e.g. no free number) undoes the commit
            _commit(order, actor=actor)
    except ApplicationError as e:
        order.refresh_from_db()
        order.hold_reason = CustomerOrder.HoldReason.MANUAL
        order.save(update_fields=["hold_reason", "updated_at"])
        _state_change(order, "hold", actor=actor, reason=f"cannot be fulfilled yet: {e.message}"[:500])


def _commit(order: CustomerOrder, *, actor: Actor, reason: str = "feasible and authorized") -> None:
    order.hold_reason = ""
    order.committed_date = order.committed_date or order.requested_completion_date or (
        timezone.now() + dt.timedelta(minutes=order.order_type.expected_minutes if order.order_type else 7 * 24 * 60))
    order.save(update_fields=["hold_reason", "committed_date", "updated_at"])
    order_tasks_schedule(order)  # task due dates, back-scheduled from the committed date
    _state_change(order, "commit", actor=actor, reason=reason)
    from bss.sla.services import sla_clock_start

    sla_clock_start(obj=order, clock_type="orders.customer_order", committed_at=order.committed_date,
                    qualifiers={"priority": str(order.priority),
                                "type": order.order_type.code if order.order_type_id else ""}, actor=actor)
    from .decomposition import decompose

    decompose(order, actor=actor)
    _advance_tasks(order, actor=actor)
    customer_order_try_complete(order_id=order.pk, actor=actor)


@transaction.atomic
def customer_order_process(*, order_id: int, actor: Actor) -> CustomerOrder:
    """Move an order on as far as it goes without waiting (idempotent: a task may run it twice)."""
    order = _locked(order_id)
    with one_event():
        if order.state == S.PENDING and not _validate(order, actor=actor):
            return order
        if order.state == S.ACKNOWLEDGED:
            if order.requested_start_date and order.requested_start_date > timezone.now():
                return order  # scheduled (e.g. a tariff change at the next bill cycle): the sweep picks it up
            _assess(order, actor=actor)
    return order


# --- tasks (workflow steps) ---------------------------------------------------------------------------------

def _advance_tasks(order: CustomerOrder, *, actor: Actor) -> None:
    """Make the next waiting tasks ready (in sequence: a task is ready when every earlier mandatory task is done);
    automatic steps finish at once; activation steps finish when the service orders complete."""
    tasks = list(order.tasks.select_related("step").order_by("sequence"))
    blocked = False
    for t in tasks:
        if t.status == OrderTask.Status.DONE or t.status == OrderTask.Status.CANCELLED:
            continue
        if blocked:
            break
        if t.status == OrderTask.Status.WAITING:
            fsm_transition(t, "make_ready", actor=actor, record=False)
        kind = t.step.kind
        if kind == OrderTypeStep.Kind.AUTOMATIC:
            _finish_task(order, t, actor=actor, note="done automatically")
            continue
        if kind == OrderTypeStep.Kind.ACTIVATION:
            if t.step.point_of_no_return or not order.tasks.filter(step__point_of_no_return=True).exists():
                _point_of_no_return(order, actor=actor)
            from service_activation import selectors as sa_selectors

            if sa_selectors.service_orders_done(customer_order_id=order.pk):
                _finish_task(order, t, actor=actor, note="service orders completed")
                continue
        if t.step.point_of_no_return and t.status in (OrderTask.Status.READY, OrderTask.Status.IN_PROGRESS):
            _point_of_no_return(order, actor=actor)
        if t.step.mandatory:
            blocked = True


def _point_of_no_return(order: CustomerOrder, *, actor: Actor) -> None:
    if not order.point_of_no_return_passed:
        order.point_of_no_return_passed = True
        order.save(update_fields=["point_of_no_return_passed", "updated_at"])
        history_record(obj=order, action="orders.customer_order.point_of_no_return", actor=actor,
                       root=order.customer or order, changes={"point_of_no_return_passed": [False, True]})


def _finish_task(order: CustomerOrder, task: OrderTask, *, actor: Actor, note: str = "") -> None:
    task.done_at = timezone.now()
    task.note = (task.note + "\n" + note).strip() if note else task.note
    fsm_transition(task, "finish", actor=actor, reason=note, action="orders.order_task.finish",
                   root=order.customer or order)
    if task.step.milestone_id and order.milestone_id != task.step.milestone_id:
        order.milestone_id = task.step.milestone_id
        order.save(update_fields=["milestone", "updated_at"])
        history_record(obj=order, action="orders.customer_order.milestone", actor=actor,
                       root=order.customer or order, changes={"milestone": [None, task.step.milestone.name]})
        publish(PRODUCT_ORDER_ATTRIBUTE_VALUE_CHANGE, order)


@transaction.atomic
def order_task_complete(*, task_id: int, actor: Actor, note: str = "") -> OrderTask:
    order_id = OrderTask.objects.filter(pk=task_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise DomainValidationError({"task": "Not found."})
    order = _locked(order_id)  # the order first, then its task: the order of locks every writer takes
    task = OrderTask.objects.select_for_update(of=("self",)).select_related("step").get(pk=task_id)
    if order.state != S.COMMITTED:
        raise ApplicationError(f"Order {order.order_number} is {order.get_state_display().lower()}: its tasks are "
                               "not being worked.")
    if task.status not in (OrderTask.Status.READY, OrderTask.Status.IN_PROGRESS):
        raise ApplicationError(f"The task '{task.step.name}' is {task.get_status_display().lower()}.")
    if task.step.kind == OrderTypeStep.Kind.ACTIVATION:
        raise ApplicationError("An activation step is done when its service orders complete.")
    with one_event():
        _finish_task(order, task, actor=actor, note=note)
        _advance_tasks(order, actor=actor)
        customer_order_try_complete(order_id=order.pk, actor=actor)
    return task


@transaction.atomic
def order_task_assign(*, task_id: int, actor: Actor, user=None, team: str | None = None) -> OrderTask:
    task = OrderTask.objects.select_for_update(of=("self",)).select_related("order").get(pk=task_id)
    before = {"assigned_to": str(task.assigned_to or ""), "team": task.team}
    if user is not None:
        task.assigned_to = user
    if team is not None:
        task.team = team
    task.save(update_fields=["assigned_to", "team"])
    history_record(obj=task, action="orders.order_task.assigned", actor=actor, root=task.order.customer or task.order,
                   changes={"assigned_to": [before["assigned_to"], str(task.assigned_to or "")],
                            "team": [before["team"], task.team]})
    return task


# --- complete (1.1.1.5.5) ---------------------------------------------------------------------------------

def _mandatory_open(order: CustomerOrder) -> bool:
    return order.tasks.filter(step__mandatory=True).exclude(
        status__in=[OrderTask.Status.DONE, OrderTask.Status.CANCELLED]).exists()


@transaction.atomic
def customer_order_try_complete(*, order_id: int, actor: Actor) -> CustomerOrder:
    """Complete the order when every service order is done and every mandatory task is done; fail it (or
    complete it partially) when service orders failed for good. Idempotent."""
    from service_activation import selectors as sa_selectors

    order = _locked(order_id)
    if order.state == S.PENDING_CANCELLATION:
        if sa_selectors.service_orders_settled(customer_order_id=order.pk):
            with one_event():
                _finish_cancellation(order, actor=actor)
        return order
    if order.state != S.COMMITTED:
        return order
    summary = sa_selectors.service_order_summary(customer_order_id=order.pk)
    with one_event():
        _advance_tasks(order, actor=actor)
        if summary["open"]:
            return order
        if summary["count"] and not summary["completed"] and not summary["failed"]:
            # every service order was cancelled (e.g. by provisioning) while the order goes on: nothing was
            # delivered, so it does not complete; it is held for staff to re-issue or cancel
            order.hold_reason = CustomerOrder.HoldReason.MANUAL
            order.save(update_fields=["hold_reason", "updated_at"])
            _state_change(order, "hold", actor=actor, reason="its service orders were cancelled: nothing delivered")
            return order
        if summary["failed"] and not summary["completed"]:
            _items_to(order, "fail", actor=actor)
            _state_change(order, "fail", actor=actor, reason="its service orders failed")
            _stop_clock(order, actor=actor, completed=False)
            return order
        if _mandatory_open(order):
            return order
        _update_inventory(order, actor=actor, failed_items=set(summary["failed_items"]))
        _apply_account_changes(order, actor=actor)
        if summary["failed"]:
            _state_change(order, "complete_partially", actor=actor, reason="some items failed")
        else:
            order.completion_date = timezone.now()
            order.save(update_fields=["completion_date", "updated_at"])
            _state_change(order, "complete", actor=actor, reason="every service order and mandatory step done")
        _stop_clock(order, actor=actor, completed=True)
        _notify_customer(order, "completed")
    return order


def _stop_clock(order: CustomerOrder, *, actor: Actor, completed: bool) -> None:
    from bss.sla.services import sla_clock_stop

    sla_clock_stop(obj=order, clock_type="orders.customer_order", completed=completed, actor=actor)


def _items_to(order: CustomerOrder, transition: str, *, actor: Actor) -> None:
    """Move every item that can make the transition (the order's own history row says why)."""
    from django_fsm import can_proceed

    for item in order.items.all():
        if can_proceed(getattr(item, transition)):
            fsm_transition(item, transition, actor=actor, record=False, state_field="state")


def _update_inventory(order: CustomerOrder, *, actor: Actor, failed_items: set[int]) -> None:
    """The customer's product inventory changes with the order, in the same transaction (seed 000 1.1.1.5.5)."""
    from service_activation import services as sa_services

    now = timezone.now()
    for item in order.items.select_related("offering", "product", "place"):
        if item.state in (OrderItem.State.CANCELLED, OrderItem.State.REJECTED, OrderItem.State.COMPLETED):
            continue
        if item.pk in failed_items:
            if item.state == OrderItem.State.IN_PROGRESS:
                fsm_transition(item, "fail", actor=actor, record=False, state_field="state")
            continue
        if item.action == "add" and order.customer is not None:
            name = item.offering.name if item.offering else item.offering_code
            serial = sa_services.service_serial_for(customer_order_item_id=item.pk)
            for _n in range(item.quantity if item.offering and not item.offering.specification_id else 1):
                product = customer_services.product_create(
                    customer=order.customer, actor=actor, name=name, offering_code=item.offering_code,
                    offering_name=name, billing_account=order.billing_account, place=item.place,
                    characteristics={**item.characteristics, "orderNumber": order.order_number,
                                     "quantity": item.quantity}, product_serial=serial, start_date=now)
                customer_services.product_transition(product_id=product.pk, transition="activate", actor=actor,
                                                     reason=f"order {order.order_number} completed")
            item.product = product
            item.save(update_fields=["product"])
            sa_services.services_link_product(customer_order_item_id=item.pk, product_id=product.pk, actor=actor)
        elif item.action == "modify" and item.product is not None and order.lifecycle_action:
            wanted = "suspended" if order.lifecycle_action == "suspend" else "active"
            if item.product.status != wanted:
                customer_services.product_transition(
                    product_id=item.product.pk, transition=order.lifecycle_action, actor=actor,
                    reason=f"order {order.order_number}: {order.get_lifecycle_reason_display()}")
        elif item.action == "modify" and item.product is not None:
            customer_services.product_update(
                product=item.product, actor=actor,
                characteristics={**item.product.characteristics, **item.characteristics},
                **({"offering_code": item.offering.code, "offering_name": item.offering.name,
                    "name": item.offering.name} if item.offering else {}))
        elif item.action == "delete" and item.product is not None:
            if item.product.status != "terminated":
                customer_services.product_transition(product_id=item.product.pk, transition="terminate",
                                                     actor=actor, reason=f"order {order.order_number} completed")
        if item.state != OrderItem.State.COMPLETED:
            fsm_transition(item, "complete", actor=actor, record=False, state_field="state")


def _apply_account_changes(order: CustomerOrder, *, actor: Actor) -> None:
    changes = dict(order.account_changes or {})
    if not changes or order.billing_account_id is None:
        return
    account = order.billing_account
    address = customer_selectors.address_visible(user=None, address_id=local_id(changes["billing_address"]),
                                                 system=True) if changes.get("billing_address") else None
    if "owner" in changes:  # the account and its products move first (with the new billing address), then the rest
        from .order_kinds import account_owner_change_apply

        account = account_owner_change_apply(order, billing_address=address, actor=actor)
        address = None
    args = {}
    if "payment_method" in changes:
        args["payment_method"] = changes["payment_method"]
    if "payment_reference" in changes:
        args["payment_reference"] = changes["payment_reference"]
    if "bill_cycle" in changes:
        args["bill_cycle"] = customer_selectors.bill_cycle_by_code(code=changes["bill_cycle"])
    if address is not None:
        args["billing_address"] = address
    if args:
        customer_services.billing_account_update(account=account, actor=actor, **args)


def _notify_customer(order: CustomerOrder, what: str) -> None:
    """E-mail the customer (the interactions issue adds channels): after commit, best effort, recorded."""
    customer = order.customer
    if customer is None:
        return
    email = customer_selectors.customer_email(customer_id=customer.pk)
    if not email:
        return
    from django.core.mail import send_mail

    subject = f"Your order {order.order_number} is {what}"
    body = f"Dear customer,\n\nyour order {order.order_number} is {what}.\n"
    transaction.on_commit(lambda: send_mail(subject, body, None, [email], fail_silently=True))


# --- credit referral decided ---------------------------------------------------------------------------------

@transaction.atomic
def customer_orders_credit_decided(*, check_id: int, actor: Actor) -> list[CustomerOrder]:
    """A reviewed credit referral releases the orders it held: approved -> committed (the approved terms stay on
    the credit check, which billing reads), declined -> rejected."""
    out = []
    for order in CustomerOrder.objects.select_for_update().filter(credit_check_id=check_id, state=S.HELD,
                                                                  hold_reason=CustomerOrder.HoldReason.CREDIT_REFERRAL):
        check = order.credit_check
        with one_event():
            if check.is_approved:
                _commit(order, actor=actor, reason="credit referral approved")
            elif check.status == CreditCheck.Status.DECLINED:
                _reject(order, [_reason("credit_declined", "Credit referral declined on review.", "")], actor=actor)
        out.append(order)
    return out


@transaction.atomic
def customer_order_release_hold(*, order_id: int, actor: Actor, reason: str) -> CustomerOrder:
    """Special handling done (the design approved) or a staff hold lifted: held -> committed."""
    if not (reason or "").strip():
        raise DomainValidationError({"reason": "Say why the hold is released."})
    order = _locked(order_id)
    if order.state != S.HELD:
        raise ApplicationError(f"Order {order.order_number} is not held.")
    if order.hold_reason == CustomerOrder.HoldReason.CREDIT_REFERRAL:
        raise ApplicationError("A credit referral is released by its review, not by hand.")
    with one_event():
        _commit(order, actor=actor, reason=reason)
    return order


@transaction.atomic
def customer_order_hold(*, order_id: int, actor: Actor, reason: str) -> CustomerOrder:
    if not (reason or "").strip():
        raise DomainValidationError({"reason": "Say why the order is held."})
    order = _locked(order_id)
    order.hold_reason = CustomerOrder.HoldReason.MANUAL
    with one_event():
        _state_change(order, "hold", actor=actor, reason=reason)
    order.save(update_fields=["hold_reason", "updated_at"])
    return order


# --- cancel (1.1.1.5.4; the three cases of seed 001) ---------------------------------------------------------

@transaction.atomic
def customer_order_cancel(*, order_id: int, reason: str, actor: Actor) -> CustomerOrder:
    """Cancel a whole order. Before activation starts: cancelled, reservations released. Mid-way: the service
    orders roll back what was done (pendingCancellation until they report). After the point of no return a
    customer (self-service) cannot cancel (409): staff raise a follow-on termination order instead."""
    if not (reason or "").strip():
        raise DomainValidationError({"reason": "Say why the order is cancelled."})
    order = _locked(order_id)
    if order.state not in CustomerOrder.OPEN:
        raise ApplicationError(f"Order {order.order_number} is {order.get_state_display().lower()}: it can no "
                               "longer be cancelled.", extra={"state": order.state})
    if order.point_of_no_return_passed and actor.channel == Channel.SELF_SERVICE:
        raise ApplicationError(f"Order {order.order_number} is past the point of no return: ask us to raise a "
                               "follow-on change instead.", code="point_of_no_return")
    from service_activation import services as sa_services

    with one_event():
        order.cancellation_reason = reason[:500]
        order.save(update_fields=["cancellation_reason", "updated_at"])
        _state_change(order, "assess_cancellation", actor=actor, reason=reason)
        outcome = sa_services.service_orders_cancel_for(customer_order_id=order.pk, reason=reason, actor=actor)
        if outcome == "refused":
            _state_change(order, "refuse_cancellation", actor=actor,
                          reason="activation is complete: a recovery order is needed instead")
            raise ApplicationError(f"Order {order.order_number} has been activated: raise a termination order "
                                   "(recovery) instead.", code="point_of_no_return")
        if outcome == "rolling_back":
            _state_change(order, "start_cancellation", actor=actor, reason="service orders rolling back")
        else:
            _finish_cancellation(order, actor=actor)
    return order


def _finish_cancellation(order: CustomerOrder, *, actor: Actor) -> None:
    _items_to(order, "cancel", actor=actor)
    for t in order.tasks.exclude(status__in=[OrderTask.Status.DONE, OrderTask.Status.CANCELLED]):
        fsm_transition(t, "cancel", actor=actor, record=False)
    order.cancellation_date = timezone.now()
    order.save(update_fields=["cancellation_date", "updated_at"])
    _state_change(order, "cancel", actor=actor, reason=order.cancellation_reason)
    _stop_clock(order, actor=actor, completed=False)


@transaction.atomic
def customer_order_item_cancel(*, order_id: int, item_id: str, reason: str, actor: Actor) -> OrderItem:
    """Cancel one item (seed 000 "Cancel Service Order or Order Item"); items that depend on it are cancelled too.
    The last open item cancelled cancels the order."""
    if not (reason or "").strip():
        raise DomainValidationError({"reason": "Say why the item is cancelled."})
    order = _locked(order_id)
    if order.state not in CustomerOrder.OPEN:
        raise ApplicationError(f"Order {order.order_number} is {order.get_state_display().lower()}.")
    item = order.items.filter(item_id=item_id).first()
    if item is None:
        raise DomainValidationError({"item": f"No item '{item_id}' on order {order.order_number}."})
    from service_activation import services as sa_services

    with one_event():
        targets = [item] + [d for d in item.dependents.all()]
        for t in targets:
            if sa_services.service_order_items_cancel_for(customer_order_item_id=t.pk, reason=reason,
                                                          actor=actor) == "refused":
                raise ApplicationError(f"Item {t.item_id} has been activated: raise a termination order instead.",
                                       code="point_of_no_return")
            if t.state not in (OrderItem.State.CANCELLED, OrderItem.State.COMPLETED):
                fsm_transition(t, "cancel", actor=actor, reason=reason, state_field="state",
                               action="orders.order_item.cancel", root=order.customer or order)
        if not order.items.exclude(state__in=[OrderItem.State.CANCELLED, OrderItem.State.REJECTED]).exists():
            order.cancellation_reason = reason[:500]
            _state_change(order, "assess_cancellation", actor=actor, reason=reason)
            _finish_cancellation(order, actor=actor)
        else:
            publish(PRODUCT_ORDER_ATTRIBUTE_VALUE_CHANGE, order)
            customer_order_try_complete(order_id=order.pk, actor=actor)
    return item


# --- notes, assignment ---------------------------------------------------------------------------------------

@transaction.atomic
def customer_order_add_note(*, order_id: int, text: str, actor: Actor) -> OrderNote:
    if not (text or "").strip():
        raise DomainValidationError({"text": "This field is required."})
    order = _locked(order_id)
    note = OrderNote.objects.create(order=order, text=text.strip(), author_user=actor.user if actor.user_id else None,
                                    author=actor.label or (actor.user.get_username() if actor.user_id else "system"))
    history_record(obj=order, action="orders.customer_order.note_added", actor=actor, root=order.customer or order,
                   changes={"note": [None, note.text[:200]]})
    publish(PRODUCT_ORDER_ATTRIBUTE_VALUE_CHANGE, order)
    return note


@transaction.atomic
def customer_order_assign(*, order_id: int, actor: Actor, user=None, team: str | None = None) -> CustomerOrder:
    order = _locked(order_id)
    before = (str(order.assigned_to or ""), order.assigned_team)
    if user is not None:
        order.assigned_to = user
    if team is not None:
        order.assigned_team = team
    order.save(update_fields=["assigned_to", "assigned_team", "updated_at"])
    history_record(obj=order, action="orders.customer_order.assigned", actor=actor, root=order.customer or order,
                   changes={"assigned_to": [before[0], str(order.assigned_to or "")],
                            "assigned_team": [before[1], order.assigned_team]})
    return order


# --- close and archive (1.1.1.5.8) ---------------------------------------------------------------------------

def customer_orders_close(*, now: dt.datetime | None = None, grace_days: int | None = None,
                          actor: Actor | None = None, batch: int = 500) -> int:
    """Close terminal orders older than the grace period (settings.BSS_ORDER_CLOSE_GRACE_DAYS). Idempotent:
    a second run finds nothing. Each order moves through the FSM (history row, event)."""
    now = now or timezone.now()
    grace = grace_days if grace_days is not None else getattr(settings, "BSS_ORDER_CLOSE_GRACE_DAYS", 30)
    actor = actor or Actor.system("order close job")
    cutoff = now - dt.timedelta(days=grace)
    closed = 0
    while True:
        with transaction.atomic():
            ids = list(CustomerOrder.objects.select_for_update(skip_locked=True)
                       .filter(state__in=CustomerOrder.TERMINAL, updated_at__lt=cutoff)
                       .values_list("pk", flat=True)[:batch])
            if not ids:
                return closed
            for order in CustomerOrder.objects.filter(pk__in=ids):
                order.closed_at = now
                _state_change(order, "close", actor=actor, reason=f"terminal for more than {grace} days")
                order.save(update_fields=["closed_at"])
                closed += 1


def customer_orders_archive(*, now: dt.datetime | None = None, age_days: int | None = None) -> int:
    """Move closed orders older than the archive age out of the working set (``archived``): lists and scans
    leave them out; they and their history stay readable. Set-based, idempotent."""
    now = now or timezone.now()
    age = age_days if age_days is not None else getattr(settings, "BSS_ORDER_ARCHIVE_DAYS", 365)
    return CustomerOrder.objects.filter(state=S.CLOSED, archived=False,
                                        closed_at__lt=now - dt.timedelta(days=age)).update(archived=True)


def orders_resume_stalled(*, older_than_seconds: int = 300) -> int:
    """Re-enqueue orders that sit pending/acknowledged (their task was lost, e.g. a broker outage)."""
    from orders.tasks import process_order_task

    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    ids = list(CustomerOrder.objects.filter(state__in=[S.PENDING, S.ACKNOWLEDGED], updated_at__lt=cutoff)
               .values_list("pk", flat=True)[:1000])
    for pk in ids:
        _enqueue(process_order_task, pk)
    return len(ids)


def order_queryset(user):
    from customers.scoping import visible_to

    return visible_to(CustomerOrder.objects.filter(Q(archived=False)), user)


# --- modify (before the point of no return) -----------------------------------------------------------------

UPDATABLE = ("description", "category", "priority", "requested_start_date", "requested_completion_date")


@transaction.atomic
def customer_order_update(*, order_id: int, actor: Actor, description: str | None = None,
                          category: str | None = None, priority: int | None = None,
                          requested_start_date: dt.datetime | None = None,
                          requested_completion_date: dt.datetime | None = None, notes: list[str] | None = None,
                          tmf_extra: dict | None = None) -> CustomerOrder:
    """Add information to, or modify, an open order. After the point of no return only notes may be added
    (409 otherwise: raise a follow-on change). A new requested completion date re-times the jeopardy clock."""
    from bss.audit.services import model_update

    order = _locked(order_id)
    if order.state not in CustomerOrder.OPEN:
        raise ApplicationError(f"Order {order.order_number} is {order.get_state_display().lower()}: it can no "
                               "longer be changed.", extra={"state": order.state})
    data = {k: v for k, v in {"description": description, "category": category, "priority": priority,
                              "requested_start_date": requested_start_date,
                              "requested_completion_date": requested_completion_date}.items() if v is not None}
    if priority is not None and priority not in CustomerOrder.Priority.values:
        raise DomainValidationError({"priority": "A priority from 0 (highest) to 4 (lowest)."})
    if data and order.point_of_no_return_passed:
        raise ApplicationError(f"Order {order.order_number} is past the point of no return: raise a follow-on "
                               "change order instead.", code="point_of_no_return")
    with one_event():
        if tmf_extra:
            order.tmf_extra = {**order.tmf_extra, **tmf_extra}
            order.save(update_fields=["tmf_extra", "updated_at"])
        if data:
            model_update(instance=order, fields=UPDATABLE, data=data, actor=actor,
                         action="orders.customer_order.updated", root=order.customer or order)
            publish(PRODUCT_ORDER_ATTRIBUTE_VALUE_CHANGE, order)
            if "requested_completion_date" in data and order.state == S.COMMITTED:
                from bss.sla.services import sla_clock_set_committed

                order.committed_date = data["requested_completion_date"]
                order.save(update_fields=["committed_date"])
                order_tasks_schedule(order)
                sla_clock_set_committed(obj=order, clock_type="orders.customer_order",
                                        committed_at=order.committed_date, reason="requested date changed",
                                        actor=actor)
        for text in notes or []:
            if text.strip():
                OrderNote.objects.create(order=order, text=text.strip(), author_user=actor.user
                                         if actor.user_id else None, author=actor.label or "")
                publish(PRODUCT_ORDER_ATTRIBUTE_VALUE_CHANGE, order)
    return order


@transaction.atomic
def customer_order_delete(*, order_id: int, actor: Actor) -> CustomerOrder:
    """TMF622 DELETE: never erases an order. Accepted only while it has not started (pending, acknowledged,
    held, awaiting a prerequisite): recorded as a cancellation, the order staying readable. 409 otherwise."""
    order = _locked(order_id)
    if order.state not in (S.PENDING, S.ACKNOWLEDGED, S.HELD, S.AWAITING_PREREQUISITE):
        raise ApplicationError(f"Order {order.order_number} has started ({order.tmf_state}): DELETE is accepted "
                               "only before it starts; use cancelProductOrder.", extra={"state": order.tmf_state})
    return customer_order_cancel(order_id=order.pk, reason="deleted through the API before it started", actor=actor)


@transaction.atomic
def cancel_product_order_request(*, actor: Actor, order_ref: dict, reason: str = "",
                                 requested_date: dt.datetime | None = None, tmf_extra: dict | None = None):
    """TMF622 cancelProductOrder: the request is stored with its outcome (done, or rejected with the reason);
    an order we do not hold, or one that can no longer be cancelled, gives a rejected request (201)."""
    from orders.events import CANCEL_PRODUCT_ORDER_CREATE, CANCEL_PRODUCT_ORDER_STATE_CHANGE
    from orders.models import CancelProductOrder

    order = order_queryset(actor.user if actor.user_id else None).filter(
        pk=local_id(order_ref.get("id"))).first() if order_ref.get("id") else None
    req = CancelProductOrder.objects.create(order=order, order_ref=order_ref, cancellation_reason=reason or "",
                                            requested_cancellation_date=requested_date, tmf_extra=tmf_extra or {},
                                            created_by=actor.user if actor.user_id else None)
    history_record(obj=req, action="orders.cancel_product_order.created", actor=actor,
                   root=order.customer if order and order.customer else req,
                   changes={"order": [None, order.order_number if order else order_ref.get("id")]})
    publish(CANCEL_PRODUCT_ORDER_CREATE, req)
    if order is None:
        req.outcome = f"No product order '{order_ref.get('id')}'."
        fsm_transition(req, "reject", actor=actor, reason=req.outcome, state_field="state")
    else:
        try:
            with transaction.atomic():
                customer_order_cancel(order_id=order.pk, reason=reason or "cancelProductOrder", actor=actor)
        except (ApplicationError, DomainValidationError) as e:
            req.outcome = e.message
            fsm_transition(req, "reject", actor=actor, reason=e.message, state_field="state")
        else:
            order.refresh_from_db()
            req.effective_cancellation_date = order.cancellation_date or timezone.now()
            fsm_transition(req, "finish" if order.state == S.CANCELLED else "start", actor=actor,
                           reason=order.tmf_state, state_field="state")
    req.save(update_fields=["outcome", "effective_cancellation_date"])
    publish(CANCEL_PRODUCT_ORDER_STATE_CHANGE, req)
    return req


# --- prerequisites (seed 000 1.1.1.5.6.1 "queued as a Case event") ------------------------------------------

@transaction.atomic
def customer_order_await_prerequisite(*, order_id: int, case_ref: str, reason: str, actor: Actor) -> CustomerOrder:
    """An order that first needs an account change or a missing prerequisite waits on a linked case; it resumes
    (customer_order_prerequisite_resolved) when the case is resolved. The jeopardy clock is paused meanwhile."""
    if not (case_ref or "").strip():
        raise DomainValidationError({"case_ref": "Name the case the order waits on."})
    if not (reason or "").strip():
        raise DomainValidationError({"reason": "Say what the order waits for."})
    order = _locked(order_id)
    order.prerequisite_reference = case_ref.strip()[:100]
    order.save(update_fields=["prerequisite_reference", "updated_at"])
    with one_event():
        _state_change(order, "await_prerequisite", actor=actor, reason=reason)
        publish(PRODUCT_ORDER_INFORMATION_REQUIRED, order)
    return order


@transaction.atomic
def customer_order_prerequisite_resolved(*, case_ref: str, actor: Actor) -> list[CustomerOrder]:
    """The case is resolved: the orders waiting on it are assessed again (feasibility and credit) and go on."""
    resumed = []
    for order in CustomerOrder.objects.select_for_update().filter(state=S.AWAITING_PREREQUISITE,
                                                                  prerequisite_reference=case_ref):
        with one_event():
            history_record(obj=order, action="orders.customer_order.prerequisite_resolved", actor=actor,
                           root=order.customer or order, reason=f"case {case_ref} resolved",
                           changes={"prerequisite_reference": [case_ref, ""]})
            order.prerequisite_reference = ""
            order.save(update_fields=["prerequisite_reference", "updated_at"])
            order_items = list(order.items.select_related("offering", "place"))
            if not _follows_qualification(order, order_items):
                infeasible = _feasibility(order, order_items)
                if infeasible:
                    _reject(order, infeasible, actor=actor)
                    resumed.append(order)
                    continue
            _commit(order, actor=actor, reason=f"prerequisite case {case_ref} resolved")
        resumed.append(order)
    return resumed


# --- attachments (a scanned contract, a quote) ----------------------------------------------------------

ATTACHMENT_TYPES = {"application/pdf": b"%PDF", "image/png": b"\x89PNG", "image/jpeg": b"\xff\xd8\xff"}


@transaction.atomic
def customer_order_attach(*, order_id: int, file, name: str, actor: Actor, description: str = ""):
    """Store a file on the order: a PDF, PNG or JPEG (checked by its content, not only its name) of at most
    settings.BSS_ATTACHMENT_MAX_BYTES (default 10 MB)."""
    from orders.models import OrderAttachment

    limit = getattr(settings, "BSS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    size = getattr(file, "size", None)
    if size is None or size == 0:
        raise DomainValidationError({"file": "The file is empty."})
    if size > limit:
        raise DomainValidationError({"file": f"The file is {size:,} bytes; at most {limit:,} are accepted."})
    head = file.read(8)
    file.seek(0)
    content_type = next((t for t, magic in ATTACHMENT_TYPES.items() if head.startswith(magic)), None)
    if content_type is None:
        raise DomainValidationError({"file": "Only PDF, PNG or JPEG files are accepted."})
    order = _locked(order_id)
    clean = "".join(ch for ch in (name or "attachment") if ch.isalnum() or ch in "._- ")[:150] or "attachment"
    att = OrderAttachment(order=order, name=clean, content_type=content_type, size=size,
                          description=description[:200], uploaded_by=actor.user if actor.user_id else None)
    att.file.save(clean, file, save=False)
    att.save()
    history_record(obj=order, action="orders.order_attachment.added", actor=actor, root=order.customer or order,
                   changes={"attachment": [None, f"{clean} ({content_type}, {size} bytes)"]})
    publish(PRODUCT_ORDER_ATTRIBUTE_VALUE_CHANGE, order)
    return att


@transaction.atomic
def customer_order_design_approved(*, order_id: int, actor: Actor) -> CustomerOrder:
    """The service design of an order held for special handling is approved: the order is committed and its
    service orders are issued from the design (idempotent)."""
    order = _locked(order_id)
    if order.state != S.HELD or order.hold_reason != CustomerOrder.HoldReason.SPECIAL_HANDLING:
        return order
    with one_event():
        _commit(order, actor=actor, reason="service design approved")
    return order
