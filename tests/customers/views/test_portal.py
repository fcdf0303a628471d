"""Staff portal (/csr/), staff sign-in with failed-login throttling, and the self-service pages (/my/)."""

import pytest
from django.conf import settings
from django.test import Client

from bss.audit.models import HistoryEntry
from customers import services
from customers.models import Address, BillingAccount, Contact, Customer, CustomerNote, Party
from tests.factories import BillCycleFactory, ProductFactory, customer_user

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"  # tests.factories.UserFactory


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def web(csr):
    return login(csr)


@pytest.fixture
def mary(actor):
    customer = services.customer_onboard(
        actor=actor, party={"kind": "individual", "given_name": "Mary", "family_name": "Murphy"},
        customer={"segment": "residential"}, contact={"given_name": "Mary", "family_name": "Murphy"},
        media=[{"kind": "mobile", "value": "+353 87 123 4567"}, {"kind": "email", "value": "mary@murphy.ie"}],
        address={"street1": "12 Main Street", "city": "Dublin", "postcode": "D02 X285", "country": "IE"},
        account={"bill_cycle": BillCycleFactory(name="Cycle 1")},
    )
    return Customer.objects.get(pk=customer.pk)


@pytest.fixture
def john(actor):
    customer = services.customer_create(actor=actor, name="John Byrne", status="active")
    services.contact_create(customer=customer, actor=actor, given_name="John", family_name="Byrne",
                            media=[{"kind": "mobile", "value": "086 999 8888"}])
    return Customer.objects.get(pk=customer.pk)


def contact_post(**kw):
    data = {"title": "", "given_name": "Mary", "family_name": "Murphy", "role": "primary", "job_title": "",
            "mobile": "", "phone": "", "email": "", "preferred_channel": "email", "preferred_language": "en"}
    data.update(kw)
    return data


# --- Sign-in ------------------------------------------------------------------------------------

