"""Native REST API for credit checks (/api/v1/credit-checks/): request, read, queue, review,
and who may see what."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from bss.audit.models import HistoryEntry
from bss.roles import Role
from orders.models import BureauSimulationRule, CreditCheck
from tests.factories import (
    BillingAccountFactory,
    BureauRuleFactory,
    CreditPolicyFactory,
    CustomerFactory,
    customer_user,
    staff_user,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/credit-checks/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(autouse=True)
def policy():
    return CreditPolicyFactory()


@pytest.fixture
def customer():
    return CustomerFactory(name="Mary Murphy")


@pytest.fixture
def account(customer):
    return BillingAccountFactory(customer=customer, credit_limit=Decimal("500"), currency="GBP")


@pytest.fixture
def api(integrator_client):
    return integrator_client


@pytest.fixture
def boss(supervisor):
    return client_for(supervisor)


@pytest.fixture
def pending(api, customer):
    BureauRuleFactory(name_contains="Murphy", outcome=BureauSimulationRule.Outcome.TIMEOUT)
    response = api.post(URL, {"customer": customer.pk, "amount": "99.90"}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


class TestRequest:
    def test_approved(self, api, customer, account, integrator):
        response = api.post(URL, {"customer": customer.pk, "billing_account": account.pk, "amount": "120.00",
                                  "order_reference": "ORD-7"}, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["decision"] == "approved" and body["status"] == "decided" and body["score"] == 650
        assert body["currency"] == "GBP"  # from the account
        assert (body["customer_number"], body["account_number"], body["order_reference"]) == (
            customer.customer_number, account.account_number, "ORD-7")
        assert body["requested_by"] == integrator.username and body["amount"] == "120.00"
        assert [f["check"] for f in body["findings"]] == ["credit_class", "credit_limit", "outstanding_balance",
                                                           "bureau"]
        assert HistoryEntry.objects.get(action="orders.credit_check.requested").channel == "api"

    def test_limit_exceeded_comes_back_pending_with_terms(self, api, customer, account):
        response = api.post(URL, {"customer": customer.pk, "billing_account": account.pk, "amount": "650"},
                            format="json")
        assert response.status_code == 201
        body = response.json()
        assert (body["decision"], body["status"]) == ("referred", "pending_review")
        assert body["terms"] == {"deposit": "150.00", "credit_limit": "500.00", "currency": "GBP"}

    def test_timeout_lands_in_the_queue(self, api, pending):
        assert pending["status"] == "pending_review" and pending["reason"].startswith("bureau timeout")
        queue = api.get(URL + "queue/").json()
        assert [c["id"] for c in queue["results"]] == [pending["id"]]

    @pytest.mark.parametrize("payload, field", [
        ({"amount": "10"}, "customer"),
        ({"customer": 999999, "amount": "10"}, "customer"),
        ({"customer": "mine", "amount": "-1"}, "amount"),
        ({"customer": "mine", "amount": "abc"}, "amount"),
        ({"customer": "mine"}, "amount"),
        ({"customer": "mine", "amount": "10", "currency": "XYZ"}, "currency"),
    ])
    def test_malformed_requests_are_400(self, api, customer, payload, field):
        if payload.get("customer") == "mine":
            payload = {**payload, "customer": customer.pk}
        response = api.post(URL, payload, format="json")
        assert response.status_code == 400, response.json()
        assert field in response.json()
        assert not CreditCheck.objects.exists()

    def test_account_of_another_customer_is_400(self, api, customer):
        other = BillingAccountFactory()
        response = api.post(URL, {"customer": customer.pk, "billing_account": other.pk, "amount": "10"},
                            format="json")
        assert response.status_code == 400 and "billing_account" in response.json()

    def test_currency_other_than_the_accounts_is_400(self, api, customer, account):
        response = api.post(URL, {"customer": customer.pk, "billing_account": account.pk, "amount": "10",
                                  "currency": "EUR"}, format="json")
        assert response.status_code == 400
        assert response.json()["currency"] == [f"Account {account.account_number} bills in GBP, not EUR."]


class TestRead:
    def test_list_filter_and_retrieve(self, api, customer, pending):
        api.post(URL, {"customer": CustomerFactory().pk, "amount": "5"}, format="json")
        assert api.get(URL).json()["count"] == 2
        only = api.get(URL, {"status": "pending_review"}).json()
        assert [c["id"] for c in only["results"]] == [pending["id"]]
        assert api.get(URL, {"customer": customer.pk}).json()["count"] == 1
        detail = api.get(f"{URL}{pending['id']}/")
        assert detail.status_code == 200 and detail.json()["reason"] == pending["reason"]

    def test_billing_role_reads_but_may_not_request(self, pending, customer):
        billing = client_for(staff_user(Role.BILLING))
        assert billing.get(URL).status_code == 200
        assert billing.post(URL, {"customer": customer.pk, "amount": "1"}, format="json").status_code == 403

    def test_anonymous_is_refused(self, pending):
        assert APIClient().get(URL).status_code == 401


class TestReview:
    def test_supervisor_approves(self, boss, pending, supervisor):
        response = boss.post(f"{URL}{pending['id']}/review/", {"approve": True, "reason": "Long-standing customer"},
                             format="json")
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["status"], body["reviewed_by"], body["review_reason"]) == (
            "approved", supervisor.username, "Long-standing customer")
        assert boss.get(URL + "queue/").json()["results"] == []

    def test_supervisor_declines(self, boss, pending):
        response = boss.post(f"{URL}{pending['id']}/review/", {"approve": False, "reason": "No"}, format="json")
        assert response.status_code == 200 and response.json()["status"] == "declined"

    def test_reviewing_twice_is_409(self, boss, pending):
        boss.post(f"{URL}{pending['id']}/review/", {"approve": True, "reason": "ok"}, format="json")
        response = boss.post(f"{URL}{pending['id']}/review/", {"approve": False, "reason": "no"}, format="json")
        assert response.status_code == 409
        assert CreditCheck.objects.get(pk=pending["id"]).status == "approved"

    def test_reason_is_required(self, boss, pending):
        response = boss.post(f"{URL}{pending['id']}/review/", {"approve": True}, format="json")
        assert response.status_code == 400 and "reason" in response.json()
        assert CreditCheck.objects.get(pk=pending["id"]).status == "pending_review"

    @pytest.mark.parametrize("fmt", ["json", "multipart"])
    def test_approve_flag_is_required(self, boss, pending, fmt):
        response = boss.post(f"{URL}{pending['id']}/review/", {"reason": "ok"}, format=fmt)
        assert response.status_code == 400 and "approve" in response.json()
        assert CreditCheck.objects.get(pk=pending["id"]).status == "pending_review"

    @pytest.mark.parametrize("role", [Role.CSR, Role.INTEGRATOR])
    def test_other_roles_may_not_review(self, pending, role):
        client = client_for(staff_user(role))
        response = client.post(f"{URL}{pending['id']}/review/", {"approve": True, "reason": "ok"}, format="json")
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
        assert CreditCheck.objects.get(pk=pending["id"]).status == "pending_review"

    def test_unknown_check_is_404(self, boss):
        assert boss.post(f"{URL}999999/review/", {"approve": True, "reason": "x"}, format="json").status_code == 404


class TestSelfService:
    def test_customer_login_cannot_see_or_request_checks(self, customer, pending):
        client = client_for(customer_user(customer))
        assert client.get(URL).status_code == 403
        assert client.get(f"{URL}{pending['id']}/").status_code == 403
        assert client.get(URL + "queue/").status_code == 403
        assert client.post(URL, {"customer": customer.pk, "amount": "1"}, format="json").status_code == 403

    def test_even_with_the_permission_a_customer_login_sees_no_checks(self, customer, pending):
        """Scoping, not only the role: credit checks are internal risk data."""
        user = customer_user(customer)
        user.user_permissions.add(Permission.objects.get(codename="view_creditcheck"))
        client = client_for(user)
        response = client.get(URL)
        assert response.status_code == 200 and response.json()["count"] == 0
        assert client.get(f"{URL}{pending['id']}/").status_code == 404


def test_schema_documents_the_endpoints(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert {"/api/v1/credit-checks/", "/api/v1/credit-checks/queue/",
            "/api/v1/credit-checks/{id}/review/"} <= set(schema["paths"])
