"""The shared TMF toolkit (bss/tmf), exercised through the real TMF629 / TMF632 endpoints, plus
unit tests of bss.tmf.filtering."""

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils import timezone
from rest_framework.test import APIClient

from bss.audit.models import HistoryEntry
from bss.events.models import Event, EventDelivery, HubSubscription
from bss.roles import Role
from bss.tmf import filtering
from bss.tmf.filtering import AttributeFilter
from customers.models import Address, Contact, ContactMedium, Customer, Party
from tests.factories import (
    ContactFactory,
    ContactMediumFactory,
    CustomerFactory,
    IndividualFactory,
    OrganizationFactory,
    staff_user,
)

BASE = "http://testserver"
CUSTOMER = "/tmf-api/customerManagement/v4/customer"
INDIVIDUAL = "/tmf-api/party/v4/individual"
ORGANIZATION = "/tmf-api/party/v4/organization"
HUB629 = "/tmf-api/customerManagement/v4/hub"
HUB632 = "/tmf-api/party/v4/hub"
UTC_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
EXTERNAL_PARTY = {"id": "ext-77", "href": "https://crm.example.com/party/ext-77", "name": "Outside Ltd",
                  "@referredType": "Organization"}


@pytest.fixture
def celery_eager():
    """Run Celery tasks in-process. Set through the CELERY_ namespaced key: the app is configured
    from Django settings with namespace CELERY, and there ``conf.task_always_eager = True`` alone
    does not take effect."""
    from bss.celery import app

    saved = {k: app.conf.get(k) for k in ("CELERY_TASK_ALWAYS_EAGER", "CELERY_TASK_EAGER_PROPAGATES")}
    app.conf.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.CELERY_TASK_EAGER_PROPAGATES = True
    assert app.conf.task_always_eager is True
    yield app
    for key, value in saved.items():
        app.conf[key] = value


@pytest.fixture
def admin_api(db):
    client = APIClient()
    client.force_authenticate(staff_user(Role.ADMIN))
    return client


def row_counts() -> dict:
    return {m.__name__: m.objects.count() for m in (Customer, Party, Contact, ContactMedium, Address,
                                                     HistoryEntry, Event, HubSubscription)}


def assert_json_content_type(resp):
    assert resp.get("Content-Type", "").startswith("application/json"), resp.get("Content-Type")


def assert_tmf_error(resp, status: int) -> dict:
    assert resp.status_code == status, (resp.status_code, resp.content)
    assert_json_content_type(resp)
    body = json.loads(resp.content)
    assert body["@type"] == "Error"
    assert body["status"] == str(status)
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["reason"], str) and body["reason"]
    assert isinstance(body["message"], str) and body["message"]
    return body


def post_customer(client, **extra):
    body = {"name": "Ada Lovelace", "engagedParty": dict(EXTERNAL_PARTY), **extra}
    resp = client.post(CUSTOMER, body, format="json")
    assert resp.status_code == 201, resp.content
    return resp.json()


def ids(resp) -> list[str]:
    return [item["id"] for item in resp.json()]


# --- id, href, @type, Location --------------------------------------------------------------

@pytest.mark.django_db
class TestResourceIdentity:
    @pytest.mark.parametrize("path, body, tmf_type, model_pk", [
        (CUSTOMER, {"name": "Ada", "engagedParty": EXTERNAL_PARTY}, "Customer", "customer"),
        (INDIVIDUAL, {"givenName": "Ada", "familyName": "Lovelace"}, "Individual", "party"),
        (ORGANIZATION, {"tradingName": "Analytical Engines"}, "Organization", "party"),
    ])
    def test_create_gives_201_string_id_absolute_href_type_and_location(self, integrator_client, path, body,
                                                                         tmf_type, model_pk):
        resp = integrator_client.post(path, body, format="json")
        assert resp.status_code == 201
        assert_json_content_type(resp)
        data = resp.json()
        assert isinstance(data["id"], str)
        model = Customer if model_pk == "customer" else Party
        obj = model.objects.get()
        assert data["id"] == str(obj.pk)
        assert data["href"] == f"{BASE}{path}/{obj.pk}"
        assert data["@type"] == tmf_type
        assert resp["Location"] == data["href"]
        again = integrator_client.get(resp["Location"])
        assert again.status_code == 200
        assert again.json()["id"] == data["id"]
        assert again.json()["@type"] == tmf_type

    def test_list_items_carry_id_href_and_type(self, integrator_client):
        c = CustomerFactory()
        IndividualFactory()
        OrganizationFactory()
        for path, tmf_type in ((CUSTOMER, "Customer"), (INDIVIDUAL, "Individual"), (ORGANIZATION, "Organization")):
            resp = integrator_client.get(path)
            assert resp.status_code == 200
            items = resp.json()
            assert items, path
            for item in items:
                assert isinstance(item["id"], str)
                assert item["href"] == f"{BASE}{path}/{item['id']}"
                assert item["@type"] == tmf_type
        assert ids(integrator_client.get(CUSTOMER)) == [str(c.pk)]


# --- ?fields= --------------------------------------------------------------------------------

@pytest.mark.django_db
class TestFieldSelection:
    def test_list_returns_requested_attributes_plus_id_and_href_trimming_spaces_and_newlines(self, integrator_client):
        post_customer(integrator_client)
        post_customer(integrator_client, name="Charles Babbage")
        resp = integrator_client.get(CUSTOMER, {"fields": " name ,\n status \n"})
        assert resp.status_code == 200
        assert len(resp.json()) == 2
        for item in resp.json():
            assert set(item) == {"id", "href", "name", "status"}

    def test_retrieve_honours_fields(self, integrator_client):
        created = post_customer(integrator_client)
        resp = integrator_client.get(f"{CUSTOMER}/{created['id']}", {"fields": "engagedParty"})
        assert resp.status_code == 200
        assert resp.json() == {"id": created["id"], "href": created["href"], "engagedParty": EXTERNAL_PARTY}

    def test_unknown_field_leaves_only_id_and_href(self, integrator_client):
        p = IndividualFactory()
        resp = integrator_client.get(INDIVIDUAL, {"fields": "noSuchAttribute"})
        assert resp.json() == [{"id": str(p.pk), "href": f"{BASE}{INDIVIDUAL}/{p.pk}"}]

    def test_without_fields_the_whole_resource_is_returned(self, integrator_client):
        p = IndividualFactory(given_name="Ada", family_name="Lovelace")
        item = integrator_client.get(INDIVIDUAL).json()[0]
        assert {"givenName", "familyName", "fullName", "status", "@type"} <= set(item)
        assert item["givenName"] == "Ada" and item["id"] == str(p.pk)


# --- attribute filtering --------------------------------------------------------------------

@pytest.fixture
def three_customers(integrator_client):
    """Alice (active, Dublin, e-mail), Bob (prospect, Cork, e-mail), Carol (active, Cork, mobile only)."""
    def make(name, status, city, media):
        return post_customer(integrator_client, name=name, status=status, contactMedium=[
            *media,
            {"mediumType": "postalAddress",
             "characteristic": {"street1": "1 Main St", "city": city, "postCode": "T12", "country": "IE"}},
        ])

    alice = make("Alice Smith", "active", "Dublin",
                 [{"mediumType": "email", "characteristic": {"emailAddress": "alice@example.com"}}])
    bob = make("Bob Jones", "prospect", "Cork",
               [{"mediumType": "email", "characteristic": {"emailAddress": "bob@example.com"}}])
    carol = make("Carol White", "active", "Cork",
                 [{"mediumType": "mobile", "characteristic": {"phoneNumber": "+353 87 111 2222"}}])
    return alice, bob, carol


