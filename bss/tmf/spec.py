"""Request validation from the official TM Forum specs (bss/tmf/specs/, swagger 2).

A TMF resource declares its spec once, on its serializer::

    tmf_spec = TmfSpec("TMF629-Customer-v4.0.0.swagger.json", "Customer")

and every POST is checked against the spec's ``Customer_Create`` definition, every PATCH against
``Customer_Update`` (JSON merge patch: the top-level ``required`` list does not apply, a ``null``
removes an attribute), with the spec's own JSON schema and ``$ref`` resolution (jsonschema, draft 4
as swagger 2 uses it). The contract every TMF API shares:

- every attribute the definition has is accepted (the serializer maps the ones we model; the
  others are kept verbatim in ``tmf_extra`` and returned);
- types, enums, required attributes and date-time formats are enforced at every depth;
- an attribute the definition does not have is refused at the top level of the resource
  (below it, TMF's polymorphism lets a ``@type`` bring its own attributes, e.g. a place given
  by value), unless the serializer documents it as an extension.

Problems are returned all at once, keyed by the TMF attribute path
(``contactMedium[0].characteristic.emailAddress``), in plain language.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.dateparse import parse_date, parse_datetime
from jsonschema import Draft4Validator, FormatChecker

SPECS_DIR = Path(__file__).resolve().parent / "specs"
META_ATTRIBUTES = ("@type", "@baseType", "@schemaLocation")
JSON_TYPES = {"string": "a string", "boolean": "true or false", "integer": "a whole number",
              "number": "a number", "object": "an object", "array": "an array (a JSON list)", "null": "null"}

_formats = FormatChecker(formats=())


@_formats.checks("date-time", raises=(ValueError, TypeError))
def _is_date_time(value) -> bool:
    if not isinstance(value, str):
        return True  # the type check reports it
    # Dates are accepted where a date-time is asked for (the filters do the same: midnight UTC).
    return parse_datetime(value) is not None or parse_date(value) is not None


@cache
def load_spec(file: str) -> dict:
    return json.loads((SPECS_DIR / file).read_text())


def path_text(parts: Iterable) -> str:
    """deque(['contactMedium', 0, 'characteristic']) -> 'contactMedium[0].characteristic'."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _shown(value) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _message(error) -> str:
    kind = error.validator
    if kind == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return f"Must be {' or '.join(JSON_TYPES.get(t, t) for t in wanted)}, not {_shown(error.instance)}."
    if kind == "enum":
        return f"{_shown(error.instance)} is not one of {', '.join(map(str, error.validator_value))}."
    if kind == "format":
        return f"{_shown(error.instance)} is not a date-time such as 2026-01-31T12:00:00Z."
    if kind in ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"):
        return error.message[0].upper() + error.message[1:] + "."
    return error.message


def _without_nulls(value):
    """A null member removes an attribute (merge patch) or leaves it unset: never a type error here;
    the serializer decides whether the attribute may be null. Array items are kept as they are."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


@dataclass(frozen=True)
class TmfSpec:
    """One resource of one official spec file: ``resource`` names the representation's definition
    (``Customer``); ``create`` / ``update`` default to ``<resource>_Create`` / ``<resource>_Update``."""

    file: str
    resource: str
    create: str | None = None
    update: str | None = None

    @property
    def spec(self) -> dict:
        return load_spec(self.file)

    @property
    def base_path(self) -> str:
        return self.spec.get("basePath", "")

    def definition_name(self, *, update: bool) -> str | None:
        name = (self.update or f"{self.resource}_Update") if update else (self.create or f"{self.resource}_Create")
        return name if name in self.spec["definitions"] else None

    def definition(self, name: str) -> dict:
        return self.spec["definitions"][name]

    def attributes(self, *, update: bool = False) -> set[str]:
        """The top-level attributes a client may send (the Create / Update definition's properties)."""
        name = self.definition_name(update=update)
        return set(self.definition(name).get("properties", {})) if name else set()

    def problems(self, body: dict, *, update: bool, extensions: Iterable[str] = ()) -> dict[str, list[str]]:
        """{TMF attribute path: [plain-language problem, ...]} for the body; empty when it conforms."""
        name = self.definition_name(update=update)
        if name is None:
            return {}
        errors: dict[str, list[str]] = {}
        allowed = self.attributes(update=update) | set(extensions)
        for key in body:
            if key not in allowed:
                errors.setdefault(key, []).append("Unknown attribute; it is not part of this resource.")
        for error in _validator(self.file, name, update).iter_errors(_without_nulls(body)):
            where = list(error.absolute_path)
            if error.validator == "required":
                missing = error.message.split("'")[1] if "'" in error.message else ""
                where.append(missing)
                message = "Required attribute missing."
            else:
                message = _message(error)
            key = path_text(where) or "body"
            if message not in errors.get(key, []):
                errors.setdefault(key, []).append(message)
        return errors


@cache
def _validator(file: str, definition: str, merge_patch: bool) -> Draft4Validator:
    spec = load_spec(file)
    root = dict(spec["definitions"][definition])
    if merge_patch:
        root.pop("required", None)  # a PATCH names only the attributes it changes
    schema = {**root, "definitions": spec["definitions"]}
    return Draft4Validator(schema, format_checker=_formats)
