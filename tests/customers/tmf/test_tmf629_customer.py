"""TMF629 Customer Management over the customer inventory: shapes against the official spec,
engaged parties held and not held, contact media, updates with history and events, DELETE as
close, passthrough attributes, and who may see what."""


import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from bss.audit.models import HistoryEntry
from bss.events.models import Event
from bss.roles import Role
from customers.models import Address, Contact, ContactMedium, Customer, Party
from tests.factories import (
    BillingAccountFactory,
    CustomerFactory,
    IndividualFactory,
    OrganizationFactory,
    ProductFactory,
    UserFactory,
    customer_user,
    staff_user,
)
from tests.tmf_spec import assert_tmf_error, load_spec, spec_problems

BASE = "http://testserver"
CUSTOMER = "/tmf-api/customerManagement/v4/customer"
INDIVIDUAL = "/tmf-api/party/v4/individual"
ORGANIZATION = "/tmf-api/party/v4/organization"
SPEC_NAME = "TMF629-Customer-v4.0.0.swagger.json"
EXTERNAL = {"id": "crm-4711", "href": "https://crm.partner.example/party/crm-4711", "name": "Remote Person",
            "@referredType": "Individual"}
CONTACT_MEDIA = [
    {"mediumType": "email", "preferred": True, "characteristic": {"emailAddress": "ada@example.com"}},
    {"mediumType": "mobile", "characteristic": {"phoneNumber": "+353 87 123 4567"}},
    {"mediumType": "phone", "characteristic": {"phoneNumber": "+353 1 765 4321"}},
    {"mediumType": "postalAddress", "characteristic": {
        "street1": "1 Analytical Lane", "street2": "Apt 2", "city": "Dublin", "postCode": "D02 XY45",
        "stateOrProvince": "Leinster", "country": "IE"}},
]
CREDIT_PROFILE = [{"creditProfileDate": "2026-01-10T00:00:00.000Z", "creditRiskRating": 2, "creditScore": 710,
                   "validFor": {"startDateTime": "2026-01-10T00:00:00.000Z"}}]
PAYMENT_METHOD = [{"id": "pm-1", "href": "https://pay.example/pm-1", "name": "Direct debit",
                   "@referredType": "PaymentMethod"}]
AGREEMENT = [{"id": "ag-9", "name": "Framework agreement", "@referredType": "Agreement"}]


# --- helpers ---------------------------------------------------------------------------------

def new_events(since_id: int, **filters) -> list[str]:
    return list(Event.objects.filter(pk__gt=since_id, **filters).order_by("pk").values_list("event_type", flat=True))


def last_event_id() -> int:
    return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def last_history_id() -> int:
    return HistoryEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def new_history(since_id: int) -> list[HistoryEntry]:
    return list(HistoryEntry.objects.filter(pk__gt=since_id).order_by("pk"))


def medium(data: dict, medium_type: str) -> dict:
    found = [m for m in data["contactMedium"] if m["mediumType"] == medium_type]
    assert len(found) == 1, (medium_type, data["contactMedium"])
    return found[0]


@pytest.fixture
def admin_api(db):
    client = APIClient()
    client.force_authenticate(staff_user(Role.ADMIN))
    return client


@pytest.fixture
def spec():
    return load_spec(SPEC_NAME)


def create(client, **body) -> dict:
    body.setdefault("name", "Ada Lovelace")
    body.setdefault("engagedParty", dict(EXTERNAL))
    resp = client.post(CUSTOMER, body, format="json")
    assert resp.status_code == 201, resp.content
    return resp.json()


# --- shape against the official spec ---------------------------------------------------------

