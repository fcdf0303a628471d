"""Orders besides new provision (eTOM 1.1.1.5.6 "issue the right orders"): lifecycle orders (suspend and resume
with a reason, restored automatically when the reason clears), tariff changes (now or at the next bill cycle),
terminations, and account-level orders (payment method, bill cycle, billing address). Each is a customer order
like any other (the same lifecycle, history, events and decomposition), built from the customer's products."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from bss.actors import Actor, Channel
from bss.errors import ApplicationError, DomainValidationError
from customers import selectors as customer_selectors
from customers.services import transfer as transfer_services
from orders.models import CustomerOrder, ProductOffering
from orders.models.ordering import LifecycleAction, LifecycleReason

from .ordering import OrderItemInput, customer_order_create


def _products(actor: Actor, product_ids: list) -> list:
    user = actor.user if actor.user_id else None
    found = customer_selectors.products_by_ids(user=user, ids=[int(p) for p in product_ids if str(p).isdigit()],
                                               system=user is None and actor.channel == Channel.SYSTEM)
    if not product_ids or len(found) != len(set(str(p) for p in product_ids)):
        raise DomainValidationError({"products": "Name the customer's products (all of them ours)."})
    if len({p.customer_id for p in found}) != 1:
        raise DomainValidationError({"products": "All products must belong to one customer."})
    return found


@transaction.atomic
def customer_order_lifecycle(*, actor: Actor, product_ids: list, action: str, reason: str,
                             channel: str | None = None, note: str = "") -> CustomerOrder:
    """Suspend or resume products with a reason (non-payment, lost or stolen, fraud, customer request)."""
    if action not in LifecycleAction.values:
        raise DomainValidationError({"action": f"One of {', '.join(LifecycleAction.values)}."})
    if reason not in LifecycleReason.values:
        raise DomainValidationError({"reason": f"One of {', '.join(LifecycleReason.values)}."})
    products = _products(actor, product_ids)
    wanted = "active" if action == LifecycleAction.SUSPEND else "suspended"
    wrong = [p for p in products if p.status != wanted]
    if wrong:
        raise ApplicationError(f"{', '.join(str(p) for p in wrong)}: {wrong[0].status}, not {wanted}: "
                               f"cannot {action}.")
    order, _ = customer_order_create(
        actor=actor, customer_ref=str(products[0].customer_id), channel=channel, lifecycle_action=action,
        lifecycle_reason=reason, description=f"{action.capitalize()}: {LifecycleReason(reason).label}",
        items=[OrderItemInput(item_id=str(n), action="modify", product=str(p.pk))
               for n, p in enumerate(products, start=1)], notes=[note] if note else None)
    return order


def suspended_for(*, customer_id: int, reason: str) -> list[int]:
    """The customer's products suspended for ``reason`` (by a completed suspend order) and not resumed since."""
    out = []
    done = ("completed", "closed")
    for order in CustomerOrder.objects.filter(customer_id=customer_id, lifecycle_action="suspend",
                                              lifecycle_reason=reason, state__in=done).order_by("order_date"):
        for item in order.items.select_related("product"):
            if item.product and item.product.status == "suspended" and not CustomerOrder.objects.filter(
                    lifecycle_action="resume", items__product_id=item.product_id,
                    order_date__gt=order.order_date).exclude(state__in=["cancelled", "rejected"]).exists():
                out.append(item.product_id)
    return sorted(set(out))


@transaction.atomic
def lifecycle_reason_cleared(*, customer_id: int, reason: str, actor: Actor | None = None) -> CustomerOrder | None:
    """The reason for a suspension cleared (e.g. the balance is paid in full): issue the resume order for what it
    suspended. Idempotent: nothing left to resume, nothing issued."""
    actor = actor or Actor.system("automatic restore")
    products = suspended_for(customer_id=customer_id, reason=reason)
    if not products:
        return None
    return customer_order_lifecycle(actor=actor, product_ids=products, action=LifecycleAction.RESUME, reason=reason,
                                    channel=CustomerOrder.Channel.API, note=f"restored: {reason} cleared")


def next_bill_cycle_start(account, now: dt.datetime | None = None) -> dt.datetime:
    now = now or timezone.now()
    day = max(1, min(28, getattr(account.bill_cycle, "day_of_month", 1) or 1))
    candidate = now.replace(day=day, hour=0, minute=0, second=0, microsecond=0)
    if candidate <= now:
        month = candidate.month % 12 + 1
        candidate = candidate.replace(year=candidate.year + (candidate.month == 12), month=month)
    return candidate


