"""Customer status changes in the portal: only the transitions the lifecycle allows are offered; a destructive one
asks for a reason and says what will happen first; closing closes the billing accounts, with history."""

import pytest
from django.test import Client

from bss.audit.models import HistoryEntry
from bss.roles import Role
from customers.models import BillingAccount, Customer
from tests.factories import BillCycleFactory, BillingAccountFactory, CustomerFactory, staff_user

pytestmark = pytest.mark.django_db


def web(role=Role.CSR) -> Client:
    client = Client()
    client.force_login(staff_user(role))
    return client


def offered(client, customer) -> list[str]:
    html = client.get(f"/csr/customers/{customer.pk}/").content.decode()
    return [a for a in ("activate", "suspend", "resume", "close", "reopen") if f'data-status-action="{a}"' in html]


@pytest.mark.parametrize("status, expected", [
    (Customer.Status.PROSPECT, ["activate", "close"]),
    (Customer.Status.ACTIVE, ["suspend", "close"]),
    (Customer.Status.SUSPENDED, ["resume", "close"]),
    (Customer.Status.CLOSED, ["reopen"]),
])
def test_only_the_lifecycle_transitions_are_offered(status, expected):
    customer = CustomerFactory(status=status)
    assert offered(web(), customer) == expected


@pytest.mark.parametrize("role", [Role.BILLING, Role.PROVISIONING])
def test_roles_without_the_permission_are_offered_none(role):
    assert offered(web(role), CustomerFactory(status=Customer.Status.ACTIVE)) == []


class TestClose:
    @pytest.fixture
    def customer(self):
        c = CustomerFactory(name="Ciara Close", status=Customer.Status.ACTIVE)
        cycle = BillCycleFactory()
        BillingAccountFactory.create_batch(2, customer=c, bill_cycle=cycle)
        BillingAccountFactory(customer=c, bill_cycle=cycle, status=BillingAccount.Status.CLOSED)
        return c

    def test_confirm_page_states_the_consequences_and_asks_a_reason(self, customer):
        html = web().get(f"/csr/customers/{customer.pk}/status/?to=closed").content.decode()
        assert "Close Ciara Close?" in html and "2 billing accounts will be closed." in html
        assert 'name="reason"' in html and "required" in html and "Close customer</button>" in html
        assert Customer.objects.get(pk=customer.pk).status == Customer.Status.ACTIVE  # asking changes nothing

    def test_closing_closes_the_open_accounts_with_history(self, customer):
        r = web().post(f"/csr/customers/{customer.pk}/status/", {"status": "closed", "reason": "Moved abroad"})
        assert r.status_code == 302
        customer.refresh_from_db()
        assert customer.status == Customer.Status.CLOSED and customer.status_reason == "Moved abroad"
        assert set(customer.billing_accounts.values_list("status", flat=True)) == {BillingAccount.Status.CLOSED}
        closes = HistoryEntry.objects.filter(action="customers.billing_account.close")
        assert closes.count() == 2 and {e.reason for e in closes} == {"Customer closed: Moved abroad"}
        assert all(e.actor_id for e in closes)

    def test_nothing_is_half_done_when_closing_fails(self, customer, monkeypatch):
        from customers.services import account

        def fail(**kwargs):
            raise RuntimeError("account close failed")

        monkeypatch.setattr(account, "billing_account_transition", fail)
        client = web()
        client.raise_request_exception = False
        r = client.post(f"/csr/customers/{customer.pk}/status/", {"status": "closed", "reason": "x"})
        assert r.status_code == 500
        assert Customer.objects.get(pk=customer.pk).status == Customer.Status.ACTIVE
        assert customer.billing_accounts.filter(status=BillingAccount.Status.ACTIVE).count() == 2

    def test_a_transition_the_lifecycle_refuses_is_explained_in_words(self):
        customer = CustomerFactory(status=Customer.Status.ACTIVE)
        r = web().get(f"/csr/customers/{customer.pk}/status/?to=prospect")
        assert r.status_code == 409 and "An active customer cannot be made a prospect." in r.content.decode()
        assert "cannot become" not in r.content.decode()

    def test_a_closed_customer_can_be_reopened(self):
        customer = CustomerFactory(status=Customer.Status.CLOSED)
        r = web().post(f"/csr/customers/{customer.pk}/status/", {"status": "active", "reason": "Came back"})
        assert r.status_code == 302 and Customer.objects.get(pk=customer.pk).status == Customer.Status.ACTIVE
