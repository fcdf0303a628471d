"""Contact and contact-medium use cases."""

from __future__ import annotations

from django.db import transaction

from bss.actors import Actor
from bss.audit.services import UNSET, diff, given, history_record, model_update, snapshot
from bss.errors import DomainValidationError
from bss.events import publish
from customers.events import CUSTOMER_ATTRIBUTE_VALUE_CHANGE
from customers.models import (
    Address,
    Contact,
    ContactMedium,
    Customer,
)
from customers.validation import channel_error, channel_for, medium_error

from .address import _customer_open_check, address_create, address_update

REACHABLE = {ContactMedium.Kind.MOBILE, ContactMedium.Kind.PHONE, ContactMedium.Kind.EMAIL}


MEDIUM_MAX_LENGTH = ContactMedium._meta.get_field("value").max_length  # 254, as RFC 5321 allows


def _media_validate(media: list[dict], *, require_reachable: bool, postal: bool) -> list[dict]:
    errors, cleaned = {}, []
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
        elif error := medium_error(kind, value):
            errors[f"media[{i}].value"] = error
        cleaned.append({"kind": kind, "value": value, "preferred": bool(m.get("preferred"))})
    if errors:
        raise DomainValidationError(errors)
    if require_reachable and not postal and not any(m["kind"] in REACHABLE for m in cleaned):
        raise DomainValidationError(
            {"media": "Give at least one way to reach the contact: a phone number, a mobile or an e-mail."})
    return cleaned


def _channel_check(channel: str, media: list[dict], *, has_postal: bool) -> None:
    """The preferred channel needs a medium that carries it (customers.validation.channel_error)."""
    if channel not in Contact.Channel.values:
        raise DomainValidationError({"preferred_channel": f"Unknown channel '{channel}'."})
    error = channel_error(channel, (m["kind"] for m in media), has_postal=has_postal)
    if error:
        raise DomainValidationError({"preferred_channel": error})


def _has_postal(customer_id: int, postal_address: Address | None) -> bool:
    """Post reaches a contact at its own postal address, or else at one of its customer's."""
    return postal_address is not None or Address.objects.filter(customer_id=customer_id).exists()


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


CONTACT_FIELDS = ("role", "title", "given_name", "family_name", "job_title", "postal_address", "preferred_channel",
                  "preferred_language", "is_active")


def _primary_unset(customer: Customer, *, actor: Actor) -> None:
    """The customer's current primary contact stops being primary (with its history row)."""
    for other in customer.contacts.filter(is_primary=True):
        model_update(instance=other, fields=("is_primary",), data={"is_primary": False}, actor=actor,
                     action="customers.contact.updated", root=customer)


@transaction.atomic
def contact_create(
    *, customer: Customer, actor: Actor, media: list[dict], is_primary: bool = False, family_name: str = "",
    given_name: str = "", title: str = "", role: str = Contact.Role.PRIMARY, job_title: str = "",
    postal_address: Address | None = None, preferred_channel: str | None = None,
    preferred_language: str = "en", is_active: bool = True,
) -> Contact:
    """Develop contact: mandatory details validated (``family_name``), at least one reachable
    channel (or a postal address); the customer's first contact becomes its primary one.
    ``preferred_channel`` needs a medium that carries it (e-mail an e-mail address, SMS a mobile,
    phone a phone or mobile, post an address); not given, it is the first the media allow
    (customers.validation.channel_for). A closed customer gets no new contact."""
    if not family_name:
        raise DomainValidationError({"family_name": "This field is required."})
    _postal_address_check(customer.pk, postal_address)
    media = _media_validate(media, require_reachable=True, postal=bool(postal_address))
    # whether post can reach the contact is read only when the channel depends on it (one query saved)
    kinds = [m["kind"] for m in media]
    needs_postal = preferred_channel == Contact.Channel.POST or (
        preferred_channel is None and channel_for(kinds, has_postal=False) == Contact.Channel.EMAIL
        and not set(kinds) & {ContactMedium.Kind.EMAIL})
    has_postal = _has_postal(customer.pk, postal_address) if needs_postal else postal_address is not None
    if preferred_channel is None:
        preferred_channel = channel_for(kinds, has_postal=has_postal)
    _channel_check(preferred_channel, media, has_postal=has_postal)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.status == Customer.Status.CLOSED:  # read from the locked row: the caller's may predate a close
        _customer_open_check(customer, "contact")
    has_primary = customer.contacts.filter(is_primary=True).exists()
    if is_primary and has_primary:
        _primary_unset(customer, actor=actor)
    contact = Contact.objects.create(
        customer=customer, is_primary=is_primary or not has_primary, family_name=family_name,
        given_name=given_name, title=title, role=role, job_title=job_title, postal_address=postal_address,
        preferred_channel=preferred_channel, preferred_language=preferred_language, is_active=is_active)
    _media_replace(contact, media, new_contact=True)
    history_record(obj=contact, action="customers.contact.created", actor=actor, root=customer,
                   changes={**diff({}, snapshot(contact)), "media": [None, _media_text(contact)]})
    publish(CUSTOMER_ATTRIBUTE_VALUE_CHANGE, customer)
    return contact