@pytest.mark.django_db
class TestAttributeFiltering:
    def test_exact_match_on_string_form(self, integrator_client, three_customers):
        alice, bob, carol = three_customers
        assert sorted(ids(integrator_client.get(CUSTOMER, {"status": "active"}))) == sorted([alice["id"], carol["id"]])
        assert ids(integrator_client.get(CUSTOMER, {"name": "Bob Jones"})) == [bob["id"]]
        # exact, not a prefix or case-insensitive match
        assert ids(integrator_client.get(CUSTOMER, {"name": "Bob"})) == []
        assert ids(integrator_client.get(CUSTOMER, {"status": "Active"})) == []

    @pytest.mark.parametrize("quoted", ['"Bob Jones"', "'Bob Jones'"])
    def test_surrounding_quotes_are_stripped(self, integrator_client, three_customers, quoted):
        bob = three_customers[1]
        assert ids(integrator_client.get(CUSTOMER, {"name": quoted})) == [bob["id"]]

    def test_dotted_path_into_arrays_of_nested_objects(self, integrator_client, three_customers):
        alice, bob, carol = three_customers
        resp = integrator_client.get(CUSTOMER, {"contactMedium.characteristic.emailAddress": "bob@example.com"})
        assert ids(resp) == [bob["id"]]
        assert resp["X-Total-Count"] == "1"
        resp = integrator_client.get(CUSTOMER, {"contactMedium.characteristic.emailAddress": '"alice@example.com"'})
        assert ids(resp) == [alice["id"]]
        resp = integrator_client.get(CUSTOMER, {"contactMedium.mediumType": "mobile"})
        assert ids(resp) == [carol["id"]]
        assert ids(integrator_client.get(CUSTOMER, {"contactMedium.characteristic.emailAddress": "nobody@x.org"})) == []

    def test_dotted_path_into_a_nested_object(self, integrator_client):
        held = IndividualFactory(given_name="Grace", family_name="Hopper")
        linked = post_customer(integrator_client, engagedParty={"id": str(held.pk), "@referredType": "Individual"})
        external = post_customer(integrator_client)
        assert ids(integrator_client.get(CUSTOMER, {"engagedParty.name": "Grace Hopper"})) == [linked["id"]]
        assert ids(integrator_client.get(CUSTOMER, {"engagedParty.id": str(held.pk)})) == [linked["id"]]
        assert ids(integrator_client.get(CUSTOMER, {"engagedParty.@referredType": "Organization"})) == [external["id"]]

    def test_boolean_and_number_string_forms(self, integrator_client):
        legal = OrganizationFactory(is_legal_entity=True)
        informal = OrganizationFactory(is_legal_entity=False)
        assert ids(integrator_client.get(ORGANIZATION, {"isLegalEntity": "false"})) == [str(informal.pk)]
        assert ids(integrator_client.get(ORGANIZATION, {"isLegalEntity": "true"})) == [str(legal.pk)]
        assert ids(integrator_client.get(ORGANIZATION, {"isLegalEntity": "False"})) == []

    def test_several_filters_are_anded(self, integrator_client, three_customers):
        alice, bob, carol = three_customers
        resp = integrator_client.get(CUSTOMER, {"status": "active", "contactMedium.characteristic.city": "Cork"})
        assert ids(resp) == [carol["id"]]
        assert resp["X-Total-Count"] == "1"
        resp = integrator_client.get(CUSTOMER, {"contactMedium.characteristic.city": "Cork",
                                                "contactMedium.mediumType": "email"})
        assert ids(resp) == [bob["id"]]
        resp = integrator_client.get(CUSTOMER, {"status": "prospect", "name": "Alice Smith"})
        assert ids(resp) == []
        # the same attribute twice: both must hold
        resp = integrator_client.get(f"{CUSTOMER}?status=active&status=prospect")
        assert ids(resp) == []

    def test_id_filter_matches_string_form_only(self, integrator_client):
        c = CustomerFactory()
        assert ids(integrator_client.get(CUSTOMER, {"id": str(c.pk)})) == [str(c.pk)]
        for value in ("abc", f"0{c.pk}", f"{c.pk}.0", " ", "99999999999999999999999"):
            resp = integrator_client.get(CUSTOMER, {"id": value})
            assert resp.status_code == 200, (value, resp.content)
            assert resp.json() == [], value

    def test_reference_id_filter_matches_held_parties_and_external_references(self, integrator_client):
        held = IndividualFactory()
        linked = post_customer(integrator_client, engagedParty={"id": str(held.pk), "@referredType": "Individual"})
        external = post_customer(integrator_client)  # engagedParty.id "ext-77", not held
        numeric_external = post_customer(integrator_client, engagedParty={"id": "990001", "@referredType": "Individual"})
        CustomerFactory()
        for value, expected in ((str(held.pk), linked), ("ext-77", external), ("'ext-77'", external),
                                ("990001", numeric_external)):
            resp = integrator_client.get(CUSTOMER, {"engagedParty.id": value})
            assert resp.status_code == 200
            assert ids(resp) == [expected["id"]], value
            assert resp.json()[0]["engagedParty"]["id"] == filtering.clean_value(value)
        assert ids(integrator_client.get(CUSTOMER, {"engagedParty.id": "ext-78"})) == []
        assert ids(integrator_client.get(CUSTOMER, {"engagedParty.id": "ext"})) == []

    def test_comparison_on_a_text_attribute_uses_the_matcher_semantics(self, integrator_client):
        ten = post_customer(integrator_client, name="10")
        post_customer(integrator_client, name="9")
        post_customer(integrator_client, name="Ada")
        # numerically 10 > 9.5 (a text comparison would say "10" < "9.5"); "Ada" is not a number
        assert ids(integrator_client.get(CUSTOMER, {"name.gt": "9.5"})) == [ten["id"]]


