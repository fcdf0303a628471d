"""Develop-contact onboarding: party, customer, contact, address and account in one transaction."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from bss.actors import Actor
from bss.errors import DomainValidationError
from customers.models import (
    Customer,
    Party,
)

from .account import _account_terms_errors, billing_account_create
from .address import _address_validate, address_create
from .contact import _media_validate, contact_create
from .customer import customer_create
from .party import _party_validate, party_create


@transaction.atomic
def customer_onboard(*, actor: Actor, party: dict, customer: dict, contact: dict, media: list[dict],
                     address: dict, account: dict | None = None) -> Customer:
    """New customer acquisition: party, customer, primary contact, address and (optionally) a
    billing account, all or nothing. Collects the field errors of every part before failing."""
    errors: dict = {}
    kind = party.pop("kind", Party.Kind.INDIVIDUAL)
    for prefix, check in (
        ("party", lambda: _party_validate(kind, party)),
        ("address", lambda: _address_validate(address)),
        ("contact", lambda: _media_validate(media, require_reachable=True, postal=False)),
    ):
        try:
            check()
        except DomainValidationError as e:
            errors.update({f"{prefix}.{k}": v for k, v in e.field_errors.items()})
    for f in ("given_name", "family_name"):
        if not contact.get(f):
            errors[f"contact.{f}"] = ["This field is required."]
    if account is not None:
        terms = _account_terms_errors(bill_cycle=account.get("bill_cycle"),
                                      credit_limit=account.get("credit_limit", Decimal("0")))
        errors.update({f"account.{k}": v for k, v in terms.items()})
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
    return c
