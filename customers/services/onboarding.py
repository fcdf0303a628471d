"""Develop-contact onboarding: party, customer, contact, address and account in one transaction."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction

from bss.actors import Actor
from bss.audit.services import UNSET, given
from bss.errors import DomainValidationError
from bss.events import one_event
from bss.tmf.references import resolve_reference
from customers.models import (
    Customer,
    Party,
)
from customers.validation import channel_error

from .account import _account_terms_errors, billing_account_create
from .address import _address_validate, address_create
from .contact import _media_validate, contact_create, customer_contact_media_set
from .customer import customer_change_status, customer_create, customer_note_add, customer_update
from .party import _party_validate, party_create


@transaction.atomic
def customer_onboard(*, actor: Actor, party: dict, customer: dict, contact: dict, media: list[dict],
                     address: dict, account: dict | None = None, duplicates: list[Customer] | tuple = (),
                     duplicate_reason: str = "") -> Customer:
    """New customer acquisition: party, customer, primary contact, address and (optionally) a
    billing account, all or nothing. Collects the field errors of every part before failing.

    An individual's contact is the person: a given or family name left empty is the party's.
    ``duplicates``: existing customers the caller warned about (selectors.customer_duplicates) and
    was told to create anyway; ``duplicate_reason`` (required then) goes on the new customer as a
    note, naming them, so its history says why a look-alike was created."""
    errors: dict = {}
    party, customer, contact = dict(party), dict(customer), dict(contact)
    kind = party.pop("kind", Party.Kind.INDIVIDUAL)
    if kind == Party.Kind.INDIVIDUAL:  # the contact is the person: a name part not given is the party's
        for f in ("given_name", "family_name"):
            contact[f] = contact.get(f) or party.get(f, "")
    for prefix, check in (
        ("party", lambda: _party_validate(kind, party)),
        ("address", lambda: _address_validate(address)),
        ("contact", lambda: _media_validate(media, require_reachable=True, postal=False)),
    ):
        try:
            check()
        except DomainValidationError as e:
            errors.update({f"{prefix}.{k}": v for k, v in e.field_errors.items()})
    if not contact.get("family_name"):
        errors["contact.family_name"] = ["This field is required."]
    channel = contact.get("preferred_channel")
    if channel and (error := channel_error(channel, (m.get("kind") for m in media if (m.get("value") or "").strip()),
                                           has_postal=True)):
        errors["contact.preferred_channel"] = [error]
    if account is not None:
        terms = _account_terms_errors(bill_cycle=account.get("bill_cycle"),
                                      credit_limit=account.get("credit_limit", Decimal("0")))
        errors.update({f"account.{k}": v for k, v in terms.items()})
    if duplicates and not duplicate_reason.strip():
        errors["duplicate_reason"] = ["Say why this is a different customer from the one(s) we hold."]
    if errors:
        raise DomainValidationError(errors)
    p = party_create(kind=kind, actor=actor, **party)
    c = customer_create(actor=actor, name=customer.pop("name", "") or p.display_name, party=p, **customer)
    addr = address_create(customer=c, actor=actor, **address)
    contact_create(customer=c, actor=actor, media=media, is_primary=True, postal_address=addr, **contact)
    if account is not None:
        try:
            billing_account_create(customer=c, actor=actor, billing_address=addr, **account)
        except DomainValidationError as e:
            raise DomainValidationError({f"account.{k}": v for k, v in e.field_errors.items()})
    if duplicates:
        names = ", ".join(f"{d.customer_number} {d.name}" for d in duplicates)
        customer_note_add(customer=c, actor=actor,
                          text=f"Created although it looks like {names}: {duplicate_reason.strip()}")
    return c


def engaged_party_resolve(ref: dict) -> tuple[Party | None, dict | None]:
    """A TMF engagedParty reference: (the Party we hold it names, None) or (None, the reference as
    sent) when it names none of ours; never an error (ARCHITECTURE.md validation policy)."""
    kind = {"individual": Party.Kind.INDIVIDUAL, "organization": Party.Kind.ORGANIZATION}.get(
        (ref.get("@referredType") or "").lower())
    party = None
    if kind is not None:
        party, _ = resolve_reference(ref, Party.objects.filter(kind=kind))
    return party, (None if party else ref)


# --- TMF629 use cases: one request, one service call, one event ----------------------------------

# savepoint=False: the composed services roll back with the caller; no extra savepoint round trips.
@transaction.atomic(savepoint=False)
def customer_register(
    *, actor: Actor, name: str, party: Party | None = None, engaged_party_ref: dict | None = None,
    engaged_party: dict | None = None, status: str = Customer.Status.PROSPECT, contact_media: tuple[list[dict], dict | None] | None = None,
    tmf_extra: dict | None = None, segment: str | None = Customer.Segment.RESIDENTIAL,
    credit_class: str = Customer.CreditClass.B, valid_from: datetime | None = UNSET, valid_to: datetime | None = None,
    status_reason: str = "", characteristics: list | None = None, related_party_refs: list | None = None,
) -> Customer:
    """A new customer with (optionally) its contact media: one transaction, one
    CustomerCreateEvent that already shows the media. The attributes are customer_create's;
    ``engaged_party``: a TMF reference, resolved here (engaged_party_resolve) into party or a kept
    reference."""
    if engaged_party is not None:
        party, engaged_party_ref = engaged_party_resolve(engaged_party)
    with one_event():
        customer = customer_create(
            actor=actor, name=name, party=party, engaged_party_ref=engaged_party_ref, status=status,
            tmf_extra=tmf_extra or {}, segment=segment, credit_class=credit_class, valid_from=valid_from,
            valid_to=valid_to, status_reason=status_reason, characteristics=characteristics,
            related_party_refs=related_party_refs)
        if contact_media:
            customer_contact_media_set(customer=customer, actor=actor, media_and_postal=contact_media)
    return customer


@transaction.atomic(savepoint=False)
def customer_revise(
    *, customer: Customer, actor: Actor, status: str | None = None, reason: str = "",
    contact_media: tuple[list[dict], dict | None] | None = None, name: str = UNSET, party: Party | None = UNSET,
    engaged_party_ref: dict | None = UNSET, segment: str = UNSET, credit_class: str = UNSET,
    valid_from: datetime | None = UNSET, valid_to: datetime | None = UNSET, status_reason: str = UNSET,
    characteristics: list = UNSET, related_party_refs: list = UNSET, tmf_extra_merge: dict | None = UNSET,
    engaged_party: dict = UNSET,
) -> Customer:
    """A change of a customer's attributes (customer_update's, only those given), status and
    contact media together (a TMF629 PATCH): one transaction, one event: a StateChange if the
    status moved, else an AttributeValueChange if anything changed, else none."""
    fields = given(name=name, party=party, engaged_party_ref=engaged_party_ref, segment=segment,
                   credit_class=credit_class, valid_from=valid_from, valid_to=valid_to, status_reason=status_reason,
                   characteristics=characteristics, related_party_refs=related_party_refs,
                   tmf_extra_merge=tmf_extra_merge)
    if engaged_party is not UNSET:  # a TMF reference: resolved here, like customer_register's
        fields["party"], fields["engaged_party_ref"] = engaged_party_resolve(engaged_party)
    with one_event():
        if fields:
            customer = customer_update(customer=customer, actor=actor, **fields)
        if status is not None:
            customer = customer_change_status(customer_id=customer.pk, status=status, actor=actor, reason=reason)
        if contact_media is not None:
            customer_contact_media_set(customer=customer, actor=actor, media_and_postal=contact_media)
    return customer
