"""Address use cases."""

from __future__ import annotations

from django.db import transaction

from bss.actors import Actor
from bss.audit.services import UNSET, given, history_record_created, model_update
from bss.errors import DomainValidationError
from customers.models import (
    Address,
    Customer,
)

ADDRESS_REQUIRED = ("street1", "city", "postcode", "country")
ADDRESS_FIELDS = ("street1", "street2", "city", "state_or_province", "postcode", "country", "area_code")


def _address_validate(data: dict) -> None:
    errors = {f: "This field is required." for f in ADDRESS_REQUIRED if not (data.get(f) or "").strip()}
    if data.get("country") and len(data["country"]) != 2:
        errors["country"] = "Use the two-letter ISO 3166 country code."
    if errors:
        raise DomainValidationError(errors)


@transaction.atomic
def address_create(
    *, customer: Customer | None, actor: Actor, street1: str = "", city: str = "", postcode: str = "",
    country: str = "", street2: str = "", state_or_province: str = "", area_code: str = "",
) -> Address:
    """``street1``, ``city``, ``postcode`` and ``country`` are required (ADDRESS_REQUIRED)."""
    data = dict(street1=street1, street2=street2, city=city, state_or_province=state_or_province,
                postcode=postcode, country=country, area_code=area_code)
    _address_validate(data)
    data["country"] = data["country"].upper()
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
    _address_validate({**{f: getattr(address, f) for f in ADDRESS_FIELDS}, **data})
    if "country" in data:
        data["country"] = data["country"].upper()
    model_update(instance=address, fields=ADDRESS_FIELDS, data=data, actor=actor,
                 action="customers.address.updated", root=address.customer or address)
    return address