@pytest.mark.django_db
class TestDateFiltering:
    @pytest.fixture
    def dated(self):
        jan = CustomerFactory(valid_from=datetime(2026, 1, 15, 9, 30, tzinfo=UTC))
        mar = CustomerFactory(valid_from=datetime(2026, 3, 1, 0, 0, tzinfo=UTC))
        jun = CustomerFactory(valid_from=datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC))
        return jan, mar, jun

    @pytest.mark.parametrize("query, expected", [
        ({"validFor.startDateTime.gt": "2026-03-01T00:00:00Z"}, ["jun"]),
        ({"validFor.startDateTime.gte": "2026-03-01T00:00:00Z"}, ["mar", "jun"]),
        ({"validFor.startDateTime.lt": "2026-03-01T00:00:00Z"}, ["jan"]),
        ({"validFor.startDateTime.lte": "2026-03-01T00:00:00Z"}, ["jan", "mar"]),
        ({"validFor.startDateTime.gte": "2026-01-01", "validFor.startDateTime.lt": "2026-02-01"}, ["jan"]),
        ({"validFor.startDateTime.gt": "2026-03-01T01:00:00+02:00"}, ["mar", "jun"]),  # 23:00Z on Feb 28
        ({"validFor.startDateTime.gt": "2026-03-01T02:00:00+02:00"}, ["jun"]),  # 00:00Z on Mar 1
        ({"validFor.startDateTime.lte": "2026-02-28T23:00:00-01:00"}, ["jan", "mar"]),  # 00:00Z on Mar 1
        ({"validFor.startDateTime.gte": "'2026-06-30'"}, ["jun"]),
    ])
    def test_comparisons_on_dates(self, integrator_client, dated, query, expected):
        jan, mar, jun = dated
        by_name = {"jan": str(jan.pk), "mar": str(mar.pk), "jun": str(jun.pk)}
        resp = integrator_client.get(CUSTOMER, query)
        assert resp.status_code == 200, resp.content
        assert sorted(ids(resp)) == sorted(by_name[n] for n in expected)
        assert resp["X-Total-Count"] == str(len(expected))

    def test_comparisons_on_a_date_inside_the_representation(self, integrator_client):
        old = IndividualFactory(birth_date=datetime(1960, 5, 1).date())
        young = IndividualFactory(birth_date=datetime(2001, 5, 1).date())
        IndividualFactory(birth_date=None)
        assert ids(integrator_client.get(INDIVIDUAL, {"birthDate.lt": "1990-01-01"})) == [str(old.pk)]
        assert ids(integrator_client.get(INDIVIDUAL, {"birthDate.gte": "1990-01-01T00:00:00Z"})) == [str(young.pk)]

    def test_date_time_filters_use_the_rendered_millisecond_precision(self, integrator_client):
        c = CustomerFactory(valid_from=datetime(2026, 4, 1, 12, 0, 0, 123456, tzinfo=UTC))
        shown = integrator_client.get(f"{CUSTOMER}/{c.pk}").json()["validFor"]["startDateTime"]
        assert shown == "2026-04-01T12:00:00.123Z"
        # exact match on the string form the client was given
        assert ids(integrator_client.get(CUSTOMER, {"validFor.startDateTime": shown})) == [str(c.pk)]
        # "after what I saw" must not return what I saw; "at or after" must
        assert ids(integrator_client.get(CUSTOMER, {"validFor.startDateTime.gt": shown})) == []
        assert ids(integrator_client.get(CUSTOMER, {"validFor.startDateTime.gte": shown})) == [str(c.pk)]
        assert ids(integrator_client.get(CUSTOMER, {"validFor.startDateTime.lte": shown})) == [str(c.pk)]
        assert ids(integrator_client.get(CUSTOMER, {"validFor.startDateTime.lt": shown})) == []
        assert ids(integrator_client.get(CUSTOMER, {"validFor.startDateTime": "2026-04-01T12:00:00.124Z"})) == []

    @pytest.mark.parametrize("value", ["notadate", "2026-13-45", "yesterday"])
    def test_comparison_with_a_value_that_is_not_a_date_is_400(self, integrator_client, value):
        CustomerFactory()
        assert_tmf_error(integrator_client.get(CUSTOMER, {"validFor.startDateTime.gt": value}), 400)

    def test_equality_with_a_value_that_is_not_a_date_matches_nothing(self, integrator_client):
        CustomerFactory(valid_from=timezone.now())
        resp = integrator_client.get(CUSTOMER, {"validFor.startDateTime": "foo"})
        assert resp.status_code == 200
        assert resp.json() == []


# --- paging and ordering --------------------------------------------------------------------

@pytest.mark.django_db
class TestPaging:
    @pytest.fixture
    def five(self):
        """Five customers whose creation times are NOT in primary-key order; newest first is c3, c1, c4, c0, c2."""
        customers = [CustomerFactory() for _ in range(5)]
        base = timezone.now() - timedelta(days=1)
        offsets = [2, 4, 1, 5, 3]  # hours after base
        for c, hours in zip(customers, offsets, strict=True):
            Customer.objects.filter(pk=c.pk).update(created_at=base + timedelta(hours=hours))
        order = [customers[i] for i in (3, 1, 4, 0, 2)]
        return [str(c.pk) for c in order]

    def test_newest_first(self, integrator_client, five):
        resp = integrator_client.get(CUSTOMER)
        assert ids(resp) == five
        assert resp["X-Total-Count"] == "5"
        assert resp["X-Result-Count"] == "5"

    def test_ties_on_creation_time_newest_row_first(self, integrator_client):
        same = timezone.now()
        rows = [CustomerFactory() for _ in range(3)]
        Customer.objects.update(created_at=same)
        assert ids(integrator_client.get(CUSTOMER)) == [str(c.pk) for c in reversed(rows)]

    @pytest.mark.parametrize("offset, limit, window", [(0, 2, slice(0, 2)), (1, 2, slice(1, 3)),
                                                       (3, 10, slice(3, 5)), (5, 2, slice(5, 5)),
                                                       (0, 0, slice(0, 0))])
    def test_offset_and_limit_with_counts(self, integrator_client, five, offset, limit, window):
        resp = integrator_client.get(CUSTOMER, {"offset": offset, "limit": limit})
        assert resp.status_code == 200
        assert ids(resp) == five[window]
        assert resp["X-Total-Count"] == "5"
        assert resp["X-Result-Count"] == str(len(five[window]))

    def test_default_page_size(self, integrator_client, five, settings):
        settings.TMF_DEFAULT_PAGE_SIZE = 3
        resp = integrator_client.get(CUSTOMER)
        assert ids(resp) == five[:3]
        assert resp["X-Total-Count"] == "5"
        assert resp["X-Result-Count"] == "3"
        resp = integrator_client.get(CUSTOMER, {"offset": 3})
        assert ids(resp) == five[3:]

    def test_default_page_size_from_settings_applies_without_override(self, integrator_client, settings):
        n = settings.TMF_DEFAULT_PAGE_SIZE + 2
        for _ in range(n):
            IndividualFactory()
        resp = integrator_client.get(INDIVIDUAL)
        assert len(resp.json()) == settings.TMF_DEFAULT_PAGE_SIZE
        assert resp["X-Total-Count"] == str(n)
        assert resp["X-Result-Count"] == str(settings.TMF_DEFAULT_PAGE_SIZE)

    def test_limit_is_capped_by_the_maximum_page_size(self, integrator_client, five, settings):
        settings.TMF_MAX_PAGE_SIZE = 2
        resp = integrator_client.get(CUSTOMER, {"limit": 1000})
        assert ids(resp) == five[:2]
        assert resp["X-Total-Count"] == "5"
        assert resp["X-Result-Count"] == "2"

    def test_paging_after_filtering_on_the_representation(self, integrator_client, three_customers):
        alice, bob, carol = three_customers
        resp = integrator_client.get(CUSTOMER, {"contactMedium.mediumType": "email", "limit": 1})
        assert ids(resp) == [bob["id"]]  # newest of the two with an e-mail
        assert resp["X-Total-Count"] == "2"
        assert resp["X-Result-Count"] == "1"
        resp = integrator_client.get(CUSTOMER, {"contactMedium.mediumType": "email", "offset": 1, "limit": 1})
        assert ids(resp) == [alice["id"]]

    @pytest.mark.parametrize("query", ["offset=abc", "limit=x", "offset=-1", "limit=-5", "limit=1.5",
                                       "offset=", "limit=1e2"])
    def test_bad_offset_or_limit_is_400(self, integrator_client, query):
        CustomerFactory()
        assert_tmf_error(integrator_client.get(f"{CUSTOMER}?{query}"), 400)


# --- paths ----------------------------------------------------------------------------------

@pytest.mark.django_db
class TestTrailingSlash:
    @pytest.mark.parametrize("slash", ["", "/"])
    def test_list_and_detail_answer_with_and_without_trailing_slash(self, integrator_client, slash):
        c = CustomerFactory()
        ind = IndividualFactory()
        org = OrganizationFactory()
        for path in (CUSTOMER, f"{CUSTOMER}/{c.pk}", INDIVIDUAL, f"{INDIVIDUAL}/{ind.pk}",
                     ORGANIZATION, f"{ORGANIZATION}/{org.pk}"):
            resp = integrator_client.get(path + slash)
            assert resp.status_code == 200, (path + slash, resp.status_code)
            assert "Location" not in resp
            assert_json_content_type(resp)

    def test_writes_answer_with_trailing_slash(self, integrator_client, admin_api):
        resp = integrator_client.post(f"{INDIVIDUAL}/", {"givenName": "Ada", "familyName": "Lovelace"}, format="json")
        assert resp.status_code == 201
        pk = resp.json()["id"]
        resp = integrator_client.patch(f"{INDIVIDUAL}/{pk}/", {"givenName": "Augusta"}, format="json")
        assert resp.status_code == 200
        assert resp.json()["givenName"] == "Augusta"
        assert admin_api.delete(f"{INDIVIDUAL}/{pk}/").status_code == 204
        resp = integrator_client.post(f"{HUB629}/", {"callback": "https://listener.example.com/cb"}, format="json")
        assert resp.status_code == 201


