"""History for people: turns HistoryEntry rows into timeline items a member of staff can read.

Each app names its history codes in ``<app>/history_labels.py``::

    LABELS = {"customers.customer.activate": "Customer activated", ...}

(autodiscovered over the installed apps; a code without a label falls back to a readable form of
the code, and ``tests/bss/audit/test_display.py`` makes sure every code in use has one). A change
``{field: [old, new]}`` shows the field's ``verbose_name``, foreign keys as the related object's
name (one query per related model for the whole timeline, not per row), choices by their label,
dates and money formatted, booleans as Yes/No; structured values (dicts, lists of dicts) are
details, folded. People are shown by full name. The API keeps the codes: this is display only.

    items = timeline(HistoryEntry.objects.for_root(customer).select_related("actor")[:200])

Templates use ``{% load bss_timeline %}{% timeline history %}`` (templates/bss/_timeline.html).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst

from bss.money import MoneyPair

from .models import HistoryEntry

EMPTY = "—"
SYSTEM = "System"
# A creation row with more values than this shows them folded.
FOLD_AFTER = 4
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"


# -- labels ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def labels() -> dict[str, str]:
    """Every app's ``history_labels.LABELS``, merged (a code named twice is a programming error)."""
    merged: dict[str, str] = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.history_labels"
        try:
            found = find_spec(name)
        except ModuleNotFoundError:
            found = None
        if found is None:
            continue
        module = import_module(name)
        for code, label in getattr(module, "LABELS", {}).items():
            if code in merged and merged[code] != label:
                raise ValueError(f"history code {code} has two labels: {merged[code]!r} and {label!r}")
            merged[code] = label
    return merged


def readable_code(code: str) -> str:
    """The fallback for a code nobody labelled: ``customers.billing_account.made_primary`` ->
    "Billing account made primary"."""
    parts = code.split(".")
    words = " ".join(p.replace("_", " ") for p in parts[1:] or parts)
    return capfirst(words)


def action_label(code: str) -> str:
    return labels().get(code) or readable_code(code)


# -- the display items ----------------------------------------------------------------------

@dataclass
class Change:
    label: str
    old: str
    new: str
    details: str = ""  # a structured value (dict or list), shown folded

    @property
    def is_set(self) -> bool:
        """A value given (creation, or a field that was empty), not a change from one to another."""
        return self.old == EMPTY


@dataclass
class TimelineItem:
    entry: HistoryEntry
    code: str
    label: str
    subject: str  # what the row is about, e.g. "Contact Mary Murphy"
    actor: str
    changes: list[Change] = field(default_factory=list)
    state: tuple[str, str] | None = None  # (from, to) by label
    state_label: str = "Status"  # the lifecycle field's verbose_name

    @property
    def when(self) -> datetime:
        return self.entry.created_at

    @property
    def channel(self) -> str:
        return self.entry.get_channel_display()

    @property
    def reason(self) -> str:
        return self.entry.reason

    @property
    def is_creation(self) -> bool:
        return bool(self.changes) and all(c.is_set for c in self.changes)

    @property
    def folded(self) -> bool:
        """Many values at once (a creation, a deletion): show them folded, not as a wall of text."""
        return len(self.changes) > FOLD_AFTER


def timeline(entries) -> list[TimelineItem]:
    """Display items for ``entries`` (a queryset or list of HistoryEntry), in their order.

    Queries: the entries themselves, the actors unless already selected (one query), and one
    query per related model named by a foreign key in any of the changes."""
    entries = list(entries)
    models_of = {e.pk: _model_of(e) for e in entries}
    names = _related_names(entries, models_of)
    actors = _actors(entries)
    items = []
    for e in entries:
        model = models_of[e.pk]
        state_field = _state_field(e, model)
        state, state_label = None, "Status"
        if e.from_state or e.to_state:
            f = _field(model, state_field) if state_field else None
            state = (_format(f, e.from_state, names) if e.from_state else EMPTY, _format(f, e.to_state, names))
            state_label = _field_label(f, state_field) if f is not None else state_label
        changes = []
        for name, pair in sorted(e.changes.items(), key=lambda kv: _field_order(model, kv[0])):
            if name == state_field and state is not None:
                continue  # shown as the state change
            old, new = (list(pair) + [None, None])[:2] if isinstance(pair, (list, tuple)) else (None, pair)
            if old in (None, "") and new in (None, ""):
                continue  # nothing to show (a creation recording an empty value)
            f = _field(model, name)
            changes.append(_change(f, name, old, new, names, currency=_currency(model, name, e.changes)))
        items.append(TimelineItem(
            entry=e, code=e.action, label=action_label(e.action), subject=_subject(model, e),
            actor=actors.get(e.pk, SYSTEM), changes=changes, state=state, state_label=state_label,
        ))
    return items


# -- helpers --------------------------------------------------------------------------------

def _model_of(entry) -> type[models.Model] | None:
    return ContentType.objects.get_for_id(entry.content_type_id).model_class()


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _field_order(model, name: str):
    """Changes in the model's field order (as on its forms), unknown names last, by name."""
    if model is not None:
        for i, f in enumerate(model._meta.get_fields()):
            if f.name == name:
                return (i, name)
    return (10_000, name)


def _field_label(f, name: str) -> str:
    label = getattr(f, "verbose_name", None) if f is not None else None
    return capfirst(str(label)) if label else capfirst(name.replace("_", " "))


