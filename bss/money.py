"""Money: Decimal amounts in NUMERIC columns with an ISO 4217 currency, never float."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models

CENT = Decimal("0.01")
CURRENCIES = [("EUR", "Euro"), ("USD", "US dollar"), ("GBP", "Pound sterling"), ("CHF", "Swiss franc")]


def q(amount: Decimal, exp: Decimal = CENT) -> Decimal:
    """Round once, half up, to the currency's minor unit."""
    if isinstance(amount, float):
        raise TypeError("money must be Decimal, not float")
    return Decimal(amount).quantize(exp, rounding=ROUND_HALF_UP)


def money_field(**kwargs) -> models.DecimalField:
    kwargs.setdefault("max_digits", 14)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(**kwargs)


def currency_field(**kwargs) -> models.CharField:
    kwargs.setdefault("max_length", 3)
    kwargs.setdefault("choices", CURRENCIES)
    kwargs.setdefault("default", "EUR")
    return models.CharField(**kwargs)