@pytest.mark.django_db
class TestShape:
    def test_a_rich_customer_matches_the_spec(self, integrator_client, spec):
        party = IndividualFactory()
        data = create(integrator_client, engagedParty={"id": str(party.pk), "@referredType": "Individual"},
                      status="active", statusReason="KYC passed",
                      validFor={"startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2030-01-01T00:00:00Z"},
                      contactMedium=CONTACT_MEDIA, characteristic=[{"name": "preferredLanguage", "value": "ga"}],
                      relatedParty=[{"id": "77", "role": "accountManager", "@referredType": "Individual"}],
                      creditProfile=CREDIT_PROFILE, paymentMethod=PAYMENT_METHOD, agreement=AGREEMENT)
        BillingAccountFactory(customer_id=int(data["id"]))
        shown = integrator_client.get(data["href"]).json()
        assert spec_problems(spec, "Customer", shown) == []
        # the attributes this resource is about are all there
        for name in ("id", "href", "@type", "name", "status", "statusReason", "validFor", "engagedParty",
                     "contactMedium", "characteristic", "relatedParty", "account", "creditProfile",
                     "paymentMethod", "agreement"):
            assert name in shown, name
        assert shown["account"][0]["@referredType"] == "BillingAccount"

    def test_a_minimal_customer_matches_the_spec(self, integrator_client, spec):
        data = create(integrator_client)
        for item in (data, integrator_client.get(data["href"]).json(), integrator_client.get(CUSTOMER).json()[0]):
            assert spec_problems(spec, "Customer", item) == []
            assert item["engagedParty"] and item["id"] and item["href"] and item["@type"] == "Customer"

    def test_factory_rows_match_the_spec(self, integrator_client, spec):
        """Customers written by the portal or the native API (not through TMF) render validly too."""
        CustomerFactory()
        CustomerFactory(party=None, engaged_party_ref={"id": "x-1", "@referredType": "Organization"})
        CustomerFactory(party=OrganizationFactory())
        items = integrator_client.get(CUSTOMER).json()
        assert len(items) == 3
        for item in items:
            assert spec_problems(spec, "Customer", item) == []

    def test_the_checker_catches_what_the_spec_does_not_define(self, spec):
        assert spec_problems(spec, "Customer", {"engagedParty": {"id": "1", "@referredType": "I"}, "extra": 1})
        assert spec_problems(spec, "Customer", {"name": "x"})  # engagedParty is required
        assert spec_problems(spec, "Customer", {"engagedParty": {"id": 1, "@referredType": "I"}})  # id not str
        assert spec_problems(spec, "Customer", {"engagedParty": {"id": "1", "@referredType": "I"},
                                                "contactMedium": [{"mediumType": "x", "characteristic": {"a": 1}}]})


# --- create: engaged party ------------------------------------------------------------------

