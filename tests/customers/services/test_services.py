"""customers.services: onboarding, develop contact, billing accounts, numbering, lifecycle and the
append-only history every write leaves behind."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError, BusinessRuleViolation, DomainValidationError
from bss.events.models import Event
from bss.models import NumberSequence
from customers import services
from customers.models import (
    Address,
    BillingAccount,
    Contact,
    ContactMedium,
    Customer,
    CustomerNote,
    Party,
    Product,
    SelfServiceAccess,
)
from tests.factories import (
    AddressFactory,
    BillCycleFactory,
    BillingAccountFactory,
    OrganizationFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

STORED = (Party, Customer, Address, Contact, ContactMedium, BillingAccount, HistoryEntry, Event, NumberSequence)


def counts():
    return {m.__name__: m.objects.count() for m in STORED}


def address_data(**kw):
    return {"street1": "12 Main Street", "city": "Dublin", "postcode": "D02 X285", "country": "ie", **kw}


def onboard(actor, *, party=None, customer=None, contact=None, media=None, address=None, account=None):
    return services.customer_onboard(
        actor=actor,
        party=party if party is not None else {"kind": "individual", "given_name": "Mary", "family_name": "Murphy"},
        customer=customer if customer is not None else {"segment": "residential"},
        contact=contact if contact is not None else {"given_name": "Mary", "family_name": "Murphy"},
        media=media if media is not None else [{"kind": "mobile", "value": "+353 87 123 4567", "preferred": True},
                                               {"kind": "email", "value": "Mary.Murphy@Example.ie"}],
        address=address if address is not None else address_data(),
        account=account,
    )


def new_customer(actor, name="Mary Murphy", **kw):
    return services.customer_create(actor=actor, name=name, **kw)


def new_contact(actor, customer, family_name="Murphy", media=None, **kw):
    media = media if media is not None else [{"kind": "email", "value": f"{family_name.lower()}@example.ie"}]
    return services.contact_create(customer=customer, actor=actor, media=media, family_name=family_name, **kw)


def fresh(obj):
    """Re-read a row (refresh_from_db() cannot reset a protected FSM field)."""
    return type(obj).objects.get(pk=obj.pk)


def number_value(number: str, prefix: str) -> int:
    assert number.startswith(prefix), number
    digits = number[len(prefix):]
    assert len(digits) == 8 and digits.isdigit(), number
    return int(digits)


# --- Onboarding ---------------------------------------------------------------------------------

class TestOnboard:
    def test_creates_party_customer_contact_address_and_account(self, actor):
        cycle = BillCycleFactory()
        customer = onboard(actor, account={"bill_cycle": cycle, "currency": "EUR"})

        customer = fresh(customer)
        assert customer.customer_number.startswith("CU")
        assert customer.name == "Mary Murphy"
        assert customer.party.kind == Party.Kind.INDIVIDUAL
        assert (customer.party.given_name, customer.party.family_name) == ("Mary", "Murphy")
        assert customer.status == Customer.Status.PROSPECT

        address = customer.addresses.get()
        assert address.country == "IE"  # normalised
        contact = customer.contacts.get()
        assert contact.is_primary
        assert contact.postal_address == address
        assert sorted((m.kind, m.match_key) for m in contact.media.all()) == [
            ("email", "mary.murphy@example.ie"), ("mobile", "871234567")]

        account = customer.billing_accounts.get()
        assert account.account_number.startswith("BA")
        assert account.billing_address == address
        assert account.bill_cycle == cycle

        actions = set(HistoryEntry.objects.for_root(customer).values_list("action", flat=True))
        assert {"customers.customer.created", "customers.address.created", "customers.contact.created",
                "customers.billing_account.created"} <= actions

    def test_organization_customer_named_after_trading_name(self, actor):
        customer = onboard(actor, party={"kind": "organization", "trading_name": "Acme Widgets"},
                           customer={"segment": "sme"})
        assert customer.name == "Acme Widgets"
        assert customer.customer_type == "organization"

    def test_all_parts_invalid_collects_prefixed_errors_and_stores_nothing(self, actor):
        before = counts()
        with pytest.raises(DomainValidationError) as exc:
            onboard(actor, party={"kind": "individual", "given_name": "Mary"},
                    contact={"family_name": ""}, media=[],
                    address=address_data(postcode="", country="IRL"))
        fields = exc.value.field_errors
        assert "party.family_name" in fields
        assert "address.postcode" in fields
        assert "address.country" in fields
        assert "contact.media" in fields
        # issue 7: an individual's contact takes the party's name; the party has no family name to give
        assert "contact.given_name" not in fields and "contact.family_name" in fields
        # nothing outside the prefixes: every part is named
        assert all(k.split(".")[0] in {"party", "contact", "address", "account"} for k in fields)
        assert counts() == before

    def test_invalid_email_reported_under_contact(self, actor):
        with pytest.raises(DomainValidationError) as exc:
            onboard(actor, media=[{"kind": "email", "value": "not-an-address"}])
        assert list(exc.value.field_errors) == ["contact.media[0].value"]
        assert Customer.objects.count() == 0

    def test_failure_in_last_part_rolls_back_everything(self, actor):
        """The account is the last thing created; when it fails the party, customer, address,
        contact, their history, events and consumed numbers are all gone too."""
        before = counts()
        with pytest.raises(DomainValidationError) as exc:
            onboard(actor, account={"bill_cycle": None})
        assert "account.bill_cycle" in exc.value.field_errors
        assert counts() == before

    def test_account_errors_are_collected_with_the_others(self, actor):
        with pytest.raises(DomainValidationError) as exc:
            onboard(actor, media=[], account={"bill_cycle": None})
        assert {"contact.media", "account.bill_cycle"} <= set(exc.value.field_errors)
        assert Customer.objects.count() == 0

    def test_numbers_not_consumed_by_failed_onboarding(self, actor):
        first = onboard(actor)
        with pytest.raises(DomainValidationError):
            onboard(actor, account={"bill_cycle": None})
        second = onboard(actor)
        assert number_value(second.customer_number, "CU") == number_value(first.customer_number, "CU") + 1


# --- Develop contact ------------------------------------------------------------------------------

class TestContactCreate:
    @pytest.fixture
    def customer(self, actor):
        return new_customer(actor)

    @pytest.mark.parametrize("media", [
        [],
        [{"kind": "email", "value": "   "}],
        [{"kind": "fax", "value": "+353 1 234 5678"}],
    ], ids=["none", "blank", "fax-only"])
    def test_needs_a_reachable_channel(self, actor, customer, media):
        with pytest.raises(DomainValidationError) as exc:
            new_contact(actor, customer, media=media)
        assert "media" in exc.value.field_errors
        assert not Contact.objects.exists()
        assert not ContactMedium.objects.exists()

    def test_postal_address_counts_as_a_channel(self, actor, customer):
        address = services.address_create(customer=customer, actor=actor, **address_data())
        contact = new_contact(actor, customer, media=[], postal_address=address, preferred_channel="post")
        assert contact.postal_address == address
        assert contact.media.count() == 0

    @pytest.mark.parametrize("value", ["not-an-email", "a@b", "mary@@example.ie", "mary example.ie"])
    def test_invalid_email(self, actor, customer, value):
        with pytest.raises(DomainValidationError) as exc:
            new_contact(actor, customer, media=[{"kind": "email", "value": value}])
        assert exc.value.field_errors == {"media[0].value": [f"'{value}' is not a valid e-mail address."]}
        assert not Contact.objects.exists()

    @pytest.mark.parametrize("value", ["12345", "call me", "087 CALL NOW", "+353 87 12a 4567"])
    def test_invalid_phone(self, actor, customer, value):
        with pytest.raises(DomainValidationError) as exc:
            new_contact(actor, customer, media=[{"kind": "email", "value": "ok@example.ie"},
                                                {"kind": "mobile", "value": value}])
        assert set(exc.value.field_errors) == {"media[1].value"}
        assert not Contact.objects.exists()

    def test_unknown_medium_kind(self, actor, customer):
        with pytest.raises(DomainValidationError) as exc:
            new_contact(actor, customer, media=[{"kind": "pigeon", "value": "loft 3"}])
        assert set(exc.value.field_errors) == {"media[0].kind"}

    def test_family_name_required(self, actor, customer):
        with pytest.raises(DomainValidationError) as exc:
            services.contact_create(customer=customer, actor=actor, media=[{"kind": "email", "value": "a@b.ie"}],
                                    given_name="Mary", family_name="")
        assert set(exc.value.field_errors) == {"family_name"}

    @pytest.mark.parametrize("kind,value,key", [
        ("mobile", "+353 87 123 4567", "871234567"),
        ("mobile", "087 123 4567", "871234567"),
        ("phone", "(01) 234-5678", "012345678"),
        ("email", "  Mary.Murphy@Example.IE ", "mary.murphy@example.ie"),
    ])
    def test_valid_media_stored_trimmed_with_match_key(self, actor, customer, kind, value, key):
        contact = new_contact(actor, customer, media=[{"kind": kind, "value": value}])
        medium = contact.media.get()
        assert medium.value == value.strip()
        assert medium.match_key == key

    def test_history_records_media(self, actor, customer):
        contact = new_contact(actor, customer, media=[{"kind": "mobile", "value": "0871234567"}])
        entry = HistoryEntry.objects.for_object(contact).get()
        assert entry.action == "customers.contact.created"
        assert entry.changes["family_name"] == [None, "Murphy"]
        assert entry.changes["media"] == [None, "mobile:0871234567"]
        assert entry.root_object_id == str(customer.pk)
        assert (entry.actor, entry.channel) == (actor.user, Channel.PORTAL)

    def test_contact_update_media_change_recorded(self, actor, customer):
        contact = new_contact(actor, customer, media=[{"kind": "email", "value": "old@example.ie"}])
        services.contact_update(contact=contact, actor=actor, media=[{"kind": "email", "value": "new@example.ie"}],
                                job_title="Owner")
        entries = {e.action: e for e in HistoryEntry.objects.for_object(contact)}
        assert entries["customers.contact.updated"].changes == {"job_title": ["", "Owner"]}
        assert entries["customers.contact.media_changed"].changes == {
            "media": ["email:old@example.ie", "email:new@example.ie"]}
        assert list(contact.media.values_list("match_key", flat=True)) == ["new@example.ie"]

    def test_postal_address_of_another_customer_refused(self, actor, customer):
        foreign = AddressFactory()
        with pytest.raises(DomainValidationError) as exc:
            new_contact(actor, customer, postal_address=foreign)
        assert set(exc.value.field_errors) == {"postal_address"}
        assert not Contact.objects.exists()
        contact = new_contact(actor, customer)
        with pytest.raises(DomainValidationError):
            services.contact_update(contact=contact, actor=actor, postal_address=foreign)
        assert fresh(contact).postal_address is None

    def test_dropping_postal_address_cannot_leave_contact_unreachable(self, actor, customer):
        address = services.address_create(customer=customer, actor=actor, **address_data())
        contact = new_contact(actor, customer, media=[], postal_address=address)
        with pytest.raises(DomainValidationError) as exc:
            services.contact_update(contact=contact, actor=actor, postal_address=None)
        assert "media" in exc.value.field_errors
        assert fresh(contact).postal_address == address

    def test_contact_update_cannot_remove_last_channel(self, actor, customer):
        contact = new_contact(actor, customer, media=[{"kind": "email", "value": "keep@example.ie"}])
        with pytest.raises(DomainValidationError):
            services.contact_update(contact=contact, actor=actor, media=[], family_name="Changed")
        contact = fresh(contact)
        assert contact.family_name == "Murphy"
        assert list(contact.media.values_list("value", flat=True)) == ["keep@example.ie"]


class TestPrimaryContact:
    @pytest.fixture
    def customer(self, actor):
        return new_customer(actor)

    def primaries(self, customer):
        return list(Contact.objects.filter(customer=customer, is_primary=True))

    def test_first_contact_becomes_primary(self, actor, customer):
        first = new_contact(actor, customer, "First", is_primary=False)
        assert first.is_primary
        assert self.primaries(customer) == [first]

    def test_second_contact_not_primary_unless_asked(self, actor, customer):
        first = new_contact(actor, customer, "First")
        second = new_contact(actor, customer, "Second")
        assert not second.is_primary
        assert self.primaries(customer) == [first]

    def test_new_primary_demotes_old_one_with_history(self, actor, customer):
        first = new_contact(actor, customer, "First")
        second = new_contact(actor, customer, "Second", is_primary=True)
        assert self.primaries(customer) == [second]
        first = fresh(first)
        assert not first.is_primary
        demoted = HistoryEntry.objects.for_object(first).filter(action="customers.contact.updated").get()
        assert demoted.changes == {"is_primary": [True, False]}

    def test_make_primary_switches_and_records_both(self, actor, customer):
        first = new_contact(actor, customer, "First")
        second = new_contact(actor, customer, "Second")
        services.contact_make_primary(contact=second, actor=actor)
        assert self.primaries(customer) == [second]
        assert HistoryEntry.objects.for_object(second).filter(action="customers.contact.made_primary").exists()
        assert HistoryEntry.objects.for_object(first).filter(action="customers.contact.updated").get().changes == {
            "is_primary": [True, False]}

    def test_primaries_are_per_customer(self, actor, customer):
        other = new_customer(actor, "Other")
        mine = new_contact(actor, customer, "Mine")
        theirs = new_contact(actor, other, "Theirs", is_primary=True)
        assert self.primaries(customer) == [mine]
        assert self.primaries(other) == [theirs]

    def test_database_refuses_two_primaries(self, actor, customer):
        new_contact(actor, customer, "First")
        with pytest.raises(IntegrityError), transaction.atomic():
            Contact.objects.create(customer=customer, family_name="Sneaky", is_primary=True)


# --- Billing accounts -----------------------------------------------------------------------------

class TestBillingAccountCreate:
    @pytest.fixture
    def cycle(self):
        return BillCycleFactory()

    @pytest.fixture
    def customer(self, actor):
        return new_customer(actor)

    @pytest.fixture
    def address(self, actor, customer):
        return services.address_create(customer=customer, actor=actor, **address_data())

    @pytest.fixture
    def org(self, actor):
        return new_customer(actor, "Acme", party=OrganizationFactory(trading_name="Acme"), segment="sme")

    def create(self, actor, customer, address, cycle, **kw):
        return services.billing_account_create(customer=customer, actor=actor, billing_address=address,
                                               bill_cycle=cycle, **kw)

    def test_creates_account_with_history(self, actor, customer, address, cycle):
        account = self.create(actor, customer, address, cycle, credit_limit=Decimal("250.00"))
        assert account.name == customer.name
        assert account.status == BillingAccount.Status.ACTIVE
        assert account.credit_limit == Decimal("250.00")
        entry = HistoryEntry.objects.for_object(account).get()
        assert entry.action == "customers.billing_account.created"
        assert entry.changes["account_number"] == [None, account.account_number]
        assert entry.changes["credit_limit"] == [None, "250.00"]
        assert entry.root_object_id == str(customer.pk)
        assert entry.channel == Channel.PORTAL and entry.actor == actor.user

    def test_billing_address_required(self, actor, customer, cycle):
        with pytest.raises(DomainValidationError) as exc:
            self.create(actor, customer, None, cycle)
        assert set(exc.value.field_errors) == {"billing_address"}
        assert not BillingAccount.objects.exists()

    def test_address_of_another_customer_refused(self, actor, customer, cycle):
        foreign = AddressFactory()
        with pytest.raises(DomainValidationError) as exc:
            self.create(actor, customer, foreign, cycle)
        assert exc.value.field_errors == {"billing_address": ["The billing address belongs to another customer."]}
        assert not BillingAccount.objects.exists()

    def test_bill_cycle_and_credit_limit_checked(self, actor, customer, address):
        with pytest.raises(DomainValidationError) as exc:
            self.create(actor, customer, address, None, credit_limit=Decimal("-1"))
        assert set(exc.value.field_errors) == {"bill_cycle", "credit_limit"}

    def test_parent_only_for_organizations(self, actor, customer, address, cycle):
        parent = self.create(actor, customer, address, cycle)
        with pytest.raises(DomainValidationError) as exc:
            self.create(actor, customer, address, cycle, parent=parent)
        assert set(exc.value.field_errors) == {"parent"}
        assert BillingAccount.objects.count() == 1

    def test_parent_for_organization(self, actor, org, cycle):
        addr = services.address_create(customer=org, actor=actor, **address_data())
        parent = self.create(actor, org, addr, cycle, name="HQ")
        child = self.create(actor, org, addr, cycle, name="Branch", parent=parent)
        assert child.parent == parent
        assert list(parent.children.all()) == [child]

    def test_parent_of_another_customer_refused(self, actor, org, cycle):
        addr = services.address_create(customer=org, actor=actor, **address_data())
        other_org = new_customer(actor, "Other", party=OrganizationFactory(), segment="sme")
        foreign_parent = BillingAccountFactory(customer=other_org)
        with pytest.raises(DomainValidationError) as exc:
            self.create(actor, org, addr, cycle, parent=foreign_parent)
        assert exc.value.field_errors == {"parent": ["The parent account must belong to the same customer."]}

    def test_closed_parent_refused(self, actor, org, cycle):
        addr = services.address_create(customer=org, actor=actor, **address_data())
        parent = self.create(actor, org, addr, cycle)
        services.billing_account_transition(account_id=parent.pk, transition="close", actor=actor)
        parent = fresh(parent)
        with pytest.raises(DomainValidationError) as exc:
            self.create(actor, org, addr, cycle, parent=parent)
        assert set(exc.value.field_errors) == {"parent"}

    def test_closed_customer_refused(self, actor, customer, address, cycle):
        services.customer_change_status(customer_id=customer.pk, status="closed", actor=actor, reason="gone")
        customer = fresh(customer)
        with pytest.raises(BusinessRuleViolation):
            self.create(actor, customer, address, cycle)
        assert not BillingAccount.objects.exists()

    def test_bill_contact_of_another_customer_refused(self, actor, customer, address, cycle):
        stranger = new_contact(actor, new_customer(actor, "Other"), "Stranger")
        with pytest.raises(DomainValidationError) as exc:
            self.create(actor, customer, address, cycle, bill_contact=stranger)
        assert set(exc.value.field_errors) == {"bill_contact"}
        own = new_contact(actor, customer, "Own")
        assert self.create(actor, customer, address, cycle, bill_contact=own).bill_contact == own

    def test_update_checks_address_contact_and_parent(self, actor, org, cycle):
        addr = services.address_create(customer=org, actor=actor, **address_data())
        account = self.create(actor, org, addr, cycle)
        for change in ({"billing_address": AddressFactory()}, {"parent": account},
                       {"bill_contact": new_contact(actor, new_customer(actor, "Other"), "Stranger")}):
            with pytest.raises(DomainValidationError) as exc:
                services.billing_account_update(account=account, actor=actor, **change)
            assert set(exc.value.field_errors) == set(change)
        account = fresh(account)
        assert (account.billing_address, account.parent, account.bill_contact) == (addr, None, None)
        assert not HistoryEntry.objects.filter(action="customers.billing_account.updated").exists()

    def test_unowned_address_allowed(self, actor, customer, cycle):
        loose = services.address_create(customer=None, actor=actor, **address_data())
        assert self.create(actor, customer, loose, cycle).billing_address == loose

    def test_account_transitions_recorded(self, actor, customer, address, cycle):
        account = self.create(actor, customer, address, cycle)
        services.billing_account_transition(account_id=account.pk, transition="suspend", actor=actor,
                                            reason="fraud check")
        with pytest.raises(ApplicationError):
            services.billing_account_transition(account_id=account.pk, transition="suspend", actor=actor)
        entry = HistoryEntry.objects.for_object(account).get(action="customers.billing_account.suspend")
        assert (entry.from_state, entry.to_state, entry.reason) == ("active", "suspended", "fraud check")


# --- Numbers ------------------------------------------------------------------------------------

class TestNumbers:
    def test_customer_numbers_unique_and_sequential(self, actor):
        numbers = [new_customer(actor, f"C{i}").customer_number for i in range(5)]
        values = [number_value(n, "CU") for n in numbers]
        assert len(set(numbers)) == 5
        assert values == list(range(values[0], values[0] + 5))

    def test_account_numbers_unique_and_sequential_across_customers(self, actor):
        cycle = BillCycleFactory()
        numbers = []
        for i in range(4):
            customer = new_customer(actor, f"C{i}")
            addr = services.address_create(customer=customer, actor=actor, **address_data())
            numbers.append(services.billing_account_create(customer=customer, actor=actor, billing_address=addr,
                                                           bill_cycle=cycle).account_number)
        values = [number_value(n, "BA") for n in numbers]
        assert values == list(range(values[0], values[0] + 4))

    def test_failed_create_leaves_no_gap(self, actor):
        cycle = BillCycleFactory()
        customer = new_customer(actor)
        addr = services.address_create(customer=customer, actor=actor, **address_data())
        first = services.billing_account_create(customer=customer, actor=actor, billing_address=addr, bill_cycle=cycle)
        with pytest.raises(DomainValidationError):
            services.billing_account_create(customer=customer, actor=actor, billing_address=AddressFactory(),
                                            bill_cycle=cycle)
        second = services.billing_account_create(customer=customer, actor=actor, billing_address=addr,
                                                 bill_cycle=cycle)
        assert number_value(second.account_number, "BA") == number_value(first.account_number, "BA") + 1

    def test_blank_name_refused_without_consuming_a_number(self, actor):
        first = new_customer(actor, "A")
        with pytest.raises(DomainValidationError):
            new_customer(actor, "   ")
        assert number_value(new_customer(actor, "B").customer_number, "CU") == number_value(
            first.customer_number, "CU") + 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_get_distinct_numbers(csr):
    """Real concurrent transactions (PostgreSQL): the locked counter hands out each number once."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database for concurrent transactions")
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    actor = Actor(user=csr, channel=Channel.API)

    def create(i):
        try:
            return services.customer_create(actor=actor, name=f"Parallel {i}").customer_number
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        numbers = list(pool.map(create, range(8)))
    values = sorted(number_value(n, "CU") for n in numbers)
    assert values == list(range(values[0], values[0] + 8))
    assert Customer.objects.filter(customer_number__in=numbers).count() == 8


