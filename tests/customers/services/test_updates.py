"""Customer inventory services take explicit keyword arguments, and their updates go through the
shared bss.audit.services.model_update: only the attributes a service owns can change, each is
validated like the model says, and one history row records what changed."""

import inspect
from decimal import Decimal

import pytest

from bss.audit.models import HistoryEntry
from bss.errors import DomainValidationError
from bss.events.models import Event
from bss.money import CurrencyMismatch, Money
from customers import services
from customers.models import BillingAccount, Contact, Customer
from tests.factories import (
    AddressFactory,
    BillCycleFactory,
    BillingAccountFactory,
    ContactFactory,
    CustomerFactory,
)

pytestmark = pytest.mark.django_db


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def test_no_service_takes_a_bag_of_keyword_arguments():
    bags = [name for name, fn in inspect.getmembers(services, inspect.isfunction)
            if fn.__module__.startswith("customers.services")
            and any(p.kind is p.VAR_KEYWORD for p in inspect.signature(fn).parameters.values())]
    assert bags == []


class TestOnlyOwnedAttributesChange:
    """An attribute a service does not own is a programming error, never silently applied."""

    def test_customer_number_is_not_an_update(self, actor):
        customer = CustomerFactory()
        with pytest.raises(TypeError):
            services.customer_update(customer=customer, actor=actor, customer_number="CU-FORGED")
        assert fresh(customer).customer_number == customer.customer_number

    def test_a_contact_stays_with_its_customer(self, actor):
        contact, other = ContactFactory(), CustomerFactory()
        with pytest.raises(TypeError):
            services.contact_update(contact=contact, actor=actor, customer=other)
        assert fresh(contact).customer_id == contact.customer_id

    def test_an_address_stays_with_its_customer(self, actor):
        address, other = AddressFactory(), CustomerFactory()
        with pytest.raises(TypeError):
            services.address_update(address=address, actor=actor, customer=other)
        assert fresh(address).customer_id == address.customer_id

    @pytest.mark.parametrize("field", ["customer", "account_number"])
    def test_an_account_keeps_its_customer_and_number(self, actor, field):
        account = BillingAccountFactory()
        value = CustomerFactory() if field == "customer" else "BA-FORGED"
        with pytest.raises(TypeError):
            services.billing_account_update(account=account, actor=actor, **{field: value})
        stored = fresh(account)
        assert (stored.customer_id, stored.account_number) == (account.customer_id, account.account_number)


class TestValidatedLikeTheModel:
    def test_customer_segment_must_be_a_choice(self, actor):
        customer = CustomerFactory()
        with pytest.raises(DomainValidationError) as e:
            services.customer_update(customer=customer, actor=actor, segment="galactic")
        assert "segment" in e.value.field_errors
        assert fresh(customer).segment == Customer.Segment.RESIDENTIAL

    def test_contact_channel_must_be_a_choice(self, actor):
        contact = ContactFactory()
        with pytest.raises(DomainValidationError) as e:
            services.contact_update(contact=contact, actor=actor, preferred_channel="pigeon")
        assert "preferred_channel" in e.value.field_errors
        assert fresh(contact).preferred_channel == Contact.Channel.EMAIL

    def test_address_postcode_fits_its_column(self, actor):
        address = AddressFactory()
        with pytest.raises(DomainValidationError) as e:
            services.address_update(address=address, actor=actor, postcode="D" * 21)
        assert "postcode" in e.value.field_errors
        assert fresh(address).postcode == address.postcode

    def test_account_payment_method_must_be_a_choice(self, actor):
        account = BillingAccountFactory()
        with pytest.raises(DomainValidationError) as e:
            services.billing_account_update(account=account, actor=actor, payment_method="barter")
        assert "payment_method" in e.value.field_errors
        assert fresh(account).payment_method == BillingAccount.PaymentMethod.DIRECT_DEBIT


class TestRecorded:
    def test_nothing_changed_writes_nothing(self, actor):
        customer = CustomerFactory(name="Mary Murphy")
        before, events = fresh(customer).updated_at, Event.objects.count()
        services.customer_update(customer=customer, actor=actor, name="Mary Murphy")
        assert fresh(customer).updated_at == before
        assert not HistoryEntry.objects.for_object(customer).exists() and Event.objects.count() == events


class TestCreditLimitMoney:
    @pytest.fixture
    def account(self):
        return BillingAccountFactory(currency="EUR", credit_limit=Decimal("500.00"))

    def test_the_account_reads_its_limit_as_money(self, account):
        assert fresh(account).credit_limit_money == Money("500.00", "EUR")

    def test_a_limit_in_another_currency_cannot_be_assigned(self, account):
        with pytest.raises(CurrencyMismatch):
            account.credit_limit_money = Money("500.00", "USD")
        assert account.credit_limit == Decimal("500.00")

    def test_create_refuses_a_limit_in_another_currency(self, actor):
        customer = CustomerFactory()
        address = AddressFactory(customer=customer)
        with pytest.raises(DomainValidationError) as e:
            services.billing_account_create(customer=customer, actor=actor, billing_address=address,
                                            bill_cycle=BillCycleFactory(), currency="EUR",
                                            credit_limit=Money("300.00", "USD"))
        assert e.value.field_errors == {"credit_limit": ["The credit limit is in USD; the account bills in EUR."]}
        assert not BillingAccount.objects.exists()

    def test_create_takes_a_limit_in_its_currency(self, actor):
        customer = CustomerFactory()
        account = services.billing_account_create(
            customer=customer, actor=actor, billing_address=AddressFactory(customer=customer),
            bill_cycle=BillCycleFactory(), currency="GBP", credit_limit=Money("300.00", "GBP"))
        assert fresh(account).credit_limit_money == Money("300.00", "GBP")

    def test_update_refuses_a_limit_in_another_currency(self, actor, account):
        with pytest.raises(DomainValidationError) as e:
            services.billing_account_update(account=account, actor=actor, credit_limit=Money("900.00", "USD"))
        assert e.value.field_errors == {"credit_limit": ["The credit limit is in USD; the account bills in EUR."]}
        assert fresh(account).credit_limit == Decimal("500.00")

    def test_update_takes_a_limit_in_the_new_currency(self, actor, account):
        services.billing_account_update(account=account, actor=actor, currency="USD",
                                        credit_limit=Money("900.00", "USD"))
        assert fresh(account).credit_limit_money == Money("900.00", "USD")
        entry = HistoryEntry.objects.for_object(account).get(action="customers.billing_account.updated")
        assert entry.changes == {"currency": ["EUR", "USD"], "credit_limit": ["500.00", "900.00"]}

