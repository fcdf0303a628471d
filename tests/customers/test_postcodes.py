"""Postcodes per country (customers.postcodes) and the pure address checks (customers.validation)."""

import pytest

from customers.postcodes import normalise, postcode_check
from customers.validation import address_check, channel_error, channel_for, country_check


@pytest.mark.parametrize(("given", "stored"), [
    ("T12 X8Y2", "T12 X8Y2"),
    ("t12x8y2", "T12 X8Y2"),
    ("  d02   x285 ", "D02 X285"),
    ("D6W XY12", "D6W XY12"),
    ("d6wxy12", "D6W XY12"),
    ("T12", "T12"),  # a routing key alone: what coverage rules and many customers use
    ("h91", "H91"),
])
def test_eircode_accepted_and_normalised(given, stored):
    assert postcode_check("IE", given) == (stored, None)


@pytest.mark.parametrize("given", ["X1", "12345", "T12 X8Y", "T12 X8Y2Z", "TT2 X8Y2", "SW1A 1AA"])
def test_not_an_eircode(given):
    value, error = postcode_check("IE", given)
    assert error == f"'{given}' is not an Eircode (for example T12 X8Y2 or T12)."
    assert value == given


@pytest.mark.parametrize(("given", "stored"), [
    ("SW1A 1AA", "SW1A 1AA"), ("sw1a1aa", "SW1A 1AA"), ("M1 1AE", "M1 1AE"), ("m11ae", "M1 1AE"),
    ("B33 8TH", "B33 8TH"), ("CR2 6XH", "CR2 6XH"), ("DN55 1PT", "DN55 1PT"), ("BT1 5GS", "BT1 5GS"),
])
def test_uk_postcode_accepted_and_normalised(given, stored):
    assert postcode_check("gb", given) == (stored, None)


@pytest.mark.parametrize("given", ["T12 X8Y2", "SW1A", "1AA SW1", "ABC 1AA"])
def test_not_a_uk_postcode(given):
    assert postcode_check("GB", given)[1] == f"'{given}' is not a UK postcode (for example SW1A 1AA)."


def test_other_countries_accept_any_postcode_normalised():
    assert postcode_check("FR", " 75001  paris ") == ("75001 PARIS", None)
    assert postcode_check("US", "94105-1234") == ("94105-1234", None)


def test_empty_postcode_left_to_the_required_check():
    assert postcode_check("IE", "  ") == ("", None)
    assert normalise(" a  b ") == "A B"


class TestCountry:
    @pytest.mark.parametrize("given", ["IE", "ie", " gb "])
    def test_iso_codes_in_any_case(self, given):
        assert country_check(given) == (given.strip().upper(), None)

    def test_unknown_code_refused_in_plain_words(self):
        assert country_check("ZZ") == ("ZZ", "Use the two-letter ISO 3166 country code: ZZ is not a country.")

    @pytest.mark.parametrize(("given", "code", "name"), [
        ("Ireland", "IE", "Ireland"), ("United Kingdom", "GB", "United Kingdom"), ("UK", "GB", "United Kingdom")])
    def test_a_name_is_refused_with_its_code(self, given, code, name):
        assert country_check(given)[1] == f"Use the two-letter ISO 3166 country code (for {name}: {code})."

    def test_three_letters_refused(self):
        assert country_check("IRL")[1] == "Use the two-letter ISO 3166 country code, e.g. IE or GB."


class TestAddressCheck:
    def test_all_errors_at_once(self):
        _, errors = address_check({"street1": "", "city": "", "postcode": "", "country": "ZZ"})
        assert set(errors) == {"street1", "city", "postcode", "country"}

    def test_postcode_checked_for_the_country(self):
        cleaned, errors = address_check({"street1": "1 Main St", "city": "Cork", "postcode": "t12x8y2",
                                         "country": "ie"})
        assert errors == {} and (cleaned["postcode"], cleaned["country"]) == ("T12 X8Y2", "IE")
        _, errors = address_check({"street1": "1 Main St", "city": "London", "postcode": "T12 X8Y2",
                                   "country": "GB"})
        assert errors == {"postcode": "'T12 X8Y2' is not a UK postcode (for example SW1A 1AA)."}

    def test_postcode_not_judged_for_an_unknown_country(self):
        _, errors = address_check({"street1": "1 Main St", "city": "Cork", "postcode": "X1", "country": "ZZ"})
        assert set(errors) == {"country"}

    def test_too_long_postcode(self):
        _, errors = address_check({"street1": "1", "city": "Paris", "postcode": "7" * 21, "country": "FR"})
        assert errors == {"postcode": "A postcode has at most 20 characters."}


class TestChannel:
    @pytest.mark.parametrize(("channel", "kinds", "ok"), [
        ("email", ["email"], True), ("email", ["mobile", "phone"], False),
        ("sms", ["mobile"], True), ("sms", ["phone", "email"], False),
        ("phone", ["phone"], True), ("phone", ["mobile"], True), ("phone", ["email"], False),
    ])
    def test_channel_needs_a_matching_medium(self, channel, kinds, ok):
        assert (channel_error(channel, kinds, has_postal=False) is None) is ok

    def test_messages(self):
        assert channel_error("email", ["mobile"], has_postal=True) == (
            "E-mail needs an e-mail address: give one or choose another preferred channel.")
        assert channel_error("sms", [], has_postal=True) == (
            "SMS needs a mobile number: give one or choose another preferred channel.")
        assert channel_error("post", ["email"], has_postal=False) == (
            "Post needs a postal address for the contact or the customer.")
        assert channel_error("post", [], has_postal=True) is None

    def test_channel_assumed_from_the_media(self):
        assert channel_for(["mobile", "email"], has_postal=False) == "email"
        assert channel_for(["mobile"], has_postal=False) == "sms"
        assert channel_for(["phone"], has_postal=False) == "phone"
        assert channel_for([], has_postal=True) == "post"
