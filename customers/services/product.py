"""Product inventory use cases (TMF637). A product names its offering by the catalog's stable offering
code (``offering_code``, the TMF620 ``code`` of the ProductOffering): one canonical reference that
feasibility, ordering and billing all use.

Products change through customer orders (orders.services.ordering calls product_create,
product_update and product_transition when an order completes). The ``*_outside_order`` services
are the one other door: the data-migration role writing the inventory directly (TMF637
POST/PATCH/DELETE); such a product is marked ``created_outside_order`` and its history says so."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from bss.actors import Actor
from bss.audit.services import UNSET, given, history_record_created, model_update
from bss.errors import ApplicationError, BusinessRuleViolation, DomainValidationError
from bss.events import one_event, publish
from bss.fsm import fsm_transition
from bss.tmf.references import kept_reference, resolve_reference
from customers.events import (
    PRODUCT_ATTRIBUTE_VALUE_CHANGE,
    PRODUCT_CREATE,
    PRODUCT_DELETE,
    PRODUCT_STATE_CHANGE,
)
from customers.models import (
    Address,
    BillingAccount,
    Customer,
    Product,
)

PRODUCT_FIELDS = ("name", "description", "offering_code", "offering_name", "billing_account", "product_serial",
                  "place", "characteristics", "start_date", "end_date")
S = Product.Status
PRODUCT_TRANSITIONS = ("pend_activate", "activate", "cancel", "abort", "suspend", "resume", "pend_terminate",
                       "cancel_termination", "terminate")
# A product written outside an order in a given status: created, then moved there through the lifecycle
# (every move in the history), never set directly.
MIGRATION_PATHS = {
    S.CREATED: (),
    S.PENDING_ACTIVE: ("pend_activate",),
    S.ACTIVE: ("activate",),
    S.SUSPENDED: ("activate", "suspend"),
    S.PENDING_TERMINATE: ("activate", "pend_terminate"),
    S.TERMINATED: ("terminate",),
    S.CANCELLED: ("cancel",),
    S.ABORTED: ("pend_activate", "abort"),
}
OUTSIDE_ORDER = "outside an order (data migration)"


def _ownership_errors(customer_id: int, *, billing_account: BillingAccount | None, place: Address | None) -> dict:
    """A product's account and place must be its own customer's."""
    errors = {}
    if billing_account is not None and billing_account.customer_id != customer_id:
        errors["billing_account"] = "The billing account belongs to another customer."
    if place is not None and place.customer_id not in (None, customer_id):
        errors["place"] = "The address belongs to another customer."
    return errors


def _create(*, customer: Customer, actor: Actor, name: str, offering_code: str, offering_name: str,
            description: str = "", billing_account: BillingAccount | None = None, product_serial: str = "",
            place: Address | None = None, characteristics: dict | None = None, start_date: datetime | None = None,
            end_date: datetime | None = None, created_outside_order: bool = False, tmf_extra: dict | None = None,
            action: str = "customers.product.created", reason: str = "") -> Product:
    errors = _ownership_errors(customer.pk, billing_account=billing_account, place=place)
    if not (offering_code or "").strip():
        errors["offering_code"] = "This field is required."
    if errors:
        raise DomainValidationError(errors)
    product = Product.objects.create(customer=customer, name=name, description=description or "",
                                     offering_code=offering_code.strip(), offering_name=offering_name,
                                     billing_account=billing_account, product_serial=product_serial, place=place,
                                     characteristics=characteristics or {}, start_date=start_date,
                                     end_date=end_date, created_outside_order=created_outside_order,
                                     tmf_extra=tmf_extra or {})
    history_record_created(obj=product, actor=actor, action=action, root=customer, reason=reason)
    return product


@transaction.atomic
def product_create(*, customer: Customer, actor: Actor, name: str, offering_code: str, offering_name: str,
                   description: str = "", billing_account: BillingAccount | None = None, product_serial: str = "",
                   place: Address | None = None, characteristics: dict | None = None,
                   start_date: datetime | None = None, end_date: datetime | None = None) -> Product:
    """A product in ``created``: an order completing (which then activates it), or admin."""
    product = _create(customer=customer, actor=actor, name=name, offering_code=offering_code,
                      offering_name=offering_name, description=description, billing_account=billing_account,
                      product_serial=product_serial, place=place, characteristics=characteristics,
                      start_date=start_date, end_date=end_date)
    publish(PRODUCT_CREATE, product)
    return product


def _locked(product_id: int) -> Product:
    return Product.objects.select_for_update().select_related("customer").get(pk=product_id)


def _update(product: Product, *, actor: Actor, changes: dict, action: str = "customers.product.updated",
            reason: str = "") -> dict:
    errors = _ownership_errors(product.customer_id, billing_account=changes.get("billing_account"),
                               place=changes.get("place"))
    if errors:
        raise DomainValidationError(errors)
    changed = model_update(instance=product, fields=(*PRODUCT_FIELDS, "tmf_extra"), data=changes, actor=actor,
                           action=action, root=product.customer, reason=reason)
    if changed:
        publish(PRODUCT_ATTRIBUTE_VALUE_CHANGE, product)
    return changed


@transaction.atomic
def product_update(
    *, product: Product, actor: Actor, name: str = UNSET, description: str = UNSET, offering_code: str = UNSET,
    offering_name: str = UNSET, billing_account: BillingAccount | None = UNSET, product_serial: str = UNSET,
    place: Address | None = UNSET, characteristics: dict = UNSET, start_date: datetime | None = UNSET,
    end_date: datetime | None = UNSET,
) -> Product:
    """Only the arguments given change (PRODUCT_FIELDS); a product stays with its customer and its
    status moves through product_transition."""
    changes = given(name=name, description=description, offering_code=offering_code, offering_name=offering_name,
                    billing_account=billing_account, product_serial=product_serial, place=place,
                    characteristics=characteristics, start_date=start_date, end_date=end_date)
    product = _locked(product.pk)
    _update(product, actor=actor, changes=changes)
    return product


def _move(product: Product, transition: str, *, actor: Actor, reason: str = "") -> Product:
    """One lifecycle move on a locked row, with its history row and the dates it sets."""
    if transition not in PRODUCT_TRANSITIONS:
        raise DomainValidationError({"transition": f"'{transition}' is not a product transition; use one of "
                                                   f"{', '.join(PRODUCT_TRANSITIONS)}."})
    fsm_transition(product, transition, actor=actor, reason=reason, root=product.customer,
                   action=f"customers.product.{transition}")
    if transition == "activate" and product.start_date is None:
        product.start_date = timezone.now()
        product.save(update_fields=["start_date", "updated_at"])
    if transition == "terminate":
        product.end_date = timezone.now()
        product.save(update_fields=["end_date", "updated_at"])
    publish(PRODUCT_STATE_CHANGE, product)
    return product


@transaction.atomic
def product_transition(*, product_id: int, transition: str, actor: Actor, reason: str = "") -> Product:
    """Move a product along its lifecycle (Product's docstring): pend_activate (its order is in flight),
    activate, cancel (its order was cancelled), abort (its activation failed), suspend, resume,
    pend_terminate (a delete order is in flight), cancel_termination, terminate. A move the lifecycle
    does not allow from the current status is a 409."""
    return _move(_locked(product_id), transition, actor=actor, reason=reason)


# --- outside an order: the data-migration role (TMF637 POST / PATCH / DELETE) -------------------------

def _is_customer_ref(ref: dict) -> bool:
    return str(ref.get("role") or "").lower() == "customer" or str(ref.get("@referredType") or "") == "Customer"


def _customer_from(related_party: list[dict]) -> tuple[Customer | None, dict | None, list[dict]]:
    """(the customer we hold, its reference, the other related parties kept as sent)."""
    refs = [r for r in related_party if _is_customer_ref(r)]
    others = [kept_reference(r) for r in related_party if not _is_customer_ref(r)]
    for ref in refs:
        customer, _ = resolve_reference(ref, Customer.objects.all(), referred_types=("Customer",))
        if customer is not None:
            return customer, ref, others + [kept_reference(r) for r in refs if r is not ref]
    return None, (refs[0] if refs else None), others


def _billing_account_from(ref: dict | None) -> tuple[BillingAccount | None, dict | None]:
    account, kept = resolve_reference(ref, BillingAccount.objects.all(), referred_types=("BillingAccount",))
    return account, (None if account is not None else kept)


def _place_from(places: list[dict]) -> tuple[Address | None, list[dict]]:
    """(the first of our addresses named, every other place kept verbatim: a place may come by value)."""
    place, kept = None, []
    for item in places:
        if place is None and item.get("id") is not None:
            place, _ = resolve_reference(item, Address.objects.all(),
                                         referred_types=("GeographicAddress", "Address", "Place"))
            if place is not None:
                continue
        kept.append(item)
    return place, kept


def _with_extra(extra: dict, key: str, value) -> dict:
    out = {k: v for k, v in extra.items() if k != key}
    if value:
        out[key] = value
    return out


@transaction.atomic
def product_create_outside_order(
    *, actor: Actor, status: str, related_party: list[dict], product_offering: dict | None, name: str = "",
    description: str = "", product_serial: str = "", billing_account: dict | None = None,
    place: list[dict] | None = None, characteristics: dict | None = None, start_date: datetime | None = None,
    end_date: datetime | None = None, tmf_extra: dict | None = None,
) -> Product:
    """A product written directly into the inventory (a data migration), not by an order: its customer is
    the relatedParty with role customer (one of ours), its offering the productOffering's id (the catalog's
    offering code). It is created, then moved to ``status`` through the lifecycle (MIGRATION_PATHS), each move
    recorded; the history's first row is customers.product.created_outside_order. One ProductCreateEvent."""
    if status not in MIGRATION_PATHS:
        raise DomainValidationError({"status": f"'{status}' is not a product status."})
    customer, customer_ref, other_parties = _customer_from(related_party or [])
    if customer_ref is None:
        raise DomainValidationError({"customer": "Name the product's customer: a relatedParty with role customer "
                                                 "and @referredType Customer."})
    if customer is None:
        raise BusinessRuleViolation(f"The customer {customer_ref.get('id')!r} is not one of ours: a product "
                                    f"belongs to a customer we hold.", extra={"fields": {"relatedParty": [
                                        "Not one of our customers."]}})
    account, account_ref = _billing_account_from(billing_account)
    address, other_places = _place_from(place or [])
    offering = product_offering or {}
    code = str(offering.get("id") or "").strip()
    extra = dict(tmf_extra or {})
    extra = _with_extra(extra, "relatedParty", other_parties)
    extra = _with_extra(extra, "billingAccount", account_ref)
    extra = _with_extra(extra, "place", other_places)
    with one_event():
        product = _create(customer=customer, actor=actor, name=name or offering.get("name") or code,
                          offering_code=code, offering_name=offering.get("name") or name or code,
                          description=description, billing_account=account, product_serial=product_serial,
                          place=address, characteristics=characteristics, start_date=start_date,
                          end_date=end_date, created_outside_order=True, tmf_extra=extra,
                          action="customers.product.created_outside_order", reason=f"Created {OUTSIDE_ORDER}")
        publish(PRODUCT_CREATE, product)
        for transition in MIGRATION_PATHS[status]:
            _move(product, transition, actor=actor, reason=f"Migrated in as {status}, {OUTSIDE_ORDER}")
        if end_date is not None and product.end_date != end_date:
            product.end_date = end_date  # the migrated termination date, not the moment of the migration
            product.save(update_fields=["end_date", "updated_at"])
    return product


