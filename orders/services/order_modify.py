"""Modify a customer order before its point of no return (eTOM 1.1.1.5.4 "modify"; seed 000 1.1.1.5.4.3).

One call is one use case in one transaction: the items change (characteristics, quantity, install address), items
are added or removed, validation and the feasibility engine run again over the order as it now stands, and credit
authorization runs again when the order's value rises. The change is one history row and one
``ProductOrderAttributeValueChangeEvent`` (or a ``ProductOrderStateChangeEvent`` when a credit referral holds the
order). Anything refused leaves the order exactly as it was (nothing half-saved).

After the point of no return (``CustomerOrder.point_of_no_return_passed``) a modification is a 409 (code
``point_of_no_return``) and the answer offers a follow-on change order instead.

An order already decomposed into service orders (committed): the service order items that realize each affected
item are cancelled through ``service_activation`` (reservations released) and the item is decomposed again into a
new service order with its new values. When a network step of an affected item has already been done (its
cancellation would need a rollback) or it is activated, the modification is refused with a 409 that says so: the
order stays as it was and a follow-on change order is the way (docs/orders.md, "Modifying an order").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from bss.actors import Actor, Channel
from bss.audit.services import history_record
from bss.errors import ApplicationError, BusinessRuleViolation, DomainValidationError
from bss.events import one_event, publish
from bss.fsm import fsm_transition
from bss.tmf.ids import local_id
from customers import selectors as customer_selectors
from orders.events import PRODUCT_ORDER_ATTRIBUTE_VALUE_CHANGE
from orders.models import CreditCheck, CustomerOrder, OrderItem, OrderItemPrice

from . import ordering as ordering_services
from .ordering import OrderItemInput

S = CustomerOrder.State
IS = OrderItem.State
CLOSED_ITEM = (IS.CANCELLED, IS.REJECTED, IS.COMPLETED, IS.FAILED)


@dataclass
class OrderItemChange:
    """What changes on one existing item; ``None`` leaves an attribute as it is. ``characteristics`` is merged
    into the item's (a value of ``None`` removes that characteristic); ``place`` is an address id of the
    customer's ("" removes the install address)."""

    item_id: str
    quantity: int | None = None
    characteristics: dict[str, Any] | None = None
    place: str | None = None


@dataclass
class ModifyResult:
    order: CustomerOrder
    changed_items: list[str] = field(default_factory=list)
    added_items: list[str] = field(default_factory=list)
    removed_items: list[str] = field(default_factory=list)
    redecomposed_items: list[str] = field(default_factory=list)
    credit_rechecked: bool = False


def follow_on_hint(order: CustomerOrder) -> str:
    return (f"Order {order.order_number} is past the point of no return: it can no longer be modified. Raise a "
            "follow-on change order instead (a modify order on the products this order delivers, naming "
            f"{order.order_number} as the order it changes).")


def modify_refusal(order: CustomerOrder) -> str | None:
    """Why the order cannot be modified now (None: it can). Shown by the portal before the form."""
    if order.state not in CustomerOrder.OPEN:
        return f"Order {order.order_number} is {order.get_state_display().lower()}: it can no longer be modified."
    if order.point_of_no_return_passed:
        return follow_on_hint(order)
    if order.lifecycle_action or order.account_changes:
        return "A suspend / resume or account-level order is not modified: cancel it and issue another."
    return None


