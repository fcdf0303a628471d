"""Party use cases (TMF632)."""

from __future__ import annotations

from django.db import transaction

from bss.actors import Actor
from bss.audit.services import history_record_created, track_changes
from bss.errors import DomainValidationError
from bss.events import publish
from customers.models import (
    Party,
)


def _party_validate(kind: str, data: dict) -> None:
    if kind == Party.Kind.INDIVIDUAL:
        errors = {f: "This field is required." for f in ("given_name", "family_name") if not data.get(f)}
    elif kind == Party.Kind.ORGANIZATION:
        errors = {} if data.get("trading_name") else {"trading_name": "This field is required."}
    else:
        errors = {"kind": f"Unknown party kind '{kind}'."}
    if errors:
        raise DomainValidationError(errors)


@transaction.atomic
def party_create(*, kind: str, actor: Actor, **data) -> Party:
    _party_validate(kind, data)
    party = Party.objects.create(kind=kind, **data)
    history_record_created(obj=party, actor=actor, action="customers.party.created")
    publish("IndividualCreateEvent" if kind == Party.Kind.INDIVIDUAL else "OrganizationCreateEvent", party)
    return party


@transaction.atomic
def party_update(*, party: Party, actor: Actor, **data) -> Party:
    party = Party.objects.select_for_update().get(pk=party.pk)
    with track_changes(party, action="customers.party.updated", actor=actor) as t:
        for key, value in data.items():
            setattr(party, key, value)
        _party_validate(party.kind, party.__dict__)
        party.save()
    if t.entry:
        prefix = "Individual" if party.kind == Party.Kind.INDIVIDUAL else "Organization"
        kind = "StateChange" if "status" in t.entry.changes else "AttributeValueChange"
        publish(f"{prefix}{kind}Event", party)
    return party
