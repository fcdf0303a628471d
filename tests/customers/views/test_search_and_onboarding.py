"""Issue 7, onboarding in the staff portal and self-service: every error in one round, plain labels and
names, fields by customer type, the duplicate warning and the deliberate create, plain service errors
(bss.portal.add_service_errors), one currency per hierarchy, nothing new for a closed customer; and the
same rules through the native and TMF APIs."""

import pytest
from django import forms
from django.test import Client

from bss.errors import DomainValidationError
from bss.portal import add_service_errors
from customers import services
from customers.forms import ContactForm
from customers.models import Address, BillingAccount, Contact, Customer, CustomerNote, Party
from tests.factories import BillCycleFactory, OrganizationFactory, customer_user

pytestmark = pytest.mark.django_db

NEW = "/csr/customers/new/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def web(csr):
    return login(csr)


def onboard_post(**kw):
    data = {
        "c-kind": "individual", "c-given_name": "Aoife", "c-family_name": "Kelly", "c-trading_name": "",
        "c-registration_number": "", "c-segment": "residential", "c-credit_class": "B", "c-bill_cycle": "",
        "c-currency": "EUR", "c-payment_method": "direct_debit",
        "ct-role": "primary", "ct-mobile": "085 555 1234",
        "ct-email": "aoife@kelly.ie", "ct-preferred_channel": "email", "ct-preferred_language": "en",
        "a-street1": "7 Bridge Street", "a-city": "Limerick", "a-postcode": "V94 X1Y2", "a-country": "IE",
    }
    data.update(kw)
    return data


def nothing_saved():
    return not any(m.objects.exists() for m in (Party, Customer, Contact, Address, BillingAccount))


@pytest.fixture
def aoife(actor):
    """Aoife Kelly, held already: mobile 085 555 1234, aoife@kelly.ie, 7 Bridge Street V94 X1Y2."""
    return services.customer_onboard(
        actor=actor, party={"kind": "individual", "given_name": "Aoife", "family_name": "Kelly"},
        customer={"segment": "residential"}, contact={},
        media=[{"kind": "mobile", "value": "085 555 1234"}, {"kind": "email", "value": "aoife@kelly.ie"}],
        address={"street1": "7 Bridge Street", "city": "Limerick", "postcode": "V94 X1Y2", "country": "IE"})