@pytest.mark.django_db
class TestEngagedParty:
    @pytest.mark.parametrize("factory, referred, path", [(IndividualFactory, "Individual", INDIVIDUAL),
                                                          (OrganizationFactory, "Organization", ORGANIZATION)])
    def test_a_party_we_hold_is_linked(self, integrator_client, factory, referred, path):
        party = factory()
        parties_before = Party.objects.count()
        data = create(integrator_client, engagedParty={"id": str(party.pk), "@referredType": referred})
        assert data["engagedParty"] == {"id": str(party.pk), "href": f"{BASE}{path}/{party.pk}",
                                        "name": party.display_name, "@referredType": referred}
        customer = Customer.objects.get(pk=int(data["id"]))
        assert customer.party_id == party.pk
        assert customer.engaged_party_ref is None
        assert Party.objects.count() == parties_before
        # the href leads to the party, which names the customer back
        party_view = integrator_client.get(data["engagedParty"]["href"]).json()
        assert party_view["id"] == str(party.pk)
        assert party_view["@type"] == referred
        assert {"id": data["id"], "role": "customer", "@referredType": "Customer", "name": data["name"],
                "href": data["href"]} in party_view["relatedParty"]

    def test_the_segment_follows_the_kind_of_party(self, integrator_client):
        ind = create(integrator_client, engagedParty={"id": str(IndividualFactory().pk), "@referredType": "Individual"})
        org = create(integrator_client, engagedParty={"id": str(OrganizationFactory().pk),
                                                      "@referredType": "Organization"})
        assert {"name": "segment", "value": "residential"} in ind["characteristic"]
        assert {"name": "segment", "value": "sme"} in org["characteristic"]

    @pytest.mark.parametrize("ref", [
        EXTERNAL,
        {"id": "990001", "@referredType": "Individual"},  # numeric, but no such party here
        {"id": "crm-1", "@referredType": "Organization", "name": "Remote Org", "role": "owner",
         "@type": "RelatedParty", "@baseType": "EntityRef", "@schemaLocation": "https://s.example/rp.json"},
    ])
    def test_a_party_we_do_not_hold_is_kept_as_a_reference(self, integrator_client, ref):
        IndividualFactory()
        parties_before = Party.objects.count()
        resp = integrator_client.post(CUSTOMER, {"name": "Remote Customer", "engagedParty": ref}, format="json")
        assert resp.status_code == 201
        assert resp.json()["engagedParty"] == ref
        assert integrator_client.get(resp["Location"]).json()["engagedParty"] == ref
        assert Party.objects.count() == parties_before  # nothing invented
        customer = Customer.objects.get(pk=int(resp.json()["id"]))
        assert customer.party_id is None
        assert customer.engaged_party_ref == ref

    def test_a_held_id_with_the_other_referred_type_is_not_linked(self, integrator_client):
        person = IndividualFactory()
        ref = {"id": str(person.pk), "@referredType": "Organization"}
        data = create(integrator_client, engagedParty=ref)
        assert data["engagedParty"] == ref
        assert Customer.objects.get(pk=int(data["id"])).party_id is None

    def test_patching_the_engaged_party_relinks(self, integrator_client):
        data = create(integrator_client)
        party = OrganizationFactory()
        resp = integrator_client.patch(data["href"], {"engagedParty": {"id": str(party.pk),
                                                                       "@referredType": "Organization"}},
                                       format="json")
        assert resp.status_code == 200
        assert resp.json()["engagedParty"]["href"] == f"{BASE}{ORGANIZATION}/{party.pk}"
        customer = Customer.objects.get(pk=int(data["id"]))
        assert (customer.party_id, customer.engaged_party_ref) == (party.pk, None)


# --- contact media --------------------------------------------------------------------------

