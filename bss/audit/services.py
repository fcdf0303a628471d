"""Record history rows; services call these in the same transaction as the change."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from bss.actors import Actor

from .models import HistoryEntry

_SKIP = {"created_at", "updated_at", "search_vector"}
# Never copied into the (append-only, widely readable) history; a model may add its own
# with a HISTORY_EXCLUDE attribute.
SECRET_FIELDS = {"password", "secret", "token", "key"}


class _Unset:
    """The default of an update service's keyword arguments: "not given, leave as is" (None is a
    value: it clears the field). ``model_update`` drops UNSET values, so a service can pass its
    arguments straight through: ``data=dict(name=name, priority=priority)``."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self):
        return "UNSET"

    def __bool__(self):
        return False


UNSET = _Unset()


def given(**values) -> dict:
    """The keyword arguments a caller actually gave (UNSET ones dropped)."""
    return {k: v for k, v in values.items() if v is not UNSET}


def action_prefix(obj) -> str:
    """The namespace of an object's history codes, e.g. customers.billing_account."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", type(obj).__name__).lower()
    return f"{obj._meta.app_label}.{snake}"


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model) -> dict:
    """The concrete field values of obj, JSON-friendly, for diffing before/after a change."""
    data = {}
    hidden = SECRET_FIELDS | set(getattr(obj, "HISTORY_EXCLUDE", ()))
    for field in obj._meta.concrete_fields:
        if field.name in _SKIP or field.primary_key:
            continue
        if field.name in hidden:
            data[field.name] = "(hidden)"  # neither the value nor its changes are recorded
            continue
        data[field.name] = _plain(getattr(obj, field.attname))
    return data


def diff(before: dict, after: dict) -> dict:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def history_root(obj: models.Model, fk_name: str) -> models.Model | None:
    """The object a foreign key points to, as a history root: the loaded one when it is loaded, else a
    reference with only its primary key (history needs the root's type and id, not a query for the rest);
    None when the key is empty."""
    field = obj._meta.get_field(fk_name)
    if field.is_cached(obj):
        return getattr(obj, fk_name)
    pk = getattr(obj, field.attname)
    return None if pk is None else field.related_model(pk=pk)


def history_record(
    *,
    obj: models.Model,
    action: str,
    actor: Actor,
    changes: dict | None = None,
    reason: str = "",
    from_state: str = "",
    to_state: str = "",
    root: models.Model | None = None,
) -> HistoryEntry:
    root = root if root is not None else obj
    return HistoryEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        root_content_type=ContentType.objects.get_for_model(root),
        root_object_id=str(root.pk),
        action=action,
        changes=changes or {},
        reason=reason or "",
        from_state=from_state or "",
        to_state=to_state or "",
        actor=actor.user if actor.user_id else None,
        actor_label=actor.label or (actor.user.get_username() if actor.user_id else "system"),
        channel=actor.channel,
    )


def history_row_target(obj: models.Model, root: models.Model | None = None) -> dict:
    """The columns history_record fills from the object and its root (root: the object itself when None),
    for history_record_many."""
    root = root if root is not None else obj
    return {"content_type_id": ContentType.objects.get_for_model(obj).pk, "object_id": str(obj.pk),
            "object_repr": str(obj)[:200], "root_content_type_id": ContentType.objects.get_for_model(root).pk,
            "root_object_id": str(root.pk)}


def history_record_many(rows: list[dict], *, actor: Actor) -> None:
    """history_record for many entries by one actor, in one INSERT (a set-based job: the SLA scan). Each row:
    history_row_target(obj, root) plus ``action`` and optionally ``changes``, ``reason``, ``from_state``,
    ``to_state``. On PostgreSQL one INSERT ... SELECT FROM unnest; elsewhere bulk_create."""
    if not rows:
        return
    who = {"actor_id": actor.user_id if actor.user_id else None,
           "actor_label": actor.label or (actor.user.get_username() if actor.user_id else "system"),
           "channel": actor.channel}
    full = [{"changes": {}, "reason": "", "from_state": "", "to_state": "", **row, **who} for row in rows]
    if connection.vendor == "postgresql":
        from bss.pg import insert_many

        insert_many(HistoryEntry, full)
    else:
        HistoryEntry.objects.bulk_create([HistoryEntry(**row) for row in full])


def initial_values(obj) -> dict:
    """The values a new object was created with, empty ones left out: {field: [None, value]}."""
    return {k: [None, v] for k, v in snapshot(obj).items() if v not in (None, "", [], {})}


def history_record_created(*, obj, actor: Actor, action: str, root=None, reason: str = "") -> HistoryEntry:
    return history_record(obj=obj, action=action, actor=actor, changes=initial_values(obj), root=root, reason=reason)


class track_changes:
    """Context manager: snapshot before, diff after, one history row if anything changed.

        with track_changes(contact, action="customers.contact.updated", actor=actor, root=customer):
            contact.email = "x@y"; contact.save()
    """

    def __init__(self, obj, *, action: str, actor: Actor, root=None, reason: str = ""):
        self.obj, self.action, self.actor, self.root, self.reason = obj, action, actor, root, reason
        self.entry: HistoryEntry | None = None

    def __enter__(self):
        self.before = snapshot(self.obj)
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            return False
        changes = diff(self.before, snapshot(self.obj))
        if changes:
            self.entry = history_record(
                obj=self.obj, action=self.action, actor=self.actor, changes=changes, root=self.root,
                reason=self.reason,
            )
        return False


def model_update(
    *,
    instance: models.Model,
    fields: tuple[str, ...] | list[str],
    data: dict,
    actor: Actor,
    action: str | None = None,
    root: models.Model | None = None,
    reason: str = "",
    validate: bool = True,
    extra: dict | None = None,
) -> dict:
    """The one update helper every service uses: apply ``data`` (only names in ``fields``, the
    service's explicit list of what may change), validate the model (``full_clean``: field
    types, choices, lengths, uniqueness), save only what changed, and record one history row
    with ``{field: [old, new]}`` (many-to-many fields as sorted primary-key lists). ``extra``:
    changes the service made to owned child rows (e.g. a specification's characteristics),
    recorded in the same row. Returns the changes ({} when nothing changed: nothing is saved or
    recorded). Values that are ``UNSET`` (a keyword argument the caller did not give) are dropped.

    Lifecycle (FSM) fields are protected: naming one raises, they change through
    ``bss.fsm.fsm_transition`` only. A field outside ``fields`` is a programming error
    (TypeError), never silently applied.
    """
    from django.core.exceptions import ValidationError as DjangoValidationError

    from bss.errors import DomainValidationError

    data = given(**data)
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise TypeError(f"{type(instance).__name__} update does not take {', '.join(unknown)}")
    meta = instance._meta
    m2m_names = {f.name for f in meta.many_to_many}
    hidden = SECRET_FIELDS | set(getattr(instance, "HISTORY_EXCLUDE", ()))
    changes: dict = {}
    concrete: list[str] = []
    for name, value in data.items():
        if name in m2m_names:
            continue
        field = meta.get_field(name)
        old = getattr(instance, field.attname if field.is_relation else name)
        new_raw = value.pk if field.is_relation and isinstance(value, models.Model) else value
        if old == new_raw:
            continue
        setattr(instance, name, value)
        concrete.append(field.attname if field.is_relation else name)
        if name not in hidden:
            changes[name] = [_plain(old), _plain(new_raw)]
        else:
            changes[name] = ["(hidden)", "(hidden)"]
    if concrete and validate:
        try:
            instance.full_clean(exclude=[f.name for f in meta.concrete_fields
                                         if f.attname not in concrete and f.name not in concrete])
        except DjangoValidationError as e:
            raise DomainValidationError(e.message_dict if hasattr(e, "error_dict") else {"__all__": e.messages})
    if concrete:
        update_fields = list(concrete)
        if any(f.name == "updated_at" for f in meta.concrete_fields):
            update_fields.append("updated_at")
        instance.save(update_fields=update_fields)
    for name in m2m_names & set(data):
        manager = getattr(instance, name)
        before = sorted(manager.values_list("pk", flat=True))
        after = sorted(v.pk if isinstance(v, models.Model) else v for v in data[name])
        if before != after:
            manager.set(after)
            changes[name] = [before, after]
    changes.update({k: v for k, v in (extra or {}).items() if v[0] != v[1]})
    if changes:
        history_record(obj=instance, action=action or f"{action_prefix(instance)}.updated", actor=actor,
                       changes=changes, root=root, reason=reason)
    return changes
