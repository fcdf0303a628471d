"""bss.money.Money: exact, one currency at a time, one rounding rule, splits that sum back."""

import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bss.money import CurrencyMismatch, Money, MoneyPair, currency_exponent, minor_unit, q
from bss.tmf.renderers import TmfJSONRenderer

CURRENCIES = ["EUR", "JPY", "BHD", "USD", "CLF"]
amounts = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=4,
                      allow_nan=False, allow_infinity=False)
currencies = st.sampled_from(CURRENCIES)
ratios = st.lists(st.one_of(st.integers(min_value=0, max_value=1000),
                            st.decimals(min_value=0, max_value=100, places=3, allow_nan=False,
                                        allow_infinity=False)),
                  min_size=1, max_size=12).filter(lambda rs: sum(rs) > 0)


@st.composite
def same_currency(draw, n=3):
    cur = draw(currencies)
    return [Money(draw(amounts), cur) for _ in range(n)]


# -- arithmetic within one currency ------------------------------------------------------------
@given(same_currency())
def test_addition_is_associative_and_commutative(ms):
    a, b, c = ms
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a
    assert a + Money.zero(a.currency) == a
    assert a - a == Money.zero(a.currency)
    assert -a + a == Money.zero(a.currency) and (-a).amount == -a.amount


@given(same_currency(n=5))
def test_sum_helper(ms):
    total = Money.sum(ms, ms[0].currency)
    assert total.amount == sum(m.amount for m in ms)
    assert Money.sum([], "JPY") == Money.zero("JPY")


@given(amounts, currencies, st.integers(min_value=-1000, max_value=1000))
def test_multiplication_by_int_and_decimal_is_exact(amount, cur, k):
    m = Money(amount, cur)
    assert m * k == Money(amount * k, cur) == k * m
    assert m * Decimal("0.5") == Money(amount * Decimal("0.5"), cur)


# -- currencies never mix ------------------------------------------------------------------------
@given(amounts, amounts, st.sampled_from([("EUR", "USD"), ("EUR", "JPY"), ("GBP", "BHD")]))
def test_mixed_currencies_are_refused(x, y, pair):
    a, b = Money(x, pair[0]), Money(y, pair[1])
    for op in (lambda: a + b, lambda: a - b, lambda: a < b, lambda: a <= b, lambda: a > b, lambda: a >= b,
               lambda: Money.sum([a, b], pair[0])):
        with pytest.raises(CurrencyMismatch):
            op()
    assert a != b  # equality across currencies is simply False


def test_money_does_not_mix_with_bare_numbers():
    m = Money("1", "EUR")
    for op in (lambda: m + 1, lambda: 1 + m, lambda: m + Decimal(1), lambda: sum([m, m]), lambda: m * m):
        with pytest.raises(TypeError):
            op()


# -- no float anywhere ---------------------------------------------------------------------------
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_float_is_refused_everywhere(f):
    with pytest.raises(TypeError):
        Money(f, "EUR")
    m = Money("10.00", "EUR")
    with pytest.raises(TypeError):
        m * f
    with pytest.raises(TypeError):
        f * m
    with pytest.raises(TypeError):
        m.allocate([1, f])
    with pytest.raises(TypeError):
        Money.from_tmf({"unit": "EUR", "value": f})
    with pytest.raises(TypeError):
        q(f)


def test_invalid_values_and_currencies_are_refused():
    for bad in (Decimal("NaN"), Decimal("Infinity"), "abc", "1e999999999999"):
        with pytest.raises((ValueError, TypeError)):
            Money(bad, "EUR")
    with pytest.raises(TypeError):
        Money(True, "EUR")
    for cur in ("ZZZ", "eur", "EURO", "", None):
        with pytest.raises((ValueError, TypeError)):
            Money(1, cur)
    assert Money(" 12.50 ", "EUR").amount == Decimal("12.50")


# -- rounding: half up, once, at the currency's minor unit ------------------------------------------
@pytest.mark.parametrize(("amount", "cur", "expected"), [
    ("0.125", "EUR", "0.13"), ("-0.125", "EUR", "-0.13"), ("0.124999", "EUR", "0.12"),
    ("2.5", "JPY", "3"), ("-2.5", "JPY", "-3"), ("1.49", "JPY", "1"),
    ("0.0005", "BHD", "0.001"), ("1.00005", "CLF", "1.0001"), ("7", "EUR", "7.00"),
])
def test_rounding_half_up_at_minor_unit(amount, cur, expected):
    r = Money(amount, cur).rounded()
    assert r == Money(expected, cur)
    assert r.amount.as_tuple().exponent == -currency_exponent(cur)
    assert round(Money(amount, cur)) == r == Money(amount, cur).quantize()


def test_minor_units():
    assert (minor_unit("EUR"), minor_unit("JPY"), minor_unit("BHD")) == (Decimal("0.01"), 1, Decimal("0.001"))