@pytest.mark.django_db
class TestContactMedium:
    def test_round_trip(self, integrator_client):
        data = create(integrator_client, contactMedium=CONTACT_MEDIA)
        shown = integrator_client.get(data["href"]).json()
        for view in (data, shown):
            assert len(view["contactMedium"]) == 4
            email = medium(view, "email")
            assert email["characteristic"]["emailAddress"] == "ada@example.com"
            assert email["preferred"] is True
            assert medium(view, "mobile")["characteristic"]["phoneNumber"] == "+353 87 123 4567"
            assert medium(view, "mobile")["preferred"] is False
            assert medium(view, "phone")["characteristic"]["phoneNumber"] == "+353 1 765 4321"
            assert medium(view, "postalAddress")["characteristic"] == CONTACT_MEDIA[3]["characteristic"]
        contact = Contact.objects.get(customer_id=int(data["id"]))
        assert contact.is_primary
        assert sorted(contact.media.values_list("kind", "value")) == [
            ("email", "ada@example.com"), ("mobile", "+353 87 123 4567"), ("phone", "+353 1 765 4321")]
        assert (contact.postal_address.street1, contact.postal_address.postcode) == ("1 Analytical Lane", "D02 XY45")

    def test_medium_type_aliases_and_country_normalised(self, integrator_client):
        data = create(integrator_client, contactMedium=[
            {"mediumType": "EmailAddress", "characteristic": {"emailAddress": "x@example.com"}},
            {"mediumType": "telephoneNumber", "characteristic": {"phoneNumber": "01 234 5678"}},
            {"mediumType": "postal_address", "characteristic": {"street1": "2 Road", "city": "Cork",
                                                                "postCode": "T12", "country": "ie"}},
        ])
        assert medium(data, "email")["characteristic"]["emailAddress"] == "x@example.com"
        assert medium(data, "phone")["characteristic"]["phoneNumber"] == "01 234 5678"
        assert medium(data, "postalAddress")["characteristic"]["country"] == "IE"

    def test_a_customer_without_contact_media_has_an_empty_list(self, integrator_client):
        data = create(integrator_client)
        assert data["contactMedium"] == []
        assert Contact.objects.filter(customer_id=int(data["id"])).count() == 0

    def test_patch_replaces_the_channels_and_records_it(self, integrator_client):
        data = create(integrator_client, contactMedium=CONTACT_MEDIA[:2])
        h0, e0 = last_history_id(), last_event_id()
        new = [{"mediumType": "email", "characteristic": {"emailAddress": "new@example.com"}}]
        resp = integrator_client.patch(data["href"], {"contactMedium": new}, format="json")
        assert resp.status_code == 200
        assert [m["mediumType"] for m in resp.json()["contactMedium"]] == ["email"]
        assert medium(resp.json(), "email")["characteristic"]["emailAddress"] == "new@example.com"
        assert ContactMedium.objects.filter(contact__customer_id=int(data["id"])).count() == 1
        media_changes = [h for h in new_history(h0) if h.action == "customers.contact.media_changed"]
        assert len(media_changes) == 1
        assert media_changes[0].changes["media"] == ["email:ada@example.com, mobile:+353 87 123 4567",
                                                     "email:new@example.com"]
        assert media_changes[0].root_object_id == data["id"]
        assert new_events(e0) == ["CustomerAttributeValueChangeEvent"]
        payload = Event.objects.get(pk__gt=e0).payload
        assert payload["event"]["customer"]["contactMedium"][0]["characteristic"]["emailAddress"] == "new@example.com"

    def test_patch_the_postal_address(self, integrator_client):
        data = create(integrator_client, contactMedium=CONTACT_MEDIA)
        h0 = last_history_id()
        moved = dict(CONTACT_MEDIA[3]["characteristic"], street1="9 New Street", city="Galway")
        resp = integrator_client.patch(data["href"], {"contactMedium": [
            CONTACT_MEDIA[0], {"mediumType": "postalAddress", "characteristic": moved}]}, format="json")
        assert resp.status_code == 200
        assert medium(resp.json(), "postalAddress")["characteristic"] == moved
        assert Address.objects.filter(customer_id=int(data["id"])).count() == 1  # updated, not duplicated
        updates = [h for h in new_history(h0) if h.action == "customers.address.updated"]
        assert len(updates) == 1
        assert updates[0].changes == {"street1": ["1 Analytical Lane", "9 New Street"], "city": ["Dublin", "Galway"]}

    def test_first_contact_media_on_an_existing_customer(self, integrator_client):
        data = create(integrator_client)
        h0 = last_history_id()
        resp = integrator_client.patch(data["href"], {"contactMedium": CONTACT_MEDIA[1:2]}, format="json")
        assert resp.status_code == 200
        assert medium(resp.json(), "mobile")["characteristic"]["phoneNumber"] == "+353 87 123 4567"
        assert "customers.contact.created" in [h.action for h in new_history(h0)]

    def test_a_contact_needs_a_way_to_be_reached(self, integrator_client):
        data = create(integrator_client, contactMedium=CONTACT_MEDIA[:1])
        before = (Contact.objects.count(), ContactMedium.objects.count(), HistoryEntry.objects.count(),
                  Event.objects.count())
        resp = integrator_client.patch(data["href"], {"contactMedium": [
            {"mediumType": "fax", "characteristic": {"faxNumber": "+353 1 555 5555"}}]}, format="json")
        assert_tmf_error(resp, 400)
        assert (Contact.objects.count(), ContactMedium.objects.count(), HistoryEntry.objects.count(),
                Event.objects.count()) == before
        assert integrator_client.get(data["href"]).json()["contactMedium"] == data["contactMedium"]


