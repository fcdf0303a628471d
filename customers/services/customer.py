"""Customer use cases: create, update, lifecycle, notes, self-service access."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from bss.actors import Actor
from bss.audit.services import UNSET, history_record, history_record_created, model_update
from bss.errors import ApplicationError, BusinessRuleViolation, DomainValidationError
from bss.events import one_event, publish
from bss.fsm import fsm_transition
from bss.numbering import next_number
from customers.events import CUSTOMER_ATTRIBUTE_VALUE_CHANGE, CUSTOMER_CREATE, CUSTOMER_STATE_CHANGE
from customers.models import (
    BillingAccount,
    Customer,
    CustomerNote,
    Party,
    Product,
    SelfServiceAccess,
)

CUSTOMER_FIELDS = ("name", "party", "engaged_party_ref", "segment", "credit_class", "valid_from", "valid_to",
                   "status_reason", "characteristics", "related_party_refs", "tmf_extra")


@transaction.atomic
def customer_create(
    *, actor: Actor, name: str, party: Party | None = None, engaged_party_ref: dict | None = None,
    segment: str | None = Customer.Segment.RESIDENTIAL, credit_class: str = Customer.CreditClass.B,
    status: str = Customer.Status.PROSPECT, valid_from: datetime | None = UNSET, valid_to: datetime | None = None,
    status_reason: str = "", characteristics: list | None = None, related_party_refs: list | None = None,
    tmf_extra: dict | None = None,
) -> Customer:
    """segment=None derives it from the party: residential for an individual, SME otherwise.
    ``valid_from`` not given: from now (None: no start)."""
    if segment is None:
        kind = party.kind if party else (engaged_party_ref or {}).get("@referredType", "").lower()
        segment = Customer.Segment.RESIDENTIAL if kind == Party.Kind.INDIVIDUAL else Customer.Segment.SME
    if valid_from is UNSET:
        valid_from = timezone.now().replace(microsecond=0)
    if not name or not name.strip():
        raise DomainValidationError({"name": "A customer needs a name."})
    if status not in (Customer.Status.PROSPECT, Customer.Status.ACTIVE):
        raise DomainValidationError({"status": "A new customer starts as prospect or active."})
    customer = Customer(
        customer_number=next_number("customer", prefix="CU"), name=name.strip(), party=party,
        engaged_party_ref=engaged_party_ref, segment=segment, credit_class=credit_class, valid_from=valid_from,
        valid_to=valid_to, status_reason=status_reason, characteristics=characteristics or [],
        related_party_refs=related_party_refs or [], tmf_extra=tmf_extra or {},
    )
    customer.save()
    history_record_created(obj=customer, actor=actor, action="customers.customer.created")
    if status == Customer.Status.ACTIVE:
        fsm_transition(customer, "activate", actor=actor, action="customers.customer.activate")
    publish(CUSTOMER_CREATE, customer)
    return customer


@transaction.atomic
def customer_update(
    *, customer: Customer, actor: Actor, name: str = UNSET, party: Party | None = UNSET,
    engaged_party_ref: dict | None = UNSET, segment: str = UNSET, credit_class: str = UNSET,
    valid_from: datetime | None = UNSET, valid_to: datetime | None = UNSET, status_reason: str = UNSET,
    characteristics: list = UNSET, related_party_refs: list = UNSET, tmf_extra: dict = UNSET,
    tmf_extra_merge: dict | None = UNSET,
) -> Customer:
    """Only the arguments given change (``CUSTOMER_FIELDS``). ``tmf_extra_merge``: TMF attributes
    merged into ``tmf_extra`` on the locked row, so concurrent updates keep each other's keys.
    The status changes through customer_change_status."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if name is not UNSET and not (name or "").strip():
        raise DomainValidationError({"name": "A customer needs a name."})
    if tmf_extra_merge:
        tmf_extra = {**(customer.tmf_extra if tmf_extra is UNSET else tmf_extra), **tmf_extra_merge}
    changes = model_update(
        instance=customer, fields=CUSTOMER_FIELDS, actor=actor, action="customers.customer.updated",
        data=dict(name=name, party=party, engaged_party_ref=engaged_party_ref, segment=segment,
                  credit_class=credit_class, valid_from=valid_from, valid_to=valid_to, status_reason=status_reason,
                  characteristics=characteristics, related_party_refs=related_party_refs, tmf_extra=tmf_extra))
    if changes:
        publish(CUSTOMER_ATTRIBUTE_VALUE_CHANGE, customer)
    return customer


# The transition that reaches a requested status from the current one.
CUSTOMER_TRANSITIONS = {
    (Customer.Status.PROSPECT, Customer.Status.ACTIVE): "activate",
    (Customer.Status.SUSPENDED, Customer.Status.ACTIVE): "resume",
    (Customer.Status.CLOSED, Customer.Status.ACTIVE): "reopen",
    (Customer.Status.ACTIVE, Customer.Status.SUSPENDED): "suspend",
    (Customer.Status.PROSPECT, Customer.Status.CLOSED): "close",
    (Customer.Status.ACTIVE, Customer.Status.CLOSED): "close",
    (Customer.Status.SUSPENDED, Customer.Status.CLOSED): "close",
}


