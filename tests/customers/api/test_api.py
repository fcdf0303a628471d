"""Native REST API (/api/v1/) for the customer inventory, and the OpenAPI schema and docs."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from bss.audit.models import HistoryEntry
from bss.events.models import Event
from customers import services
from customers.models import Address, BillingAccount, Contact, ContactMedium, Customer
from tests.factories import (
    AddressFactory,
    BillCycleFactory,
    OrganizationFactory,
    ProductFactory,
    TokenFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(integrator_client):
    return integrator_client


@pytest.fixture
def customer(actor):
    return services.customer_create(actor=actor, name="Mary Murphy")


@pytest.fixture
def address(actor, customer):
    return services.address_create(customer=customer, actor=actor, street1="12 Main Street", city="Dublin",
                                   postcode="D02 X285", country="IE")


@pytest.fixture
def cycle():
    return BillCycleFactory()


def stored():
    return {m.__name__: m.objects.count() for m in (Customer, Contact, ContactMedium, Address, BillingAccount,
                                                     HistoryEntry, Event)}


# --- Customers -------------------------------------------------------------------------------

class TestCustomers:
    def test_create(self, api, integrator):
        response = api.post("/api/v1/customers/", {"name": "Acme Widgets", "segment": "sme", "credit_class": "A"},
                            format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        customer = Customer.objects.get(pk=body["id"])
        assert body["customer_number"] == customer.customer_number and customer.customer_number.startswith("CU")
        assert (body["status"], body["segment"], body["credit_class"]) == ("prospect", "sme", "A")
        entry = HistoryEntry.objects.for_object(customer).get()
        assert entry.action == "customers.customer.created"
        assert (entry.channel, entry.actor) == ("api", integrator)
        assert Event.objects.filter(event_type="CustomerCreateEvent", resource_id=str(customer.pk)).exists()

    def test_read_only_fields_ignored_on_create(self, api):
        response = api.post("/api/v1/customers/", {"name": "Sneaky", "status": "active",
                                                   "customer_number": "CU99999999"}, format="json")
        assert response.status_code == 201
        customer = Customer.objects.get()
        assert customer.status == "prospect" and customer.customer_number != "CU99999999"

    @pytest.mark.parametrize("payload,field", [
        ({"name": ""}, "name"),
        ({}, "name"),
        ({"name": "X", "segment": "galactic"}, "segment"),
        ({"name": "X", "credit_class": "Z"}, "credit_class"),
        ({"name": "X" * 201}, "name"),
    ])
    def test_create_invalid(self, api, payload, field):
        before = stored()
        response = api.post("/api/v1/customers/", payload, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert stored() == before

    def test_create_blank_name_refused_by_service(self, api):
        before = stored()
        response = api.post("/api/v1/customers/", {"name": "   "}, format="json")
        assert response.status_code == 400
        assert "name" in response.json()
        assert stored() == before

    def test_patch(self, api, customer):
        response = api.patch(f"/api/v1/customers/{customer.pk}/", {"name": "Mary Murphy-Byrne", "segment": "soho"},
                             format="json")
        assert response.status_code == 200
        assert response.json()["name"] == "Mary Murphy-Byrne"
        entry = HistoryEntry.objects.for_object(customer).get(action="customers.customer.updated")
        assert entry.changes == {"name": ["Mary Murphy", "Mary Murphy-Byrne"], "segment": ["residential", "soho"]}
        assert entry.channel == "api"

    def test_patch_cannot_set_status(self, api, customer):
        response = api.patch(f"/api/v1/customers/{customer.pk}/", {"status": "closed"}, format="json")
        assert response.status_code == 200
        assert Customer.objects.get(pk=customer.pk).status == "prospect"
        assert not HistoryEntry.objects.filter(action="customers.customer.updated").exists()

    def test_patch_invalid(self, api, customer):
        response = api.patch(f"/api/v1/customers/{customer.pk}/", {"name": " "}, format="json")
        assert response.status_code == 400 and "name" in response.json()
        assert Customer.objects.get(pk=customer.pk).name == "Mary Murphy"

    def test_list_and_filter(self, api, actor, customer):
        services.customer_create(actor=actor, name="Active One", status="active")
        body = api.get("/api/v1/customers/").json()
        assert body["count"] == 2
        assert [c["name"] for c in api.get("/api/v1/customers/", {"status": "active"}).json()["results"]] == [
            "Active One"]

    def test_token_authentication(self, customer):
        token = TokenFactory(user=staff_user("Integrator"))
        client = APIClient()
        assert client.get("/api/v1/customers/").status_code in (401, 403)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        assert client.get("/api/v1/customers/").status_code == 200

    def test_read_only_role_cannot_write(self, customer):
        client = APIClient()
        client.force_authenticate(staff_user("Provisioning engineer"))
        assert client.get("/api/v1/customers/").status_code == 200
        assert client.post("/api/v1/customers/", {"name": "X"}, format="json").status_code == 403
        assert client.patch(f"/api/v1/customers/{customer.pk}/", {"name": "X"}, format="json").status_code == 403
        assert Customer.objects.get(pk=customer.pk).name == "Mary Murphy"


class TestSearch:
    def test_search(self, api, actor, customer):
        services.contact_create(customer=customer, actor=actor, family_name="Murphy",
                                media=[{"kind": "mobile", "value": "+353 87 123 4567"}])
        services.customer_create(actor=actor, name="John Byrne")
        response = api.get("/api/v1/customers/search/", {"q": "087 123 4567"})
        assert response.status_code == 200
        hits = response.json()
        assert len(hits) == 1
        assert hits[0]["customer"]["id"] == customer.pk
        assert hits[0]["customer"]["customer_number"] == customer.customer_number
        assert hits[0]["matched"] == ["phone"] and hits[0]["score"] == 90

    def test_search_ranked(self, api, actor, customer):
        services.customer_create(actor=actor, name="Murphy Motors")
        hits = api.get("/api/v1/customers/search/", {"q": "Murphy"}).json()
        assert [h["customer"]["name"] for h in hits] == ["Murphy Motors", "Mary Murphy"]
        assert hits[0]["score"] > hits[1]["score"]
        by_number = api.get("/api/v1/customers/search/", {"q": customer.customer_number}).json()
        assert [h["customer"]["id"] for h in by_number] == [customer.pk]

    def test_empty_query(self, api, customer):
        assert api.get("/api/v1/customers/search/").json() == []


class TestStatus:
    def post(self, api, customer, **data):
        return api.post(f"/api/v1/customers/{customer.pk}/status/", data, format="json")

    def test_allowed(self, api, integrator, customer):
        response = self.post(api, customer, status="active", reason="Credit check passed")
        assert response.status_code == 200
        assert response.json()["status"] == "active" and response.json()["status_reason"] == "Credit check passed"
        entry = HistoryEntry.objects.for_object(customer).get(action="customers.customer.activate")
        assert (entry.from_state, entry.to_state, entry.reason) == ("prospect", "active", "Credit check passed")
        assert (entry.channel, entry.actor) == ("api", integrator)

    def test_forbidden_transition_409(self, api, customer):
        response = self.post(api, customer, status="suspended", reason="x")
        assert response.status_code == 409
        assert response.json()["code"] == "invalid_state"
        assert "A prospect customer cannot be suspended." in response.json()["detail"]
        assert Customer.objects.get(pk=customer.pk).status == "prospect"

    def test_unknown_status_400(self, api, customer):
        response = self.post(api, customer, status="deleted")
        assert response.status_code == 400 and "status" in response.json()

    def test_missing_status_400(self, api, customer):
        assert self.post(api, customer, reason="x").status_code == 400

    def test_close_with_open_products_422(self, api, customer):
        ProductFactory(customer=customer)
        response = self.post(api, customer, status="closed", reason="leaving")
        assert response.status_code == 422
        assert response.json()["code"] == "open_products"
        assert Customer.objects.get(pk=customer.pk).status == "prospect"

    def test_role_without_permission_403(self, customer):
        client = APIClient()
        client.force_authenticate(staff_user("Billing operator"))
        assert self.post(client, customer, status="active").status_code == 403
        assert Customer.objects.get(pk=customer.pk).status == "prospect"


class TestHistoryAndNotes:
    def test_history(self, api, actor, customer):
        api.post(f"/api/v1/customers/{customer.pk}/status/", {"status": "active", "reason": "ok"}, format="json")
        services.contact_create(customer=customer, actor=actor, family_name="Murphy",
                                media=[{"kind": "email", "value": "m@m.ie"}])
        response = api.get(f"/api/v1/customers/{customer.pk}/history/")
        assert response.status_code == 200
        rows = response.json()
        by_action = {r["action"]: r for r in rows}
        assert set(by_action) == {"customers.customer.created", "customers.customer.activate",
                                  "customers.contact.created"}
        activate = by_action["customers.customer.activate"]
        assert (activate["from_state"], activate["to_state"], activate["reason"]) == ("prospect", "active", "ok")
        assert activate["channel"] == "api" and activate["object_type"] == "customer"
        assert by_action["customers.contact.created"]["channel"] == "portal"
        assert rows[0]["created_at"] >= rows[-1]["created_at"]  # newest first

    def test_history_needs_permission(self, customer):
        client = APIClient()
        client.force_authenticate(staff_user("Provisioning engineer"))
        assert client.get(f"/api/v1/customers/{customer.pk}/history/").status_code == 403

    def test_note(self, api, integrator, customer):
        response = api.post(f"/api/v1/customers/{customer.pk}/notes/", {"text": "Called"}, format="json")
        assert response.status_code == 201
        note = customer.notes.get()
        assert (note.text, note.author, note.channel) == ("Called", integrator, "api")
        assert api.post(f"/api/v1/customers/{customer.pk}/notes/", {"text": ""}, format="json").status_code == 400
        assert customer.notes.count() == 1


# --- Contacts ----------------------------------------------------------------------------------

class TestContacts:
    def payload(self, owner, **kw):
        data = {"customer": owner.pk, "given_name": "Mary", "family_name": "Murphy", "role": "primary",
                "media": [{"kind": "mobile", "value": "+353 87 123 4567", "preferred": True},
                          {"kind": "email", "value": "Mary@Murphy.ie"}]}
        data.update(kw)
        return data

    def test_create_with_media(self, api, customer):
        response = api.post("/api/v1/contacts/", self.payload(customer), format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["is_primary"] is True
        assert sorted((m["kind"], m["value"]) for m in body["media"]) == [
            ("email", "Mary@Murphy.ie"), ("mobile", "+353 87 123 4567")]
        contact = Contact.objects.get(pk=body["id"])
        assert contact.customer == customer
        assert set(contact.media.values_list("match_key", flat=True)) == {"871234567", "mary@murphy.ie"}
        entry = HistoryEntry.objects.for_object(contact).get()
        assert entry.channel == "api" and "mobile:+353 87 123 4567" in entry.changes["media"][1]

    def test_is_primary_is_read_only(self, api, customer):
        api.post("/api/v1/contacts/", self.payload(customer), format="json")
        response = api.post("/api/v1/contacts/", self.payload(customer, family_name="Second", is_primary=True),
                            format="json")
        assert response.status_code == 201
        assert response.json()["is_primary"] is False
        assert Contact.objects.filter(customer=customer, is_primary=True).get().family_name == "Murphy"

    @pytest.mark.parametrize("change,field", [
        ({"media": []}, "media"),
        ({"media": [{"kind": "fax", "value": "+353 1 234 5678"}]}, "media"),
        ({"media": [{"kind": "email", "value": "not-an-address"}]}, "media[0].value"),
        ({"media": [{"kind": "mobile", "value": "call me"}]}, "media[0].value"),
        ({"media": [{"kind": "pigeon", "value": "x"}]}, "media"),
        ({"family_name": ""}, "family_name"),
        ({"preferred_language": "xx"}, "preferred_language"),
        ({"customer": 999999}, "customer"),
    ])
    def test_create_invalid(self, api, customer, change, field):
        before = stored()
        response = api.post("/api/v1/contacts/", self.payload(customer, **change), format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
        assert stored() == before

    def test_patch_media_replaces_and_records(self, api, customer):
        contact_id = api.post("/api/v1/contacts/", self.payload(customer), format="json").json()["id"]
        response = api.patch(f"/api/v1/contacts/{contact_id}/",
                             {"job_title": "Owner", "media": [{"kind": "email", "value": "new@murphy.ie"}]},
                             format="json")
        assert response.status_code == 200
        assert [m["value"] for m in response.json()["media"]] == ["new@murphy.ie"]
        assert ContactMedium.objects.filter(contact_id=contact_id).count() == 1
        actions = set(HistoryEntry.objects.filter(object_id=str(contact_id)).values_list("action", flat=True))
        assert {"customers.contact.updated", "customers.contact.media_changed"} <= actions

    def test_patch_without_media_keeps_media(self, api, customer):
        contact_id = api.post("/api/v1/contacts/", self.payload(customer), format="json").json()["id"]
        assert api.patch(f"/api/v1/contacts/{contact_id}/", {"title": "Dr"}, format="json").status_code == 200
        assert ContactMedium.objects.filter(contact_id=contact_id).count() == 2

    def test_patch_removing_all_channels_refused(self, api, customer):
        contact_id = api.post("/api/v1/contacts/", self.payload(customer), format="json").json()["id"]
        response = api.patch(f"/api/v1/contacts/{contact_id}/", {"media": [], "family_name": "Gone"}, format="json")
        assert response.status_code == 400 and "media" in response.json()
        assert Contact.objects.get(pk=contact_id).family_name == "Murphy"
        assert ContactMedium.objects.filter(contact_id=contact_id).count() == 2


# --- Addresses ----------------------------------------------------------------------------------

class TestAddresses:
    def test_create(self, api, customer):
        response = api.post("/api/v1/addresses/", {"customer": customer.pk, "street1": "1 Quay St", "city": "Galway",
                                                   "postcode": "H91", "country": "ie", "area_code": "GAL01"},
                            format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["country"] == "IE"
        address = Address.objects.get(pk=response.json()["id"])
        assert address.customer == customer
        assert HistoryEntry.objects.for_object(address).get().root_object_id == str(customer.pk)

    @pytest.mark.parametrize("change,field", [
        ({"postcode": ""}, "postcode"),
        ({"street1": ""}, "street1"),
        ({"country": "IRL"}, "country"),
        ({"city": "   "}, "city"),
    ])
    def test_create_invalid(self, api, customer, change, field):
        before = stored()
        data = {"customer": customer.pk, "street1": "1 Quay St", "city": "Galway", "postcode": "H91", "country": "IE"}
        response = api.post("/api/v1/addresses/", {**data, **change}, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert stored() == before

    def test_patch(self, api, address):
        response = api.patch(f"/api/v1/addresses/{address.pk}/", {"postcode": "D04 Y123"}, format="json")
        assert response.status_code == 200
        entry = HistoryEntry.objects.for_object(address).get(action="customers.address.updated")
        assert entry.changes == {"postcode": ["D02 X285", "D04 Y123"]}

    def test_patch_invalid(self, api, address):
        response = api.patch(f"/api/v1/addresses/{address.pk}/", {"city": ""}, format="json")
        assert response.status_code == 400
        assert Address.objects.get(pk=address.pk).city == "Dublin"


# --- Billing accounts ---------------------------------------------------------------------------

class TestBillingAccounts:
    def payload(self, customer, address, cycle, **kw):
        data = {"customer": customer.pk, "billing_address": address.pk, "bill_cycle": cycle.pk, "currency": "EUR",
                "payment_method": "direct_debit", "credit_limit": "150.00"}
        data.update(kw)
        return data

    def test_create(self, api, customer, address, cycle):
        response = api.post("/api/v1/billing-accounts/", self.payload(customer, address, cycle), format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["account_number"].startswith("BA") and body["status"] == "active"
        account = BillingAccount.objects.get(pk=body["id"])
        assert account.credit_limit == Decimal("150.00") and account.name == "Mary Murphy"
        entry = HistoryEntry.objects.for_object(account).get()
        assert entry.action == "customers.billing_account.created" and entry.channel == "api"

    @pytest.mark.parametrize("change,field", [
        ({"billing_address": None}, "billing_address"),
        ({"bill_cycle": None}, "bill_cycle"),
        ({"credit_limit": "-5"}, "credit_limit"),
        ({"currency": "ZZZ"}, "currency"),
        ({"payment_method": "barter"}, "payment_method"),
        ({"billing_address": 999999}, "billing_address"),
    ])
    def test_create_invalid(self, api, customer, address, cycle, change, field):
        before = stored()
        response = api.post("/api/v1/billing-accounts/", self.payload(customer, address, cycle, **change),
                            format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert stored() == before

    def test_address_of_another_customer(self, api, customer, address, cycle):
        foreign = AddressFactory()
        before = stored()
        response = api.post("/api/v1/billing-accounts/",
                            self.payload(customer, address, cycle, billing_address=foreign.pk), format="json")
        assert response.status_code == 400
        assert response.json() == {"billing_address": ["The billing address belongs to another customer."]}
        assert stored() == before

    def test_parent_for_individual_refused(self, api, customer, address, cycle):
        parent_id = api.post("/api/v1/billing-accounts/", self.payload(customer, address, cycle),
                             format="json").json()["id"]
        response = api.post("/api/v1/billing-accounts/", self.payload(customer, address, cycle, parent=parent_id),
                            format="json")
        assert response.status_code == 400 and "parent" in response.json()
        assert BillingAccount.objects.count() == 1

    def test_hierarchy_for_organization(self, api, actor, cycle):
        org = services.customer_create(actor=actor, name="Acme", party=OrganizationFactory(), segment="sme")
        addr = services.address_create(customer=org, actor=actor, street1="1 Dock Rd", city="Cork", postcode="T12",
                                       country="IE")
        parent_id = api.post("/api/v1/billing-accounts/", self.payload(org, addr, cycle), format="json").json()["id"]
        response = api.post("/api/v1/billing-accounts/", self.payload(org, addr, cycle, parent=parent_id),
                            format="json")
        assert response.status_code == 201
        assert response.json()["parent"] == parent_id

    def test_closed_customer_422(self, api, actor, customer, address, cycle):
        services.customer_change_status(customer_id=customer.pk, status="closed", actor=actor)
        before = stored()
        response = api.post("/api/v1/billing-accounts/", self.payload(customer, address, cycle), format="json")
        assert response.status_code == 422
        assert stored() == before

    def test_patch_to_foreign_address_refused(self, api, customer, address, cycle):
        account_id = api.post("/api/v1/billing-accounts/", self.payload(customer, address, cycle),
                              format="json").json()["id"]
        response = api.patch(f"/api/v1/billing-accounts/{account_id}/", {"billing_address": AddressFactory().pk},
                             format="json")
        assert response.status_code == 400 and "billing_address" in response.json()
        assert BillingAccount.objects.get(pk=account_id).billing_address == address

    def test_patch_credit_limit(self, api, customer, address, cycle):
        account_id = api.post("/api/v1/billing-accounts/", self.payload(customer, address, cycle),
                              format="json").json()["id"]
        response = api.patch(f"/api/v1/billing-accounts/{account_id}/", {"credit_limit": "500.00"}, format="json")
        assert response.status_code == 200
        entry = HistoryEntry.objects.filter(object_id=str(account_id),
                                            action="customers.billing_account.updated").get()
        assert entry.changes == {"credit_limit": ["150.00", "500.00"]}
        assert api.patch(f"/api/v1/billing-accounts/{account_id}/", {"credit_limit": "-1"},
                         format="json").status_code == 400
        assert BillingAccount.objects.get(pk=account_id).credit_limit == Decimal("500.00")

    def test_patch_cannot_set_status(self, api, customer, address, cycle):
        account_id = api.post("/api/v1/billing-accounts/", self.payload(customer, address, cycle),
                              format="json").json()["id"]
        api.patch(f"/api/v1/billing-accounts/{account_id}/", {"status": "closed"}, format="json")
        assert BillingAccount.objects.get(pk=account_id).status == "active"

    def test_transition(self, api, customer, address, cycle):
        account_id = api.post("/api/v1/billing-accounts/", self.payload(customer, address, cycle),
                              format="json").json()["id"]
        url = f"/api/v1/billing-accounts/{account_id}/transition/"
        response = api.post(url, {"transition": "suspend", "reason": "unpaid"}, format="json")
        assert response.status_code == 200 and response.json()["status"] == "suspended"
        assert api.post(url, {"transition": "suspend"}, format="json").status_code == 409
        assert api.post(url, {"transition": "explode"}, format="json").status_code == 400
        entry = HistoryEntry.objects.get(object_id=str(account_id), action="customers.billing_account.suspend")
        assert (entry.from_state, entry.to_state, entry.reason) == ("active", "suspended", "unpaid")


class TestProductsAndCycles:
    def test_products_read_only(self, api, customer):
        product = ProductFactory(customer=customer, product_serial="0871234567")
        response = api.get("/api/v1/products/", {"customer": customer.pk})
        assert [p["product_serial"] for p in response.json()["results"]] == ["0871234567"]
        assert api.post("/api/v1/products/", {"customer": customer.pk, "name": "x"}, format="json").status_code == 405
        assert api.patch(f"/api/v1/products/{product.pk}/", {"name": "x"}, format="json").status_code == 405

    def test_bill_cycles(self, api, cycle):
        body = api.get("/api/v1/bill-cycles/").json()
        assert [c["code"] for c in body["results"]] == [cycle.code]


# --- OpenAPI ------------------------------------------------------------------------------------

class TestSchema:
    def test_schema(self, client, db):
        response = client.get("/api/schema/", {"format": "json"})
        assert response.status_code == 200
        schema = response.json()
        assert schema["openapi"].startswith("3.")
        paths = schema["paths"]
        for path in ("/api/v1/customers/", "/api/v1/customers/{id}/status/", "/api/v1/customers/search/",
                     "/api/v1/customers/{id}/history/", "/api/v1/contacts/", "/api/v1/addresses/",
                     "/api/v1/billing-accounts/"):
            assert path in paths, path
        assert "post" in paths["/api/v1/customers/"] and "patch" in paths["/api/v1/customers/{id}/"]

    def test_schema_default_format(self, client, db):
        response = client.get("/api/schema/")
        assert response.status_code == 200
        assert b"openapi:" in response.content

    def test_docs(self, client, db):
        response = client.get("/api/docs/")
        assert response.status_code == 200
        assert b"swagger-ui" in response.content.lower()