def _shape_errors(order: CustomerOrder, items: dict[str, OrderItem], changes: list[OrderItemChange],
                  add: list[OrderItemInput], remove: list[str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not changes and not add and not remove:
        errors["items"] = ["Say what changes: an item's characteristics, quantity or install address, an item "
                           "added or an item removed."]
    seen = set()
    for n, c in enumerate(changes):
        key = f"items[{n}]"
        item = items.get(str(c.item_id))
        if item is None:
            errors.setdefault(f"{key}.id", []).append(f"No item '{c.item_id}' on order {order.order_number}.")
        elif item.state in CLOSED_ITEM:
            errors.setdefault(f"{key}.id", []).append(f"Item {c.item_id} is {item.get_state_display().lower()}.")
        if str(c.item_id) in seen:
            errors.setdefault(f"{key}.id", []).append(f"Item {c.item_id} is named twice.")
        seen.add(str(c.item_id))
        if c.quantity is not None and (not isinstance(c.quantity, int) or isinstance(c.quantity, bool)
                                       or c.quantity < 1):
            errors.setdefault(f"{key}.quantity", []).append("A whole number of at least 1.")
        if c.characteristics is not None and not isinstance(c.characteristics, dict):
            errors.setdefault(f"{key}.characteristics", []).append("Characteristics by name.")
        if c.quantity is None and c.characteristics is None and c.place is None:
            errors.setdefault(key, []).append(f"Nothing changes on item {c.item_id}.")
    for n, r in enumerate(remove):
        item = items.get(str(r))
        if item is None:
            errors.setdefault(f"remove[{n}]", []).append(f"No item '{r}' on order {order.order_number}.")
        elif item.state in CLOSED_ITEM:
            errors.setdefault(f"remove[{n}]", []).append(f"Item {r} is {item.get_state_display().lower()}.")
        elif str(r) in seen:
            errors.setdefault(f"remove[{n}]", []).append(f"Item {r} is both changed and removed.")
    new_ids = [str(i.item_id) for i in add]
    for n, i in enumerate(add):
        key = f"add[{n}]"
        if not str(i.item_id).strip():
            errors.setdefault(f"{key}.id", []).append("This field is required.")
        elif str(i.item_id) in items or new_ids.count(str(i.item_id)) > 1:
            errors.setdefault(f"{key}.id", []).append(f"Item id '{i.item_id}' is already used on the order.")
        if i.action not in ("add", "modify", "delete"):
            errors.setdefault(f"{key}.action", []).append("One of add, modify, delete.")
        if not isinstance(i.quantity, int) or isinstance(i.quantity, bool) or i.quantity < 1:
            errors.setdefault(f"{key}.quantity", []).append("A whole number of at least 1.")
        for d in i.depends_on:
            if str(d) not in items and str(d) not in new_ids:
                errors.setdefault(f"{key}.depends_on", []).append(f"No item '{d}' in this order.")
    return errors


def _place(order: CustomerOrder, ref: str, *, actor: Actor, path: str):
    if ref == "":
        return None
    user = actor.user if actor.user_id else None
    place = customer_selectors.address_visible(user=user, address_id=local_id(ref),
                                               system=user is None and actor.channel == Channel.SYSTEM)
    if place is None or place.customer_id not in (None, order.customer_id):
        raise BusinessRuleViolation(f"No address '{ref}' of the customer.", code="unknown_place",
                                    extra={"reasons": [ordering_services._reason(
                                        "unknown_place", f"No address '{ref}' of the customer.", path)]})
    return place


def _add_item(order: CustomerOrder, i: OrderItemInput, *, actor: Actor) -> OrderItem:
    user = actor.user if actor.user_id else None
    offering = ordering_services._offering(i.offering)
    path = f"productOrderItem[{i.item_id}]"
    if offering is None and (i.action == "add" or i.offering):
        msg = f"Item {i.item_id}: " + (f"no product offering '{i.offering}'." if i.offering
                                       else "no productOffering given.")
        raise BusinessRuleViolation(msg, code="unknown_offering", extra={"reasons": [
            ordering_services._reason("unknown_offering", msg, f"{path}.productOffering")]})
    product = None
    if i.product:
        pid = local_id(i.product)
        product = next(iter(customer_selectors.products_by_ids(
            user=user, ids=[pid], system=user is None and actor.channel == Channel.SYSTEM)), None) \
            if pid is not None else None
        if product is None or product.customer_id != order.customer_id:
            msg = f"Item {i.item_id}: no product '{i.product}' of the customer."
            raise BusinessRuleViolation(msg, code="unknown_product", extra={"reasons": [
                ordering_services._reason("unknown_product", msg, f"{path}.product")]})
    elif i.action in ("modify", "delete"):
        msg = f"Item {i.item_id}: a {i.action} item names the product it changes."
        raise BusinessRuleViolation(msg, code="product_required", extra={"reasons": [
            ordering_services._reason("product_required", msg, f"{path}.product")]})
    if offering is None and product is not None:
        offering = ordering_services._offering(product.offering_code)
    item = OrderItem.objects.create(
        order=order, item_id=str(i.item_id), action=i.action, offering=offering,
        offering_ref=i.offering_ref or ({"id": i.offering} if i.offering else {}), quantity=i.quantity,
        characteristics=i.characteristics or {}, product=product, item_extra=i.extra or {},
        place=_place(order, i.place, actor=actor, path=f"{path}.product.place") if i.place else None)
    OrderItemPrice.objects.bulk_create(ordering_services._agreed_prices(item))
    return item


def _release_from_network(order: CustomerOrder, item: OrderItem, *, reason: str, actor: Actor) -> bool:
    """Cancel the service order items that realize ``item`` (decomposed already). True when it had some.
    Refused (409) when a network step of the item was already done or it is activated: undoing that needs a
    rollback, so the modification is not made in place."""
    from service_activation import services as sa_services

    outcome = sa_services.service_order_items_cancel_for(customer_order_item_id=item.pk, reason=reason,
                                                          actor=actor)
    if outcome in ("refused", "rolling_back"):
        raise ApplicationError(
            f"Item {item.item_id} of order {order.order_number} already has network steps done: it cannot be "
            "modified in place. Raise a follow-on change order once this order completes, or cancel the item.",
            code="point_of_no_return", extra={"item": item.item_id})
    if outcome == "cancelled":
        _cancel_emptied_service_orders(item, reason=reason, actor=actor)
    return outcome == "cancelled"


def _cancel_emptied_service_orders(item: OrderItem, *, reason: str, actor: Actor) -> None:
    """A service order left with no open item (all it realized was modified or removed) is cancelled, so no
    worker runs an empty order."""
    from service_activation.models import ServiceOrder, ServiceOrderItem
    from service_activation.services import service_orders as so_services

    closed = ("cancelled", "rejected")
    for so in ServiceOrder.objects.filter(items__customer_order_item_id=item.pk,
                                          state__in=ServiceOrder.OPEN).distinct():
        if not ServiceOrderItem.objects.filter(service_order=so).exclude(state__in=closed).exists():
            so_services.service_order_cancel(service_order_id=so.pk, reason=reason, actor=actor)


def _reopen(item: OrderItem, *, actor: Actor) -> None:
    if item.state in (IS.IN_PROGRESS, IS.HELD):
        fsm_transition(item, "reopen", actor=actor, record=False, state_field="state")


def _snapshot(item: OrderItem) -> dict:
    return {"quantity": item.quantity, "characteristics": dict(item.characteristics or {}),
            "place": item.place_id}


@transaction.atomic
def customer_order_modify(*, order_id: int, actor: Actor, changes: list[OrderItemChange] | None = None,
                          add: list[OrderItemInput] | None = None, remove: list[str] | None = None,
                          reason: str = "") -> ModifyResult:
    """Modify an open order before its point of no return (see the module docstring). Errors:
    DomainValidationError (400: malformed, nothing changes), ApplicationError (409: the order's state or its
    point of no return; a network step already done), BusinessRuleViolation (422: the modified order is invalid,
    infeasible or declined by credit; ``extra["reasons"]`` has the reasons)."""
    changes, add, remove = list(changes or []), list(add or []), [str(r) for r in remove or []]
    order = ordering_services._locked(order_id)
    refusal = modify_refusal(order)
    if refusal:
        raise ApplicationError(refusal, code="point_of_no_return" if order.point_of_no_return_passed
                               and order.state in CustomerOrder.OPEN else "invalid_state",
                               extra={"state": order.state, "followOn": order.point_of_no_return_passed})
    items = {i.item_id: i for i in order.items.select_related("offering", "place")}
    errors = _shape_errors(order, items, changes, add, remove)
    if errors:
        raise DomainValidationError(errors, message="The modification is malformed")
    open_after = {k for k, v in items.items() if v.state not in CLOSED_ITEM} - set(remove)
    if not open_after and not add:
        raise BusinessRuleViolation(f"Removing every item leaves nothing to order: cancel order "
                                    f"{order.order_number} instead.", code="nothing_left")

    result = ModifyResult(order=order)
    decomposed = order.state == S.COMMITTED
    why = (reason or "").strip()[:500] or "order modified"
    exposure_before = ordering_services._credit_exposure(order)
    history: dict[str, list] = {}
    with one_event():
        touched: list[OrderItem] = []
        for c in changes:
            item = items[str(c.item_id)]
            before = _snapshot(item)
            if c.quantity is not None:
                item.quantity = c.quantity
            if c.characteristics is not None:
                merged = dict(item.characteristics or {})
                for name, value in c.characteristics.items():
                    if value is None:
                        merged.pop(name, None)
                    else:
                        merged[name] = value
                item.characteristics = merged
            if c.place is not None:
                place = _place(order, c.place, actor=actor,
                               path=f"productOrderItem[{item.item_id}].product.place")
                item.place = place
            after = _snapshot(item)
            if after == before:
                continue
            item.save(update_fields=["quantity", "characteristics", "place"])
            history[f"item {item.item_id}"] = [before, after]
            touched.append(item)
            result.changed_items.append(item.item_id)
        for r in remove:
            item = items[r]
            targets = [item] + [d for d in item.dependents.all() if d.state not in CLOSED_ITEM]
            for t in targets:
                if decomposed:
                    _release_from_network(order, t, reason=f"{why}: item removed", actor=actor)
                if t.state not in CLOSED_ITEM:
                    fsm_transition(t, "cancel", actor=actor, record=False, state_field="state")
                    result.removed_items.append(t.item_id)
        if result.removed_items:
            history["removed items"] = [None, result.removed_items]
        added = [_add_item(order, i, actor=actor) for i in add]
        by_id = {**items, **{i.item_id: i for i in added}}
        for spec, item in zip(add, added, strict=True):
            if spec.depends_on:
                item.depends_on.set([by_id[str(d)] for d in spec.depends_on])
        if added:
            result.added_items = [i.item_id for i in added]
            history["added items"] = [None, result.added_items]
        if not history:
            return result  # the values sent are the values the order has: nothing to do, nothing recorded

        # validation and the feasibility engine over the order as it now stands
        problems = ordering_services._validation_problems(order)
        if not problems:
            problems = ordering_services._feasibility(
                order, list(order.items.select_related("offering", "place").prefetch_related("prices")))
        if problems:
            raise BusinessRuleViolation(
                "The modified order cannot be accepted: " + "; ".join(p["message"] for p in problems)[:400],
                code="modification_infeasible", extra={"reasons": problems})

        if decomposed:
            for item in touched:
                if item.state in (IS.IN_PROGRESS, IS.HELD):
                    _release_from_network(order, item, reason=f"{why}: decomposed again", actor=actor)
                    _reopen(item, actor=actor)
                    result.redecomposed_items.append(item.item_id)

        order.refresh_from_db()
        history_record(obj=order, action="orders.customer_order.modified", actor=actor, reason=why,
                       root=order.customer or order, changes=history)
        publish(PRODUCT_ORDER_ATTRIBUTE_VALUE_CHANGE, order)

        # credit authorization again when the value rises (orders not yet assessed get it at assessment)
        exposure_after = ordering_services._credit_exposure(order)
        assessed = order.state in (S.HELD, S.COMMITTED) or order.credit_check_id is not None
        if exposure_after > exposure_before and assessed and order.customer is not None:
            from .credit import credit_check_request

            check = credit_check_request(customer=order.customer, amount=exposure_after, currency=order.currency,
                                         billing_account=order.billing_account, actor=actor,
                                         order_reference=order.order_number)
            result.credit_rechecked = True
            if check.decision == CreditCheck.Decision.DECLINED:
                raise BusinessRuleViolation(
                    f"Credit authorization declined the modified order ({check.reason or 'see the credit check'}).",
                    code="credit_declined", extra={"reasons": [ordering_services._reason(
                        "credit_declined", "Credit authorization declined the modified order.", "")]})
            order.credit_check = check
            order.save(update_fields=["credit_check", "updated_at"])
            if check.status == CreditCheck.Status.PENDING_REVIEW:
                # a referral holds the order until the review; its approval commits it again and decomposes
                # the items waiting (customer_orders_credit_decided)
                order.hold_reason = CustomerOrder.HoldReason.CREDIT_REFERRAL
                order.save(update_fields=["hold_reason", "updated_at"])
                if order.state != S.HELD:
                    ordering_services._state_change(order, "hold", actor=actor,
                                                    reason="modified order: credit referral waiting for review")
                return result

        if decomposed and order.items.filter(state=IS.ACKNOWLEDGED).exists():
            from .decomposition import decompose

            decompose(order, actor=actor)
    return result
