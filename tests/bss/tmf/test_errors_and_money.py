"""The shared TMF contract in detail: every field problem at once under the TMF attribute path the
client sent (never an internal name such as media[0].value), in plain language; money as exact
decimals in the spec's Money shape."""

import json
import re
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from bss.roles import Role
from bss.tmf.spec import TmfSpec
from customers.models import Customer
from tests.factories import PriceAlterationFactory, ProductOfferingPriceFactory, staff_user
from tests.tmf_spec import assert_tmf_error

CUSTOMER = "/tmf-api/customerManagement/v4/customer"
POP = "/tmf-api/productCatalogManagement/v4/productOfferingPrice"
EXT = {"id": "ext-1", "@referredType": "Individual"}
POSTAL = {"mediumType": "postalAddress",
          "characteristic": {"street1": "1 Main St", "city": "Cork", "postCode": "T12", "country": "IE"}}

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    client = APIClient()
    client.force_authenticate(staff_user(Role.ADMIN))
    return client


def message(resp) -> str:
    return assert_tmf_error(resp, 400)["message"]


class TestErrorPaths:
    def test_every_problem_is_reported_at_once_with_its_tmf_path(self, integrator_client):
        body = {"name": 42, "status": True, "engagedParty": {"id": 7}, "validFor": {"startDateTime": "soon"},
                "contactMedium": [{"mediumType": "email", "characteristic": {"emailAddress": 5}}],
                "account": "none", "loyaltyTier": "gold"}
        text = message(integrator_client.post(CUSTOMER, body, format="json"))
        for fragment in ("name: Must be a string, not 42", "status: Must be a string, not true",
                         "engagedParty.id: Must be a string", "engagedParty.@referredType: Required attribute",
                         "validFor.startDateTime: \"soon\" is not a date-time",
                         "contactMedium[0].characteristic.emailAddress: Must be a string",
                         "account: Must be an array", "loyaltyTier: Unknown attribute"):
            assert fragment in text, (fragment, text)
        assert Customer.objects.count() == 0

    def test_service_errors_name_the_contact_medium_the_client_sent(self, integrator_client):
        """The service validates media[i].value; the client sent contactMedium[j].characteristic.*,
        with the postal address (not a medium of ours) in between."""
        body = {"name": "Ada", "engagedParty": EXT, "contactMedium": [
            {"mediumType": "mobile", "characteristic": {"phoneNumber": "+353 87 123 4567"}},
            POSTAL,
            {"mediumType": "email", "characteristic": {"emailAddress": "not-an-address"}},
            {"mediumType": "fax", "characteristic": {"faxNumber": "call me"}}]}
        text = message(integrator_client.post(CUSTOMER, body, format="json"))
        assert "contactMedium[2].characteristic.emailAddress: 'not-an-address' is not a valid e-mail" in text, text
        assert "contactMedium[3].characteristic.faxNumber: 'call me' is not a valid phone number" in text, text
        assert "media[" not in text
        assert Customer.objects.count() == 0

    def test_address_errors_name_the_postal_contact_medium(self, integrator_client):
        body = {"name": "Ada", "engagedParty": EXT, "contactMedium": [
            {"mediumType": "email", "characteristic": {"emailAddress": "ada@example.com"}},
            {**POSTAL, "characteristic": {**POSTAL["characteristic"], "country": "IRL"}}]}
        text = message(integrator_client.post(CUSTOMER, body, format="json"))
        assert "contactMedium[1].characteristic.country: Use the two-letter ISO 3166 country code" in text, text

    def test_model_field_names_never_leak(self, admin):
        created = admin.post("/tmf-api/party/v4/individual", {"givenName": "Ada", "familyName": "Byron"},
                             format="json").json()
        text = message(admin.patch(f"/tmf-api/party/v4/individual/{created['id']}", {"familyName": ""},
                                   format="json"))
        assert "familyName" in text and "family_name" not in text


class TestSpecValidation:
    def test_problems_are_keyed_by_attribute_path(self):
        spec = TmfSpec("TMF629-Customer-v4.0.0.swagger.json", "Customer")
        problems = spec.problems({"name": "x", "engagedParty": {"id": "1", "@referredType": "Individual"},
                                  "contactMedium": [{}, {"mediumType": 1, "characteristic": {}}]}, update=False)
        assert problems == {"contactMedium[0].mediumType": ["Required attribute missing."],
                            "contactMedium[0].characteristic": ["Required attribute missing."],
                            "contactMedium[1].mediumType": ["Must be a string, not 1."]}

    def test_a_patch_needs_no_required_attributes_and_null_removes(self):
        spec = TmfSpec("TMF629-Customer-v4.0.0.swagger.json", "Customer")
        assert spec.problems({"statusReason": None, "validFor": {"endDateTime": None}}, update=True) == {}
        assert spec.problems({"statusReason": None}, update=False) == {
            "engagedParty": ["Required attribute missing."], "name": ["Required attribute missing."]}

    def test_extensions_are_the_only_attributes_beyond_the_spec(self):
        spec = TmfSpec("TMF620-ProductCatalog-v4.0.0.swagger.json", "ProductOffering")
        assert spec.problems({"name": "x", "code": "y"}, update=False, extensions={"code"}) == {}
        assert spec.problems({"name": "x", "code": "y"}, update=False) == {
            "code": ["Unknown attribute; it is not part of this resource."]}


class TestMoney:
    def test_prices_are_exact_decimals_in_the_money_shape(self, admin):
        price = ProductOfferingPriceFactory(amount=Decimal("1234567890.1235"), currency="EUR")
        PriceAlterationFactory(price=price, percentage=None, amount=Decimal("0.1000"))
        resp = admin.get(f"{POP}/{price.pk}")
        raw = resp.content.decode()
        assert re.search(r'"price":\{"unit":"EUR","value":1234567890\.1235\}', raw), raw
        assert '"dutyFreeAmount":{"unit":"EUR","value":0.1000}' in raw, raw
        # parsed as exact decimals, the values are the stored ones to the last digit
        data = json.loads(raw, parse_float=Decimal)
        assert data["price"]["value"] == Decimal("1234567890.1235")
        assert data["priceAlteration"][0]["price"]["dutyFreeAmount"]["value"] == Decimal("0.1")

    def test_posted_money_is_stored_exactly(self, admin):
        offering = ProductOfferingPriceFactory().offering
        raw = ('{"name": "Fee", "priceType": "oneTime", "price": {"unit": "EUR", "value": 0.3}, '
               f'"productOffering": {{"id": "{offering.pk}"}}}}')
        resp = admin.post(POP, raw, content_type="application/json")
        assert resp.status_code == 201, resp.content
        assert json.loads(resp.content, parse_float=Decimal)["price"]["value"] == Decimal("0.3")

    def test_money_value_must_be_a_number(self, admin):
        offering = ProductOfferingPriceFactory().offering
        body = {"name": "Fee", "priceType": "oneTime", "price": {"unit": "EUR", "value": "12.50"},
                "productOffering": {"id": str(offering.pk)}}
        assert "price.value: Must be a number" in message(admin.post(POP, body, format="json"))
