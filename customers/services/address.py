"""Address use cases."""

from __future__ import annotations

from django.db import transaction

from bss.actors import Actor
from bss.audit.services import history_record_created, track_changes
from bss.errors import DomainValidationError
from customers.models import (
    Address,
    Customer,
)

ADDRESS_REQUIRED = ("street1", "city", "postcode", "country")


def _address_validate(data: dict) -> None:
    errors = {f: "This field is required." for f in ADDRESS_REQUIRED if not (data.get(f) or "").strip()}
    if data.get("country") and len(data["country"]) != 2:
        errors["country"] = "Use the two-letter ISO 3166 country code."
    if errors:
        raise DomainValidationError(errors)


@transaction.atomic
def address_create(*, customer: Customer | None, actor: Actor, **data) -> Address:
    _address_validate(data)
    data["country"] = data["country"].upper()
    address = Address.objects.create(customer=customer, **data)
    history_record_created(obj=address, actor=actor, action="customers.address.created", root=customer or address)
    return address


@transaction.atomic
def address_update(*, address: Address, actor: Actor, **data) -> Address:
    address = Address.objects.select_for_update().get(pk=address.pk)
    with track_changes(address, action="customers.address.updated", actor=actor,
                       root=address.customer or address):
        for key, value in data.items():
            setattr(address, key, value)
        _address_validate(address.__dict__)
        address.country = address.country.upper()
        address.save()
    return address