class TestNewCustomerPage:
    def test_countries_by_name_ireland_and_uk_first(self, web):
        page = web.get(NEW).content.decode()
        select = page[page.index('name="a-country"'):]
        select = select[:select.index("</select>")]
        assert select.index('value="IE" selected>Ireland<') < select.index('value="GB">United Kingdom<') < (
            select.index('value="AF">Afghanistan<'))

    def test_plain_labels_and_language_names(self, web):
        page = web.get(NEW).content.decode()
        for label in ("Postcode", "County / state", "Country", "Town / city", "Preferred channel",
                      "Preferred language"):
            assert f">{label}<" in page, label
        assert '<option value="ga">Gaeilge</option>' in page and ">ga<" not in page

    def test_fields_marked_by_customer_type(self, web):
        page = web.get(NEW).content.decode()

        def wrapper(name):
            at = page.index(f'name="{name}"')
            return page[page.rindex('<div class="mb-3 form-field', 0, at):at]

        assert 'data-show-when="c-kind=individual"' in wrapper("c-given_name")
        assert 'data-show-when="c-kind=organization"' in wrapper("c-trading_name")
        assert 'data-show-when="c-kind=organization"' in wrapper("c-registration_number")
        assert 'data-show-when="c-kind=organization"' in wrapper("ct-family_name")  # an individual's is the party
        assert "data-show-when" not in wrapper("ct-mobile")
        assert "<script>" not in page and "onchange" not in page  # the CSP: behaviour lives in portal.js

    def test_every_error_in_one_round(self, web):
        response = web.post(NEW, onboard_post(**{
            "c-family_name": "", "ct-mobile": "call me", "ct-email": "", "ct-preferred_channel": "email",
            "a-postcode": "12345", "a-city": ""}))
        page = response.content.decode()
        assert response.status_code == 200
        for message in ("Required for an individual.", "&#x27;call me&#x27; is not a valid phone number.",
                        "E-mail needs an e-mail address: give one or choose another preferred channel.",
                        "&#x27;12345&#x27; is not an Eircode", "This field is required."):
            assert message in page, message
        assert "There are 5 problems to fix" in page  # one summary over the three forms
        assert nothing_saved()

    def test_sms_without_a_mobile(self, web):
        page = web.post(NEW, onboard_post(**{"ct-mobile": "", "ct-preferred_channel": "sms"})).content.decode()
        assert "SMS needs a mobile number" in page
        assert nothing_saved()

    def test_unknown_country_refused(self, web):
        page = web.post(NEW, onboard_post(**{"a-country": "ZZ"})).content.decode()
        assert "Select a valid choice. ZZ is not one of the available choices." in page
        assert nothing_saved()

    def test_postcode_and_country_normalised(self, web):
        assert web.post(NEW, onboard_post(**{"a-postcode": "v94x1y2", "a-country": "ie"})).status_code == 302
        address = Address.objects.get()
        assert (address.postcode, address.country) == ("V94 X1Y2", "IE")

    def test_uk_address(self, web):
        response = web.post(NEW, onboard_post(**{"a-postcode": "bt1 5gs", "a-country": "GB", "a-city": "Belfast"}))
        assert response.status_code == 302
        assert Address.objects.get().postcode == "BT1 5GS"

    def test_individual_name_typed_once(self, web):
        assert web.post(NEW, onboard_post()).status_code == 302
        contact = Customer.objects.get().contacts.get()
        assert (contact.given_name, contact.family_name) == ("Aoife", "Kelly")

    def test_organization_fields_ignored_for_an_individual(self, web):
        # without JavaScript every field shows; what does not apply to the type is not used
        assert web.post(NEW, onboard_post(**{"c-trading_name": "Left Over Ltd"})).status_code == 302
        assert Customer.objects.get().party.trading_name == ""

    def test_organization_with_its_contact(self, web):
        response = web.post(NEW, onboard_post(**{
            "c-kind": "organization", "c-given_name": "", "c-family_name": "", "c-trading_name": "Kelly Foods",
            "c-segment": "sme", "ct-given_name": "Sean", "ct-family_name": "Kelly"}))
        assert response.status_code == 302
        customer = Customer.objects.get()
        assert customer.name == "Kelly Foods" and customer.contacts.get().full_name == "Sean Kelly"


class TestDuplicates:
    def test_warning_links_the_existing_customer_and_creates_nothing(self, web, aoife):
        response = web.post(NEW, onboard_post())
        page = response.content.decode()
        assert response.status_code == 200
        assert "This customer may already exist" in page
        assert f'href="/csr/customers/{aoife.pk}/"' in page and aoife.customer_number in page
        assert "same e-mail, phone, address" in page
        assert 'name="d-create_anyway"' in page and "Create anyway — this is a different customer" in page
        assert Customer.objects.count() == 1

    def test_ticked_without_reason_creates_nothing(self, web, aoife):
        response = web.post(NEW, onboard_post(**{"d-create_anyway": "on", "d-reason": " "}))
        assert response.status_code == 200
        assert "Say why this is a different customer" in response.content.decode()
        assert Customer.objects.count() == 1

    def test_reason_without_tick_creates_nothing(self, web, aoife):
        assert web.post(NEW, onboard_post(**{"d-reason": "a namesake"})).status_code == 200
        assert Customer.objects.count() == 1

    def test_create_anyway_records_the_reason(self, web, aoife):
        response = web.post(NEW, onboard_post(**{"d-create_anyway": "on", "d-reason": "Her daughter, same name"}))
        assert response.status_code == 302
        new = Customer.objects.exclude(pk=aoife.pk).get()
        note = CustomerNote.objects.get(customer=new)
        assert aoife.customer_number in note.text and note.text.endswith("Her daughter, same name")
        page = web.get(response["Location"]).content.decode()
        assert "Her daughter, same name" in page

    def test_same_name_elsewhere_is_no_duplicate(self, web, aoife):
        response = web.post(NEW, onboard_post(**{
            "ct-mobile": "086 000 1111", "ct-email": "other@kelly.ie", "a-street1": "1 Other Road",
            "a-postcode": "T12 X8Y2", "a-city": "Cork"}))
        assert response.status_code == 302
        assert Customer.objects.count() == 2


