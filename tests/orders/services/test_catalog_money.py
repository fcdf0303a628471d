"""Catalog prices are Money (bss.money): ``price.money`` / ``alteration.money`` read the Decimal
columns as a Money, the price services parse, check and round amounts through Money (never a
float; the catalog's 4 places), a fixed alteration is in its price's currency (another one is
refused, as Money refuses mixing currencies), and the TMF representation renders Money.to_tmf."""

from decimal import Decimal

import pytest

from bss.actors import Actor
from bss.errors import DomainValidationError
from bss.money import Money
from orders.models import PriceAlteration, ProductOfferingPrice
from orders.services import catalog as services
from tests.factories import (
    PriceAlterationFactory,
    ProductOfferingFactory,
    ProductOfferingPriceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def system():
    return Actor.system("test")


def refused(fn, field: str, **kw) -> str:
    with pytest.raises(DomainValidationError) as exc:
        fn(**kw)
    assert field in exc.value.field_errors, exc.value.field_errors
    return exc.value.field_errors[field][0]


class TestMoneyOnTheModels:
    def test_price_money_reads_and_writes_both_columns(self):
        price = ProductOfferingPriceFactory(amount=Decimal("39.99"), currency="GBP")
        assert price.money == Money(Decimal("39.99"), "GBP")
        price.money = Money("12.5", "USD")
        assert (price.amount, price.currency) == (Decimal("12.5"), "USD")
        with pytest.raises(ValueError):  # finer than the column: round first
            price.money = Money("0.00001", "EUR")

    def test_alteration_money_is_in_its_price_currency(self):
        fixed = PriceAlterationFactory(price__currency="CHF", percentage=None, amount=Decimal("2.5"))
        assert fixed.money == Money("2.5", "CHF")
        assert PriceAlterationFactory(percentage=Decimal("10")).money is None


class TestServices:
    def test_amounts_go_through_money_with_four_places(self, system):
        o = ProductOfferingFactory()
        price = services.price_create(actor=system, offering=o, name="Fee", price_type="one_time", amount="19.5",
                                      currency="USD")
        price = ProductOfferingPrice.objects.get(pk=price.pk)
        assert price.money == Money("19.5", "USD")
        assert price.amount.as_tuple().exponent == -4  # rounded (exactly) to the catalog's 4 places
        assert services.price_money({}, "amount", Decimal("1.5"), "EUR") == Money("1.5000", "EUR")
        errors: dict = {}
        assert services.price_money(errors, "amount", 1.5, "EUR") is None
        assert errors == {"amount": "Give the amount as a decimal number."}

    def test_a_fixed_alteration_is_in_the_price_currency(self, system):
        o = ProductOfferingFactory()
        price = services.price_create(actor=system, offering=o, name="Fee", price_type="recurring",
                                      amount=Decimal("20"), currency="GBP",
                                      alterations=[{"name": "Loyalty", "amount": Money("2", "GBP")}])
        assert price.alterations.get().money == Money("2", "GBP")
        message = refused(services.price_create, "alterations[0].amount", actor=system, offering=o, name="Fee",
                          price_type="recurring", amount=Decimal("20"), currency="GBP",
                          alterations=[{"name": "Loyalty", "amount": Money("2", "EUR")}])
        assert message == "An alteration of a GBP price is in GBP, not EUR."
        refused(services.price_update, "alterations[0].amount", price=price, actor=system,
                alterations=[{"name": "Loyalty", "amount": Decimal("2"), "currency": "USD"}])

    def test_a_new_currency_takes_the_fixed_alterations_again(self, system):
        fixed = PriceAlterationFactory(percentage=None, amount=Decimal("5"), duration_periods=None)
        price = fixed.price
        message = refused(services.price_update, "currency", price=price, actor=system, currency="USD")
        assert "EUR" in message and "USD" in message
        assert ProductOfferingPrice.objects.get(pk=price.pk).currency == "EUR"
        services.price_update(price=price, actor=system, currency="USD",
                              alterations=[{"name": "Loyalty", "amount": Money("4", "USD")}])
        price = ProductOfferingPrice.objects.get(pk=price.pk)
        assert price.money == Money("20", "USD")
        assert [a.money for a in PriceAlteration.objects.filter(price=price)] == [Money("4", "USD")]

    def test_percentages_do_not_care_about_the_currency(self, system):
        price = PriceAlterationFactory(percentage=Decimal("10")).price
        services.price_update(price=price, actor=system, currency="CHF")
        assert ProductOfferingPrice.objects.get(pk=price.pk).money == Money("20", "CHF")