class TestLogin:
    def test_login_page(self, db):
        response = Client().get("/accounts/login/")
        assert response.status_code == 200
        assert b'name="username"' in response.content and b'name="password"' in response.content

    def test_staff_login_lands_on_dashboard(self, csr):
        client = Client()
        response = client.post("/accounts/login/", {"username": csr.username, "password": PASSWORD}, follow=True)
        assert response.redirect_chain[-1][0] == "/csr/"
        assert response.status_code == 200
        assert int(client.session["_auth_user_id"]) == csr.pk

    def test_customer_login_lands_on_self_service(self, mary):
        user = customer_user(mary)
        response = Client().post("/accounts/login/", {"username": user.username, "password": PASSWORD}, follow=True)
        assert response.redirect_chain[-1][0] == "/my/"
        assert mary.customer_number.encode() in response.content

    def test_wrong_password_shows_form_again(self, csr):
        client = Client()
        response = client.post("/accounts/login/", {"username": csr.username, "password": "wrong"})
        assert response.status_code == 200
        assert b"data-error-summary" in response.content
        assert "_auth_user_id" not in client.session

    def test_failed_logins_are_throttled(self, csr):
        limit = settings.AXES_FAILURE_LIMIT
        assert limit >= 2
        client = Client()
        for _ in range(limit - 1):
            response = client.post("/accounts/login/", {"username": csr.username, "password": "wrong"})
            assert response.status_code == 200
        locked = client.post("/accounts/login/", {"username": csr.username, "password": "wrong"})
        assert locked.status_code == 429
        response = client.post("/accounts/login/", {"username": csr.username, "password": PASSWORD})
        assert response.status_code == 429
        assert b"Too many failed sign-ins" in response.content
        assert "_auth_user_id" not in client.session

    def test_lockout_is_per_user(self, csr, supervisor):
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post("/accounts/login/", {"username": csr.username, "password": "wrong"})
        response = client.post("/accounts/login/", {"username": supervisor.username, "password": PASSWORD})
        assert response.status_code == 302
        assert int(client.session["_auth_user_id"]) == supervisor.pk

    def test_success_before_the_limit_resets_the_count(self, csr):
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            client.post("/accounts/login/", {"username": csr.username, "password": "wrong"})
        assert client.post("/accounts/login/", {"username": csr.username, "password": PASSWORD}).status_code == 302
        client.logout()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            client.post("/accounts/login/", {"username": csr.username, "password": "wrong"})
        assert client.post("/accounts/login/", {"username": csr.username, "password": PASSWORD}).status_code == 302

    def test_admin_login_throttled_too(self, supervisor):
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post("/admin/login/", {"username": supervisor.username, "password": "wrong"})
        response = client.post("/admin/login/", {"username": supervisor.username, "password": PASSWORD})
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session

    def test_anonymous_sent_to_login(self, db):
        response = Client().get("/csr/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- Dashboard search ---------------------------------------------------------------------------

class TestDashboard:
    def test_dashboard_without_query(self, web, mary):
        response = web.get("/csr/")
        assert response.status_code == 200
        assert b"Identify customer" in response.content
        assert b"Prospect: 1" in response.content  # counts per status

    def test_full_page_search(self, web, mary, john):
        response = web.get("/csr/", {"q": "087 1234567"})
        page = response.content.decode()
        assert response.status_code == 200
        assert "<html" in page and "Identify customer" in page
        assert mary.customer_number in page and f"/csr/customers/{mary.pk}/" in page
        assert john.customer_number not in page
        assert "phone" in page  # matched on

    def test_htmx_partial(self, web, mary, john):
        response = web.get("/csr/", {"q": "Byrne"}, HTTP_HX_REQUEST="true")
        page = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in page and "Identify customer" not in page
        assert john.customer_number in page
        assert mary.customer_number not in page

    def test_no_match_message(self, web, mary):
        response = web.get("/csr/", {"q": "Zebedee"}, HTTP_HX_REQUEST="true")
        assert "No customer matches “Zebedee”" in response.content.decode()

    def test_search_by_account_number(self, web, mary):
        number = mary.billing_accounts.get().account_number
        assert mary.customer_number in web.get("/csr/", {"q": number}).content.decode()


# --- Customer page --------------------------------------------------------------------------

class TestCustomerPage:
    def test_shows_contacts_accounts_products_history(self, web, actor, mary, john):
        ProductFactory(customer=mary, name="Fibre 500", product_serial="CIRC-77",
                       billing_account=mary.billing_accounts.get())
        services.customer_note_add(customer=mary, actor=actor, text="Prefers mornings")
        response = web.get(f"/csr/customers/{mary.pk}/")
        page = response.content.decode()
        assert response.status_code == 200
        assert mary.customer_number in page
        assert "Mary Murphy" in page and "+353 87 123 4567" in page and "mary@murphy.ie" in page
        assert mary.billing_accounts.get().account_number in page and "Cycle 1" in page
        assert "Fibre 500" in page and "CIRC-77" in page
        assert "12 Main Street" in page
        assert "Prefers mornings" in page
        assert "customers.customer.created" in page and "customers.contact.created" in page
        assert "086 999 8888" not in page  # John's

    def test_unknown_customer_404(self, web, db):
        assert web.get("/csr/customers/999999/").status_code == 404


# --- New customer ---------------------------------------------------------------------------

def onboard_post(**kw):
    data = {
        "c-kind": "individual", "c-given_name": "Aoife", "c-family_name": "Kelly", "c-trading_name": "",
        "c-registration_number": "", "c-segment": "residential", "c-credit_class": "B", "c-bill_cycle": "",
        "c-currency": "EUR", "c-payment_method": "direct_debit",
        "ct-given_name": "Aoife", "ct-family_name": "Kelly", "ct-role": "primary", "ct-mobile": "085 555 1234",
        "ct-email": "aoife@kelly.ie", "ct-preferred_channel": "email", "ct-preferred_language": "en",
        "a-street1": "7 Bridge Street", "a-city": "Limerick", "a-postcode": "V94 X1Y2", "a-country": "IE",
    }
    data.update(kw)
    return data


class TestNewCustomer:
    def test_form_page(self, web):
        response = web.get("/csr/customers/new/")
        assert response.status_code == 200
        assert b'name="ct-mobile"' in response.content and b'name="a-postcode"' in response.content

    def test_success(self, web, csr):
        cycle = BillCycleFactory()
        response = web.post("/csr/customers/new/", onboard_post(**{"c-bill_cycle": cycle.pk}))
        customer = Customer.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/csr/customers/{customer.pk}/"
        assert customer.name == "Aoife Kelly" and customer.customer_number.startswith("CU")
        contact = customer.contacts.get()
        assert contact.is_primary and contact.family_name == "Kelly"
        assert sorted(contact.media.values_list("kind", flat=True)) == ["email", "mobile"]
        assert customer.addresses.get().city == "Limerick"
        account = customer.billing_accounts.get()
        assert account.bill_cycle == cycle and account.payment_method == "direct_debit"
        entry = HistoryEntry.objects.for_object(customer).get(action="customers.customer.created")
        assert entry.channel == "portal" and entry.actor == csr
        page = web.get(response["Location"]).content.decode()
        assert f"Customer {customer.customer_number} created." in page

    def test_without_account(self, web):
        assert web.post("/csr/customers/new/", onboard_post()).status_code == 302
        assert Customer.objects.get().billing_accounts.count() == 0

    def test_organization(self, web):
        response = web.post("/csr/customers/new/", onboard_post(**{
            "c-kind": "organization", "c-given_name": "", "c-family_name": "", "c-trading_name": "Kelly Foods",
            "c-segment": "sme"}))
        assert response.status_code == 302
        customer = Customer.objects.get()
        assert customer.name == "Kelly Foods" and customer.party.kind == Party.Kind.ORGANIZATION

    def nothing_saved(self):
        return not any(m.objects.exists() for m in (Party, Customer, Contact, Address, BillingAccount))

    def test_no_reachable_channel(self, web):
        response = web.post("/csr/customers/new/", onboard_post(**{"ct-mobile": "", "ct-email": ""}))
        assert response.status_code == 200
        assert "Give at least one way to reach the contact" in response.content.decode()
        assert self.nothing_saved()

    def test_invalid_phone_reported_by_service(self, web):
        response = web.post("/csr/customers/new/", onboard_post(**{"ct-mobile": "call me maybe"}))
        assert response.status_code == 200
        assert "is not a valid phone number" in response.content.decode()
        assert self.nothing_saved()

    def test_invalid_email_reported(self, web):
        response = web.post("/csr/customers/new/", onboard_post(**{"ct-email": "aoife@"}))
        assert response.status_code == 200
        assert "Enter a valid email address." in response.content.decode()
        assert self.nothing_saved()

    def test_missing_names_and_postcode(self, web):
        response = web.post("/csr/customers/new/", onboard_post(**{"c-family_name": "", "a-postcode": ""}))
        page = response.content.decode()
        assert response.status_code == 200
        assert "Required for an individual." in page
        assert "This field is required." in page
        assert self.nothing_saved()

    def test_individual_contact_name_defaults_to_the_party(self, web):
        # issue 7: the name is not typed twice; an individual's contact is the person
        response = web.post("/csr/customers/new/", onboard_post(**{"ct-given_name": "", "ct-family_name": ""}))
        assert response.status_code == 302
        contact = Customer.objects.get().contacts.get()
        assert (contact.given_name, contact.family_name) == ("Aoife", "Kelly")

    def test_organization_contact_needs_a_name(self, web):
        response = web.post("/csr/customers/new/", onboard_post(**{
            "c-kind": "organization", "c-trading_name": "Kelly Foods", "ct-given_name": "", "ct-family_name": ""}))
        assert response.status_code == 200
        assert "Required for an organization&#x27;s contact." in response.content.decode()
        assert self.nothing_saved()


# --- Contacts, status and notes ---------------------------------------------------------------

class TestContactEdit:
    def test_edit_form_prefilled(self, web, mary):
        contact = mary.contacts.get()
        page = web.get(f"/csr/contacts/{contact.pk}/edit/").content.decode()
        assert 'value="mary@murphy.ie"' in page and 'value="+353 87 123 4567"' in page

    def test_edit_records_history(self, web, csr, mary):
        contact = mary.contacts.get()
        response = web.post(f"/csr/contacts/{contact.pk}/edit/", contact_post(
            family_name="Murphy-Byrne", mobile="+353 87 123 4567", email="mary@byrne.ie", preferred_channel="sms"))
        assert response.status_code == 302 and response["Location"] == f"/csr/customers/{mary.pk}/"
        contact = Contact.objects.get(pk=contact.pk)
        assert contact.family_name == "Murphy-Byrne" and contact.preferred_channel == "sms"
        assert contact.media.get(kind="email").value == "mary@byrne.ie"
        updated = HistoryEntry.objects.for_object(contact).get(action="customers.contact.updated")
        assert updated.changes["family_name"] == ["Murphy", "Murphy-Byrne"]
        assert updated.changes["preferred_channel"] == ["email", "sms"]
        assert (updated.channel, updated.actor) == ("portal", csr)
        media = HistoryEntry.objects.for_object(contact).get(action="customers.contact.media_changed")
        assert "email:mary@murphy.ie" in media.changes["media"][0]
        assert "email:mary@byrne.ie" in media.changes["media"][1]
        page = web.get(f"/csr/customers/{mary.pk}/").content.decode()
        assert "customers.contact.updated" in page and "Murphy-Byrne" in page

    def test_edit_without_channel_refused(self, web, mary):
        contact = mary.contacts.get()
        response = web.post(f"/csr/contacts/{contact.pk}/edit/", contact_post(family_name="Nobody"))
        assert response.status_code == 200
        assert "Give at least one way to reach the contact" in response.content.decode()
        assert Contact.objects.get(pk=contact.pk).family_name == "Murphy"
        assert not HistoryEntry.objects.filter(action="customers.contact.updated").exists()

    def test_edit_with_bad_phone_shows_service_error(self, web, mary):
        contact = mary.contacts.get()
        response = web.post(f"/csr/contacts/{contact.pk}/edit/", contact_post(mobile="12"))
        assert response.status_code == 200
        assert "is not a valid phone number" in response.content.decode()
        assert contact.media.get(kind="mobile").value == "+353 87 123 4567"

    def test_add_second_contact(self, web, mary):
        response = web.post(f"/csr/customers/{mary.pk}/contacts/new/", contact_post(
            given_name="Tom", family_name="Murphy", role="billing", email="tom@murphy.ie"))
        assert response.status_code == 302
        tom = mary.contacts.get(given_name="Tom")
        assert not tom.is_primary and tom.role == "billing"


class TestNotes:
    def test_add_note(self, web, csr, mary):
        response = web.post(f"/csr/customers/{mary.pk}/notes/", {"text": "Asked about roaming in the US"})
        assert response.status_code == 302
        note = CustomerNote.objects.get()
        assert (note.customer_id, note.author, note.channel) == (mary.pk, csr, "portal")
        entry = HistoryEntry.objects.for_root(mary).get(action="customers.note.added")
        assert entry.changes == {"text": [None, "Asked about roaming in the US"]}
        assert "Asked about roaming in the US" in web.get(f"/csr/customers/{mary.pk}/").content.decode()

    def test_empty_note_refused(self, web, mary):
        web.post(f"/csr/customers/{mary.pk}/notes/", {"text": ""})
        assert not CustomerNote.objects.exists()
        assert "A note cannot be empty." in web.get(f"/csr/customers/{mary.pk}/").content.decode()


class TestAccountAndAddressPages:
    def test_open_billing_account(self, web, mary):
        address = mary.addresses.get()
        response = web.post(f"/csr/customers/{mary.pk}/accounts/new/", {
            "name": "Second line", "bill_cycle": BillCycleFactory().pk, "currency": "EUR",
            "payment_method": "bank_transfer", "credit_limit": "100", "billing_address": address.pk})
        assert response.status_code == 302
        assert mary.billing_accounts.filter(name="Second line", payment_method="bank_transfer").exists()

    def test_other_customers_address_not_offered(self, web, actor, mary, john):
        foreign = services.address_create(customer=john, actor=actor, street1="Elsewhere", city="Cork",
                                          postcode="T12", country="IE")
        response = web.post(f"/csr/customers/{mary.pk}/accounts/new/", {
            "bill_cycle": BillCycleFactory().pk, "currency": "EUR", "payment_method": "cash", "credit_limit": "0",
            "billing_address": foreign.pk})
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        assert mary.billing_accounts.count() == 1

    def test_closed_customer_gets_no_account(self, web, actor, john):
        address = services.address_create(customer=john, actor=actor, street1="4 Quay", city="Cork", postcode="T12",
                                          country="IE")  # before closing: a closed customer gets no new address
        services.customer_change_status(customer_id=john.pk, status="closed", actor=actor, reason="left")
        response = web.post(f"/csr/customers/{john.pk}/accounts/new/", {
            "bill_cycle": BillCycleFactory().pk, "currency": "EUR", "payment_method": "cash", "credit_limit": "0",
            "billing_address": address.pk})
        assert response.status_code == 200
        assert "A closed customer cannot get a new billing account." in response.content.decode()
        assert not BillingAccount.objects.filter(customer=john).exists()

    def test_add_address(self, web, mary):
        response = web.post(f"/csr/customers/{mary.pk}/addresses/new/", {
            "street1": "1 New Road", "city": "Sligo", "postcode": "F91", "country": "IE"})
        assert response.status_code == 302
        assert mary.addresses.filter(city="Sligo").exists()


# --- Self-service -----------------------------------------------------------------------------

class TestSelfService:
    @pytest.fixture
    def me(self, mary):
        return customer_user(mary)

    def test_profile(self, me, mary, john):
        response = login(me).get("/my/")
        page = response.content.decode()
        assert response.status_code == 200
        assert mary.customer_number in page and "mary@murphy.ie" in page
        assert mary.billing_accounts.get().account_number in page
        assert john.customer_number not in page
        assert "/csr/" not in page.split('<main id="main"')[1]  # no staff links in the content

    def test_edit_own_contact(self, me, mary):
        contact = mary.contacts.get()
        client = login(me)
        assert client.get(f"/my/contacts/{contact.pk}/edit/").status_code == 200
        response = client.post(f"/my/contacts/{contact.pk}/edit/", contact_post(
            mobile="+353 87 765 4321", email="mary@murphy.ie", preferred_language="ga"))
        assert response.status_code == 302 and response["Location"] == "/my/"
        contact = Contact.objects.get(pk=contact.pk)
        assert contact.preferred_language == "ga"
        assert contact.media.get(kind="mobile").match_key == "877654321"
        entries = HistoryEntry.objects.for_object(contact).exclude(action="customers.contact.created")
        assert {e.action for e in entries} == {"customers.contact.updated", "customers.contact.media_changed"}
        assert all(e.channel == "self_service" and e.actor == me and e.actor_label == me.username for e in entries)

    def test_own_contact_edit_errors_shown(self, me, mary):
        contact = mary.contacts.get()
        response = login(me).post(f"/my/contacts/{contact.pk}/edit/", contact_post())
        assert response.status_code == 200
        assert "Give at least one way to reach the contact" in response.content.decode()

    def test_add_own_contact(self, me, mary):
        response = login(me).post("/my/contacts/new/", contact_post(given_name="Tom", email="tom@murphy.ie"))
        assert response.status_code == 302
        tom = mary.contacts.get(given_name="Tom")
        entry = HistoryEntry.objects.for_object(tom).get()
        assert entry.channel == "self_service" and entry.actor == me