# --- create and update: history and events ----------------------------------------------------

@pytest.mark.django_db
class TestHistoryAndEvents:
    def test_create_records_history_and_publishes_create_event(self, integrator_client, integrator):
        h0, e0 = last_history_id(), last_event_id()
        data = create(integrator_client)
        created = [h for h in new_history(h0) if h.action == "customers.customer.created"]
        assert len(created) == 1
        assert created[0].object_id == data["id"]
        assert created[0].actor_id == integrator.pk
        assert created[0].channel == "api"
        assert created[0].changes["name"] == [None, "Ada Lovelace"]
        assert new_events(e0) == ["CustomerCreateEvent"]
        event = Event.objects.get(pk__gt=e0)
        assert (event.api, event.resource_type, event.resource_id) == ("customerManagement", "customer", data["id"])
        assert event.payload["eventType"] == "CustomerCreateEvent"
        body = event.payload["event"]["customer"]
        assert body["id"] == data["id"]
        assert body["name"] == "Ada Lovelace"
        assert body["href"].startswith("http") and body["href"].endswith(f"{CUSTOMER}/{data['id']}")

    def test_create_with_contact_media_is_one_event_that_shows_the_contact(self, integrator_client):
        # One use case, one event (issue 6): the create event already carries the contact medium.
        e0 = last_event_id()
        create(integrator_client, contactMedium=CONTACT_MEDIA[:1])
        assert new_events(e0) == ["CustomerCreateEvent"]
        body = Event.objects.latest("pk").payload["event"]["customer"]
        assert body["contactMedium"] and body["contactMedium"][0]["mediumType"] == CONTACT_MEDIA[0]["mediumType"]

    def test_patch_of_name_status_and_media_is_one_state_change_event(self, integrator_client):
        data = create(integrator_client)
        e0 = last_event_id()
        resp = integrator_client.patch(data["href"], {"name": "Ada King", "status": "active",
                                                      "contactMedium": CONTACT_MEDIA[:1]}, format="json")
        assert resp.status_code == 200
        assert new_events(e0) == ["CustomerStateChangeEvent"]
        body = Event.objects.latest("pk").payload["event"]["customer"]
        assert (body["name"], body["status"]) == ("Ada King", "active") and body["contactMedium"]

    def test_create_active(self, integrator_client):
        h0 = last_history_id()
        data = create(integrator_client, status="active")
        assert data["status"] == "active"
        transitions = [h for h in new_history(h0) if h.from_state or h.to_state]
        assert [(h.object_id, h.from_state, h.to_state) for h in transitions] == [(data["id"], "prospect", "active")]

    def test_patch_name(self, integrator_client):
        data = create(integrator_client)
        h0, e0 = last_history_id(), last_event_id()
        resp = integrator_client.patch(data["href"], {"name": "Augusta Ada King"}, format="json")
        assert resp.status_code == 200
        assert resp.json()["name"] == "Augusta Ada King"
        assert Customer.objects.get(pk=int(data["id"])).name == "Augusta Ada King"
        history = new_history(h0)
        assert [(h.action, h.changes) for h in history] == [
            ("customers.customer.updated", {"name": ["Ada Lovelace", "Augusta Ada King"]})]
        assert history[0].channel == "api"
        assert new_events(e0) == ["CustomerAttributeValueChangeEvent"]
        assert Event.objects.get(pk__gt=e0).payload["event"]["customer"]["name"] == "Augusta Ada King"

    def test_patch_without_a_change_records_nothing(self, integrator_client):
        data = create(integrator_client)
        h0, e0 = last_history_id(), last_event_id()
        resp = integrator_client.patch(data["href"], {"name": "Ada Lovelace"}, format="json")
        assert resp.status_code == 200
        assert new_history(h0) == []
        assert new_events(e0) == []

    def test_patch_status_through_the_lifecycle(self, integrator_client):
        data = create(integrator_client)
        steps = [("active", "activate", "prospect"), ("suspended", "suspend", "active"),
                 ("active", "resume", "suspended")]
        for status, transition, previous in steps:
            h0, e0 = last_history_id(), last_event_id()
            resp = integrator_client.patch(data["href"], {"status": status}, format="json")
            assert resp.status_code == 200, resp.content
            assert resp.json()["status"] == status
            assert Customer.objects.get(pk=int(data["id"])).status == status
            transitions = [h for h in new_history(h0) if h.from_state or h.to_state]
            assert [(h.action, h.from_state, h.to_state) for h in transitions] == [
                (f"customers.customer.{transition}", previous, status)]
            assert new_events(e0) == ["CustomerStateChangeEvent"]
            assert Event.objects.get(pk__gt=e0).payload["event"]["customer"]["status"] == status

    def test_patch_status_with_a_reason(self, integrator_client):
        data = create(integrator_client, status="active")
        e0 = last_event_id()
        resp = integrator_client.patch(data["href"], {"status": "suspended", "statusReason": "Unpaid bills"},
                                       format="json")
        assert resp.status_code == 200
        assert resp.json()["statusReason"] == "Unpaid bills"
        assert "CustomerStateChangeEvent" in new_events(e0)
        entry = HistoryEntry.objects.get(action="customers.customer.suspend")
        assert entry.reason == "Unpaid bills"

    def test_invalid_transition_is_409_and_nothing_is_recorded(self, integrator_client):
        data = create(integrator_client)
        h0, e0 = last_history_id(), last_event_id()
        error = assert_tmf_error(integrator_client.patch(data["href"], {"status": "suspended"}, format="json"), 409)
        assert "prospect" in error["message"]
        assert Customer.objects.get(pk=int(data["id"])).status == "prospect"
        assert new_history(h0) == []
        assert new_events(e0) == []

    def test_patch_valid_for_is_a_merge(self, integrator_client):
        data = create(integrator_client, validFor={"startDateTime": "2026-01-01T00:00:00Z"})
        resp = integrator_client.patch(data["href"], {"validFor": {"endDateTime": "2027-01-01T00:00:00Z"}},
                                       format="json")
        assert resp.status_code == 200
        assert resp.json()["validFor"] == {"startDateTime": "2026-01-01T00:00:00.000Z",
                                           "endDateTime": "2027-01-01T00:00:00.000Z"}
        resp = integrator_client.patch(data["href"], {"validFor": {"endDateTime": None}}, format="json")
        assert resp.json()["validFor"] == {"startDateTime": "2026-01-01T00:00:00.000Z"}
        resp = integrator_client.patch(data["href"], {"validFor": {}}, format="json")
        assert resp.json()["validFor"] == {"startDateTime": "2026-01-01T00:00:00.000Z"}
        customer = Customer.objects.get(pk=int(data["id"]))
        assert customer.valid_to is None and customer.valid_from.year == 2026

    def test_patch_read_only_attributes_is_400(self, integrator_client):
        data = create(integrator_client)
        for body in ({"id": "999"}, {"href": "https://elsewhere/1"}):
            assert_tmf_error(integrator_client.patch(data["href"], body, format="json"), 400)
        assert integrator_client.get(data["href"]).json() == data


