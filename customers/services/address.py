"""Address use cases."""

from __future__ import annotations

from django.db import transaction

from bss.actors import Actor
from bss.audit.services import UNSET, given, history_record_created, model_update
from bss.errors import BusinessRuleViolation, DomainValidationError
from customers.models import (
    Address,
    Customer,
)
from customers.validation import ADDRESS_REQUIRED, address_check

ADDRESS_FIELDS = ("street1", "street2", "city", "state_or_province", "postcode", "country", "area_code")
__all__ = ["ADDRESS_FIELDS", "ADDRESS_REQUIRED", "address_create", "address_update"]


def _address_validate(data: dict) -> dict:
    """The address with its country (ISO code, upper case) and postcode (checked for the country,
    customers.postcodes) normalised; every field error at once (customers.validation.address_check)."""
    cleaned, errors = address_check(data)
    if errors:
        raise DomainValidationError(errors)
    return cleaned


def _customer_open_check(customer: Customer | None, what: str) -> None:
    """A closed customer gets nothing new. Read from the row: the caller's instance may predate the close."""
    if customer is not None and Customer.objects.filter(pk=customer.pk, status=Customer.Status.CLOSED).exists():
        raise BusinessRuleViolation(f"{customer.name} is closed: a closed customer cannot get a new {what}.",
                                    code="customer_closed")


@transaction.atomic
def address_create(
    *, customer: Customer | None, actor: Actor, street1: str = "", city: str = "", postcode: str = "",
    country: str = "", street2: str = "", state_or_province: str = "", area_code: str = "",
) -> Address:
    """``street1``, ``city``, ``postcode`` and ``country`` are required (ADDRESS_REQUIRED); the country
    is an ISO 3166 code, the postcode fits it. A closed customer gets no new address."""
    _customer_open_check(customer, "address")
    data = _address_validate(dict(street1=street1, street2=street2, city=city, state_or_province=state_or_province,
                                  postcode=postcode, country=str(country or ""), area_code=area_code))
    address = Address.objects.create(customer=customer, **data)
    history_record_created(obj=address, actor=actor, action="customers.address.created", root=customer or address)
    return address


@transaction.atomic
def address_update(
    *, address: Address, actor: Actor, street1: str = UNSET, street2: str = UNSET, city: str = UNSET,
    state_or_province: str = UNSET, postcode: str = UNSET, country: str = UNSET, area_code: str = UNSET,
) -> Address:
    """Only the arguments given change (ADDRESS_FIELDS); an address stays with its customer."""
    address = Address.objects.select_for_update().get(pk=address.pk)
    data = given(street1=street1, street2=street2, city=city, state_or_province=state_or_province,
                 postcode=postcode, country=country, area_code=area_code)
    current = {f: getattr(address, f) for f in ADDRESS_FIELDS}
    current["country"] = str(current["country"])
    cleaned, errors = address_check({**current, **data})
    # Only what this change touches: a postcode stored before the checks existed does not block a new city;
    # a new country re-checks the postcode against it.
    touched = set(data) | ({"postcode"} if "country" in data else set())
    errors = {f: e for f, e in errors.items() if f in touched}
    if errors:
        raise DomainValidationError(errors)
    for f in ("country", "postcode"):  # normalised only when given: an untouched field stays as stored
        if f in data:
            data[f] = cleaned[f]
    model_update(instance=address, fields=ADDRESS_FIELDS, data=data, actor=actor,
                 action="customers.address.updated", root=address.customer or address)
    return address