class TestServiceErrorsInPlainWords:
    class Form(forms.Form):
        mobile = forms.CharField(required=False)
        email = forms.CharField(required=False)

    def form(self):
        form = self.Form({"mobile": "1", "email": "x"})
        form.is_valid()
        return form

    def test_renamed_path_goes_on_the_field(self):
        form = self.form()
        add_service_errors(form, DomainValidationError({"media[1].value": "Too long."}),
                           rename={"media[1].value": "email"})
        assert form.errors == {"email": ["Too long."]}

    def test_unmapped_path_is_a_plain_form_error(self):
        form = self.form()
        add_service_errors(form, DomainValidationError({
            "media[3].value": "'call me' is not a valid phone number.", "account.bill_cycle": "This field is required.",
            "media": "Give at least one way to reach the contact."}))
        assert form.non_field_errors() == ["'call me' is not a valid phone number.", "Bill cycle: this field is required.",
                                           "Give at least one way to reach the contact."]
        assert not any("media[" in e or "account." in e for e in form.non_field_errors())

    def test_contact_form_names_its_media(self):
        form = ContactForm({"family_name": "K", "role": "primary", "phone": "01 234 5678", "email": "a@b.ie",
                            "preferred_channel": "email", "preferred_language": "en"})
        assert form.is_valid(), form.errors
        assert form.service_names() == {"media": None, "media[0].value": "phone", "media[0].kind": "phone",
                                        "media[1].value": "email", "media[1].kind": "email"}


LONG_EMAIL = "a@" + ".".join(["b" * 60] * 5) + ".ie"  # passes the form's EmailField, not the 254-character column


def contact_post(**kw):
    data = {"title": "", "given_name": "Mary", "family_name": "Murphy", "role": "primary", "job_title": "",
            "mobile": "+353 87 123 4567", "phone": "", "email": "mary@murphy.ie", "preferred_channel": "email",
            "preferred_language": "en"}
    data.update(kw)
    return data


class TestContactPages:
    def test_service_error_shows_on_the_field_it_concerns(self, web, aoife):
        contact = aoife.contacts.get()
        page = web.post(f"/csr/contacts/{contact.pk}/edit/", contact_post(email=LONG_EMAIL)).content.decode()
        assert "An e-mail address can have at most 254 characters" in page
        assert 'id="id_email_error"' in page and "media[" not in page

    def test_self_service_edit_says_it_plainly_too(self, aoife):
        contact = aoife.contacts.get()
        page = login(customer_user(aoife)).post(f"/my/contacts/{contact.pk}/edit/",
                                                contact_post(email=LONG_EMAIL)).content.decode()
        assert "An e-mail address can have at most 254 characters" in page
        assert 'id="id_email_error"' in page and "media[" not in page

    def test_preferred_channel_checked_on_the_form(self, aoife):
        contact = aoife.contacts.get()
        response = login(customer_user(aoife)).post(f"/my/contacts/{contact.pk}/edit/",
                                                    contact_post(email="", preferred_channel="email"))
        assert "E-mail needs an e-mail address" in response.content.decode()
        assert Contact.objects.get(pk=contact.pk).media.filter(kind="email").exists()

    def test_closed_customer_gets_no_contact_or_address(self, web, actor, aoife):
        services.customer_change_status(customer_id=aoife.pk, status="closed", actor=actor, reason="left")
        page = web.post(f"/csr/customers/{aoife.pk}/contacts/new/", contact_post(family_name="Other")).content.decode()
        assert "a closed customer cannot get a new contact" in page
        page = web.post(f"/csr/customers/{aoife.pk}/addresses/new/", {
            "street1": "1 New Road", "city": "Sligo", "postcode": "F91", "country": "IE"}).content.decode()
        assert "a closed customer cannot get a new address" in page
        assert (aoife.contacts.count(), aoife.addresses.count()) == (1, 1)

    def test_address_page_checks_the_postcode(self, web, aoife):
        response = web.post(f"/csr/customers/{aoife.pk}/addresses/new/", {
            "street1": "1 High St", "city": "London", "postcode": "T12 X8Y2", "country": "GB"})
        assert "is not a UK postcode" in response.content.decode()
        assert aoife.addresses.count() == 1


