"""Contact and contact-medium use cases."""

from __future__ import annotations

from django.db import transaction

from bss.actors import Actor
from bss.audit.services import diff, history_record, snapshot, track_changes
from bss.errors import DomainValidationError
from bss.events import publish
from customers.events import CUSTOMER_ATTRIBUTE_VALUE_CHANGE
from customers.models import (
    Address,
    Contact,
    ContactMedium,
    Customer,
)

from .address import address_create, address_update

REACHABLE = {ContactMedium.Kind.MOBILE, ContactMedium.Kind.PHONE, ContactMedium.Kind.EMAIL}


MEDIUM_MAX_LENGTH = ContactMedium._meta.get_field("value").max_length  # 254, as RFC 5321 allows


def _media_validate(media: list[dict], *, require_reachable: bool, postal: bool) -> list[dict]:
    errors, cleaned = {}, []
    from django.core.validators import validate_email
    from django.forms import ValidationError

    for i, m in enumerate(media):
        kind, value = m.get("kind"), (m.get("value") or "").strip()
        if not value:
            continue
        if len(value) > MEDIUM_MAX_LENGTH:  # the column's size: longer would fail in the database
            what = "An e-mail address" if kind == ContactMedium.Kind.EMAIL else "A contact medium"
            errors[f"media[{i}].value"] = (f"{what} can have at most {MEDIUM_MAX_LENGTH} characters "
                                           f"(this one has {len(value)}).")
        elif kind not in ContactMedium.Kind.values:
            errors[f"media[{i}].kind"] = f"Unknown medium '{kind}'."
        elif kind == ContactMedium.Kind.EMAIL:
            try:
                validate_email(value)
            except ValidationError:
                errors[f"media[{i}].value"] = f"'{value}' is not a valid e-mail address."
        elif sum(ch.isdigit() for ch in value) < 7 or any(ch.isalpha() for ch in value):
            errors[f"media[{i}].value"] = f"'{value}' is not a valid phone number."
        cleaned.append({"kind": kind, "value": value, "preferred": bool(m.get("preferred"))})
    if errors:
        raise DomainValidationError(errors)
    if require_reachable and not postal and not any(m["kind"] in REACHABLE for m in cleaned):
        raise DomainValidationError(
            {"media": "Give at least one way to reach the contact: a phone number, a mobile or an e-mail."})
    return cleaned


def _media_replace(contact: Contact, media: list[dict], *, new_contact: bool = False) -> None:
    if not new_contact:
        contact.media.all().delete()
    rows = [ContactMedium(contact=contact, **m) for m in media]
    for m in rows:  # bulk_create bypasses save()
        m.set_match_key()
    ContactMedium.objects.bulk_create(rows)


def _media_text(contact: Contact) -> str:
    return ", ".join(f"{m.kind}:{m.value}" for m in contact.media.order_by("kind", "value"))


def _postal_address_check(customer_id: int, address: Address | None) -> None:
    if address is not None and address.customer_id not in (None, customer_id):
        raise DomainValidationError({"postal_address": "The address belongs to another customer."})


@transaction.atomic
def contact_create(*, customer: Customer, actor: Actor, media: list[dict], is_primary: bool = False,
                   **data) -> Contact:
    """Develop contact: mandatory details validated, at least one reachable channel."""
    if not data.get("family_name"):
        raise DomainValidationError({"family_name": "This field is required."})
    _postal_address_check(customer.pk, data.get("postal_address"))
    media = _media_validate(media, require_reachable=True, postal=bool(data.get("postal_address")))
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    has_primary = customer.contacts.filter(is_primary=True).exists()
    if is_primary and has_primary:
        for other in customer.contacts.filter(is_primary=True):
            with track_changes(other, action="customers.contact.updated", actor=actor, root=customer):
                other.is_primary = False
                other.save()
    contact = Contact.objects.create(customer=customer, is_primary=is_primary or not has_primary, **data)
    _media_replace(contact, media, new_contact=True)
    history_record(obj=contact, action="customers.contact.created", actor=actor, root=customer,
                   changes={**diff({}, snapshot(contact)), "media": [None, _media_text(contact)]})
    publish(CUSTOMER_ATTRIBUTE_VALUE_CHANGE, customer)
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, actor: Actor, media: list[dict] | None = None, **data) -> Contact:
    contact = Contact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
    before_media = _media_text(contact)
    with track_changes(contact, action="customers.contact.updated", actor=actor, root=contact.customer) as t:
        for key, value in data.items():
            setattr(contact, key, value)
        if not contact.family_name:
            raise DomainValidationError({"family_name": "This field is required."})
        if "postal_address" in data:
            _postal_address_check(contact.customer_id, contact.postal_address)
        if media is None and "postal_address" in data:
            # dropping the postal address must not leave the contact unreachable
            _media_validate([{"kind": m.kind, "value": m.value} for m in contact.media.all()],
                            require_reachable=True, postal=bool(contact.postal_address_id))
        if media is not None:
            media = _media_validate(media, require_reachable=True, postal=bool(contact.postal_address_id))
        contact.save()
    if media is not None:
        _media_replace(contact, media)
        after_media = _media_text(contact)
        if after_media != before_media:
            history_record(obj=contact, action="customers.contact.media_changed", actor=actor,
                           changes={"media": [before_media, after_media]}, root=contact.customer)
    if t.entry or media is not None:
        publish(CUSTOMER_ATTRIBUTE_VALUE_CHANGE, contact.customer)
    return contact


@transaction.atomic
def contact_make_primary(*, contact: Contact, actor: Actor) -> Contact:
    contact = Contact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
    if contact.is_primary:
        return contact
    Customer.objects.select_for_update().get(pk=contact.customer_id)
    for other in contact.customer.contacts.filter(is_primary=True):
        with track_changes(other, action="customers.contact.updated", actor=actor, root=contact.customer):
            other.is_primary = False
            other.save()
    with track_changes(contact, action="customers.contact.made_primary", actor=actor, root=contact.customer):
        contact.is_primary = True
        contact.save()
    return contact


@transaction.atomic
def customer_contact_media_set(*, customer: Customer, actor: Actor, media_and_postal: tuple[list[dict], dict | None]
                               ) -> Contact:
    """Set the customer's own contact media (as TMF629 contactMedium gives them): they belong to
    the primary contact, created from the party when there is none yet; a postal address
    updates the primary contact's address or creates it."""
    media, postal = media_and_postal
    customer = Customer.objects.select_for_update(of=("self",)).select_related("party").get(pk=customer.pk)
    primary = customer.contacts.filter(is_primary=True).select_related("postal_address").first()
    address = None
    if postal:
        if primary and primary.postal_address_id:
            address = address_update(address=primary.postal_address, actor=actor, **postal)
        else:
            address = address_create(customer=customer, actor=actor, **postal)
    if primary is None:
        party = customer.party
        return contact_create(
            customer=customer, actor=actor, media=media, is_primary=True, postal_address=address,
            given_name=party.given_name if party else "",
            family_name=(party.family_name if party and party.family_name else customer.name),
        )
    extra = {"postal_address": address} if address else {}
    return contact_update(contact=primary, actor=actor, media=media, **extra)
