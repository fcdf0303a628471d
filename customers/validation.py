"""Pure checks on customer data, shared by the forms' ``clean()`` and the services.

No database, no side effects: each function takes plain values and answers what is wrong, in words
a CSR or a customer understands. The forms call them so that a page shows every problem in one
round; the services call them so that every door (portal, self-service, admin, native and TMF API)
obeys the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django_countries import countries

from .postcodes import postcode_check

COUNTRY_FORMAT = "Use the two-letter ISO 3166 country code"
# Names people type for a country that are not the ISO short name (django-countries knows those).
COUNTRY_ALIASES = {
    "UK": "GB", "GREAT BRITAIN": "GB", "BRITAIN": "GB", "ENGLAND": "GB", "SCOTLAND": "GB", "WALES": "GB",
    "NORTHERN IRELAND": "GB", "REPUBLIC OF IRELAND": "IE", "EIRE": "IE", "ÉIRE": "IE", "USA": "US",
    "UNITED STATES": "US", "UNITED STATES OF AMERICA": "US",
}


def country_from_name(value: str) -> str | None:
    """The ISO code of a country written out ("Ireland", "United Kingdom", "UK"), or None."""
    text = " ".join(str(value or "").split())
    return COUNTRY_ALIASES.get(text.upper()) or countries.by_name(text) or None


def country_check(value) -> tuple[str, str | None]:
    """(the upper-cased ISO 3166-1 alpha-2 code, None) or (the value, what is wrong)."""
    text = str(value or "").strip()
    code = text.upper()
    if code in countries:
        return code, None
    named = country_from_name(text)
    if named:
        return text, f"{COUNTRY_FORMAT} (for {countries.name(named)}: {named})."
    if len(code) != 2:
        return text, f"{COUNTRY_FORMAT}, e.g. IE or GB."
    return text, f"{COUNTRY_FORMAT}: {code} is not a country."


ADDRESS_REQUIRED = ("street1", "city", "postcode", "country")
POSTCODE_MAX_LENGTH = 20


def address_check(data: dict) -> tuple[dict, dict]:
    """(the address with country and postcode normalised, the field errors)."""
    cleaned = dict(data)
    errors = {f: "This field is required." for f in ADDRESS_REQUIRED if not str(data.get(f) or "").strip()}
    country = None
    if "country" not in errors:
        cleaned["country"], error = country_check(data["country"])
        if error:
            errors["country"] = error
        else:
            country = cleaned["country"]
    if "postcode" not in errors:
        postcode, error = postcode_check(country or "", str(data["postcode"]))
        if error is None and len(postcode) > POSTCODE_MAX_LENGTH:
            error = f"A postcode has at most {POSTCODE_MAX_LENGTH} characters."
        if error and country:
            errors["postcode"] = error
        elif not error:
            cleaned["postcode"] = postcode
    return cleaned, errors


# --- contact media and the preferred channel ----------------------------------------------------

EMAIL, MOBILE, PHONE, FAX = "email", "mobile", "phone", "fax"  # ContactMedium.Kind values


def medium_error(kind: str, value: str) -> str | None:
    """What is wrong with one contact medium's value (None: nothing)."""
    value = (value or "").strip()
    if kind == EMAIL:
        try:
            validate_email(value)
        except ValidationError:
            return f"'{value}' is not a valid e-mail address."
        return None
    if sum(ch.isdigit() for ch in value) < 7 or any(ch.isalpha() for ch in value):
        return f"'{value}' is not a valid phone number."
    return None


# Contact.Channel value -> the media kinds that carry it; "post" needs a postal address instead.
CHANNEL_MEDIA = {"email": (EMAIL,), "sms": (MOBILE,), "phone": (PHONE, MOBILE)}
CHANNEL_NEEDS = {"email": "an e-mail address", "sms": "a mobile number", "phone": "a phone or mobile number"}


def channel_error(channel: str, kinds: Iterable[str], *, has_postal: bool) -> str | None:
    """Why the preferred ``channel`` cannot reach a contact with media of ``kinds`` (None: it can)."""
    kinds = set(kinds)
    if channel == "post":
        return None if has_postal else "Post needs a postal address for the contact or the customer."
    needed = CHANNEL_MEDIA.get(channel)
    if needed is None or kinds & set(needed):
        return None
    return f"{channel_label(channel)} needs {CHANNEL_NEEDS[channel]}: give one or choose another preferred channel."


def channel_label(channel: str) -> str:
    return {"email": "E-mail", "sms": "SMS", "phone": "Phone", "post": "Post"}.get(channel, channel)


def channel_for(kinds: Iterable[str], *, has_postal: bool) -> str:
    """The preferred channel to assume when none is given: e-mail, then SMS, then phone, then post."""
    kinds = set(kinds)
    for channel in ("email", "sms", "phone"):
        if kinds & set(CHANNEL_MEDIA[channel]):
            return channel
    return "post" if has_postal else "email"


# --- accounts -----------------------------------------------------------------------------------

def account_currency_error(currency: str, parent_currency: str | None) -> str | None:
    """A child billing account bills in its parent's currency (the roll-up adds their amounts)."""
    if parent_currency and currency and currency != parent_currency:
        return f"The parent account bills in {parent_currency}; a child account must bill in {parent_currency} too."
    return None
