"""Admin adds and changes of the customer inventory go through customers.services: the same
rules (shown as form errors, never a server error), history with channel 'admin', and events."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from bss.audit.models import HistoryEntry
from bss.errors import DomainValidationError
from bss.events.models import Event
from customers import services
from customers.models import Address, Contact, ContactMedium, Customer, Party, SelfServiceAccess
from tests.admin_forms import form_errors as errors
from tests.admin_forms import post_data
from tests.factories import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def edit(client, obj, **overrides):
    page = client.get(url(type(obj), "change", obj.pk))
    assert page.status_code == 200
    return client.post(url(type(obj), "change", obj.pk), post_data(page, **overrides))


@pytest.fixture
def customer(actor):
    return services.customer_onboard(
        actor=actor, party={"kind": "individual", "given_name": "Mary", "family_name": "Murphy"},
        customer={"segment": "residential"}, contact={"given_name": "Mary", "family_name": "Murphy"},
        media=[{"kind": "email", "value": "mary@murphy.ie"}],
        address={"street1": "12 Main Street", "city": "Dublin", "postcode": "D02 X285", "country": "IE"})


@pytest.fixture
def contact(customer):
    return customer.contacts.get()


def media(contact) -> list[tuple[str, str]]:
    return list(ContactMedium.objects.filter(contact=contact).order_by("kind", "value").values_list("kind", "value"))


def admin_entries(obj, action):
    return list(HistoryEntry.objects.for_object(obj).filter(action=action, channel="admin"))


# --- customer and party --------------------------------------------------------------------

def test_renaming_a_customer_publishes_the_event(admin_client, customer):
    events = Event.objects.filter(event_type="CustomerAttributeValueChangeEvent", resource_id=str(customer.pk))
    before = events.count()
    response = edit(admin_client, customer, name="Mary Murphy-Byrne")
    assert response.status_code == 302
    assert Customer.objects.get(pk=customer.pk).name == "Mary Murphy-Byrne"
    assert events.count() == before + 1
    [entry] = admin_entries(customer, "customers.customer.updated")
    assert entry.changes == {"name": ["Mary Murphy", "Mary Murphy-Byrne"]}


def test_party_change_goes_through_service(admin_client, customer):
    party = customer.party
    response = edit(admin_client, party, given_name="Maire")
    assert response.status_code == 302
    assert Party.objects.get(pk=party.pk).given_name == "Maire"
    [entry] = admin_entries(party, "customers.party.updated")
    assert entry.changes == {"given_name": ["Mary", "Maire"]}
    assert Event.objects.filter(event_type="IndividualAttributeValueChangeEvent", resource_id=str(party.pk)).exists()


def test_party_rules_show_as_form_errors(admin_client, customer):
    party = customer.party
    response = edit(admin_client, party, family_name="")  # an individual needs a family name
    assert "This field is required." in str(response.context["adminform"].form.errors.get("family_name"))
    assert Party.objects.get(pk=party.pk).family_name == "Murphy"
    assert not HistoryEntry.objects.filter(action="customers.party.updated").exists()


def test_party_kind_is_read_only_on_change(admin_client, customer):
    party = customer.party
    response = edit(admin_client, party, kind="organization", given_name="Maire")
    assert response.status_code == 302
    stored = Party.objects.get(pk=party.pk)
    assert (stored.kind, stored.given_name) == ("individual", "Maire")


def test_party_add_goes_through_service(admin_client, admin_user, db):
    page = admin_client.get(url(Party, "add"))
    response = admin_client.post(url(Party, "add"), post_data(
        page, kind="organization", trading_name="Acme Ltd", status="initialized"))
    assert response.status_code == 302, errors(response)
    party = Party.objects.get(trading_name="Acme Ltd")
    [entry] = admin_entries(party, "customers.party.created")
    assert entry.actor == admin_user
    assert Event.objects.filter(event_type="OrganizationCreateEvent", resource_id=str(party.pk)).exists()


# --- contacts and their media --------------------------------------------------------------

def test_invalid_email_in_inline_is_a_form_error(admin_client, contact):
    response = edit(admin_client, contact, **{"media-0-value": "not-an-address"})
    assert "not a valid e-mail address" in errors(response)
    assert media(contact) == [("email", "mary@murphy.ie")]


def test_cannot_delete_the_only_reachable_channel(admin_client, actor, customer):
    contact = services.contact_create(customer=customer, actor=actor, family_name="Byrne",  # no postal address
                                      media=[{"kind": "mobile", "value": "087 765 4321"}])
    response = edit(admin_client, contact, **{"media-0-DELETE": "on"})
    assert "Give at least one way to reach the contact" in errors(response)
    assert media(contact) == [("mobile", "087 765 4321")]


def test_deleting_a_medium_is_recorded(admin_client, contact):
    # The contact has a postal address, so it stays reachable without its e-mail.
    response = edit(admin_client, contact, **{"media-0-DELETE": "on"})
    assert response.status_code == 302, errors(response)
    assert media(contact) == []
    [entry] = admin_entries(contact, "customers.contact.media_changed")
    assert entry.changes == {"media": ["email:mary@murphy.ie", ""]}


def test_media_changes_are_recorded(admin_client, admin_user, contact):
    response = edit(admin_client, contact, **{"media-1-kind": "mobile", "media-1-value": "087 123 4567"})
    assert response.status_code == 302, errors(response)
    assert media(contact) == [("email", "mary@murphy.ie"), ("mobile", "087 123 4567")]
    [entry] = admin_entries(contact, "customers.contact.media_changed")
    assert entry.changes == {"media": ["email:mary@murphy.ie", "email:mary@murphy.ie, mobile:087 123 4567"]}
    assert entry.actor == admin_user and entry.root_object_id == str(contact.customer_id)
    # the match key is set (bulk saves would skip ContactMedium.save())
    assert ContactMedium.objects.get(contact=contact, kind="mobile").match_key == "871234567"


def test_contact_fields_change_through_service(admin_client, contact):
    response = edit(admin_client, contact, job_title="Owner")
    assert response.status_code == 302, errors(response)
    [entry] = admin_entries(contact, "customers.contact.updated")
    assert entry.changes == {"job_title": ["", "Owner"]}
    assert not HistoryEntry.objects.filter(action="customers.contact.media_changed").exists()


def test_contact_cannot_get_another_customers_address(admin_client, contact):
    foreign = AddressFactory()  # with its own customer
    assert foreign.customer_id != contact.customer_id
    response = edit(admin_client, contact, postal_address=foreign.pk)
    assert "The address belongs to another customer." in errors(response)
    assert Contact.objects.get(pk=contact.pk).postal_address_id != foreign.pk


def test_contact_add_goes_through_service(admin_client, admin_user, customer):
    page = admin_client.get(url(Contact, "add"))
    response = admin_client.post(url(Contact, "add"), post_data(
        page, customer=customer.pk, given_name="Sean", family_name="Murphy", role="billing",
        **{"media-0-kind": "email", "media-0-value": "Sean@Murphy.ie"}))
    assert response.status_code == 302, errors(response)
    contact = Contact.objects.get(given_name="Sean")
    assert not contact.is_primary  # the customer already has one
    assert media(contact) == [("email", "Sean@Murphy.ie")]
    [entry] = admin_entries(contact, "customers.contact.created")
    assert entry.changes["media"] == [None, "email:Sean@Murphy.ie"] and entry.actor == admin_user


def test_contact_add_without_reachable_channel_is_a_form_error(admin_client, customer):
    page = admin_client.get(url(Contact, "add"))
    response = admin_client.post(url(Contact, "add"), post_data(page, customer=customer.pk, family_name="Nobody"))
    assert "Give at least one way to reach the contact" in errors(response)
    assert not Contact.objects.filter(family_name="Nobody").exists()


# --- addresses, billing accounts, self-service -----------------------------------------------

def test_address_change_goes_through_service(admin_client, admin_user, customer):
    address = customer.addresses.get()
    response = edit(admin_client, address, city="Cork", country="ie")
    assert response.status_code == 302, errors(response)
    assert (Address.objects.get(pk=address.pk).city, Address.objects.get(pk=address.pk).country) == ("Cork", "IE")
    [entry] = admin_entries(address, "customers.address.updated")
    assert entry.changes == {"city": ["Dublin", "Cork"]} and entry.root_object_id == str(customer.pk)


def test_address_add_goes_through_service(admin_client, customer):
    page = admin_client.get(url(Address, "add"))
    response = admin_client.post(url(Address, "add"), post_data(
        page, customer=customer.pk, street1="1 Quay", city="Galway", postcode="H91", country="ie"))
    assert response.status_code == 302, errors(response)
    address = Address.objects.get(street1="1 Quay")
    assert address.country == "IE"
    assert admin_entries(address, "customers.address.created")


def test_billing_account_change_goes_through_service(admin_client, actor, customer):
    from tests.factories import BillCycleFactory

    account = services.billing_account_create(customer=customer, actor=actor, billing_address=customer.addresses.get(),
                                              bill_cycle=BillCycleFactory())
    response = edit(admin_client, account, credit_limit="-5")
    assert "The credit limit is a non-negative amount." in errors(response)
    response = edit(admin_client, account, credit_limit="150.00")
    assert response.status_code == 302, errors(response)
    [entry] = admin_entries(account, "customers.billing_account.updated")
    assert entry.changes == {"credit_limit": ["0.00", "150.00"]}


def test_self_service_add_grants_through_service(admin_client, admin_user, customer):
    user = UserFactory()
    response = admin_client.post(url(SelfServiceAccess, "add"),
                                 {"user": user.pk, "customer": customer.pk, "_save": "Save"})
    assert response.status_code == 302, errors(response)
    access = SelfServiceAccess.objects.get(user=user)
    assert Group.objects.filter(name="Customer", user=user).exists()
    [entry] = admin_entries(access, "customers.self_service.granted")
    assert entry.actor == admin_user and entry.root_object_id == str(customer.pk)


def test_self_service_add_refuses_staff_login(admin_client, csr, customer):
    response = admin_client.post(url(SelfServiceAccess, "add"),
                                 {"user": csr.pk, "customer": customer.pk, "_save": "Save"})
    assert "A staff login cannot also be a self-service login." in errors(response)
    assert not SelfServiceAccess.objects.filter(user=csr).exists()
    assert not csr.groups.filter(name="Customer").exists()


# --- e-mail length (varchar(254)) ------------------------------------------------------------

LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".ie"  # 259 characters, valid for Django


def test_email_longer_than_the_column_is_refused(actor, customer, contact):
    assert len(LONG_EMAIL) > 254
    with pytest.raises(DomainValidationError) as e:
        services.contact_create(customer=customer, actor=actor, family_name="Long",
                                media=[{"kind": "email", "value": LONG_EMAIL}])
    assert "at most 254 characters" in e.value.field_errors["media[0].value"][0]
    with pytest.raises(DomainValidationError) as e:
        services.contact_update(contact=contact, actor=actor,
                                media=[{"kind": "mobile", "value": "0871234567"}, {"kind": "email", "value": LONG_EMAIL}])
    assert "at most 254 characters" in e.value.field_errors["media[1].value"][0]
    assert media(contact) == [("email", "mary@murphy.ie")]


def test_email_of_254_characters_is_accepted(actor, customer):
    email = "a" * 64 + "@" + ".".join(["b" * 63] * 2) + "." + "c" * 58 + ".ie"
    assert len(email) == 254
    contact = services.contact_create(customer=customer, actor=actor, family_name="Long",
                                      media=[{"kind": "email", "value": email}])
    assert media(contact) == [("email", email)]