@given(amounts, currencies)
def test_rounding_is_the_one_rule_and_rounding_twice_changes_nothing(amount, cur):
    m = Money(amount, cur)
    r = m.rounded()
    assert r.amount == amount.quantize(minor_unit(cur), rounding=ROUND_HALF_UP)
    assert r.rounded() == r and r.is_rounded()
    assert abs(r - m).amount <= minor_unit(cur) / 2
    if cur == "EUR":
        assert r.amount == q(amount)


def test_arithmetic_does_not_round():
    a = Money("0.004", "EUR")
    assert (a + a + a).amount == Decimal("0.012")  # rounding each term would give 0.00
    assert (a + a + a).rounded() == Money("0.01", "EUR")
    assert not a.is_rounded()


# -- allocation ----------------------------------------------------------------------------------
@given(amounts, currencies, ratios)
def test_allocation_sums_back_exactly(amount, cur, rs):
    m = Money(amount, cur)
    parts = m.allocate(rs)
    assert len(parts) == len(rs)
    assert Money.sum(parts, cur) == m
    total = sum(Decimal(r) for r in rs)
    quantum = minor_unit(cur) if m.is_rounded() else Decimal(1).scaleb(amount.as_tuple().exponent)
    for part, r in zip(parts, rs, strict=True):
        assert part.currency == cur
        assert abs(part.amount - amount * Decimal(r) / total) < quantum + Decimal("1e-20")
        if r == 0:
            assert part.amount == 0
    if m.is_rounded():
        assert all(p.is_rounded() for p in parts)


@given(amounts, currencies, st.integers(min_value=1, max_value=50))
def test_split_is_even_to_one_quantum(amount, cur, n):
    parts = Money(amount, cur).split(n)
    assert Money.sum(parts, cur) == Money(amount, cur)
    assert max(parts).amount - min(parts).amount <= minor_unit(cur) or not Money(amount, cur).is_rounded()


def test_allocation_examples():
    assert Money("100.00", "EUR").split(3) == [Money("33.34", "EUR"), Money("33.33", "EUR"), Money("33.33", "EUR")]
    assert Money("-0.05", "EUR").allocate([1, 1]) == [Money("-0.03", "EUR"), Money("-0.02", "EUR")]
    assert Money("10", "JPY").allocate([1, 2]) == [Money("3", "JPY"), Money("7", "JPY")]
    # a rated (sub-cent) amount keeps its own precision and still sums back
    assert Money("0.005", "EUR").split(2) == [Money("0.003", "EUR"), Money("0.002", "EUR")]
    for bad in ([], [0, 0], [1, -1]):
        with pytest.raises(ValueError):
            Money("1", "EUR").allocate(bad)


# -- TMF shape and exact JSON ----------------------------------------------------------------------
@given(amounts, currencies)
def test_tmf_money_renders_as_exact_json_number(amount, cur):
    m = Money(amount, cur)
    body = TmfJSONRenderer().render({"price": m.to_tmf()})
    assert body == b'{"price":{"unit":"%s","value":%s}}' % (cur.encode(), str(amount).encode())
    parsed = json.loads(body, parse_float=Decimal)
    assert Money.from_tmf(parsed["price"]) == m


def test_tmf_renderer_keeps_digits_a_float_would_lose():
    body = TmfJSONRenderer().render(Money("123456789012.3456789", "EUR").to_tmf())
    assert b'"value":123456789012.3456789' in body
    assert float("123456789012.3456789") != Decimal("123456789012.3456789")


# -- model column pairs ----------------------------------------------------------------------------
class Plain:
    amount = Decimal("1.00")
    currency = "EUR"
    price = MoneyPair("amount", "currency")
    fixed = MoneyPair("amount", "currency", sets_currency=False)


def test_money_pair_reads_and_writes_both_columns():
    obj = Plain()
    assert obj.price == Money("1", "EUR")
    obj.price = Money("3.50", "GBP")
    assert (obj.amount, obj.currency) == (Decimal("3.50"), "GBP")
    with pytest.raises(CurrencyMismatch):
        obj.fixed = Money("1", "USD")
    with pytest.raises(TypeError):
        obj.price = Decimal("1")
    obj.price = None
    assert obj.price is None


def test_money_pair_refuses_more_places_than_the_column(monkeypatch):
    from bss.models import User

    pair = MoneyPair("approval_limit", "approval_currency", sets_currency=False)
    pair.__set_name__(User, "approval")
    monkeypatch.setattr(User, "approval", pair, raising=False)
    user = User(approval_limit=Decimal("10.00"), approval_currency="EUR")
    assert user.approval == Money("10.00", "EUR")
    with pytest.raises(ValueError, match="round it first"):
        user.approval = Money("10.005", "EUR")
    user.approval = Money("10.005", "EUR").rounded()
    assert user.approval_limit == Decimal("10.01")