def _transition_to(product: Product, status: str) -> str | None:
    """The one lifecycle move from the product's status to ``status`` (None: it is already there)."""
    if status == product.status:
        return None
    for t in product.get_available_status_transitions():
        if t.target == status and t.name in PRODUCT_TRANSITIONS:
            return t.name
    raise ApplicationError(f"A product cannot go from '{product.status}' to '{status}' in one move.",
                           extra={"state": product.status, "target": status})


@transaction.atomic
def product_update_outside_order(
    *, product_id: int, actor: Actor, status: str = UNSET, related_party: list[dict] = UNSET,
    product_offering: dict = UNSET, name: str = UNSET, description: str = UNSET, product_serial: str = UNSET,
    billing_account: dict | None = UNSET, place: list[dict] | None = UNSET, characteristics: dict = UNSET,
    start_date: datetime | None = UNSET, end_date: datetime | None = UNSET, tmf_extra: dict = UNSET,
    reason: str = "",
) -> Product:
    """A direct change (data migration): the attributes given change in one history row
    (customers.product.changed_outside_order), ``status`` moves through the lifecycle (one move; any other
    is a 409); the product stays with its customer. ``tmf_extra`` is merged. One event."""
    product = _locked(product_id)
    changes = given(name=name, description=description, product_serial=product_serial,
                    characteristics=characteristics, start_date=start_date, end_date=end_date)
    extra = dict(product.tmf_extra or {})
    if tmf_extra is not UNSET:
        extra.update(tmf_extra or {})
    if product_offering is not UNSET:
        offering = product_offering or {}
        changes["offering_code"] = str(offering.get("id") or "").strip()
        if offering.get("name"):
            changes["offering_name"] = offering["name"]
        if not changes["offering_code"]:
            raise DomainValidationError({"offering_code": "This field is required."})
    if related_party is not UNSET:
        customer, customer_ref, others = _customer_from(related_party or [])
        if customer_ref is not None and (customer is None or customer.pk != product.customer_id):
            raise DomainValidationError({"customer": "A product stays with its customer."})
        extra = _with_extra(extra, "relatedParty", others)
    if billing_account is not UNSET:
        changes["billing_account"], account_ref = _billing_account_from(billing_account)
        extra = _with_extra(extra, "billingAccount", account_ref)
    if place is not UNSET:
        changes["place"], other_places = _place_from(place or [])
        extra = _with_extra(extra, "place", other_places)
    if extra != (product.tmf_extra or {}):
        changes["tmf_extra"] = extra
    if status is not UNSET and status not in MIGRATION_PATHS:
        raise DomainValidationError({"status": f"'{status}' is not a product status."})
    why = reason or f"Changed {OUTSIDE_ORDER}"
    with one_event():
        _update(product, actor=actor, changes=changes, action="customers.product.changed_outside_order",
                reason=why)
        transition = _transition_to(product, status) if status is not UNSET else None
        if transition:
            _move(product, transition, actor=actor, reason=why)
            if transition == "terminate" and end_date not in (UNSET, None):
                product.end_date = end_date
                product.save(update_fields=["end_date", "updated_at"])
    return product


@transaction.atomic
def product_terminate_outside_order(*, product_id: int, actor: Actor, reason: str = "") -> Product:
    """TMF637 DELETE: a product is never erased; it is terminated (a 409 from a status the lifecycle
    does not terminate from), its history keeps why, and listeners get one ProductDeleteEvent."""
    product = _locked(product_id)
    with one_event():
        _move(product, "terminate", actor=actor, reason=reason or f"Terminated {OUTSIDE_ORDER}")
        publish(PRODUCT_DELETE, product)
    return product
