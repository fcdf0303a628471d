"""Money: Decimal amounts in NUMERIC columns with an ISO 4217 currency, never float.

Two layers:

- column helpers kept for the models: ``money_field()`` (NUMERIC(14, 2) by default),
  ``currency_field()`` and ``q()`` (round a bare Decimal once);
- the value type ``Money(amount, currency)``: a frozen dataclass that refuses floats, refuses to
  mix currencies (``CurrencyMismatch``) and rounds in ONE place, ``Money.rounded()``, with
  ``ROUNDING`` (half up, i.e. ties away from zero: 0.125 -> 0.13, -0.125 -> -0.13) at the
  currency's minor unit (ISO 4217 exponent: EUR 2, JPY 0, BHD 3). Arithmetic itself never rounds:
  rated amounts keep their sub-cent precision until a caller (an invoice line) rounds once.
  ``allocate()`` splits an amount by ratios into parts that sum back exactly (proration).

``MoneyPair("amount", "currency")`` reads and writes a Money from a model's (amount, currency)
column pair. ``to_tmf()`` gives the TMF Money shape ``{"unit": "EUR", "value": Decimal}``; the
TMF renderer (``bss.tmf.renderers.TmfJSONRenderer``) writes a Decimal as an exact JSON number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from django.db import models

# The one rounding rule of the project (money_field columns, invoices, taxes, proration).
ROUNDING = ROUND_HALF_UP
CENT = Decimal("0.01")
# Amounts stay below 10**18, so rounding and sums stay exact in Decimal's default 28-digit context.
MAX_INTEGER_DIGITS = 18
CURRENCIES = [("EUR", "Euro"), ("USD", "US dollar"), ("GBP", "Pound sterling"), ("CHF", "Swiss franc")]

# ISO 4217 minor-unit exponents. Every active code not listed under 0, 3 or 4 has 2.
_EXPONENT_0 = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_EXPONENT_3 = "BHD IQD JOD KWD LYD OMR TND"
_EXPONENT_4 = "CLF UYW"
_EXPONENT_2 = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD "
    "CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL "
    "GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD "
    "LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN "
    "PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL "
    "THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL"
)
ISO_4217_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(_EXPONENT_2.split(), 2),
    **dict.fromkeys(_EXPONENT_0.split(), 0),
    **dict.fromkeys(_EXPONENT_3.split(), 3),
    **dict.fromkeys(_EXPONENT_4.split(), 4),
}


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies met in one operation."""


def _check_not_float(value, what: str) -> None:
    if isinstance(value, float):
        raise TypeError(f"{what} must be Decimal, int or str, not float")


def to_decimal(value, what: str = "amount") -> Decimal:
    """An exact, finite Decimal from a Decimal, an int or a numeric string; floats and bools refused."""
    _check_not_float(value, what)
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise TypeError(f"{what} must be Decimal, int or str, not {type(value).__name__}")
    try:
        result = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ValueError(f"{what} {value!r} is not a number")
    if not result.is_finite():
        raise ValueError(f"{what} must be finite, not {value!r}")
    if result and result.adjusted() >= MAX_INTEGER_DIGITS:
        raise ValueError(f"{what} {value!r} has more than {MAX_INTEGER_DIGITS} integer digits")
    return result


def currency_exponent(currency: str) -> int:
    """ISO 4217 minor-unit exponent (EUR 2, JPY 0, BHD 3); unknown codes are refused."""
    try:
        return ISO_4217_EXPONENTS[currency]
    except (KeyError, TypeError):
        raise ValueError(f"{currency!r} is not an ISO 4217 currency code")


def minor_unit(currency: str) -> Decimal:
    """The currency's smallest unit as a quantum: EUR Decimal('0.01'), JPY Decimal('1')."""
    return Decimal(1).scaleb(-currency_exponent(currency))


def q(amount: Decimal, exp: Decimal = CENT) -> Decimal:
    """Round a bare Decimal once, with ROUNDING, to ``exp`` (the cent by default)."""
    if isinstance(amount, float):
        raise TypeError("money must be Decimal, not float")
    return Decimal(amount).quantize(exp, rounding=ROUNDING)


def money_field(**kwargs) -> models.DecimalField:
    kwargs.setdefault("max_digits", 14)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(**kwargs)


