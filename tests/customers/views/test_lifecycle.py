"""Customer status changes in the portal: only the transitions the lifecycle allows are offered; a destructive one
asks for a reason and says what will happen first; closing closes the billing accounts, with history."""

import pytest
from django.test import Client

from bss.audit.models import HistoryEntry
from bss.roles import Role
from customers.models import BillingAccount, Customer
from tests.factories import (
    BillCycleFactory,
    BillingAccountFactory,
    CustomerFactory,
    ProductFactory,
    staff_user,
)

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


class TestAskFirst:
    def test_post_of_a_change_the_lifecycle_refuses_is_the_409_page_and_changes_nothing(self):
        customer = CustomerFactory(status=Customer.Status.CLOSED)
        r = web().post(f"/csr/customers/{customer.pk}/status/", {"status": "suspended", "reason": "x"})
        html = r.content.decode()
        assert r.status_code == 409 and "A closed customer cannot be suspended." in html
        assert "Back to" in html and 'class="btn' in html  # in the layout, with a way back
        assert Customer.objects.get(pk=customer.pk).status == Customer.Status.CLOSED

    @pytest.mark.parametrize("role", [Role.BILLING, Role.PROVISIONING])
    def test_a_role_without_the_permission_gets_the_styled_403(self, role):
        customer = CustomerFactory(status=Customer.Status.ACTIVE)
        client = web(role)
        get = client.get(f"/csr/customers/{customer.pk}/status/?to=closed")
        post = client.post(f"/csr/customers/{customer.pk}/status/", {"status": "closed", "reason": "x"})
        assert get.status_code == post.status_code == 403
        assert "<nav" in get.content.decode() and "change a customer" in get.content.decode()
        assert Customer.objects.get(pk=customer.pk).status == Customer.Status.ACTIVE

    @pytest.mark.parametrize("status, target", [(Customer.Status.ACTIVE, "suspended"),
                                                (Customer.Status.PROSPECT, "active")])
    def test_every_change_requires_a_reason(self, status, target):
        customer = CustomerFactory(status=status)
        r = web().post(f"/csr/customers/{customer.pk}/status/", {"status": target, "reason": "  "})
        assert r.status_code == 400 and "This field is required" in r.content.decode()
        assert Customer.objects.get(pk=customer.pk).status == status
        assert not HistoryEntry.objects.filter(action__startswith="customers.customer.", to_state=target).exists()

    def test_suspend_asks_first_and_then_applies_with_the_reason(self):
        customer = CustomerFactory(name="Sam Suspend", status=Customer.Status.ACTIVE)
        client = web()
        html = client.get(f"/csr/customers/{customer.pk}/status/?to=suspended").content.decode()
        assert "Suspend Sam Suspend?" in html and "resuming makes it active again" in html
        assert 'value="suspended"' in html and "btn-danger" in html
        r = client.post(f"/csr/customers/{customer.pk}/status/", {"status": "suspended", "reason": "Fraud check"})
        assert r.status_code == 302
        entry = HistoryEntry.objects.get(action="customers.customer.suspend")
        assert entry.reason == "Fraud check" and entry.to_state == Customer.Status.SUSPENDED

    def test_open_products_block_closing_on_the_confirm_page(self):
        customer = CustomerFactory(status=Customer.Status.ACTIVE)
        ProductFactory(customer=customer, status="active")
        html = web().get(f"/csr/customers/{customer.pk}/status/?to=closed").content.decode()
        assert "1 product is not terminated" in html and "Close customer</button>" not in html


class TestStatusChange:
    """Moved from test_portal.py (the plan's split); a refused POST is now the 409 page, not a redirect."""

    @pytest.fixture
    def csr_web(self, csr):
        client = Client()
        client.force_login(csr)
        return client

    @pytest.fixture
    def mary(self):
        customer = CustomerFactory(name="Mary Murphy", status=Customer.Status.PROSPECT)
        BillingAccountFactory(customer=customer, bill_cycle=BillCycleFactory())
        return customer

    def test_change_with_reason(self, csr_web, csr, mary):
        response = csr_web.post(f"/csr/customers/{mary.pk}/status/",
                                {"status": "active", "reason": "Credit check passed"})
        assert response.status_code == 302
        customer = Customer.objects.get(pk=mary.pk)
        assert customer.status == "active" and customer.status_reason == "Credit check passed"
        entry = HistoryEntry.objects.for_object(customer).get(action="customers.customer.activate")
        assert (entry.from_state, entry.to_state, entry.reason) == ("prospect", "active", "Credit check passed")
        assert (entry.actor, entry.channel) == (csr, "portal")
        page = csr_web.get(f"/csr/customers/{mary.pk}/").content.decode()
        assert "Customer is now active." in page and "Credit check passed" in page

    def test_forbidden_transition_is_the_409_page_in_words(self, csr_web, mary):
        r = csr_web.post(f"/csr/customers/{mary.pk}/status/", {"status": "suspended", "reason": "why not"})
        assert r.status_code == 409 and "A prospect customer cannot be suspended." in r.content.decode()
        assert Customer.objects.get(pk=mary.pk).status == "prospect"

    def test_reason_required(self, csr_web, mary):
        r = csr_web.post(f"/csr/customers/{mary.pk}/status/", {"status": "active", "reason": ""})
        assert r.status_code == 400 and "data-error-summary" in r.content.decode()  # the confirm page, with the error
        assert Customer.objects.get(pk=mary.pk).status == "prospect"

    def test_close_with_open_products_refused(self, csr_web, mary):
        ProductFactory(customer=mary)
        confirm = csr_web.get(f"/csr/customers/{mary.pk}/status/?to=closed").content.decode()
        assert "not terminated" in confirm and "Close customer</button>" not in confirm  # said before, no button
        r = csr_web.post(f"/csr/customers/{mary.pk}/status/", {"status": "closed", "reason": "leaving"})
        assert r.status_code == 400 and "not terminated" in r.content.decode()
        assert Customer.objects.get(pk=mary.pk).status == "prospect"

    def test_role_without_permission(self, csr_web, mary):
        client = web(Role.BILLING)
        r = client.post(f"/csr/customers/{mary.pk}/status/", {"status": "active", "reason": "x"})
        assert r.status_code == 403 and "Your role may not change a customer&#x27;s status." in r.content.decode()
        assert Customer.objects.get(pk=mary.pk).status == "prospect"
        assert "data-status-action" not in client.get(f"/csr/customers/{mary.pk}/").content.decode()

    def test_get_without_a_target_explains(self, csr_web, mary):
        r = csr_web.get(f"/csr/customers/{mary.pk}/status/")
        assert r.status_code == 409 and "Choose one of the status changes" in r.content.decode()
