"""Party use cases (TMF632)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from bss.actors import Actor
from bss.audit.services import UNSET, given, history_record_created, model_update
from bss.errors import ApplicationError, DomainValidationError
from bss.events import EventType, publish
from bss.fsm import fsm_transition
from customers.events import PARTY_EVENTS
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
def party_create(
    *, kind: str, actor: Actor, title: str = "", given_name: str = "", middle_name: str = "", family_name: str = "",
    birth_date: date | None = None, gender: str = "", nationality: str = "", trading_name: str = "",
    legal_name: str = "", organization_type: str = "", registration_number: str = "", is_legal_entity: bool = True,
    tmf_extra: dict | None = None, status: str = Party.Status.INITIALIZED,
) -> Party:
    """A new party, initialized; another ``status`` (TMF632 lets a client send one) is reached
    through the lifecycle, recorded like any other move."""
    data = dict(title=title, given_name=given_name, middle_name=middle_name, family_name=family_name,
                birth_date=birth_date, gender=gender, nationality=nationality, trading_name=trading_name,
                legal_name=legal_name, organization_type=organization_type,
                registration_number=registration_number, is_legal_entity=is_legal_entity,
                tmf_extra=tmf_extra or {})
    _party_validate(kind, data)
    party = Party.objects.create(kind=kind, **data)
    history_record_created(obj=party, actor=actor, action="customers.party.created")
    _party_transition(party, status, actor=actor, reason="")
    publish(PARTY_EVENTS[kind]["Create"], party)
    return party


PARTY_FIELDS = ("title", "given_name", "middle_name", "family_name", "birth_date", "gender", "nationality",
                "trading_name", "legal_name", "organization_type", "registration_number", "is_legal_entity",
                "tmf_extra")
PARTY_TRANSITIONS = {
    (Party.Status.INITIALIZED, Party.Status.VALIDATED): "validate",
    (Party.Status.INITIALIZED, Party.Status.CLOSED): "close",
    (Party.Status.VALIDATED, Party.Status.CLOSED): "close",
    (Party.Status.CLOSED, Party.Status.VALIDATED): "reopen",
}


def _party_event(party: Party, kind: str) -> EventType:
    return PARTY_EVENTS[party.kind][kind]


def _party_transition(party: Party, status: str, *, actor: Actor, reason: str) -> bool:
    """Move a locked party to ``status`` (False when it is already there)."""
    if status not in Party.Status.values:
        raise DomainValidationError({"status": f"'{status}' is not one of {', '.join(Party.Status.values)}."})
    if party.status == status:
        return False
    name = PARTY_TRANSITIONS.get((party.status, status))
    if name is None:
        raise ApplicationError(f"A {party.status} party cannot become {status}.", extra={"state": party.status})
    fsm_transition(party, name, actor=actor, reason=reason, action=f"customers.party.{name}")
    return True


@transaction.atomic
def party_update(
    *, party: Party, actor: Actor, status: str | None = None, reason: str = "", title: str = UNSET,
    given_name: str = UNSET, middle_name: str = UNSET, family_name: str = UNSET, birth_date: date | None = UNSET,
    gender: str = UNSET, nationality: str = UNSET, trading_name: str = UNSET, legal_name: str = UNSET,
    organization_type: str = UNSET, registration_number: str = UNSET, is_legal_entity: bool = UNSET,
    tmf_extra: dict = UNSET,
) -> Party:
    """One use case: the attributes given (``PARTY_FIELDS``) and, if given, the status change, in one
    transaction with one event (a StateChange when the status moved, else AttributeValueChange)."""
    fields = given(title=title, given_name=given_name, middle_name=middle_name, family_name=family_name,
                   birth_date=birth_date, gender=gender, nationality=nationality, trading_name=trading_name,
                   legal_name=legal_name, organization_type=organization_type,
                   registration_number=registration_number, is_legal_entity=is_legal_entity, tmf_extra=tmf_extra)
    party = Party.objects.select_for_update().get(pk=party.pk)
    changes = {}
    if fields:
        merged = {**{f: getattr(party, f) for f in PARTY_FIELDS}, **fields}
        _party_validate(party.kind, merged)
        changes = model_update(instance=party, fields=PARTY_FIELDS, data=fields, actor=actor,
                               action="customers.party.updated", reason=reason)
    moved = status is not None and _party_transition(party, status, actor=actor, reason=reason)
    if moved or changes:
        publish(_party_event(party, "StateChange" if moved else "AttributeValueChange"), party)
    return party


@transaction.atomic
def party_change_status(*, party_id: int, status: str, actor: Actor, reason: str = "") -> Party:
    party = Party.objects.select_for_update().get(pk=party_id)
    if _party_transition(party, status, actor=actor, reason=reason):
        publish(_party_event(party, "StateChange"), party)
    return party