@transaction.atomic
def customer_change_status(*, customer_id: int, status: str, actor: Actor, reason: str = "") -> Customer:
    """Move a customer to a status through its lifecycle; 409 if the lifecycle does not allow it.
    Closing also closes the customer's open billing accounts, in the same transaction, each with its
    own history entry giving the reason (customer_status_consequences says so beforehand)."""
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    if status not in Customer.Status.values:
        raise DomainValidationError({"status": f"'{status}' is not one of {', '.join(Customer.Status.values)}."})
    if customer.status == status:
        return customer
    name = CUSTOMER_TRANSITIONS.get((customer.status, status), status)
    if (customer.status, status) not in CUSTOMER_TRANSITIONS:
        raise ApplicationError(transition_refused_message(customer.status, status), extra={"state": customer.status})
    if status == Customer.Status.CLOSED:
        open_products = _open_products(customer)
        if open_products:
            raise BusinessRuleViolation(
                f"Customer still has {open_products} product(s) that are not terminated.", code="open_products")
    with one_event():  # whatever the account closes publish collapses into the customer's state change
        fsm_transition(customer, name, actor=actor, reason=reason, action=f"customers.customer.{name}")
        if reason:
            customer.status_reason = reason[:255]
            customer.save(update_fields=["status_reason", "updated_at"])
        if status == Customer.Status.CLOSED:
            from . import account

            for account_id in _open_accounts(customer).values_list("pk", flat=True):
                account.billing_account_transition(
                    account_id=account_id, transition="close", actor=actor,
                    reason=f"Customer closed: {reason}" if reason else "Customer closed")
        publish(CUSTOMER_STATE_CHANGE, customer)
    return customer


def _open_products(customer) -> int:
    return customer.products.exclude(status__in=Product.ENDED).count()  # cancelled, aborted, terminated


def _open_accounts(customer):
    return customer.billing_accounts.exclude(status=BillingAccount.Status.CLOSED)


def _with_article(label: str) -> str:
    return f"{'an' if label[:1].lower() in 'aeiou' else 'a'} {label.lower()}"


_TARGET_WORDS = {Customer.Status.PROSPECT: "made a prospect", Customer.Status.ACTIVE: "activated",
                 Customer.Status.SUSPENDED: "suspended", Customer.Status.CLOSED: "closed"}


def transition_refused_message(current: str, target: str) -> str:
    """In words: "A prospect customer cannot be suspended.", "An active customer cannot be made a prospect."
    (never the raw status codes)."""
    return (f"{_with_article(Customer.Status(current).label).capitalize()} customer cannot be "
            f"{_TARGET_WORDS[Customer.Status(target)]}.")


def customer_status_consequences(customer, status: str) -> tuple[list[str], list[str]]:
    """What moving ``customer`` to ``status`` will do, and what blocks it: shown before a CSR confirms.
    Returns (consequences, blockers), each a list of sentences."""
    consequences, blockers = [], []
    if status == Customer.Status.CLOSED:
        accounts = _open_accounts(customer).count()
        products = _open_products(customer)
        if accounts:
            consequences.append(f"{accounts} billing account{'s' if accounts != 1 else ''} will be closed.")
        if products:
            blockers.append(f"{products} product{'s are' if products != 1 else ' is'} not terminated: terminate "
                            f"{'them' if products != 1 else 'it'} before closing the customer.")
        consequences.append("The customer's details stay readable; new orders, contacts and accounts are refused.")
    elif status == Customer.Status.SUSPENDED:
        consequences.append("The customer stays on file; resuming makes it active again.")
    return consequences, blockers


@transaction.atomic
def customer_note_add(*, customer: Customer, actor: Actor, text: str) -> CustomerNote:
    if not text.strip():
        raise DomainValidationError({"text": "A note cannot be empty."})
    note = CustomerNote.objects.create(customer=customer, text=text.strip(), author=actor.user, channel=actor.channel)
    history_record(obj=note, action="customers.note.added", actor=actor, root=customer,
                   changes={"text": [None, note.text[:200]]})
    return note


@transaction.atomic
def self_service_grant(*, customer: Customer, user, actor: Actor) -> SelfServiceAccess:
    from django.contrib.auth.models import Group

    from bss.roles import Role, is_staff_user

    if is_staff_user(user):
        raise BusinessRuleViolation("A staff login cannot also be a self-service login.")
    access, created = SelfServiceAccess.objects.get_or_create(user=user, defaults={"customer": customer})
    if not created and access.customer_id != customer.pk:
        raise BusinessRuleViolation("This login is already linked to another customer.")
    user.groups.add(Group.objects.get(name=Role.CUSTOMER))
    if created:
        history_record_created(obj=access, actor=actor, action="customers.self_service.granted", root=customer)
    return access
