"""Postcodes checked per country: one place for every door (portal, self-service, admin, APIs).

``postcode_check(country, value)`` answers (the postcode as we store it, or an error in plain words).
Stored form: upper case, single spaces. Countries without a rule here accept any non-empty postcode.
"""

from __future__ import annotations

import re

# Ireland: the Eircode. A routing key (a letter and two digits, or D6W) names the postal district and
# is often all that a customer knows or that coverage rules use; the full code adds a 4-character
# unique identifier ("T12 X8Y2"). The shape is checked, not the letter set of the live register.
EIRCODE = re.compile(r"(?P<key>[A-Z]\d{2}|D6W) ?(?P<unique>[A-Z0-9]{4})?")
# Great Britain: outward code (A9, A99, AA9, AA99, A9A, AA9A) and inward code (9AA); GIR 0AA.
GB_POSTCODE = re.compile(r"(?P<out>[A-Z]{1,2}\d[A-Z\d]?|GIR) ?(?P<in>\d[A-Z]{2})")

EXAMPLES = {"IE": "T12 X8Y2 or T12", "GB": "SW1A 1AA"}


def normalise(value: str) -> str:
    """Upper case, runs of white space made one space, trimmed."""
    return " ".join((value or "").upper().split())


def _ireland(value: str) -> str | None:
    m = EIRCODE.fullmatch(value)
    if not m:
        return None
    return f"{m['key']} {m['unique']}" if m["unique"] else m["key"]


def _britain(value: str) -> str | None:
    m = GB_POSTCODE.fullmatch(value)
    return f"{m['out']} {m['in']}" if m else None


RULES = {"IE": ("an Eircode", _ireland), "GB": ("a UK postcode", _britain)}


def postcode_check(country: str, value: str) -> tuple[str, str | None]:
    """(the normalised postcode, None) or (the value as given, the error message).
    An empty postcode is left to the caller's "required" check."""
    code = normalise(value)
    rule = RULES.get((country or "").upper())
    if not code or rule is None:
        return code, None
    what, parse = rule
    parsed = parse(code)
    if parsed is None:
        return value, f"'{value.strip()}' is not {what} (for example {EXAMPLES[country.upper()]})."
    return parsed, None