@transaction.atomic
def customer_order_tariff_change(*, actor: Actor, product_id, offering_ref: str, effective: str = "now",
                                 channel: str | None = None) -> CustomerOrder:
    """Change a product to another offering, now or at the start of the account's next bill cycle (the order
    waits acknowledged until then)."""
    if effective not in ("now", "next_bill_cycle"):
        raise DomainValidationError({"effective": "now or next_bill_cycle."})
    (product,) = _products(actor, [product_id])
    if product.status != "active":
        raise ApplicationError(f"{product} is {product.status}: only an active product changes tariff.")
    offering = ProductOffering.objects.filter(code=offering_ref).first() or (
        ProductOffering.objects.filter(pk=int(offering_ref)).first() if str(offering_ref).isdigit() else None)
    if offering is None:
        raise DomainValidationError({"offering": f"No offering '{offering_ref}'."})
    start = None
    if effective == "next_bill_cycle":
        if product.billing_account is None:
            raise DomainValidationError({"effective": "The product has no billing account (no bill cycle)."})
        start = next_bill_cycle_start(product.billing_account)
    order, _ = customer_order_create(
        actor=actor, customer_ref=str(product.customer_id), channel=channel, requested_start_date=start,
        description=f"Tariff change to {offering.name}" + (" at the next bill cycle" if start else ""),
        items=[OrderItemInput(item_id="1", action="modify", product=str(product.pk), offering=offering.code)])
    return order


@transaction.atomic
def customer_order_terminate(*, actor: Actor, product_ids: list, channel: str | None = None,
                             reason: str = "") -> CustomerOrder:
    products = _products(actor, product_ids)
    order, _ = customer_order_create(
        actor=actor, customer_ref=str(products[0].customer_id), channel=channel,
        description="Termination" + (f": {reason}" if reason else ""),
        items=[OrderItemInput(item_id=str(n), action="delete", product=str(p.pk))
               for n, p in enumerate(products, start=1)])
    return order


@transaction.atomic
def customer_order_account_change(*, actor: Actor, account_id, changes: dict,
                                  channel: str | None = None) -> CustomerOrder:
    """An account-level order: payment method (and reference), bill cycle, billing address, owner. A change of
    ``owner`` (a customer id or number) transfers the account and the products it bills to that customer when
    the order completes (customers.services.transfer); a ``billing_address`` given with it is the new owner's."""
    user = actor.user if actor.user_id else None
    system = user is None and actor.channel == Channel.SYSTEM
    account = customer_selectors.billing_account_visible(user=user, account_id=int(account_id)
                                                         if str(account_id).isdigit() else None, system=system)
    if account is None:
        raise DomainValidationError({"billing_account": "Not found."})
    changes = dict(changes)
    allowed = {"payment_method", "payment_reference", "bill_cycle", "billing_address", "owner"}
    errors = {k: "Not an account-level change." for k in changes if k not in allowed}
    owner = None
    if "owner" in changes:
        owner = _customer(changes["owner"], user=user, system=system)
        address = _address(changes.get("billing_address")) if changes.get("billing_address") else None
        errors.update(transfer_services.billing_account_transfer_problems(account=account, new_owner=owner,
                                                                           billing_address=address))
        if owner is not None:
            changes["owner"] = owner.pk
    if not changes:
        errors["changes"] = "Say what changes."
    methods = customer_selectors.payment_methods()
    if "payment_method" in changes and changes["payment_method"] not in methods:
        errors["payment_method"] = f"One of {', '.join(methods)}."
    if "bill_cycle" in changes and customer_selectors.bill_cycle_by_code(code=str(changes["bill_cycle"])) is None:
        errors["bill_cycle"] = f"No bill cycle '{changes['bill_cycle']}'."
    if "billing_address" in changes and owner is None:
        address = _address(changes["billing_address"])
        if address is None or address.customer_id != account.customer_id:
            errors["billing_address"] = "Not an address of the account's customer."
    if errors:
        raise DomainValidationError(errors)
    order, _ = customer_order_create(
        actor=actor, customer_ref=str(account.customer_id), account_ref=str(account.pk), channel=channel, items=[],
        account_changes={k: str(v) for k, v in changes.items()},
        description="Account change: " + ", ".join(sorted(changes))
        + (f" (new owner {owner.customer_number} {owner.name})" if owner is not None else ""))
    return order


def _customer(ref, *, user, system: bool):
    ref = str(ref or "").strip()
    found = customer_selectors.customer_visible(user=user, customer_id=int(ref), system=system) \
        if ref.isdigit() else None
    return found or (customer_selectors.customer_by_number(user=user, customer_number=ref, system=system)
                     if ref else None)


def _address(ref):
    return customer_selectors.address_visible(user=None, address_id=int(ref) if str(ref).isdigit() else None,
                                              system=True)


def account_owner_change_apply(order: CustomerOrder, *, billing_address, actor: Actor):
    """At completion (ordering._apply_account_changes, which applies the order's other changes to the moved account
    afterwards): the account and the products it bills move to the new owner. Returns the moved account."""
    owner = customer_selectors.customer_visible(user=None, customer_id=int(order.account_changes["owner"]),
                                                system=True)
    return transfer_services.billing_account_transfer(
        account=order.billing_account, new_owner=owner, billing_address=billing_address, actor=actor,
        reason=f"order {order.order_number}: change of owner")