# --- timestamps -----------------------------------------------------------------------------

def _all_strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _all_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _all_strings(v)
    elif isinstance(value, str):
        yield value


@pytest.mark.django_db
class TestTimestamps:
    def test_offsets_are_converted_to_utc_with_z(self, integrator_client):
        data = post_customer(integrator_client, validFor={"startDateTime": "2026-03-01T12:00:00+02:00",
                                                          "endDateTime": "2027-03-01T07:30:00-05:00"})
        assert data["validFor"] == {"startDateTime": "2026-03-01T10:00:00.000Z",
                                    "endDateTime": "2027-03-01T12:30:00.000Z"}

    def test_every_timestamp_is_utc_z_whatever_the_active_time_zone(self, integrator_client):
        post_customer(integrator_client, validFor={"startDateTime": "2026-03-01T12:00:00+02:00"})
        IndividualFactory(birth_date=datetime(1990, 5, 17).date())
        with timezone.override("America/New_York"):
            payloads = [integrator_client.get(CUSTOMER).json(), integrator_client.get(INDIVIDUAL).json()]
        stamps = [s for s in _all_strings(payloads) if re.match(r"^\d{4}-\d{2}-\d{2}T", s)]
        assert len(stamps) >= 2
        for s in stamps:
            assert UTC_Z.match(s), s
        assert "2026-03-01T10:00:00.000Z" in stamps
        assert "1990-05-17T00:00:00.000Z" in stamps

    def test_event_body_times_are_utc_z(self, integrator_client):
        post_customer(integrator_client, validFor={"startDateTime": "2026-03-01T12:00:00+01:00"})
        event = Event.objects.get(event_type="CustomerCreateEvent")
        assert UTC_Z.match(event.payload["eventTime"])
        assert event.payload["event"]["customer"]["validFor"]["startDateTime"] == "2026-03-01T11:00:00.000Z"


# --- status codes and the Error body ---------------------------------------------------------

EXT = {"id": "ext-1", "@referredType": "Individual"}
BAD_CREATES = [
    # (path, raw body or JSON-able object, attribute the message must name or None)
    pytest.param(CUSTOMER, "{bad json", None, id="bad-json"),
    pytest.param(CUSTOMER, '{"name": "x",}', None, id="trailing-comma"),
    pytest.param(CUSTOMER, "[1, 2]", None, id="array-body"),
    pytest.param(CUSTOMER, '"just a string"', None, id="string-body"),
    pytest.param(CUSTOMER, "42", None, id="number-body"),
    pytest.param(CUSTOMER, "null", None, id="null-body"),
    pytest.param(INDIVIDUAL, "[]", None, id="individual-array-body"),
    pytest.param(CUSTOMER, {"name": ["x"], "engagedParty": EXT}, "name", id="name-list"),
    pytest.param(CUSTOMER, {"name": {"a": 1}, "engagedParty": EXT}, "name", id="name-object"),
    pytest.param(CUSTOMER, {"name": "x", "engagedParty": "ext-1"}, "engagedParty", id="engagedParty-string"),
    pytest.param(CUSTOMER, {"name": "x", "engagedParty": EXT, "contactMedium": "a@b.c"}, "contactMedium",
                 id="contactMedium-string"),
    pytest.param(CUSTOMER, {"name": "x", "engagedParty": EXT, "validFor": "tomorrow"}, "validFor",
                 id="validFor-string"),
    pytest.param(CUSTOMER, {"name": "x", "engagedParty": EXT, "validFor": {"startDateTime": "soon"}},
                 "startDateTime", id="validFor-bad-date"),
    pytest.param(CUSTOMER, {"name": "x", "engagedParty": EXT, "characteristic": [{"name": "a"}]},
                 "value", id="characteristic-without-value"),
    pytest.param(CUSTOMER, {"name": "x", "engagedParty": EXT, "status": "suspended"}, "status",
                 id="status-not-allowed-on-create"),
    pytest.param(CUSTOMER, {"name": "x", "engagedParty": EXT, "status": "nonsense"}, "status",
                 id="status-unknown"),
    pytest.param(CUSTOMER, {"engagedParty": EXT}, "name", id="missing-name"),
    pytest.param(CUSTOMER, {"name": "   ", "engagedParty": EXT}, "name", id="blank-name"),
    pytest.param(CUSTOMER, {"name": "x"}, "engagedParty", id="missing-engagedParty"),
    pytest.param(CUSTOMER, {"name": "x", "engagedParty": {}}, "engagedParty", id="engagedParty-empty"),
    pytest.param(CUSTOMER, {"name": "x", "engagedParty": {"@referredType": "Individual"}}, "id",
                 id="engagedParty-without-id"),
    pytest.param(CUSTOMER, {"name": "x", "engagedParty": {"id": "ext-1"}}, "@referredType",
                 id="engagedParty-without-referredType"),
    pytest.param(CUSTOMER, {"name": "x", "engagedParty": EXT, "relatedParty": [{"name": "y", "role": "z"}]},
                 "relatedParty", id="relatedParty-without-id"),
    pytest.param(CUSTOMER, {"name": "x", "engagedParty": EXT,
                            "contactMedium": [{"characteristic": {"emailAddress": "a@b.c"}}]},
                 "mediumType", id="contactMedium-without-mediumType"),
    pytest.param(CUSTOMER, {"name": "x", "engagedParty": EXT,
                            "contactMedium": [{"mediumType": "pigeon", "characteristic": {}}]},
                 "mediumType", id="contactMedium-unknown-mediumType"),
    pytest.param(CUSTOMER, {"name": "x", "engagedParty": EXT,
                            "contactMedium": [{"mediumType": "email", "characteristic": {"phoneNumber": "1"}}]},
                 "emailAddress", id="contactMedium-email-without-address"),
    pytest.param(CUSTOMER, {"name": "x", "engagedParty": EXT,
                            "contactMedium": [{"mediumType": "email", "characteristic": {"emailAddress": "nope"}}]},
                 "nope", id="contactMedium-invalid-email"),
    pytest.param(CUSTOMER, {"name": "x", "engagedParty": EXT, "loyaltyTier": "gold"}, "loyaltyTier",
                 id="unknown-attribute"),
    pytest.param(CUSTOMER, {"id": "123", "name": "x", "engagedParty": EXT}, "id", id="read-only-id"),
    pytest.param(CUSTOMER, {"href": "http://x/1", "name": "x", "engagedParty": EXT}, "href", id="read-only-href"),
    pytest.param(INDIVIDUAL, {"givenName": "A"}, "familyName", id="individual-missing-familyName"),
    pytest.param(INDIVIDUAL, {"givenName": "A", "familyName": None}, "familyName", id="individual-null-familyName"),
    pytest.param(INDIVIDUAL, {"givenName": "A", "familyName": "B", "birthDate": "last year"}, "birthDate",
                 id="individual-bad-birthDate"),
    pytest.param(INDIVIDUAL, {"givenName": "A", "familyName": "B", "fullName": "A B"}, "fullName",
                 id="individual-read-only-fullName"),
    pytest.param(INDIVIDUAL, {"id": "9", "givenName": "A", "familyName": "B"}, "id", id="individual-read-only-id"),
    pytest.param(INDIVIDUAL, {"givenName": "A", "familyName": "B", "nickname": "x"}, "nickname",
                 id="individual-unknown-attribute"),
    pytest.param(ORGANIZATION, {"name": "Acme"}, "tradingName", id="organization-missing-tradingName"),
    pytest.param(ORGANIZATION, {"tradingName": "Acme", "isLegalEntity": "maybe"}, "isLegalEntity",
                 id="organization-bad-boolean"),
    pytest.param(ORGANIZATION, {"tradingName": "Acme", "organizationIdentification": "123"},
                 "organizationIdentification", id="organization-identification-string"),
    pytest.param(HUB629, {"callback": "https://x.example.com/cb", "id": "5"}, "id", id="hub-read-only-id"),
    pytest.param(HUB629, {"callback": "https://x.example.com/cb", "filter": "x"}, "filter", id="hub-unknown"),
]


