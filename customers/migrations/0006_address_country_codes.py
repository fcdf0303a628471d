"""Address countries become ISO 3166-1 alpha-2 codes (the CountryField of 0005).

- a code in any case is upper-cased ("ie" -> "IE");
- a country written out is mapped ("Ireland" -> "IE", "United Kingdom" -> "GB", "UK" -> "GB"):
  SQLite never enforced the old max_length=2, and imports may have bypassed the service;
- anything else is left as it was and listed (flagged) here: the address service refuses it at the
  next change of that address, so someone fixing it sees the plain message.

Postcodes are upper-cased with single spaces, the form the service now stores. Reversing is a no-op.
"""

from django.db import migrations

ALIASES = {
    "UK": "GB", "GREAT BRITAIN": "GB", "BRITAIN": "GB", "ENGLAND": "GB", "SCOTLAND": "GB", "WALES": "GB",
    "NORTHERN IRELAND": "GB", "REPUBLIC OF IRELAND": "IE", "EIRE": "IE", "ÉIRE": "IE", "USA": "US",
    "UNITED STATES": "US", "UNITED STATES OF AMERICA": "US",
}


def iso_code(value: str) -> str | None:
    from django_countries import countries

    text = " ".join((value or "").split())
    if text.upper() in countries:
        return text.upper()
    return ALIASES.get(text.upper()) or countries.by_name(text) or None


def forwards(apps, schema_editor):
    Address = apps.get_model("customers", "Address")
    flagged = []
    for address in Address.objects.only("pk", "country", "postcode").iterator():
        code = iso_code(address.country)
        postcode = " ".join((address.postcode or "").upper().split())
        changed = {}
        if code and code != address.country:
            changed["country"] = code
        if postcode != address.postcode:
            changed["postcode"] = postcode
        if code is None:
            flagged.append(f"address {address.pk}: {address.country!r}")
        if changed:
            Address.objects.filter(pk=address.pk).update(**changed)
    if flagged:
        print(f"\n  {len(flagged)} address(es) with an unknown country, left as they were: " + "; ".join(flagged[:50]))


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0005_address_country_iso"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