def _state_field(entry, model) -> str | None:
    """The lifecycle field a state change moved (fsm_transition records it in the changes)."""
    if not (entry.from_state or entry.to_state):
        return None
    for name, pair in entry.changes.items():
        if isinstance(pair, (list, tuple)) and list(pair) in (
                [entry.from_state, entry.to_state], [entry.from_state or None, entry.to_state]):
            return name
    for f in model._meta.concrete_fields if model is not None else ():
        if type(f).__name__ == "FSMField":
            return f.name
    return None


def _subject(model, entry) -> str:
    kind = capfirst(str(model._meta.verbose_name)) if model is not None else ""
    if kind and entry.object_repr and not entry.object_repr.lower().startswith(kind.lower()):
        return f"{kind} {entry.object_repr}"
    return entry.object_repr or kind


def _is_reference(f) -> bool:
    return f is not None and f.is_relation and (f.many_to_one or f.one_to_one or f.many_to_many) and f.concrete


def _related_names(entries, models_of) -> dict[type[models.Model], dict[str, str]]:
    """{related model: {str(pk): name}} for every foreign-key id in the changes; one query per model."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for e in entries:
        model = models_of[e.pk]
        for name, pair in e.changes.items():
            f = _field(model, name)
            if not _is_reference(f) or not isinstance(pair, (list, tuple)):
                continue
            for value in pair:
                for pk in value if isinstance(value, list) else [value]:
                    if pk not in (None, "", "(hidden)") and not isinstance(pk, (dict, list)):
                        wanted[f.related_model].add(pk)
    names: dict[type[models.Model], dict[str, str]] = {}
    for related, pks in wanted.items():
        target = related._meta.pk
        clean = set()
        for pk in pks:
            try:
                clean.add(target.to_python(pk))
            except Exception:  # noqa: BLE001 - a malformed id in old history shows as it is
                continue
        rows = related._base_manager.filter(pk__in=clean) if clean else []
        names[related] = {str(obj.pk): _name(obj) for obj in rows}
    return names


def _name(obj) -> str:
    if hasattr(obj, "get_full_name"):
        return obj.get_full_name() or obj.get_username()
    return str(obj)


def _actors(entries) -> dict[int, str]:
    """{entry pk: the actor's name}; the users in one query unless select_related("actor") did it."""
    missing = {e.actor_id for e in entries if e.actor_id and not HistoryEntry.actor.is_cached(e)}
    users = get_user_model()._base_manager.in_bulk(missing) if missing else {}
    out = {}
    for e in entries:
        if e.actor_id:
            user = e.actor if HistoryEntry.actor.is_cached(e) else users.get(e.actor_id)
            out[e.pk] = _name(user) if user is not None else (e.actor_label or SYSTEM)
        else:
            label = (e.actor_label or "").strip()
            out[e.pk] = SYSTEM if label.lower() in ("", "system") else f"{SYSTEM} ({label})"
    return out


def _currency(model, name: str, changes: dict) -> tuple[str | None, str | None]:
    """The currency of a money amount (a MoneyPair's amount field), when the same row records it."""
    for attr in vars(model).values() if model is not None else ():
        if isinstance(attr, MoneyPair) and attr.amount_field == name:
            pair = changes.get(attr.currency_field)
            if isinstance(pair, (list, tuple)) and len(pair) == 2:
                return (pair[0] or pair[1], pair[1])
    return (None, None)


def _change(f, name, old, new, names, currency=(None, None)) -> Change:
    label = _field_label(f, name)
    if _structured(old) or _structured(new):
        return Change(label=label, old=EMPTY if old in (None, "", [], {}) else "…",
                      new=EMPTY if new in (None, "", [], {}) else "…", details=_details(old, new))
    return Change(label=label, old=_money(_format(f, old, names), old, currency[0]),
                  new=_money(_format(f, new, names), new, currency[1]))


def _money(text: str, value, currency: str | None) -> str:
    return f"{text} {currency}" if currency and value not in (None, "") else text


def _structured(value) -> bool:
    return isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value))


def _details(old, new) -> str:
    def dump(v):
        return json.dumps(v, indent=2, ensure_ascii=False, sort_keys=True, default=str)

    if old in (None, "", [], {}):
        return dump(new)
    return f"Before:\n{dump(old)}\n\nAfter:\n{dump(new)}"


def _format(f, value, names) -> str:
    """One recorded (JSON) value as a person reads it."""
    if value is None or value == "":
        return EMPTY
    if value == "(hidden)":
        return "(hidden)"
    if isinstance(value, list):
        return ", ".join(_format(f, v, names) for v in value) or EMPTY
    if _is_reference(f):
        return names.get(f.related_model, {}).get(str(value), f"#{value} (deleted)")
    choices = getattr(f, "flatchoices", None) if f is not None else None
    if choices:
        for key, label in choices:
            if str(key) == str(value):
                return str(label)
    if isinstance(value, bool) or isinstance(f, models.BooleanField):
        return "Yes" if value in (True, "true", "True", 1) else "No"
    if isinstance(f, models.DateTimeField):
        parsed = parse_datetime(str(value))
        if parsed is not None:
            if timezone.is_aware(parsed):
                parsed = timezone.localtime(parsed)
            return formats.date_format(parsed, DATETIME_FORMAT)
    elif isinstance(f, models.DateField):
        parsed = parse_date(str(value)) if not isinstance(value, date) else value
        if parsed is not None:
            return formats.date_format(parsed, DATE_FORMAT)
    if isinstance(f, models.DecimalField):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        places = f.decimal_places if f.decimal_places is not None else 2
        return formats.number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)
    if isinstance(value, Decimal):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)