@pytest.mark.django_db
class TestBadRequests:
    @pytest.mark.parametrize("path, body, attribute", BAD_CREATES)
    def test_malformed_create_is_400_with_error_body_and_stores_nothing(self, integrator_client, path, body,
                                                                        attribute):
        IndividualFactory()  # something to be unchanged
        before = row_counts()
        raw = body if isinstance(body, str) else json.dumps(body)
        resp = integrator_client.post(path, raw, content_type="application/json")
        error = assert_tmf_error(resp, 400)
        if attribute:
            assert attribute in error["message"], error["message"]
        assert row_counts() == before

    def test_malformed_patch_is_400_and_changes_nothing(self, integrator_client):
        created = post_customer(integrator_client)
        before = row_counts()
        url = f"{CUSTOMER}/{created['id']}"
        for body in ("{oops", "[]", {"name": ["x"]}, {"id": "5"}, {"href": "x"}, {"unknownThing": 1},
                     {"contactMedium": [{"mediumType": "email", "characteristic": {"emailAddress": "bad"}}]},
                     {"name": "Renamed", "contactMedium": [{"mediumType": "fax", "characteristic": {}}]},
                     {"name": None}, {"name": ""}, {"status": None}, {"engagedParty": None},
                     # a PATCH replaces the attributes it names: nested objects keep their mandatory parts
                     {"engagedParty": {}}, {"engagedParty": {"name": "No Id"}},
                     {"engagedParty": {"id": "ext-2"}},
                     {"contactMedium": [{"characteristic": {"emailAddress": "a@example.com"}}]},
                     {"contactMedium": [{"mediumType": "email"}]},
                     {"characteristic": [{"name": "colour"}]}, {"relatedParty": [{"name": "No Id"}]}):
            raw = body if isinstance(body, str) else json.dumps(body)
            assert_tmf_error(integrator_client.patch(url, raw, content_type="application/json"), 400)
        assert row_counts() == before
        assert integrator_client.get(url).json() == created

    def test_patch_leaves_attributes_it_does_not_name_alone(self, integrator_client):
        created = post_customer(integrator_client, statusReason="first contact",
                                validFor={"startDateTime": "2026-01-01T00:00:00Z"},
                                relatedParty=[{"id": "r1", "@referredType": "Individual"}])
        resp = integrator_client.patch(f"{CUSTOMER}/{created['id']}", {"name": "Only The Name"}, format="json")
        assert resp.status_code == 200
        assert resp.json() == {**created, "name": "Only The Name"}

    def test_service_rejection_after_partial_work_is_rolled_back(self, integrator_client):
        """The customer row is written before the contact media are validated: all or nothing."""
        before = row_counts()
        resp = integrator_client.post(CUSTOMER, {
            "name": "Half Done", "engagedParty": EXT,
            "contactMedium": [{"mediumType": "mobile", "characteristic": {"phoneNumber": "call me"}}],
        }, format="json")
        assert_tmf_error(resp, 400)
        assert row_counts() == before

    def test_unsupported_media_type_is_415_error(self, integrator_client):
        before = row_counts()
        resp = integrator_client.post(CUSTOMER, "name=x", content_type="application/x-www-form-urlencoded")
        assert_tmf_error(resp, 415)
        assert row_counts() == before

    def test_merge_patch_content_type_is_accepted(self, integrator_client):
        created = post_customer(integrator_client)
        resp = integrator_client.patch(f"{CUSTOMER}/{created['id']}", json.dumps({"name": "Merged"}),
                                       content_type="application/merge-patch+json")
        assert resp.status_code == 200
        assert resp.json()["name"] == "Merged"


@pytest.mark.django_db
class TestNotFound:
    @pytest.mark.parametrize("suffix", ["999999", "abc", "1.5", "-1", "99999999999999999999999", "%20", "0x1"])
    def test_unknown_or_non_numeric_id_is_404(self, integrator_client, admin_api, suffix):
        CustomerFactory()
        IndividualFactory()
        for path in (CUSTOMER, INDIVIDUAL, ORGANIZATION):
            url = f"{path}/{suffix}"
            assert_tmf_error(integrator_client.get(url), 404)
            assert_tmf_error(integrator_client.patch(url, {"name": "x"}, format="json"), 404)
            assert_tmf_error(admin_api.delete(url), 404)

    def test_a_party_of_the_other_kind_is_404(self, integrator_client):
        ind = IndividualFactory()
        org = OrganizationFactory()
        assert_tmf_error(integrator_client.get(f"{ORGANIZATION}/{ind.pk}"), 404)
        assert_tmf_error(integrator_client.get(f"{INDIVIDUAL}/{org.pk}"), 404)

    @pytest.mark.parametrize("path", ["/tmf-api/", "/tmf-api/nothing", "/tmf-api/customerManagement/v4/",
                                      "/tmf-api/customerManagement/v4/nothing",
                                      "/tmf-api/customerManagement/v5/customer",
                                      "/tmf-api/party/v4/individual/1/extra"])
    def test_unknown_path_under_tmf_api_is_404_error(self, integrator_client, api_client, path):
        assert_tmf_error(integrator_client.get(path), 404)
        assert_tmf_error(integrator_client.post(path, {"a": 1}, format="json"), 404)
        assert_tmf_error(api_client.get(path), 404)


@pytest.mark.django_db
class TestMethodNotAllowed:
    def test_put_and_other_unsupported_methods_are_405_error(self, integrator_client):
        c = CustomerFactory()
        p = IndividualFactory()
        before = row_counts()
        for method, url in (("put", f"{CUSTOMER}/{c.pk}"), ("put", f"{INDIVIDUAL}/{p.pk}"), ("put", CUSTOMER),
                            ("post", f"{CUSTOMER}/{c.pk}"), ("delete", CUSTOMER), ("patch", CUSTOMER),
                            ("put", f"{HUB629}/1")):
            resp = getattr(integrator_client, method)(url, {"name": "x"}, format="json")
            assert_tmf_error(resp, 405)
        assert row_counts() == before


@pytest.mark.django_db
class TestConflict:
    def test_invalid_status_transition_is_409_and_the_whole_patch_is_rolled_back(self, integrator_client):
        created = post_customer(integrator_client)
        assert created["status"] == "prospect"
        before = row_counts()
        url = f"{CUSTOMER}/{created['id']}"
        error = assert_tmf_error(integrator_client.patch(url, {"name": "Renamed", "status": "suspended"},
                                                         format="json"), 409)
        assert "suspended" in error["message"]
        assert row_counts() == before
        after = integrator_client.get(url).json()
        assert after["name"] == created["name"]
        assert after["status"] == "prospect"

    def test_reopening_rules_follow_the_lifecycle(self, integrator_client):
        created = post_customer(integrator_client, status="active")
        url = f"{CUSTOMER}/{created['id']}"
        assert integrator_client.patch(url, {"status": "suspended"}, format="json").status_code == 200
        assert_tmf_error(integrator_client.patch(url, {"status": "prospect"}, format="json"), 409)
        assert integrator_client.get(url).json()["status"] == "suspended"