def currency_field(**kwargs) -> models.CharField:
    kwargs.setdefault("max_length", 3)
    kwargs.setdefault("choices", CURRENCIES)
    kwargs.setdefault("default", "EUR")
    return models.CharField(**kwargs)


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency.

    ``Money(Decimal("12.50"), "EUR")``; ``amount`` may also be an int or a numeric string, never a
    float. ``+``/``-`` and comparisons need the same currency (else ``CurrencyMismatch``); ``*``
    takes a Decimal or an int. Equality is by value: ``Money("1", "EUR") == Money("1.00", "EUR")``.
    """

    amount: Decimal
    currency: str

    def __post_init__(self):
        object.__setattr__(self, "amount", to_decimal(self.amount))
        if not isinstance(self.currency, str):
            raise TypeError("currency must be an ISO 4217 code")
        currency_exponent(self.currency)

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def sum(cls, items: Iterable[Money], currency: str) -> Money:
        """Sum of ``items`` (all in ``currency``); the zero of ``currency`` when empty."""
        total = cls.zero(currency)
        for item in items:
            total = total + item
        return total

    @classmethod
    def from_tmf(cls, data: dict) -> Money:
        """From the TMF Money shape ``{"unit": "EUR", "value": ...}``; the value must be exact."""
        if not isinstance(data, dict) or "unit" not in data or "value" not in data:
            raise ValueError("a TMF Money needs 'unit' and 'value'")
        return cls(to_decimal(data["value"], "value"), data["unit"])

    # -- rounding: the one place -------------------------------------------------------------
    @property
    def exponent(self) -> int:
        return currency_exponent(self.currency)

    def rounded(self) -> Money:
        """Rounded once to the currency's minor unit with ROUNDING (half up, ties away from zero)."""
        return Money(self.amount.quantize(minor_unit(self.currency), rounding=ROUNDING), self.currency)

    quantize = rounded

    def __round__(self, ndigits: int | None = None) -> Money:
        if ndigits is None:
            return self.rounded()
        return Money(self.amount.quantize(Decimal(1).scaleb(-ndigits), rounding=ROUNDING), self.currency)

    def is_rounded(self) -> bool:
        """True when the amount has no digits below the currency's minor unit."""
        return self.amount == self.amount.quantize(minor_unit(self.currency), rounding=ROUNDING)

    # -- arithmetic --------------------------------------------------------------------------
    def _same(self, other) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __mul__(self, factor) -> Money:
        if isinstance(factor, Money):
            raise TypeError("cannot multiply Money by Money")
        return Money(self.amount * to_decimal(factor, "factor"), self.currency)

    __rmul__ = __mul__

    def __bool__(self) -> bool:
        return self.amount != 0

    # -- comparisons (same currency only; == across currencies is simply False) ---------------
    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other).amount

    # -- splitting ---------------------------------------------------------------------------
    def allocate(self, ratios: Sequence[Decimal | int]) -> list[Money]:
        """Split by ``ratios`` into parts that sum back to exactly this amount.

        Each part is rounded toward zero to the quantum (the currency's minor unit, or the
        amount's own finer exponent so that a sub-cent amount still sums back), then the
        quanta left over go one each to the parts with the largest remainders (earlier part
        first on a tie): the largest-remainder method, computed with exact fractions.
        """
        if not ratios:
            raise ValueError("allocate needs at least one ratio")
        exact = [Fraction(to_decimal(r, "ratio")) for r in ratios]
        if any(r < 0 for r in exact):
            raise ValueError("ratios must not be negative")
        total = sum(exact)
        if total == 0:
            raise ValueError("ratios must not all be zero")
        exponent = -self.exponent if self.is_rounded() else self.amount.as_tuple().exponent
        quantum = Decimal(1).scaleb(exponent)
        sign = -1 if self.amount < 0 else 1
        units = int(abs(self.amount).scaleb(-exponent).to_integral_value(rounding=ROUND_DOWN))
        shares = [Fraction(units) * r / total for r in exact]
        parts = [s.numerator // s.denominator for s in shares]
        left = units - sum(parts)
        by_remainder = sorted(range(len(shares)), key=lambda i: (-(shares[i] - parts[i]), i))
        for i in by_remainder[:left]:
            parts[i] += 1
        return [Money((sign * p) * quantum, self.currency) for p in parts]

    def split(self, n: int) -> list[Money]:
        """``n`` parts as equal as the quantum allows, summing back exactly."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError("split needs a positive number of parts")
        return self.allocate([1] * n)

    # -- rendering ---------------------------------------------------------------------------
    def to_tmf(self) -> dict:
        """The TMF Money shape; ``value`` stays a Decimal (rendered as an exact JSON number)."""
        return {"unit": self.currency, "value": self.amount}

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class MoneyPair:
    """Read and write a Money through a model's (amount, currency) column pair.

        class BillingAccount(models.Model):
            credit_limit = money_field(default=0)
            currency = currency_field()
            credit_limit_money = MoneyPair("credit_limit", "currency", sets_currency=False)

    Reading gives ``Money(credit_limit, currency)`` (None when the amount is NULL). Writing sets
    both columns, or with ``sets_currency=False`` (a currency column shared by several amounts)
    refuses a Money in another currency. A value finer than the column's decimal places is
    refused rather than silently rounded by the database: round it first (``.rounded()``).
    """

    def __init__(self, amount_field: str, currency_field: str = "currency", *, sets_currency: bool = True):
        self.amount_field = amount_field
        self.currency_field = currency_field
        self.sets_currency = sets_currency
        self.name = None

    def __set_name__(self, owner, name):
        self.name = name

    def _decimal_places(self, obj) -> int | None:
        meta = getattr(type(obj), "_meta", None)
        if meta is None:
            return None
        return meta.get_field(self.amount_field).decimal_places

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        amount = getattr(obj, self.amount_field)
        if amount is None:
            return None
        return Money(amount, getattr(obj, self.currency_field))

    def __set__(self, obj, value: Money | None) -> None:
        if value is None:
            setattr(obj, self.amount_field, None)
            return
        if not isinstance(value, Money):
            raise TypeError(f"{self.name or self.amount_field} takes a Money, not {type(value).__name__}")
        places = self._decimal_places(obj)
        if places is not None and value.amount != value.amount.quantize(Decimal(1).scaleb(-places)):
            raise ValueError(f"{value} has more than {places} decimal places; round it first")
        current = getattr(obj, self.currency_field)
        if not self.sets_currency and current and current != value.currency:
            raise CurrencyMismatch(f"{self.amount_field} is in {current}, not {value.currency}")
        setattr(obj, self.amount_field, value.amount)
        setattr(obj, self.currency_field, value.currency)