# --- DELETE ---------------------------------------------------------------------------------

@pytest.mark.django_db
class TestDelete:
    def test_delete_closes_the_customer(self, integrator_client, admin_api):
        data = create(integrator_client, status="active", contactMedium=CONTACT_MEDIA[:1])
        h0, e0 = last_history_id(), last_event_id()
        resp = admin_api.delete(data["href"])
        assert resp.status_code == 204
        assert resp.content == b""
        customer = Customer.objects.get(pk=int(data["id"]))  # still there
        assert customer.status == "closed"
        assert Contact.objects.filter(customer=customer).count() == 1
        closed = [h for h in new_history(h0) if h.action == "customers.customer.close"]
        assert [(h.from_state, h.to_state) for h in closed] == [("active", "closed")]
        assert closed[0].reason
        assert new_events(e0) == ["CustomerStateChangeEvent"]
        shown = integrator_client.get(data["href"])
        assert shown.status_code == 200
        assert shown.json()["status"] == "closed"
        assert shown.json()["statusReason"]
        assert data["id"] in [c["id"] for c in integrator_client.get(CUSTOMER, {"status": "closed"}).json()]

    def test_delete_twice_is_harmless(self, admin_api, integrator_client):
        data = create(integrator_client)
        assert admin_api.delete(data["href"]).status_code == 204
        e0 = last_event_id()
        assert admin_api.delete(data["href"]).status_code == 204
        assert new_events(e0) == []
        assert Customer.objects.filter(pk=int(data["id"])).count() == 1

    def test_a_customer_with_open_products_cannot_be_closed(self, admin_api, integrator_client):
        data = create(integrator_client, status="active")
        ProductFactory(customer_id=int(data["id"]))
        h0, e0 = last_history_id(), last_event_id()
        error = assert_tmf_error(admin_api.delete(data["href"]), 422)
        assert "product" in error["message"]
        assert Customer.objects.get(pk=int(data["id"])).status == "active"
        assert new_history(h0) == [] and new_events(e0) == []

    def test_closed_customer_can_be_reopened(self, admin_api, integrator_client):
        data = create(integrator_client, status="active")
        admin_api.delete(data["href"])
        resp = integrator_client.patch(data["href"], {"status": "active"}, format="json")
        assert resp.status_code == 200
        assert resp.json()["status"] == "active"