@pytest.mark.django_db
class TestPayloadTooLarge:
    def test_oversized_create_is_413_and_stores_nothing(self, integrator_client, settings):
        settings.TMF_MAX_BODY_BYTES = 200
        before = row_counts()
        body = {"name": "x" * 300, "engagedParty": EXT}
        error = assert_tmf_error(integrator_client.post(CUSTOMER, body, format="json"), 413)
        assert "200" in error["message"]
        assert row_counts() == before

    def test_oversized_patch_is_413_and_changes_nothing(self, integrator_client, settings):
        p = IndividualFactory(given_name="Ada")
        settings.TMF_MAX_BODY_BYTES = 64
        before = row_counts()
        assert_tmf_error(integrator_client.patch(f"{INDIVIDUAL}/{p.pk}", {"givenName": "A" * 100}, format="json"),
                         413)
        assert row_counts() == before
        p.refresh_from_db()
        assert p.given_name == "Ada"

    def test_body_at_the_limit_is_accepted(self, integrator_client, settings):
        raw = json.dumps({"givenName": "Ada", "familyName": "Lovelace"})
        settings.TMF_MAX_BODY_BYTES = len(raw)
        assert integrator_client.post(INDIVIDUAL, raw, content_type="application/json").status_code == 201

    def test_invalid_content_length_is_400(self, integrator_client):
        resp = integrator_client.generic("POST", INDIVIDUAL, "{}", content_type="application/json",
                                         CONTENT_LENGTH="lots")
        assert_tmf_error(resp, 400)
        assert Party.objects.count() == 0


@pytest.mark.django_db
class TestContentTypeEverywhere:
    def test_every_response_is_json(self, integrator_client, admin_api, api_client, settings):
        c = CustomerFactory()
        p = IndividualFactory()
        responses = {
            "list": integrator_client.get(CUSTOMER),
            "detail": integrator_client.get(f"{CUSTOMER}/{c.pk}"),
            "create": integrator_client.post(INDIVIDUAL, {"givenName": "A", "familyName": "B"}, format="json"),
            "patch": integrator_client.patch(f"{INDIVIDUAL}/{p.pk}", {"givenName": "C"}, format="json"),
            "delete-204": admin_api.delete(f"{INDIVIDUAL}/{p.pk}"),
            "hub-delete-204": integrator_client.delete(
                f"{HUB629}/{integrator_client.post(HUB629, {'callback': 'https://l.example.com/'}, format='json').json()['id']}"),
            "400": integrator_client.post(CUSTOMER, "{", content_type="application/json"),
            "401": api_client.get(CUSTOMER),
            "404": integrator_client.get(f"{CUSTOMER}/0"),
            "404-path": integrator_client.get("/tmf-api/whatever"),
            "405": integrator_client.put(f"{CUSTOMER}/{c.pk}", {}, format="json"),
            "409": integrator_client.patch(f"{CUSTOMER}/{c.pk}", {"status": "suspended"}, format="json"),
            "415": integrator_client.post(CUSTOMER, "x", content_type="text/plain"),
        }
        settings.TMF_MAX_BODY_BYTES = 5
        responses["413"] = integrator_client.post(CUSTOMER, {"name": "too long"}, format="json")
        expected = {"list": 200, "detail": 200, "create": 201, "patch": 200, "delete-204": 204,
                    "hub-delete-204": 204, "400": 400, "401": 401, "404": 404, "404-path": 404, "405": 405,
                    "409": 409, "415": 415, "413": 413}
        for name, resp in responses.items():
            assert resp.status_code == expected[name], (name, resp.status_code, resp.content)
            assert resp.get("Content-Type", "").startswith("application/json"), (name, resp.get("Content-Type"))


NEVER_500 = [
    ("get", f"{CUSTOMER}?id=abc", None),
    ("get", f"{CUSTOMER}?id.gt=abc", None),
    ("get", f"{CUSTOMER}?id.gt=5", None),
    ("get", f"{CUSTOMER}?engagedParty.id=abc", None),
    ("get", f"{CUSTOMER}?engagedParty.id.lt=2026-01-01", None),
    ("get", f"{CUSTOMER}?validFor.startDateTime=foo", None),
    ("get", f"{CUSTOMER}?validFor.endDateTime.lte=2026-02-30", None),
    ("get", f"{CUSTOMER}?name.gt=5", None),
    ("get", f"{CUSTOMER}?name.gt=2026-01-01", None),
    ("get", f"{CUSTOMER}?validFor.startDateTime.gt=5", None),
    ("get", f"{CUSTOMER}?engagedParty.id.gt=5", None),
    ("get", f"{CUSTOMER}?engagedParty.id.lte=2026-01-01T00:00:00Z", None),
    ("get", f"{CUSTOMER}?id.lte=1e999", None),
    ("get", f"{CUSTOMER}?id.gte=-99999999999999999999999", None),
    ("get", f"{CUSTOMER}?statusReason=%27", None),
    ("get", f"{CUSTOMER}?contactMedium=x", None),
    ("get", f"{CUSTOMER}?contactMedium.characteristic.gt=x", None),
    ("get", f"{CUSTOMER}?limit=99999999999999999999999", None),
    ("get", f"{CUSTOMER}?offset=99999999999999999999999", None),
    ("get", f"{CUSTOMER}?fields=,,,", None),
    ("get", f"{CUSTOMER}?fields=%00", None),
    ("get", f"{CUSTOMER}?name=%00", None),
    ("get", f"{CUSTOMER}?.=x", None),
    ("get", f"{CUSTOMER}?..gt=1", None),
    ("get", f"{INDIVIDUAL}?birthDate.gt=%27%27", None),
    ("get", f"{INDIVIDUAL}?id=-1", None),
    ("get", f"{CUSTOMER}/%00", None),
    ("get", f"{CUSTOMER}/1%20OR%201=1", None),
    ("get", f"{HUB629}/abc", None),
    ("delete", f"{HUB629}/abc", None),
    ("patch", "{c}", "[]"),
    ("patch", "{c}", '{"status": null}'),
    ("patch", "{c}", '{"status": "nonsense"}'),
    ("patch", "{c}", '{"engagedParty": null}'),
    ("patch", "{c}", '{"engagedParty": {"id": null, "@referredType": null}}'),
    ("patch", "{c}", '{"validFor": {"startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "x"}}'),
    ("patch", "{c}", '{"characteristic": [{"name": "n", "value": {"deep": [1, 2]}}]}'),
    ("patch", "{c}", '{"contactMedium": [{"mediumType": "postalAddress", "characteristic": {"city": "X"}}]}'),
    ("patch", "{c}", '{"contactMedium": [{"mediumType": "postalAddress", "characteristic": '
                     '{"street1": "a", "city": "b", "postCode": "c", "country": "IRL"}}]}'),
    ("patch", "{c}", '{"name": "\\u0000"}'),
    ("patch", "{c}", '{"name": "' + "n" * 500 + '"}'),
    ("post", CUSTOMER, '{"name": "x", "engagedParty": {"id": "' + "9" * 80 + '", "@referredType": "Individual"}}'),
    ("post", CUSTOMER, '{"name": "x", "engagedParty": {"id": "99999999999999999999999", '
                       '"@referredType": "Individual"}}'),
    ("post", INDIVIDUAL, '{"givenName": "A", "familyName": "B", "birthDate": null}'),
    ("post", INDIVIDUAL, '{"givenName": "A", "familyName": "B", "skill": "not a list"}'),
    ("post", ORGANIZATION, '{"tradingName": "A", "organizationIdentification": [{"identificationId": 5}]}'),
    ("post", HUB629, '{"callback": "https://l.example.com/cb", "query": "' + "q" * 600 + '"}'),
    ("post", HUB629, '{"callback": null}'),
]