@pytest.fixture
def org(actor):
    org = services.customer_create(actor=actor, name="Acme", party=OrganizationFactory(), segment="sme")
    address = services.address_create(customer=org, actor=actor, street1="1 Dock Rd", city="Cork", postcode="T12",
                                      country="IE")
    parent = services.billing_account_create(customer=org, actor=actor, billing_address=address,
                                             bill_cycle=BillCycleFactory(), currency="EUR")
    return org, address, parent


class TestAccountCurrency:
    def test_portal_refuses_a_child_in_another_currency(self, web, org):
        org, address, parent = org
        response = web.post(f"/csr/customers/{org.pk}/accounts/new/", {
            "bill_cycle": parent.bill_cycle.pk, "currency": "USD", "payment_method": "cash", "credit_limit": "0",
            "billing_address": address.pk, "parent": parent.pk})
        assert response.status_code == 200
        assert "The parent account bills in EUR; a child account must bill in EUR too." in response.content.decode()
        assert BillingAccount.objects.count() == 1

    def test_api_refuses_a_child_in_another_currency(self, integrator_client, org):
        org, address, parent = org
        response = integrator_client.post("/api/v1/billing-accounts/", {
            "customer": org.pk, "bill_cycle": parent.bill_cycle.pk, "currency": "USD",
            "billing_address": address.pk, "parent": parent.pk}, format="json")
        assert response.status_code == 400
        assert "currency" in response.json()
        assert BillingAccount.objects.count() == 1


class TestApis:
    def test_native_api_country_and_postcode(self, integrator_client, aoife):
        post = integrator_client.post
        bad = post("/api/v1/addresses/", {"customer": aoife.pk, "street1": "1 Quay", "city": "Galway",
                                          "postcode": "H91", "country": "ZZ"}, format="json")
        assert bad.status_code == 400 and "ZZ is not a country" in str(bad.json())
        ok = post("/api/v1/addresses/", {"customer": aoife.pk, "street1": "1 Quay", "city": "Galway",
                                         "postcode": "h91 ab12", "country": "ie"}, format="json")
        assert ok.status_code == 201 and (ok.json()["country"], ok.json()["postcode"]) == ("IE", "H91 AB12")

    def test_native_api_closed_customer_gets_no_contact(self, integrator_client, actor, aoife):
        services.customer_change_status(customer_id=aoife.pk, status="closed", actor=actor, reason="left")
        response = integrator_client.post("/api/v1/contacts/", {
            "customer": aoife.pk, "family_name": "Other", "media": [{"kind": "email", "value": "o@kelly.ie"}]},
            format="json")
        assert response.status_code == 422
        assert aoife.contacts.count() == 1

    def test_tmf_postal_address_country_and_postcode(self, integrator_client):
        def post(country, postcode):
            return integrator_client.post("/tmf-api/customerManagement/v4/customer", {
                "name": "Ada", "engagedParty": {"id": "ext-1", "@referredType": "Individual"}, "contactMedium": [
                    {"mediumType": "email", "characteristic": {"emailAddress": "ada@example.com"}},
                    {"mediumType": "postalAddress", "characteristic": {
                        "street1": "1 Main St", "city": "Cork", "postCode": postcode, "country": country}}]},
                format="json")

        assert "ZZ is not a country" in post("ZZ", "T12").content.decode()
        assert "is not an Eircode" in post("IE", "12345").content.decode()
        created = post("ie", "t12x8y2")
        assert created.status_code == 201
        postal = next(m for m in created.json()["contactMedium"] if m["mediumType"] == "postalAddress")
        assert (postal["characteristic"]["country"], postal["characteristic"]["postCode"]) == ("IE", "T12 X8Y2")