# --- passthrough attributes -------------------------------------------------------------------

@pytest.mark.django_db
class TestPassthrough:
    def test_kept_as_sent(self, integrator_client):
        data = create(integrator_client, creditProfile=CREDIT_PROFILE, paymentMethod=PAYMENT_METHOD,
                      agreement=AGREEMENT)
        for view in (data, integrator_client.get(data["href"]).json()):
            assert view["creditProfile"] == CREDIT_PROFILE
            assert view["paymentMethod"] == PAYMENT_METHOD
            assert view["agreement"] == AGREEMENT
        assert Customer.objects.get(pk=int(data["id"])).tmf_extra == {
            "creditProfile": CREDIT_PROFILE, "paymentMethod": PAYMENT_METHOD, "agreement": AGREEMENT}

    def test_account_references_are_kept_next_to_our_billing_accounts(self, integrator_client):
        remote = [{"id": "acc-ext-1", "name": "Remote account", "@referredType": "BillingAccount"}]
        data = create(integrator_client, account=remote)
        account = BillingAccountFactory(customer_id=int(data["id"]), name="Main account")
        shown = integrator_client.get(data["href"]).json()["account"]
        assert shown[0]["id"] == str(account.pk)
        assert shown[0]["name"] == "Main account"
        assert shown[0]["href"].startswith(BASE)
        assert shown[1:] == remote

    def test_patch_replaces_one_passthrough_attribute_and_keeps_the_others(self, integrator_client):
        data = create(integrator_client, creditProfile=CREDIT_PROFILE, paymentMethod=PAYMENT_METHOD)
        e0 = last_event_id()
        newer = [dict(CREDIT_PROFILE[0], creditScore=650)]
        resp = integrator_client.patch(data["href"], {"creditProfile": newer}, format="json")
        assert resp.status_code == 200
        assert resp.json()["creditProfile"] == newer
        assert resp.json()["paymentMethod"] == PAYMENT_METHOD
        assert new_events(e0) == ["CustomerAttributeValueChangeEvent"]

    def test_characteristics_and_related_parties(self, integrator_client):
        related = [{"id": "77", "name": "Account Manager", "role": "accountManager", "@referredType": "Individual"}]
        data = create(integrator_client, characteristic=[{"name": "preferredLanguage", "value": "ga"},
                                                         {"name": "customerNumber", "value": "FORGED"}],
                      relatedParty=related)
        number = Customer.objects.get(pk=int(data["id"])).customer_number
        assert {"name": "customerNumber", "value": number} in data["characteristic"]
        assert {"name": "preferredLanguage", "value": "ga"} in data["characteristic"]
        assert all(c["value"] != "FORGED" for c in data["characteristic"])
        assert data["relatedParty"] == related