@pytest.mark.django_db
@pytest.mark.parametrize("method, url, body", NEVER_500)
def test_never_a_500(integrator_client, method, url, body):
    c = CustomerFactory()
    url = url.replace("{c}", f"{CUSTOMER}/{c.pk}")
    if body is None:
        resp = getattr(integrator_client, method)(url)
    else:
        resp = getattr(integrator_client, method)(url, body, content_type="application/json")
    assert resp.status_code < 500, (resp.status_code, resp.content)
    assert_json_content_type(resp)
    if resp.status_code >= 400:
        assert_tmf_error(resp, resp.status_code)


# --- authentication on the toolkit level ------------------------------------------------------

@pytest.mark.django_db
class TestAuthentication:
    @pytest.mark.parametrize("method, path", [("get", CUSTOMER), ("get", f"{CUSTOMER}/1"), ("post", CUSTOMER),
                                              ("get", INDIVIDUAL), ("post", ORGANIZATION), ("post", HUB629),
                                              ("delete", f"{HUB632}/1")])
    def test_unauthenticated_is_401_with_error_body_and_stores_nothing(self, api_client, method, path):
        CustomerFactory()
        before = row_counts()
        resp = getattr(api_client, method)(path, {"name": "x", "engagedParty": EXT, "callback": "https://x.y/"},
                                           format="json")
        assert resp.status_code in (401, 403)
        assert_tmf_error(resp, resp.status_code)
        assert row_counts() == before


# --- /hub -----------------------------------------------------------------------------------

@pytest.mark.django_db
class TestHub:
    @pytest.mark.parametrize("hub, api", [(HUB629, "customerManagement"), (HUB632, "party")])
    def test_register_listener(self, integrator_client, hub, api):
        body = {"callback": "https://listener.example.com/events", "query": "eventType=CustomerCreateEvent"}
        resp = integrator_client.post(hub, body, format="json")
        assert resp.status_code == 201
        assert_json_content_type(resp)
        data = resp.json()
        assert set(data) == {"id", "callback", "query"}
        assert isinstance(data["id"], str)
        assert data["callback"] == body["callback"]
        assert data["query"] == body["query"]
        assert resp["Location"] == f"{BASE}{hub}/{data['id']}"
        sub = HubSubscription.objects.get(pk=int(data["id"]))
        assert (sub.api, sub.callback, sub.query, sub.active) == (api, body["callback"], body["query"], True)

    def test_register_without_query(self, integrator_client):
        resp = integrator_client.post(HUB629, {"callback": "https://listener.example.com/all"}, format="json")
        assert resp.status_code == 201
        assert resp.json()["callback"] == "https://listener.example.com/all"
        assert not resp.json().get("query")

    def test_unregister_then_gone(self, integrator_client):
        sub_id = integrator_client.post(HUB629, {"callback": "https://l.example.com/cb"}, format="json").json()["id"]
        assert integrator_client.get(f"{HUB629}/{sub_id}").status_code == 200
        resp = integrator_client.delete(f"{HUB629}/{sub_id}")
        assert resp.status_code == 204
        assert resp.content == b""
        assert_tmf_error(integrator_client.get(f"{HUB629}/{sub_id}"), 404)
        assert_tmf_error(integrator_client.delete(f"{HUB629}/{sub_id}"), 404)
        assert HubSubscription.objects.get(pk=int(sub_id)).active is False  # kept for the delivery history

    def test_a_listener_belongs_to_its_api(self, integrator_client):
        sub_id = integrator_client.post(HUB629, {"callback": "https://l.example.com/cb"}, format="json").json()["id"]
        assert_tmf_error(integrator_client.get(f"{HUB632}/{sub_id}"), 404)
        assert_tmf_error(integrator_client.delete(f"{HUB632}/{sub_id}"), 404)
        assert HubSubscription.objects.get(pk=int(sub_id)).active is True

    @pytest.mark.parametrize("body", [{"callback": "not a url"}, {"callback": ""}, {"callback": "ftp//x"},
                                      {"query": "eventType=CustomerCreateEvent"}, {"callback": ["https://x.y/"]},
                                      {"callback": "javascript:alert(1)"}])
    def test_invalid_callback_is_400(self, integrator_client, body):
        error = assert_tmf_error(integrator_client.post(HUB629, body, format="json"), 400)
        assert "callback" in error["message"]
        assert HubSubscription.objects.count() == 0

    def test_listener_receives_matching_events_only(self, integrator_client, on_commit, celery_eager, mocker):
        post = mocker.patch("bss.events.services.requests.post")
        post.return_value.status_code = 201
        create_sub = integrator_client.post(HUB629, {"callback": "https://l.example.com/create",
                                                     "query": "eventType=CustomerCreateEvent"}, format="json").json()
        integrator_client.post(HUB629, {"callback": "https://l.example.com/state",
                                        "query": "eventType=CustomerStateChangeEvent"}, format="json")
        integrator_client.post(HUB632, {"callback": "https://l.example.com/party"}, format="json")
        with on_commit(execute=True):
            created = post_customer(integrator_client)
        deliveries = EventDelivery.objects.filter(subscription__isnull=False)
        assert [d.subscription_id for d in deliveries] == [int(create_sub["id"])]
        assert deliveries.get().status == EventDelivery.Status.DELIVERED
        assert post.call_count == 1
        args, kwargs = post.call_args
        assert args[0] == "https://l.example.com/create"
        sent = json.loads(kwargs["data"])
        assert sent["eventType"] == "CustomerCreateEvent"
        assert sent["event"]["customer"]["id"] == created["id"]


# --- bss.tmf.filtering, unit by unit ----------------------------------------------------------

class TestCleanValue:
    @pytest.mark.parametrize("raw, clean", [
        ('"abc"', "abc"), ("'abc'", "abc"), ("  'abc'  ", "abc"), ("abc", "abc"), ('"a b"', "a b"),
        ('"abc\'', "\"abc'"), ('"', '"'), ('""', ""), ("'", "'"), ('"\'x\'"', "'x'"), (" x ", "x"),
    ])
    def test_clean_value(self, raw, clean):
        assert filtering.clean_value(raw) == clean


class TestParseFilters:
    def test_reserved_params_are_not_filters(self):
        qd = QueryDict("fields=a&offset=1&limit=2&sort=x&format=json&depth=1&expand=y&status=active")
        assert filtering.parse_filters(qd) == [AttributeFilter("status", "eq", "active")]

    def test_operators_and_dotted_paths(self):
        qd = QueryDict("validFor.startDateTime.gte=2026-01-01&a.b.c=%22x%22&n.lt=5&x.gt=1&y.lte=2&z.eq=3")
        assert filtering.parse_filters(qd) == [
            AttributeFilter("validFor.startDateTime", "gte", "2026-01-01"),
            AttributeFilter("a.b.c", "eq", "x"),
            AttributeFilter("n", "lt", "5"),
            AttributeFilter("x", "gt", "1"),
            AttributeFilter("y", "lte", "2"),
            AttributeFilter("z.eq", "eq", "3"),  # eq is not an operator suffix: a path named 'eq'
        ]

    def test_an_operator_name_alone_is_a_path(self):
        assert filtering.parse_filters(QueryDict("gt=5")) == [AttributeFilter("gt", "eq", "5")]

    def test_repeated_keys_give_one_filter_each(self):
        assert filtering.parse_filters(QueryDict("status=a&status='b'")) == [
            AttributeFilter("status", "eq", "a"), AttributeFilter("status", "eq", "b")]

    def test_plain_dict(self):
        assert filtering.parse_filters({"name": ' "Ada" ', "limit": "3"}) == [AttributeFilter("name", "eq", "Ada")]