@transaction.atomic
def contact_update(
    *, contact: Contact, actor: Actor, media: list[dict] | None = None, role: str = UNSET, title: str = UNSET,
    given_name: str = UNSET, family_name: str = UNSET, job_title: str = UNSET,
    postal_address: Address | None = UNSET, preferred_channel: str = UNSET, preferred_language: str = UNSET,
    is_active: bool = UNSET,
) -> Contact:
    """Only the arguments given change (``CONTACT_FIELDS``); ``media`` (when given) replaces the
    contact's media. The primary contact changes through contact_make_primary."""
    contact = Contact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
    data = given(role=role, title=title, given_name=given_name, family_name=family_name, job_title=job_title,
                 postal_address=postal_address, preferred_channel=preferred_channel,
                 preferred_language=preferred_language, is_active=is_active)
    before_media = _media_text(contact)
    if not data.get("family_name", contact.family_name):
        raise DomainValidationError({"family_name": "This field is required."})
    postal = contact.postal_address if postal_address is UNSET else postal_address
    if postal_address is not UNSET:
        _postal_address_check(contact.customer_id, postal_address)
        if media is None:  # dropping the postal address must not leave the contact unreachable
            _media_validate([{"kind": m.kind, "value": m.value} for m in contact.media.all()],
                            require_reachable=True, postal=postal is not None)
    if media is not None:
        media = _media_validate(media, require_reachable=True, postal=postal is not None)
    if preferred_channel is not UNSET or media is not None or postal_address is not UNSET:
        kinds = [m["kind"] for m in media] if media is not None else [m.kind for m in contact.media.all()]
        has_postal = _has_postal(contact.customer_id, postal)
        if preferred_channel is UNSET:
            # Media replaced (a TMF PATCH) without naming a channel: a channel they no longer carry
            # follows them, rather than refusing a change that said nothing about it.
            if channel_error(contact.preferred_channel, kinds, has_postal=has_postal):
                data["preferred_channel"] = channel_for(kinds, has_postal=has_postal)
        else:
            _channel_check(preferred_channel, [{"kind": k} for k in kinds], has_postal=has_postal)
    changes = model_update(instance=contact, fields=CONTACT_FIELDS, data=data, actor=actor,
                           action="customers.contact.updated", root=contact.customer)
    if media is not None:
        _media_replace(contact, media)
        after_media = _media_text(contact)
        if after_media != before_media:
            history_record(obj=contact, action="customers.contact.media_changed", actor=actor,
                           changes={"media": [before_media, after_media]}, root=contact.customer)
    if changes or media is not None:
        publish(CUSTOMER_ATTRIBUTE_VALUE_CHANGE, contact.customer)
    return contact


@transaction.atomic
def contact_make_primary(*, contact: Contact, actor: Actor) -> Contact:
    contact = Contact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
    if contact.is_primary:
        return contact
    Customer.objects.select_for_update().get(pk=contact.customer_id)
    _primary_unset(contact.customer, actor=actor)
    model_update(instance=contact, fields=("is_primary",), data={"is_primary": True}, actor=actor,
                 action="customers.contact.made_primary", root=contact.customer)
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
    return contact_update(contact=primary, actor=actor, media=media, postal_address=address or UNSET)
