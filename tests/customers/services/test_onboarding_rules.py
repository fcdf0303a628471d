"""Issue 7, onboarding data quality in the services (every door gets it): ISO countries and the data
migration, postcodes per country, the preferred channel's medium, an individual's contact named
after the party, the duplicate reason in history, one currency per account hierarchy, and nothing
new for a closed customer."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from bss.audit.models import HistoryEntry
from bss.errors import BusinessRuleViolation, DomainValidationError
from customers import services
from customers.models import Address, BillingAccount, Contact, Customer, CustomerNote
from tests.factories import BillCycleFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

ADDRESS = {"street1": "7 Bridge Street", "city": "Limerick", "postcode": "V94 X1Y2", "country": "IE"}


@pytest.fixture
def customer(actor):
    return services.customer_create(actor=actor, name="Mary Murphy")


def errors_of(call) -> dict:
    with pytest.raises(DomainValidationError) as exc:
        call()
    return exc.value.field_errors


class TestCountry:
    def test_stored_as_the_upper_case_code(self, actor, customer):
        address = services.address_create(customer=customer, actor=actor, **{**ADDRESS, "country": "gb",
                                                                               "postcode": "sw1a1aa"})
        address.refresh_from_db()
        assert (address.country, address.country.name, address.postcode) == ("GB", "United Kingdom", "SW1A 1AA")

    def test_unknown_code_refused(self, actor, customer):
        fields = errors_of(lambda: services.address_create(customer=customer, actor=actor,
                                                           **{**ADDRESS, "country": "ZZ"}))
        assert fields == {"country": ["Use the two-letter ISO 3166 country code: ZZ is not a country."]}
        assert not Address.objects.exists()

    def test_a_name_is_refused_naming_the_code(self, actor, customer):
        fields = errors_of(lambda: services.address_create(customer=customer, actor=actor,
                                                           **{**ADDRESS, "country": "Ireland"}))
        assert fields == {"country": ["Use the two-letter ISO 3166 country code (for Ireland: IE)."]}

    def test_history_records_the_code(self, actor, customer):
        address = services.address_create(customer=customer, actor=actor, **ADDRESS)
        services.address_update(address=address, actor=actor, country="gb", postcode="BT1 5GS")
        entry = HistoryEntry.objects.for_object(address).get(action="customers.address.updated")
        assert entry.changes["country"] == ["IE", "GB"]


class TestCountryMigration:
    migration = importlib.import_module("customers.migrations.0006_address_country_codes")

    def test_codes_upper_cased_unknown_left_and_listed(self, customer, capsys):
        rows = {}
        for value in ("uk", "ie", "Gb", "ZZ"):  # the old column held two characters (PostgreSQL enforced it)
            rows[value] = Address.objects.create(customer=customer, street1="1", city="c", postcode=" t12  x8y2",
                                                 country=value).pk
        self.migration.forwards(apps, None)
        after = {value: Address.objects.get(pk=pk) for value, pk in rows.items()}
        assert {v: a.country for v, a in after.items()} == {"uk": "GB", "ie": "IE", "Gb": "GB", "ZZ": "ZZ"}
        assert all(a.postcode == "T12 X8Y2" for a in after.values())
        assert f"1 address(es) with an unknown country, left as they were: address {rows['ZZ']}: 'ZZ'" in (
            capsys.readouterr().out)

    def test_full_names_mapped(self):
        # SQLite never enforced max_length=2: a written-out country may be stored there
        assert [self.migration.iso_code(v) for v in ("Ireland", "United Kingdom", "republic of ireland", "Narnia",
                                                     " ie ")] == ["IE", "GB", "IE", None, "IE"]


class TestPostcode:
    def test_eircode_normalised(self, actor, customer):
        address = services.address_create(customer=customer, actor=actor, **{**ADDRESS, "postcode": "v94x1y2"})
        assert address.postcode == "V94 X1Y2"

    def test_bad_eircode_refused(self, actor, customer):
        fields = errors_of(lambda: services.address_create(customer=customer, actor=actor,
                                                           **{**ADDRESS, "postcode": "12345"}))
        assert fields == {"postcode": ["'12345' is not an Eircode (for example T12 X8Y2 or T12)."]}

    def test_new_country_rechecks_the_stored_postcode(self, actor, customer):
        address = services.address_create(customer=customer, actor=actor, **ADDRESS)
        fields = errors_of(lambda: services.address_update(address=address, actor=actor, country="GB"))
        assert set(fields) == {"postcode"}

    def test_an_old_postcode_does_not_block_another_change(self, actor, customer):
        address = services.address_create(customer=customer, actor=actor, **ADDRESS)
        Address.objects.filter(pk=address.pk).update(postcode="X1")  # stored before the checks existed
        services.address_update(address=address, actor=actor, city="Ennis")
        assert Address.objects.get(pk=address.pk).city == "Ennis"


class TestPreferredChannel:
    def test_email_without_an_email_address_refused(self, actor, customer):
        fields = errors_of(lambda: services.contact_create(
            customer=customer, actor=actor, family_name="Murphy", preferred_channel="email",
            media=[{"kind": "mobile", "value": "087 123 4567"}]))
        assert fields == {"preferred_channel": [
            "E-mail needs an e-mail address: give one or choose another preferred channel."]}
        assert not Contact.objects.exists()

    def test_sms_needs_a_mobile(self, actor, customer):
        fields = errors_of(lambda: services.contact_create(
            customer=customer, actor=actor, family_name="Murphy", preferred_channel="sms",
            media=[{"kind": "phone", "value": "01 234 5678"}]))
        assert "preferred_channel" in fields
        contact = services.contact_create(customer=customer, actor=actor, family_name="Murphy",
                                          preferred_channel="phone", media=[{"kind": "mobile", "value": "0871234567"}])
        assert contact.preferred_channel == "phone"

    def test_not_given_it_follows_the_media(self, actor, customer):
        contact = services.contact_create(customer=customer, actor=actor, family_name="Murphy",
                                          media=[{"kind": "mobile", "value": "087 123 4567"}])
        assert contact.preferred_channel == "sms"

    def test_update_refuses_a_channel_the_media_cannot_carry(self, actor, customer):
        contact = services.contact_create(customer=customer, actor=actor, family_name="Murphy",
                                          media=[{"kind": "mobile", "value": "087 123 4567"}])
        fields = errors_of(lambda: services.contact_update(contact=contact, actor=actor, preferred_channel="email"))
        assert set(fields) == {"preferred_channel"}

    def test_media_replaced_without_a_channel_moves_it(self, actor, customer):
        contact = services.contact_create(customer=customer, actor=actor, family_name="Murphy",
                                          media=[{"kind": "email", "value": "m@murphy.ie"}])
        services.contact_update(contact=contact, actor=actor, media=[{"kind": "mobile", "value": "087 123 4567"}])
        assert Contact.objects.get(pk=contact.pk).preferred_channel == "sms"


class TestOnboard:
    def onboard(self, actor, **kw):
        args = dict(party={"kind": "individual", "given_name": "Aoife", "family_name": "Kelly"},
                    customer={"segment": "residential"}, contact={},
                    media=[{"kind": "email", "value": "aoife@kelly.ie"}], address=ADDRESS)
        args.update(kw)
        return services.customer_onboard(actor=actor, **args)

    def test_an_individuals_contact_is_named_after_the_party(self, actor):
        contact = self.onboard(actor).contacts.get()
        assert (contact.given_name, contact.family_name) == ("Aoife", "Kelly")

    def test_an_organizations_contact_needs_a_name(self, actor):
        fields = errors_of(lambda: self.onboard(actor, party={"kind": "organization", "trading_name": "Kelly Foods"}))
        assert set(fields) == {"contact.family_name"}

    def test_all_errors_of_every_part_at_once(self, actor):
        fields = errors_of(lambda: self.onboard(
            actor, contact={"preferred_channel": "sms"}, media=[{"kind": "email", "value": "aoife@kelly.ie"}],
            address={**ADDRESS, "postcode": "nope", "country": "ie"}))
        assert set(fields) == {"contact.preferred_channel", "address.postcode"}
        assert not Customer.objects.exists()

    def test_duplicate_needs_a_reason_and_records_it(self, actor):
        first = self.onboard(actor)
        fields = errors_of(lambda: self.onboard(actor, duplicates=[first]))
        assert set(fields) == {"duplicate_reason"}
        second = self.onboard(actor, duplicates=[first], duplicate_reason="Namesake, mother of the first")
        note = CustomerNote.objects.get(customer=second)
        assert note.text == (f"Created although it looks like {first.customer_number} Aoife Kelly: "
                             "Namesake, mother of the first")
        assert HistoryEntry.objects.filter(root_object_id=str(second.pk), action="customers.note.added").exists()


class TestAccountCurrency:
    @pytest.fixture
    def org(self, actor):
        org = services.customer_create(actor=actor, name="Acme", party=OrganizationFactory(), segment="sme")
        address = services.address_create(customer=org, actor=actor, **ADDRESS)
        parent = services.billing_account_create(customer=org, actor=actor, billing_address=address,
                                                 bill_cycle=BillCycleFactory(), currency="EUR")
        return org, address, parent

    def test_child_in_another_currency_refused(self, actor, org):
        org, address, parent = org
        fields = errors_of(lambda: services.billing_account_create(
            customer=org, actor=actor, billing_address=address, bill_cycle=parent.bill_cycle, parent=parent,
            currency="USD"))
        assert fields == {"currency": [
            "The parent account bills in EUR; a child account must bill in EUR too."]}
        assert BillingAccount.objects.count() == 1

    def test_child_in_the_same_currency(self, actor, org):
        org, address, parent = org
        child = services.billing_account_create(customer=org, actor=actor, billing_address=address,
                                                bill_cycle=parent.bill_cycle, parent=parent, currency="EUR")
        assert child.parent == parent

    def test_update_keeps_the_hierarchy_in_one_currency(self, actor, org):
        org, address, parent = org
        child = services.billing_account_create(customer=org, actor=actor, billing_address=address,
                                                bill_cycle=parent.bill_cycle, parent=parent, currency="EUR")
        assert set(errors_of(lambda: services.billing_account_update(account=child, actor=actor,
                                                                     currency="USD"))) == {"currency"}
        assert set(errors_of(lambda: services.billing_account_update(account=parent, actor=actor,
                                                                     currency="USD"))) == {"currency"}
        assert BillingAccount.objects.get(pk=parent.pk).currency == "EUR"


class TestClosedCustomer:
    @pytest.fixture
    def closed(self, actor, customer):
        address = services.address_create(customer=customer, actor=actor, **ADDRESS)
        services.contact_create(customer=customer, actor=actor, family_name="Murphy",
                                media=[{"kind": "email", "value": "m@murphy.ie"}])
        services.customer_change_status(customer_id=customer.pk, status="closed", actor=actor, reason="left")
        return customer, address  # the instance still says "prospect": the services read the row

    def test_no_new_contact(self, actor, closed):
        customer, _ = closed
        with pytest.raises(BusinessRuleViolation, match="a closed customer cannot get a new contact"):
            services.contact_create(customer=customer, actor=actor, family_name="Other",
                                    media=[{"kind": "email", "value": "o@murphy.ie"}])
        assert customer.contacts.count() == 1

    def test_no_new_address(self, actor, closed):
        customer, _ = closed
        with pytest.raises(BusinessRuleViolation, match="a closed customer cannot get a new address"):
            services.address_create(customer=customer, actor=actor, **ADDRESS)
        assert customer.addresses.count() == 1

    def test_no_new_billing_account(self, actor, closed):
        customer, address = closed
        customer.refresh_from_db()
        with pytest.raises(BusinessRuleViolation, match="A closed customer cannot get a new billing account"):
            services.billing_account_create(customer=customer, actor=actor, billing_address=address,
                                            bill_cycle=BillCycleFactory(), credit_limit=Decimal("0"))

    def test_a_site_address_needs_no_customer(self, actor):
        assert services.address_create(customer=None, actor=actor, **ADDRESS).customer is None