class TestParseFields:
    @pytest.mark.parametrize("raw, fields", [
        (None, None), ("", None), (" , ,\n", None),
        ("name", ["name"]), (" name , status ", ["name", "status"]), ("name\nstatus", ["name", "status"]),
        ("name,\n status,\r\n", ["name", "status"]), ("a.b,c", ["a.b", "c"]),
    ])
    def test_parse_fields(self, raw, fields):
        assert filtering.parse_fields(raw) == fields


class TestSelectFields:
    DATA = {"id": "1", "href": "h", "name": "n", "status": "s", "engagedParty": {"id": "2", "name": "p"}}

    def test_keeps_requested_plus_id_and_href(self):
        assert filtering.select_fields(self.DATA, ["status"]) == {"id": "1", "href": "h", "status": "s"}

    def test_dotted_field_keeps_its_top_level_attribute(self):
        assert filtering.select_fields(self.DATA, ["engagedParty.name"]) == {
            "id": "1", "href": "h", "engagedParty": {"id": "2", "name": "p"}}

    def test_no_fields_keeps_everything(self):
        assert filtering.select_fields(self.DATA, None) is self.DATA
        assert filtering.select_fields(self.DATA, []) == self.DATA

    def test_unknown_fields(self):
        assert filtering.select_fields(self.DATA, ["nope"]) == {"id": "1", "href": "h"}


class TestStringForm:
    @pytest.mark.parametrize("value, text", [(None, "null"), (True, "true"), (False, "false"), (0, "0"),
                                             (12, "12"), (1.5, "1.5"), (Decimal("2.50"), "2.50"), ("x", "x")])
    def test_string_form(self, value, text):
        assert filtering.string_form(value) == text


class TestCompare:
    @pytest.mark.parametrize("left, op, right, result", [
        ("a", "eq", "a", True), ("a", "eq", "A", False), ("1", "eq", "1.0", False),
        ("2026-03-01T00:00:00.000Z", "gt", "2026-02-28", True),
        ("2026-03-01T00:00:00.000Z", "gt", "2026-03-01", False),
        ("2026-03-01T00:00:00.000Z", "gte", "2026-03-01", True),
        ("2026-03-01T00:00:00.000Z", "lt", "2026-03-01T00:00:00.001Z", True),
        ("2026-03-01T00:00:00.000Z", "lte", "2026-03-01T02:00:00+02:00", True),
        ("2026-03-01T00:00:00.000Z", "lt", "2026-03-01T02:00:00+02:00", False),
        ("2026-03-01T00:00:00", "eq", "2026-03-01T00:00:00Z", False),
        ("2026-03-01T00:00:00", "gte", "2026-03-01T00:00:00Z", True),  # naive means UTC
        ("2026-03-01", "lt", "2026-03-02", True),
        ("10", "gt", "9", True), ("10", "lt", "9", False), ("1.50", "gte", "1.5", True), ("-1", "lte", "-1", True),
        ("abc", "gt", "abb", False),  # not comparable: no match rather than string ordering
        ("10", "gt", "2026-01-01", False),  # number vs date: no match
        ("2026-01-01", "lt", "abc", False),
    ])
    def test_compare(self, left, op, right, result):
        assert filtering.compare(left, op, right) is result

    def test_comparable_or_none(self):
        assert filtering.comparable_or_none("2026-01-02") == datetime(2026, 1, 2, tzinfo=UTC)
        assert filtering.comparable_or_none("2026-01-02T03:04:05+01:00") == datetime(2026, 1, 2, 2, 4, 5, tzinfo=UTC)
        assert filtering.comparable_or_none("12.5") == Decimal("12.5")
        assert filtering.comparable_or_none("twelve") is None


class TestAttributeMatches:
    DATA = {
        "name": "Ada", "active": True, "score": 7, "nothing": None,
        "engagedParty": {"id": "42", "name": "Ada L"},
        "contactMedium": [
            {"mediumType": "email", "characteristic": {"emailAddress": "ada@example.com"}},
            {"mediumType": "mobile", "characteristic": {"phoneNumber": "+353 1"}},
        ],
        "tags": ["a", "b"],
        "nested": [[{"x": "deep"}]],
        "validFor": {"startDateTime": "2026-03-01T10:00:00.000Z"},
    }

    @pytest.mark.parametrize("path, value, op, result", [
        ("name", "Ada", "eq", True), ("name", "ada", "eq", False), ("name", '"Ada"', "eq", True),
        ("name", "'Ada'", "eq", True), ("name", "Ad", "eq", False),
        ("active", "true", "eq", True), ("active", "True", "eq", False), ("score", "7", "eq", True),
        ("nothing", "null", "eq", True),
        ("engagedParty.id", "42", "eq", True), ("engagedParty.id", "43", "eq", False),
        ("engagedParty", "42", "eq", False),  # an object never equals a scalar
        ("contactMedium.characteristic.emailAddress", "ada@example.com", "eq", True),
        ("contactMedium.characteristic.phoneNumber", "+353 1", "eq", True),
        ("contactMedium.mediumType", "mobile", "eq", True),
        ("contactMedium.mediumType", "fax", "eq", False),
        ("contactMedium", "email", "eq", False),
        ("contactMedium.characteristic", "x", "eq", False),
        ("tags", "b", "eq", True), ("tags", "c", "eq", False),
        ("nested.x", "deep", "eq", True),
        ("missing", "x", "eq", False), ("missing.deeper", "x", "eq", False), ("name.deeper", "x", "eq", False),
        ("validFor.startDateTime", "2026-03-01", "gt", True),
        ("validFor.startDateTime", "'2026-03-01T10:00:00Z'", "gte", True),
        ("validFor.startDateTime", "2026-03-01T10:00:00Z", "gt", False),
        ("validFor.startDateTime", "2026-03-02", "lt", True),
        ("score", "5", "gt", True), ("score", "7", "lt", False),
    ])
    def test_attribute_matches(self, path, value, op, result):
        assert filtering.attribute_matches(self.DATA, path, value, op) is result

    def test_representation_matches_ands_all_filters(self):
        f_name = AttributeFilter("name", "eq", "Ada")
        f_mail = AttributeFilter("contactMedium.characteristic.emailAddress", "eq", "ada@example.com")
        f_date = AttributeFilter("validFor.startDateTime", "lt", "2026-01-01")
        assert filtering.representation_matches(self.DATA, [f_name, f_mail]) is True
        assert filtering.representation_matches(self.DATA, [f_name, f_mail, f_date]) is False
        assert filtering.representation_matches(self.DATA, [f_date]) is False
        assert filtering.representation_matches(self.DATA, []) is True

    def test_any_element_of_an_array_may_match_each_filter(self):
        # mediumType=mobile and emailAddress on another element: both hold on the resource
        filters = [AttributeFilter("contactMedium.mediumType", "eq", "mobile"),
                   AttributeFilter("contactMedium.characteristic.emailAddress", "eq", "ada@example.com")]
        assert filtering.representation_matches(self.DATA, filters) is True


@pytest.mark.django_db
def test_contact_media_created_by_factories_are_filterable(integrator_client):
    """Rows written outside the TMF API are filterable the same way."""
    contact = ContactFactory()
    ContactMediumFactory(contact=contact, kind=ContactMedium.Kind.EMAIL, value="row@example.com")
    ContactFactory()
    resp = integrator_client.get(CUSTOMER, {"contactMedium.characteristic.emailAddress": "row@example.com"})
    assert ids(resp) == [str(contact.customer_id)]
