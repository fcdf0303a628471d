"""TMF632 Party Management (Individual, Organization) over the customer inventory."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from bss.audit.models import HistoryEntry
from bss.events.models import Event
from bss.roles import Role
from customers.models import Party
from tests.factories import (
    CustomerFactory,
    IndividualFactory,
    OrganizationFactory,
    UserFactory,
    customer_user,
    staff_user,
)
from tests.tmf_spec import assert_tmf_error, load_spec, spec_problems

BASE = "http://testserver"
INDIVIDUAL = "/tmf-api/party/v4/individual"
ORGANIZATION = "/tmf-api/party/v4/organization"
CUSTOMER = "/tmf-api/customerManagement/v4/customer"
SPEC_NAME = "TMF632-Party-v4.0.0.swagger.json"
SKILL = [{"skillCode": "py", "skillName": "Python", "evaluatedLevel": "expert",
          "validFor": {"startDateTime": "2020-01-01T00:00:00.000Z"}}]
LANGUAGES = [{"languageCode": "ga", "languageName": "Irish", "isFavouriteLanguage": True}]
IDENTIFICATION = [{"identificationType": "passport", "identificationId": "PX123", "issuingAuthority": "IE"}]
CREDIT_RATING = [{"creditAgencyName": "Experian", "ratingScore": 720}]


# --- helpers ---------------------------------------------------------------------------------

def last_event_id() -> int:
    return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def last_history_id() -> int:
    return HistoryEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def new_events(since_id: int) -> list[Event]:
    return list(Event.objects.filter(pk__gt=since_id).order_by("pk"))


def new_history(since_id: int) -> list[HistoryEntry]:
    return list(HistoryEntry.objects.filter(pk__gt=since_id).order_by("pk"))


@pytest.fixture
def spec():
    return load_spec(SPEC_NAME)


@pytest.fixture
def admin_api(db):
    client = APIClient()
    client.force_authenticate(staff_user(Role.ADMIN))
    return client


def post(client, path, body) -> dict:
    resp = client.post(path, body, format="json")
    assert resp.status_code == 201, resp.content
    return resp.json()


RICH_INDIVIDUAL = {
    "givenName": "Ada", "familyName": "Lovelace", "middleName": "Augusta", "title": "Countess",
    "birthDate": "1815-12-10T00:00:00Z", "gender": "female", "nationality": "GB",
    "aristocraticTitle": "Countess of Lovelace", "countryOfBirth": "GB", "placeOfBirth": "London",
    "preferredGivenName": "Ada", "maritalStatus": "married", "legalName": "Augusta Ada King",
    "skill": SKILL, "languageAbility": LANGUAGES, "individualIdentification": IDENTIFICATION,
    "creditRating": CREDIT_RATING, "externalReference": [{"externalReferenceType": "crm", "name": "C-9"}],
    "contactMedium": [{"mediumType": "email", "characteristic": {"emailAddress": "ada@example.com"}}],
    "partyCharacteristic": [{"name": "vip", "value": True}],
    "@type": "Individual", "@baseType": "Party",
}
RICH_ORGANIZATION = {
    "tradingName": "Analytical Engines", "name": "Analytical Engines Ltd", "organizationType": "company",
    "isLegalEntity": True, "isHeadOffice": True, "nameType": "Ltd",
    "organizationIdentification": [{"identificationType": "registrationNumber", "identificationId": "IE123456"}],
    "existsDuring": {"startDateTime": "1843-01-01T00:00:00.000Z"},
    "creditRating": CREDIT_RATING, "otherName": [{"name": "AE", "nameType": "abbreviation"}],
}
PASSTHROUGH_INDIVIDUAL = ("aristocraticTitle", "countryOfBirth", "placeOfBirth", "preferredGivenName",
                          "maritalStatus", "legalName", "skill", "languageAbility", "individualIdentification",
                          "creditRating", "externalReference", "contactMedium", "partyCharacteristic")


# --- shapes ---------------------------------------------------------------------------------

@pytest.mark.django_db
class TestShape:
    def test_individual_matches_the_spec(self, integrator_client, spec):
        data = post(integrator_client, INDIVIDUAL, RICH_INDIVIDUAL)
        CustomerFactory(party_id=int(data["id"]))
        for view in (data, integrator_client.get(data["href"]).json(), integrator_client.get(INDIVIDUAL).json()[0]):
            assert spec_problems(spec, "Individual", view) == []
            assert view["@type"] == "Individual"
            for name in spec["definitions"]["Individual_Create"]["required"]:
                assert name in view, name
        shown = integrator_client.get(data["href"]).json()
        assert shown["relatedParty"][0]["@referredType"] == "Customer"

    def test_organization_matches_the_spec(self, integrator_client, spec):
        data = post(integrator_client, ORGANIZATION, RICH_ORGANIZATION)
        CustomerFactory(party_id=int(data["id"]))
        for view in (data, integrator_client.get(data["href"]).json(),
                     integrator_client.get(ORGANIZATION).json()[0]):
            assert spec_problems(spec, "Organization", view) == []
            assert view["@type"] == "Organization"
            for name in spec["definitions"]["Organization_Create"]["required"]:
                assert name in view, name

    def test_minimal_and_factory_parties_match_the_spec(self, integrator_client, spec):
        post(integrator_client, INDIVIDUAL, {"givenName": "Grace", "familyName": "Hopper"})
        post(integrator_client, ORGANIZATION, {"tradingName": "Navy"})
        IndividualFactory()
        OrganizationFactory(registration_number="R1", organization_type="charity", is_legal_entity=False)
        for path, definition in ((INDIVIDUAL, "Individual"), (ORGANIZATION, "Organization")):
            items = integrator_client.get(path).json()
            assert len(items) == 2
            for item in items:
                assert spec_problems(spec, definition, item) == []

    def test_the_checker_catches_what_the_spec_does_not_define(self, spec):
        assert spec_problems(spec, "Individual", {"id": "1", "nickname": "x"})
        assert spec_problems(spec, "Individual", {"givenName": "x"})  # id is required
        assert spec_problems(spec, "Individual", {"id": "1", "status": "sleeping"})  # not in the state enum
        assert spec_problems(spec, "Organization", {"id": "1", "isLegalEntity": "yes"})


# --- Individual ---------------------------------------------------------------------------

@pytest.mark.django_db
class TestIndividual:
    def test_create_round_trip_history_and_event(self, integrator_client, integrator):
        h0, e0 = last_history_id(), last_event_id()
        resp = integrator_client.post(INDIVIDUAL, RICH_INDIVIDUAL, format="json")
        assert resp.status_code == 201
        data = resp.json()
        assert resp["Location"] == data["href"] == f"{BASE}{INDIVIDUAL}/{data['id']}"
        assert (data["givenName"], data["familyName"], data["middleName"], data["title"]) == (
            "Ada", "Lovelace", "Augusta", "Countess")
        assert data["fullName"] == data["formattedName"] == "Ada Augusta Lovelace"
        assert data["birthDate"] == "1815-12-10T00:00:00.000Z"
        assert (data["gender"], data["nationality"], data["status"]) == ("female", "GB", "initialized")
        party = Party.objects.get(pk=int(data["id"]))
        assert (party.kind, party.given_name, party.birth_date) == ("individual", "Ada", date(1815, 12, 10))

        history = new_history(h0)
        assert [(h.action, h.object_id) for h in history] == [("customers.party.created", data["id"])]
        assert history[0].actor_id == integrator.pk and history[0].channel == "api"
        events = new_events(e0)
        assert [e.event_type for e in events] == ["IndividualCreateEvent"]
        assert (events[0].api, events[0].resource_type, events[0].resource_id) == ("party", "individual", data["id"])
        assert events[0].payload["event"]["individual"]["givenName"] == "Ada"

    def test_passthrough_attributes_kept_as_sent(self, integrator_client):
        data = post(integrator_client, INDIVIDUAL, RICH_INDIVIDUAL)
        shown = integrator_client.get(data["href"]).json()
        for name in PASSTHROUGH_INDIVIDUAL:
            assert data[name] == RICH_INDIVIDUAL[name], name
            assert shown[name] == RICH_INDIVIDUAL[name], name
        assert Party.objects.get(pk=int(data["id"])).tmf_extra["skill"] == SKILL

    def test_patch_name_records_history_and_attribute_change_event(self, integrator_client):
        data = post(integrator_client, INDIVIDUAL, {"givenName": "Ada", "familyName": "Byron"})
        h0, e0 = last_history_id(), last_event_id()
        resp = integrator_client.patch(data["href"], {"familyName": "Lovelace"}, format="json")
        assert resp.status_code == 200
        assert resp.json()["familyName"] == "Lovelace"
        assert resp.json()["fullName"] == "Ada Lovelace"
        assert resp.json()["givenName"] == "Ada"  # untouched
        assert [(h.action, h.changes) for h in new_history(h0)] == [
            ("customers.party.updated", {"family_name": ["Byron", "Lovelace"]})]
        events = new_events(e0)
        assert [e.event_type for e in events] == ["IndividualAttributeValueChangeEvent"]
        assert events[0].payload["event"]["individual"]["familyName"] == "Lovelace"

    def test_patch_status_is_a_state_change(self, integrator_client):
        data = post(integrator_client, INDIVIDUAL, {"givenName": "Ada", "familyName": "Byron"})
        h0, e0 = last_history_id(), last_event_id()
        resp = integrator_client.patch(data["href"], {"status": "validated"}, format="json")
        assert resp.status_code == 200
        assert resp.json()["status"] == "validated"
        assert [h.changes for h in new_history(h0)] == [{"status": ["initialized", "validated"]}]
        assert [e.event_type for e in new_events(e0)] == ["IndividualStateChangeEvent"]

    def test_patch_passthrough_replaces_that_attribute_only(self, integrator_client):
        data = post(integrator_client, INDIVIDUAL, RICH_INDIVIDUAL)
        e0 = last_event_id()
        new_skill = [{"skillCode": "cobol", "skillName": "COBOL"}]
        resp = integrator_client.patch(data["href"], {"skill": new_skill}, format="json")
        assert resp.status_code == 200
        assert resp.json()["skill"] == new_skill
        assert resp.json()["languageAbility"] == LANGUAGES
        assert resp.json()["givenName"] == "Ada"
        assert [e.event_type for e in new_events(e0)] == ["IndividualAttributeValueChangeEvent"]

    def test_patch_without_change_records_nothing(self, integrator_client):
        data = post(integrator_client, INDIVIDUAL, {"givenName": "Ada", "familyName": "Byron"})
        h0, e0 = last_history_id(), last_event_id()
        assert integrator_client.patch(data["href"], {"givenName": "Ada"}, format="json").status_code == 200
        assert new_history(h0) == [] and new_events(e0) == []

    @pytest.mark.parametrize("body", [{"fullName": "X Y"}, {"formattedName": "X Y"}, {"id": "1"},
                                      {"givenName": ""}, {"birthDate": "someday"}, {"status": "deceased!"}])
    def test_bad_patch_is_400_and_changes_nothing(self, integrator_client, body):
        data = post(integrator_client, INDIVIDUAL, {"givenName": "Ada", "familyName": "Byron"})
        h0, e0 = last_history_id(), last_event_id()
        assert_tmf_error(integrator_client.patch(data["href"], body, format="json"), 400)
        assert integrator_client.get(data["href"]).json() == data
        assert new_history(h0) == [] and new_events(e0) == []

    def test_delete_closes_rather_than_deletes(self, integrator_client, admin_api):
        data = post(integrator_client, INDIVIDUAL, {"givenName": "Ada", "familyName": "Byron"})
        e0 = last_event_id()
        resp = admin_api.delete(data["href"])
        assert resp.status_code == 204
        assert Party.objects.get(pk=int(data["id"])).status == "closed"
        assert [e.event_type for e in new_events(e0)] == ["IndividualStateChangeEvent"]
        shown = integrator_client.get(data["href"])
        assert shown.status_code == 200 and shown.json()["status"] == "closed"

    def test_related_customers_are_listed(self, integrator_client):
        party = IndividualFactory()
        one = CustomerFactory(party=party)
        two = CustomerFactory(party=party)
        CustomerFactory()
        shown = integrator_client.get(f"{INDIVIDUAL}/{party.pk}").json()
        assert sorted(r["id"] for r in shown["relatedParty"]) == sorted([str(one.pk), str(two.pk)])
        for ref in shown["relatedParty"]:
            assert ref["href"] == f"{BASE}{CUSTOMER}/{ref['id']}"
            assert ref["role"] == "customer" and ref["@referredType"] == "Customer"

    def test_filters(self, integrator_client):
        ada = post(integrator_client, INDIVIDUAL, {**RICH_INDIVIDUAL})
        grace = post(integrator_client, INDIVIDUAL, {"givenName": "Grace", "familyName": "Hopper",
                                                     "skill": [{"skillCode": "cobol"}]})
        def found(**q):
            return [i["id"] for i in integrator_client.get(INDIVIDUAL, q).json()]
        assert found(givenName="Grace") == [grace["id"]]
        assert found(familyName="'Lovelace'") == [ada["id"]]
        assert found(**{"skill.skillCode": "cobol"}) == [grace["id"]]
        assert found(**{"languageAbility.languageCode": "ga", "givenName": "Ada"}) == [ada["id"]]
        assert found(**{"languageAbility.languageCode": "ga", "givenName": "Grace"}) == []
        assert found(fullName="Ada Augusta Lovelace") == [ada["id"]]
        assert found(**{"birthDate.lt": "1900-01-01"}) == [ada["id"]]


# --- Organization -------------------------------------------------------------------------

@pytest.mark.django_db
class TestOrganization:
    def test_create_round_trip_history_and_event(self, integrator_client):
        h0, e0 = last_history_id(), last_event_id()
        resp = integrator_client.post(ORGANIZATION, RICH_ORGANIZATION, format="json")
        assert resp.status_code == 201
        data = resp.json()
        assert resp["Location"] == data["href"] == f"{BASE}{ORGANIZATION}/{data['id']}"
        for name, value in RICH_ORGANIZATION.items():
            assert data[name] == value, name
        party = Party.objects.get(pk=int(data["id"]))
        assert (party.kind, party.trading_name, party.legal_name, party.registration_number) == (
            "organization", "Analytical Engines", "Analytical Engines Ltd", "IE123456")
        assert [h.action for h in new_history(h0)] == ["customers.party.created"]
        events = new_events(e0)
        assert [e.event_type for e in events] == ["OrganizationCreateEvent"]
        assert (events[0].resource_type, events[0].resource_id) == ("organization", data["id"])
        assert events[0].payload["event"]["organization"]["tradingName"] == "Analytical Engines"

    def test_name_defaults_to_trading_name(self, integrator_client):
        data = post(integrator_client, ORGANIZATION, {"tradingName": "Navy"})
        assert data["name"] == "Navy"
        assert data["isLegalEntity"] is True
        assert "organizationIdentification" not in data

    def test_patch_trading_name_and_status(self, integrator_client):
        data = post(integrator_client, ORGANIZATION, {"tradingName": "Old Name"})
        h0, e0 = last_history_id(), last_event_id()
        resp = integrator_client.patch(data["href"], {"tradingName": "New Name"}, format="json")
        assert resp.status_code == 200 and resp.json()["tradingName"] == "New Name"
        assert [h.changes for h in new_history(h0)] == [{"trading_name": ["Old Name", "New Name"]}]
        assert [e.event_type for e in new_events(e0)] == ["OrganizationAttributeValueChangeEvent"]
        e1 = last_event_id()
        resp = integrator_client.patch(data["href"], {"status": "validated"}, format="json")
        assert resp.status_code == 200 and resp.json()["status"] == "validated"
        assert [e.event_type for e in new_events(e1)] == ["OrganizationStateChangeEvent"]

    def test_patch_passthrough(self, integrator_client):
        data = post(integrator_client, ORGANIZATION, RICH_ORGANIZATION)
        resp = integrator_client.patch(data["href"], {"isHeadOffice": False}, format="json")
        assert resp.status_code == 200
        assert resp.json()["isHeadOffice"] is False
        assert resp.json()["existsDuring"] == RICH_ORGANIZATION["existsDuring"]

    def test_delete_closes(self, integrator_client, admin_api):
        data = post(integrator_client, ORGANIZATION, {"tradingName": "Gone Ltd"})
        e0 = last_event_id()
        assert admin_api.delete(data["href"]).status_code == 204
        assert Party.objects.filter(pk=int(data["id"])).get().status == "closed"
        assert [e.event_type for e in new_events(e0)] == ["OrganizationStateChangeEvent"]

    def test_filters(self, integrator_client):
        acme = post(integrator_client, ORGANIZATION, {"tradingName": "Acme", "organizationType": "company",
                                                      "isLegalEntity": False})
        post(integrator_client, ORGANIZATION, {"tradingName": "Globex", "organizationType": "company"})
        assert [o["id"] for o in integrator_client.get(ORGANIZATION, {"tradingName": '"Acme"'}).json()] == [acme["id"]]
        assert [o["id"] for o in integrator_client.get(ORGANIZATION, {"organizationType": "company",
                                                                      "isLegalEntity": "false"}).json()] == [acme["id"]]


# --- who sees what ----------------------------------------------------------------------------

@pytest.mark.django_db
class TestScoping:
    def test_self_service_user_sees_only_their_own_party(self):
        mine = CustomerFactory()
        theirs = CustomerFactory()
        org = OrganizationFactory()
        client = APIClient()
        client.force_authenticate(customer_user(mine))
        resp = client.get(INDIVIDUAL)
        assert resp.status_code == 200
        assert [p["id"] for p in resp.json()] == [str(mine.party_id)]
        assert resp["X-Total-Count"] == "1"
        assert client.get(f"{INDIVIDUAL}/{mine.party_id}").status_code == 200
        assert_tmf_error(client.get(f"{INDIVIDUAL}/{theirs.party_id}"), 404)
        assert client.get(ORGANIZATION).json() == []
        assert_tmf_error(client.get(f"{ORGANIZATION}/{org.pk}"), 404)
        assert client.get(INDIVIDUAL, {"id": str(theirs.party_id)}).json() == []

    def test_a_party_engaged_in_two_customers_is_listed_once(self):
        party = IndividualFactory()
        mine = CustomerFactory(party=party)
        CustomerFactory(party=party)
        client = APIClient()
        client.force_authenticate(customer_user(mine))
        resp = client.get(INDIVIDUAL)
        assert [p["id"] for p in resp.json()] == [str(party.pk)]
        assert resp["X-Total-Count"] == "1"

    def test_self_service_user_cannot_write_parties(self):
        mine = CustomerFactory()
        client = APIClient()
        client.force_authenticate(customer_user(mine))
        before = Party.objects.count()
        assert_tmf_error(client.post(INDIVIDUAL, {"givenName": "A", "familyName": "B"}, format="json"), 403)
        assert_tmf_error(client.patch(f"{INDIVIDUAL}/{mine.party_id}", {"givenName": "X"}, format="json"), 403)
        assert Party.objects.count() == before
        assert Party.objects.get(pk=mine.party_id).given_name != "X"

    @pytest.mark.parametrize("path", [INDIVIDUAL, ORGANIZATION])
    def test_unauthenticated_and_roleless_users_are_refused(self, api_client, path):
        party = IndividualFactory() if path == INDIVIDUAL else OrganizationFactory()
        resp = api_client.get(path)
        assert resp.status_code in (401, 403)
        assert_tmf_error(resp, resp.status_code)
        assert_tmf_error(api_client.get(f"{path}/{party.pk}"), resp.status_code)
        before = Party.objects.count()
        denied = api_client.post(path, {"givenName": "A", "familyName": "B", "tradingName": "T"}, format="json")
        assert_tmf_error(denied, denied.status_code)
        assert Party.objects.count() == before
        api_client.force_authenticate(UserFactory())
        assert_tmf_error(api_client.get(path), 403)