# --- who sees what ----------------------------------------------------------------------------

@pytest.mark.django_db
class TestScoping:
    @pytest.fixture
    def two_customers(self):
        return CustomerFactory(), CustomerFactory()

    def test_self_service_user_sees_only_their_own_customer(self, two_customers):
        mine, theirs = two_customers
        client = APIClient()
        client.force_authenticate(customer_user(mine))
        resp = client.get(CUSTOMER)
        assert resp.status_code == 200
        assert [c["id"] for c in resp.json()] == [str(mine.pk)]
        assert resp["X-Total-Count"] == "1"
        assert client.get(f"{CUSTOMER}/{mine.pk}").json()["id"] == str(mine.pk)
        assert_tmf_error(client.get(f"{CUSTOMER}/{theirs.pk}"), 404)
        assert client.get(CUSTOMER, {"id": str(theirs.pk)}).json() == []
        assert client.get(CUSTOMER, {"name": theirs.name}).json() == []

    def test_self_service_user_cannot_write(self, two_customers):
        mine, theirs = two_customers
        client = APIClient()
        client.force_authenticate(customer_user(mine))
        before = Customer.objects.count()
        assert_tmf_error(client.post(CUSTOMER, {"name": "x", "engagedParty": EXTERNAL}, format="json"), 403)
        assert_tmf_error(client.patch(f"{CUSTOMER}/{mine.pk}", {"name": "Hacked"}, format="json"), 403)
        assert_tmf_error(client.delete(f"{CUSTOMER}/{mine.pk}"), 403)
        assert Customer.objects.count() == before
        mine = Customer.objects.get(pk=mine.pk)  # status is FSM-protected: no refresh_from_db
        assert mine.name != "Hacked" and mine.status == "prospect"

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_unauthenticated_gets_401_error(self, api_client, two_customers, method):
        mine, _ = two_customers
        url = CUSTOMER if method == "post" else f"{CUSTOMER}/{mine.pk}"
        before = Customer.objects.count()
        resp = getattr(api_client, method)(url, {"name": "x", "engagedParty": EXTERNAL}, format="json")
        assert resp.status_code in (401, 403)
        assert_tmf_error(resp, resp.status_code)
        assert Customer.objects.count() == before
        assert_tmf_error(api_client.get(CUSTOMER), resp.status_code)

    def test_user_without_role_is_refused(self, two_customers):
        mine, _ = two_customers
        client = APIClient()
        client.force_authenticate(UserFactory())
        assert_tmf_error(client.get(CUSTOMER), 403)
        assert_tmf_error(client.get(f"{CUSTOMER}/{mine.pk}"), 403)

    def test_user_with_the_permission_but_neither_role_nor_customer_link_sees_nothing(self, two_customers):
        mine, _ = two_customers
        user = UserFactory()
        user.user_permissions.add(Permission.objects.get(content_type__app_label="customers",
                                                         codename="view_customer"))
        client = APIClient()
        client.force_authenticate(user)
        resp = client.get(CUSTOMER)
        assert resp.status_code == 200
        assert resp.json() == []
        assert resp["X-Total-Count"] == "0"
        assert_tmf_error(client.get(f"{CUSTOMER}/{mine.pk}"), 404)

    @pytest.mark.parametrize("role", [Role.CSR, Role.SUPERVISOR, Role.INTEGRATOR, Role.ADMIN])
    def test_staff_roles_see_every_customer(self, two_customers, role):
        client = APIClient()
        client.force_authenticate(staff_user(role))
        assert sorted(c["id"] for c in client.get(CUSTOMER).json()) == sorted(str(c.pk) for c in two_customers)
