"""TMF attribute filtering and field selection, shared by list endpoints and hub queries.

?status=active&engagedParty.id=42&createdDate.gte=2026-01-01&fields=name,status
- exact match on the attribute's string form, surrounding quotes stripped;
- dotted paths walk nested objects and arrays (a list matches if any element matches);
- several filters are ANDed; .gt/.gte/.lt/.lte compare dates, datetimes and numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.utils.dateparse import parse_date, parse_datetime

RESERVED_PARAMS = {"fields", "offset", "limit", "sort", "format", "depth", "expand"}
OPERATORS = {"gt", "gte", "lt", "lte"}


@dataclass(frozen=True)
class AttributeFilter:
    path: str
    op: str  # eq | gt | gte | lt | lte
    value: str


def clean_value(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value


def parse_filters(params) -> list[AttributeFilter]:
    filters = []
    for key in params:
        if key in RESERVED_PARAMS:
            continue
        for raw in params.getlist(key) if hasattr(params, "getlist") else [params[key]]:
            path, op = key, "eq"
            head, _, tail = key.rpartition(".")
            if head and tail in OPERATORS:
                path, op = head, tail
            filters.append(AttributeFilter(path=path, op=op, value=clean_value(raw)))
    return filters


def parse_fields(raw: str | None) -> list[str] | None:
    if not raw:
        return None
    names = [n.strip() for n in raw.replace("\n", ",").split(",")]
    return [n for n in names if n] or None


def select_fields(data: dict, fields: list[str] | None) -> dict:
    if not fields:
        return data
    keep = {f.split(".")[0] for f in fields} | {"id", "href"}
    return {k: v for k, v in data.items() if k in keep}


def _values_at(data, parts: list[str]):
    if isinstance(data, list):  # arrays anywhere on the path, including arrays of plain values
        for item in data:
            yield from _values_at(item, parts)
        return
    if not parts:
        yield data
        return
    if isinstance(data, dict) and parts[0] in data:
        yield from _values_at(data[parts[0]], parts[1:])


def string_form(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _comparable(text: str):
    try:  # well-formed but impossible dates (2026-02-30) raise ValueError
        dt = parse_datetime(text)
        d = None if dt is not None else parse_date(text)
    except ValueError:
        return None
    if dt is not None:
        return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    if d is not None:
        return datetime(d.year, d.month, d.day, tzinfo=UTC)
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    # NaN and Infinity are not numbers a value can be compared with (NaN > x even raises).
    return number if number.is_finite() else None


def compare(left: str, op: str, right: str) -> bool:
    if op == "eq":
        return left == right
    a, b = _comparable(left), _comparable(right)
    if a is None or b is None or type(a) is not type(b):
        return False
    return {"gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[op]


def attribute_matches(data: dict, path: str, value: str, op: str = "eq") -> bool:
    value = clean_value(value)
    for found in _values_at(data, path.split(".")):
        if isinstance(found, (dict, list)):
            continue
        if compare(string_form(found), op, value):
            return True
    return False


def representation_matches(data: dict, filters: list[AttributeFilter]) -> bool:
    return all(attribute_matches(data, f.path, f.value, f.op) for f in filters)


def comparable_or_none(text: str):
    return _comparable(text)