# --- Lifecycle ----------------------------------------------------------------------------------

def customer_in(actor, status):
    customer = new_customer(actor, status=Customer.Status.ACTIVE if status != "prospect" else "prospect")
    if status == "suspended":
        services.customer_change_status(customer_id=customer.pk, status="suspended", actor=actor)
    elif status == "closed":
        services.customer_change_status(customer_id=customer.pk, status="closed", actor=actor)
    customer = fresh(customer)
    assert customer.status == status
    return customer


class TestLifecycle:
    @pytest.mark.parametrize("start,target,transition", [
        ("prospect", "active", "activate"),
        ("active", "suspended", "suspend"),
        ("suspended", "active", "resume"),
        ("prospect", "closed", "close"),
        ("active", "closed", "close"),
        ("suspended", "closed", "close"),
        ("closed", "active", "reopen"),
    ])
    def test_allowed(self, actor, start, target, transition):
        customer = customer_in(actor, start)
        result = services.customer_change_status(customer_id=customer.pk, status=target, actor=actor,
                                                 reason="customer asked")
        customer = fresh(customer)
        assert result.status == customer.status == target
        assert customer.status_reason == "customer asked"
        entry = HistoryEntry.objects.for_object(customer).filter(action=f"customers.customer.{transition}").first()
        assert entry is not None
        assert (entry.from_state, entry.to_state) == (start, target)
        assert entry.changes == {"status": [start, target]}
        assert entry.reason == "customer asked"
        assert entry.actor == actor.user and entry.actor_label == actor.user.username
        assert entry.channel == Channel.PORTAL
        assert Event.objects.filter(event_type="CustomerStateChangeEvent", resource_id=str(customer.pk)).exists()

    @pytest.mark.parametrize("start,target", [
        ("prospect", "suspended"),
        ("active", "prospect"),
        ("suspended", "prospect"),
        ("closed", "suspended"),
        ("closed", "prospect"),
    ])
    def test_forbidden(self, actor, start, target):
        customer = customer_in(actor, start)
        history = HistoryEntry.objects.count()
        with pytest.raises(ApplicationError) as exc:
            services.customer_change_status(customer_id=customer.pk, status=target, actor=actor, reason="x")
        assert type(exc.value) is ApplicationError  # a state conflict (409), not bad input
        assert exc.value.status_code == 409
        customer = fresh(customer)
        assert customer.status == start
        assert HistoryEntry.objects.count() == history

    def test_unknown_status_is_invalid_input(self, actor):
        customer = customer_in(actor, "active")
        with pytest.raises(DomainValidationError) as exc:
            services.customer_change_status(customer_id=customer.pk, status="deleted", actor=actor)
        assert "status" in exc.value.field_errors

    def test_same_status_is_a_no_op(self, actor):
        customer = customer_in(actor, "active")
        history = HistoryEntry.objects.count()
        services.customer_change_status(customer_id=customer.pk, status="active", actor=actor, reason="again")
        assert HistoryEntry.objects.count() == history

    def test_close_with_open_products_refused(self, actor):
        customer = customer_in(actor, "active")
        live = ProductFactory(customer=customer)
        services.product_transition(product_id=live.pk, transition="activate", actor=actor)
        ended = ProductFactory(customer=customer)
        services.product_transition(product_id=ended.pk, transition="terminate", actor=actor)
        with pytest.raises(BusinessRuleViolation) as exc:
            services.customer_change_status(customer_id=customer.pk, status="closed", actor=actor, reason="bye")
        assert exc.value.code == "open_products"
        assert "1 product" in exc.value.message
        customer = fresh(customer)
        assert customer.status == "active"
        assert not HistoryEntry.objects.filter(action="customers.customer.close").exists()

        services.product_transition(product_id=live.pk, transition="terminate", actor=actor)
        services.customer_change_status(customer_id=customer.pk, status="closed", actor=actor, reason="bye")
        customer = fresh(customer)
        assert customer.status == "closed"
        assert Product.objects.get(pk=live.pk).end_date is not None

    def test_direct_status_assignment_refused(self, actor):
        customer = customer_in(actor, "active")
        with pytest.raises(AttributeError):
            customer.status = Customer.Status.CLOSED


