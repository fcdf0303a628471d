"""TMF620 prices as Money: the Money rules of the price service (a fixed alteration is in the
price's currency; a new currency takes the fixed alterations again) answered as 400s under the
TMF attribute paths."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from bss.roles import Role
from tests.factories import PriceAlterationFactory, ProductOfferingPriceFactory, staff_user
from tests.tmf_spec import assert_tmf_error

POP = "/tmf-api/productCatalogManagement/v4/productOfferingPrice"

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api():
    client = APIClient()
    client.force_authenticate(staff_user(Role.ADMIN))
    return client


class TestTmf:
    def test_an_alteration_in_another_currency_names_its_amount(self, admin_api):
        price = ProductOfferingPriceFactory()
        body = assert_tmf_error(admin_api.patch(f"{POP}/{price.pk}", {"priceAlteration": [
            {"name": "x", "price": {"dutyFreeAmount": {"unit": "USD", "value": 1}}}]}, format="json"), 400)
        assert "priceAlteration[0].price.dutyFreeAmount.value: An alteration of a EUR price is in EUR, not USD." \
            in body["message"]

    def test_a_currency_change_without_the_fixed_alterations_is_400(self, admin_api):
        alt = PriceAlterationFactory(percentage=None, amount=Decimal("5"), duration_periods=None)
        body = assert_tmf_error(admin_api.patch(f"{POP}/{alt.price.pk}", {"price": {"unit": "USD", "value": 20}},
                                                format="json"), 400)
        assert "price.unit:" in body["message"]
        resp = admin_api.patch(f"{POP}/{alt.price.pk}", {"price": {"unit": "USD", "value": 20}, "priceAlteration": [
            {"name": "x", "price": {"dutyFreeAmount": {"unit": "USD", "value": 4}}}]}, format="json")
        assert resp.status_code == 200, resp.content
        assert resp.json()["priceAlteration"][0]["price"]["dutyFreeAmount"] == {"unit": "USD", "value": 4}
