"""Closing a customer (customers.services.customer_change_status to closed): its open billing accounts close in
the same transaction, each with history (who, when, why); a failure leaves nothing half done; a customer with
products not terminated is refused; the consequences are stated beforehand by customer_status_consequences."""

import pytest

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError, BusinessRuleViolation
from bss.events.models import Event
from bss.roles import Role
from customers import services
from customers.models import BillingAccount, Customer, Product
from tests.factories import (
    BillCycleFactory,
    BillingAccountFactory,
    CustomerFactory,
    ProductFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor():
    return Actor(user=staff_user(Role.CSR), channel=Channel.PORTAL)


@pytest.fixture
def customer():
    c = CustomerFactory(status=Customer.Status.ACTIVE)
    cycle = BillCycleFactory()
    BillingAccountFactory(customer=c, bill_cycle=cycle)
    BillingAccountFactory(customer=c, bill_cycle=cycle, status=BillingAccount.Status.SUSPENDED)
    BillingAccountFactory(customer=c, bill_cycle=cycle, status=BillingAccount.Status.CLOSED)
    return c


def close(customer, actor, reason="Moved abroad"):
    return services.customer_change_status(customer_id=customer.pk, status=Customer.Status.CLOSED, actor=actor,
                                           reason=reason)


def test_closing_closes_every_open_account_with_who_when_and_why(customer, actor):
    already_closed = customer.billing_accounts.get(status=BillingAccount.Status.CLOSED)
    close(customer, actor)
    assert set(customer.billing_accounts.values_list("status", flat=True)) == {BillingAccount.Status.CLOSED}
    entries = HistoryEntry.objects.filter(action="customers.billing_account.close")
    assert entries.count() == 2  # the suspended one too; the closed one is left alone
    assert str(already_closed.pk) not in {e.object_id for e in entries}
    for e in entries:
        assert e.actor == actor.user and e.channel == Channel.PORTAL and e.created_at is not None
        assert e.reason == "Customer closed: Moved abroad" and e.to_state == BillingAccount.Status.CLOSED
    assert HistoryEntry.objects.for_root(customer).filter(action="customers.billing_account.close").count() == 2
    closed = HistoryEntry.objects.get(action="customers.customer.close")
    assert (closed.reason, closed.actor) == ("Moved abroad", actor.user)


def test_one_state_change_event_for_the_customer(customer, actor):
    Event.objects.all().delete()
    close(customer, actor)
    events = Event.objects.filter(resource_id=str(customer.pk), event_type__startswith="Customer")
    assert list(events.values_list("event_type", flat=True)) == ["CustomerStateChangeEvent"]


def test_a_failing_account_close_rolls_everything_back(customer, actor, monkeypatch):
    from customers.services import account

    real = account.billing_account_transition
    calls = []

    def second_fails(**kwargs):
        calls.append(kwargs["account_id"])
        if len(calls) == 2:
            raise ApplicationError("The billing system refused the close.")
        return real(**kwargs)

    monkeypatch.setattr(account, "billing_account_transition", second_fails)
    with pytest.raises(ApplicationError):
        close(customer, actor)
    assert len(calls) == 2  # the first account was closed, then undone
    assert Customer.objects.get(pk=customer.pk).status == Customer.Status.ACTIVE
    assert customer.billing_accounts.exclude(status=BillingAccount.Status.CLOSED).count() == 2
    assert not HistoryEntry.objects.filter(action__in=["customers.customer.close",
                                                       "customers.billing_account.close"]).exists()


def test_products_not_terminated_block_closing_and_nothing_changes(customer, actor):
    ProductFactory(customer=customer, status=Product.Status.ACTIVE)
    with pytest.raises(BusinessRuleViolation):
        close(customer, actor)
    assert Customer.objects.get(pk=customer.pk).status == Customer.Status.ACTIVE
    assert customer.billing_accounts.filter(status=BillingAccount.Status.CLOSED).count() == 1


def test_consequences_are_stated_before(customer):
    consequences, blockers = services.customer_status_consequences(customer, Customer.Status.CLOSED)
    assert "2 billing accounts will be closed." in consequences and blockers == []
    ProductFactory(customer=customer, status=Product.Status.ACTIVE)
    _, blockers = services.customer_status_consequences(customer, Customer.Status.CLOSED)
    assert blockers == ["1 product is not terminated: terminate it before closing the customer."]


def test_other_changes_leave_the_accounts_alone(customer, actor):
    services.customer_change_status(customer_id=customer.pk, status=Customer.Status.SUSPENDED, actor=actor,
                                    reason="Fraud check")
    assert customer.billing_accounts.filter(status=BillingAccount.Status.CLOSED).count() == 1
    assert not HistoryEntry.objects.filter(action="customers.billing_account.close").exists()


def test_a_refused_change_is_worded_with_labels(actor):
    customer = CustomerFactory(status=Customer.Status.ACTIVE)
    with pytest.raises(ApplicationError) as e:
        services.customer_change_status(customer_id=customer.pk, status=Customer.Status.PROSPECT, actor=actor)
    assert e.value.message == "An active customer cannot be made a prospect."