# --- History ------------------------------------------------------------------------------------

class TestHistory:
    def test_create_and_update_record_actor_channel_and_changes(self, csr):
        api_actor = Actor(user=csr, channel=Channel.API, label="integration-x")
        customer = new_customer(api_actor, "Mary Murphy", segment="soho")
        created = HistoryEntry.objects.for_object(customer).get()
        assert created.action == "customers.customer.created"
        assert created.channel == "api"
        assert created.actor == csr and created.actor_label == "integration-x"
        assert created.changes["name"] == [None, "Mary Murphy"]
        assert created.changes["segment"] == [None, "soho"]
        assert created.changes["customer_number"] == [None, customer.customer_number]

        services.customer_update(customer=customer, actor=Actor.system("nightly"), name="Mary Murphy-Byrne")
        updated = HistoryEntry.objects.for_object(customer).get(action="customers.customer.updated")
        assert updated.changes == {"name": ["Mary Murphy", "Mary Murphy-Byrne"]}
        assert updated.actor is None and updated.channel == "system" and updated.actor_label == "nightly"

    def test_update_without_change_records_nothing(self, actor):
        customer = new_customer(actor, "Same")
        services.customer_update(customer=customer, actor=actor, name="Same")
        assert HistoryEntry.objects.for_object(customer).count() == 1

    def test_failed_update_records_nothing(self, actor):
        customer = new_customer(actor, "Kept")
        with pytest.raises(DomainValidationError):
            services.customer_update(customer=customer, actor=actor, name=" ")
        customer = fresh(customer)
        assert customer.name == "Kept"
        assert HistoryEntry.objects.for_object(customer).count() == 1

    def test_address_note_and_self_service_writes_recorded(self, actor):
        customer = new_customer(actor)
        address = services.address_create(customer=customer, actor=actor, **address_data())
        services.address_update(address=address, actor=actor, postcode="D04 Y123")
        note = services.customer_note_add(customer=customer, actor=actor, text="  Called about roaming  ")
        assert note.text == "Called about roaming" and note.author == actor.user and note.channel == "portal"
        actions = dict(HistoryEntry.objects.for_root(customer).values_list("action", "changes"))
        assert actions["customers.address.updated"] == {"postcode": ["D02 X285", "D04 Y123"]}
        assert actions["customers.note.added"] == {"text": [None, "Called about roaming"]}
        with pytest.raises(DomainValidationError):
            services.customer_note_add(customer=customer, actor=actor, text="   ")
        assert CustomerNote.objects.count() == 1

    def test_history_shown_on_the_customer_root(self, actor):
        customer = new_customer(actor)
        contact = new_contact(actor, customer)
        other = new_customer(actor, "Other")
        new_contact(actor, other, "Stranger")
        root = HistoryEntry.objects.for_root(customer)
        assert {e.object_id for e in root} == {str(customer.pk), str(contact.pk)}

    def test_append_only_in_python(self, actor):
        customer = new_customer(actor)
        entry = HistoryEntry.objects.for_object(customer).get()
        with pytest.raises(PermissionError):
            HistoryEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
        with pytest.raises(PermissionError):
            HistoryEntry.objects.filter(pk=entry.pk).delete()
        with pytest.raises(PermissionError):
            entry.reason = "rewritten"
            entry.save()
        with pytest.raises(PermissionError):
            entry.delete()
        with pytest.raises(PermissionError), transaction.atomic():
            HistoryEntry.objects.bulk_update([entry], ["reason"])
        fresh = HistoryEntry.objects.get(pk=entry.pk)
        assert fresh.reason == ""
        assert fresh.action == "customers.customer.created"

    def test_append_only_in_the_database(self, actor):
        customer = new_customer(actor)
        entry = HistoryEntry.objects.for_object(customer).get()
        if connection.vendor != "postgresql":
            pytest.skip("the append-only trigger exists on PostgreSQL only")
        table = HistoryEntry._meta.db_table
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"UPDATE {table} SET reason = 'rewritten' WHERE id = %s", [entry.pk])
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"DELETE FROM {table} WHERE id = %s", [entry.pk])
        assert HistoryEntry.objects.get(pk=entry.pk).reason == ""


# --- Self-service link ------------------------------------------------------------------------------

class TestSelfServiceGrant:
    def test_grant_links_login_and_records(self, actor):
        customer = new_customer(actor)
        user = UserFactory()
        access = services.self_service_grant(customer=customer, user=user, actor=actor)
        assert access.customer == customer
        assert user.groups.filter(name="Customer").exists()
        assert HistoryEntry.objects.for_root(customer).filter(action="customers.self_service.granted").exists()
        # granting again is idempotent, no second history row
        services.self_service_grant(customer=customer, user=user, actor=actor)
        assert HistoryEntry.objects.filter(action="customers.self_service.granted").count() == 1

    def test_login_linked_to_one_customer_only(self, actor):
        user = UserFactory()
        services.self_service_grant(customer=new_customer(actor, "First"), user=user, actor=actor)
        with pytest.raises(BusinessRuleViolation):
            services.self_service_grant(customer=new_customer(actor, "Second"), user=user, actor=actor)
        assert user.self_service.customer.name == "First"

    def test_staff_login_cannot_be_linked(self, actor, csr):
        with pytest.raises(BusinessRuleViolation):
            services.self_service_grant(customer=new_customer(actor), user=csr, actor=actor)
        assert not SelfServiceAccess.objects.exists()
