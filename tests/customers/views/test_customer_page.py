"""The customer 360 (/csr/customers/<pk>/): panels from every app, flags, actions by role and state, recently
viewed customers, and the self-service view of the same panels without internal data."""

import pytest
from django.test import Client

from bss.roles import Role
from customers.models import Customer
from tests.factories import (
    AddressFactory,
    BillCycleFactory,
    BillingAccountFactory,
    ContactFactory,
    CustomerFactory,
    customer_user,
    staff_user,
)

pytestmark = pytest.mark.django_db


def page_of(user, customer) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/csr/customers/{customer.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def customer():
    c = CustomerFactory(name="Niamh Kelly", status=Customer.Status.ACTIVE)
    AddressFactory(customer=c, area_code="CRK01")
    ContactFactory(customer=c)
    BillingAccountFactory(customer=c, bill_cycle=BillCycleFactory(), credit_limit="250.00")
    return c


class TestPanels:
    def test_every_registered_panel_shows_in_order(self, customer):
        html = page_of(staff_user(Role.CSR), customer)
        keys = ["contacts", "accounts", "products", "addresses", "orders", "credit", "balance", "disputes",
                "interactions", "notes", "history"]
        positions = [html.index(f'data-panel="{k}"') for k in keys]
        assert positions == sorted(positions)
        assert "No bills yet." in html and "No bill disputes." in html and "No orders yet." in html

    def test_a_panel_needs_its_permission(self, customer):
        # the Provisioning role may not view credit checks: no credit panel, no referral flag
        html = page_of(staff_user(Role.PROVISIONING), customer)
        assert 'data-panel="contacts"' in html and 'data-panel="credit"' not in html

    def test_panel_contents_are_rendered_markup_not_escaped_text(self, customer):
        html = page_of(staff_user(Role.CSR), customer)
        assert "&lt;section" not in html and '<section class="card panel' in html


class TestFlags:
    def test_vip_characteristic_raises_the_vip_flag(self, customer):
        assert 'data-flag="vip"' not in page_of(staff_user(Role.CSR), customer)
        customer.characteristics = [{"name": "VIP", "value": "true"}]
        customer.save(update_fields=["characteristics"])
        assert 'data-flag="vip"' in page_of(staff_user(Role.CSR), customer)

    def test_pending_credit_referral_raises_its_flag(self, customer):
        from decimal import Decimal

        from bss.actors import Actor, Channel
        from orders.models import BureauSimulationRule, CreditCheck
        from orders.services.credit import credit_check_request
        from tests.factories import BureauRuleFactory, CreditPolicyFactory

        CreditPolicyFactory(deposit_percent_when_referred=Decimal("10"))
        BureauRuleFactory(name="slow", name_contains="Kelly", outcome=BureauSimulationRule.Outcome.TIMEOUT)
        csr = staff_user(Role.CSR)
        check = credit_check_request(customer=customer, amount=Decimal("80"), currency="EUR",
                                     actor=Actor(user=csr, channel=Channel.PORTAL))
        assert check.status == CreditCheck.Status.PENDING_REVIEW
        html = page_of(csr, customer)
        assert 'data-flag="credit_referral"' in html and "Credit referral pending" in html


class TestActionsByRole:
    ACTIONS = (">Qualify offerings</a>", ">Credit check</a>", ">Add contact</a>", ">Open billing account</a>",
               ">Add address</a>", ">Run a credit check</a>", ">Edit<")

    def test_csr_sees_the_actions_of_an_open_customer(self, customer):
        html = page_of(staff_user(Role.CSR), customer)
        for label in self.ACTIONS:
            assert label in html, label

    @pytest.mark.parametrize("role", [Role.BILLING, Role.PROVISIONING])
    def test_billing_and_provisioning_see_no_edit_add_open_or_qualify(self, role, customer):
        html = page_of(staff_user(role), customer)
        for label in (">Qualify offerings</a>", ">Add contact</a>", ">Open billing account</a>", ">Add address</a>",
                      ">Edit<"):
            assert label not in html, (role, label)

    def test_closed_customer_offers_only_a_note(self, customer):
        Customer.objects.filter(pk=customer.pk).update(status=Customer.Status.CLOSED)
        html = page_of(staff_user(Role.CSR), customer)
        for label in self.ACTIONS:
            assert label not in html, label
        assert "Add note" in html and "This customer is closed" in html

    def test_a_note_on_a_closed_customer_is_still_allowed(self, customer):
        Customer.objects.filter(pk=customer.pk).update(status=Customer.Status.CLOSED)
        client = Client()
        client.force_login(staff_user(Role.CSR))
        assert client.post(f"/csr/customers/{customer.pk}/notes/", {"text": "called about refund"}).status_code == 302
        assert customer.notes.get().text == "called about refund"


class TestRecentlyViewed:
    def test_home_lists_the_customers_opened_most_recent_first(self):
        a, b = CustomerFactory(name="Aoife Recent"), CustomerFactory(name="Brian Recent")
        client = Client()
        client.force_login(staff_user(Role.CSR))
        assert "Customers you open appear here." in client.get("/csr/").content.decode()
        client.get(f"/csr/customers/{a.pk}/")
        client.get(f"/csr/customers/{b.pk}/")
        client.get(f"/csr/customers/{a.pk}/")
        home = client.get("/csr/").content.decode()
        recent = home[home.index("Recently viewed"):]
        assert recent.index("Aoife Recent") < recent.index("Brian Recent")

    def test_keeps_at_most_ten(self):
        customers = [CustomerFactory(name=f"Recent {i:02d}") for i in range(12)]
        client = Client()
        client.force_login(staff_user(Role.CSR))
        for c in customers:
            client.get(f"/csr/customers/{c.pk}/")
        assert len(client.session["recent_customers"]) == 10
        home = client.get("/csr/").content.decode()
        assert "Recent 11" in home and "Recent 01" not in home


class TestHome:
    def test_work_queues_and_status_chart(self):
        CustomerFactory(status=Customer.Status.ACTIVE)
        client = Client()
        client.force_login(staff_user(Role.SUPERVISOR))
        html = client.get("/csr/").content.decode()
        assert 'data-queue="credit_reviews"' in html and 'data-queue="approvals"' in html
        assert 'id="chart-customers-by-status-data"' in html and "<canvas" in html

    def test_csr_sees_no_review_queue(self):
        client = Client()
        client.force_login(staff_user(Role.CSR))
        assert 'data-queue="credit_reviews"' not in client.get("/csr/").content.decode()


class TestSelfService:
    def test_own_page_names_the_linked_customer_and_hides_internal_data(self, customer):
        # the login's own name differs from the customer's: the header names the customer
        user = customer_user(customer, first_name="Demo", last_name="Customer")
        client = Client()
        client.force_login(user)
        html = client.get("/my/").content.decode()
        header = html[html.index('<header'):html.index('</header>')]
        assert "Niamh Kelly" in header
        assert "CRK01" not in html and "credit limit" not in html and "250.00" not in html
        assert 'data-panel="contacts"' in html and 'data-panel="notes"' not in html
        assert 'data-panel="history"' not in html and 'data-panel="credit"' not in html
