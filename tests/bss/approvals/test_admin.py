"""Approvals in Django admin: policies and limits saved through the services (history, validation),
requests read-only and decided by actions that call the services."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client

from bss.approvals.models import ApprovalPolicy, ApprovalRequest, ApproverLimit
from bss.audit.models import HistoryEntry
from bss.roles import Role
from tests.factories import ApprovalPolicyFactory, staff_user

from .conftest import PAID

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client():
    return login(staff_user(Role.ADMIN))


class TestPolicyAdmin:
    URL = "/admin/approvals/approvalpolicy/"

    def test_created_through_the_service_with_history(self, admin_client):
        response = admin_client.post(self.URL + "add/", {
            "approval_type": "internal_request", "name": "Internal request", "approver_roles": '["Supervisor"]',
            "escalation_role": "Admin"})
        assert response.status_code == 302, response.content.decode()[:2000]
        policy = ApprovalPolicy.objects.get()
        entry = HistoryEntry.objects.for_object(policy).get()
        assert entry.action == "approvals.approval_policy.created" and entry.channel == "admin"

    def test_invalid_roles_are_shown_and_nothing_saved(self, admin_client):
        response = admin_client.post(self.URL + "add/", {
            "approval_type": "internal request", "name": "x", "approver_roles": '["Nobody"]'})
        html = response.content.decode()
        assert response.status_code == 200
        assert "A non-empty list of roles" in html and "A key without spaces" in html
        assert not ApprovalPolicy.objects.exists()

    def test_update_goes_through_the_service(self, admin_client):
        policy = ApprovalPolicyFactory(approval_type="x.y", name="XY", approver_roles=["Supervisor"])
        response = admin_client.post(f"{self.URL}{policy.pk}/change/", {
            "name": "XY", "approver_roles": '["Supervisor", "Admin"]', "escalation_role": ""})
        assert response.status_code == 302
        policy.refresh_from_db()
        assert policy.approver_roles == ["Supervisor", "Admin"] and policy.approval_type == "x.y"
        entry = HistoryEntry.objects.for_object(policy).get(action="approvals.approval_policy.updated")
        assert entry.changes == {"approver_roles": [["Supervisor"], ["Supervisor", "Admin"]]}


class TestLimitAdmin:
    URL = "/admin/approvals/approverlimit/"

    def test_created_and_validated_through_the_service(self, admin_client, recorder):
        bad = admin_client.post(self.URL + "add/", {"approval_type": PAID, "role": "Supervisor", "currency": "EUR",
                                                    "max_amount": "100", "period": "day", "period_limit": ""})
        assert bad.status_code == 200 and "A period limit goes with a period" in bad.content.decode()
        ok = admin_client.post(self.URL + "add/", {"approval_type": PAID, "role": "Supervisor", "currency": "EUR",
                                                   "max_amount": "100", "period": "day", "period_limit": "500"})
        assert ok.status_code == 302
        row = ApproverLimit.objects.get()
        assert (row.max_amount, row.period_limit) == (Decimal("100.00"), Decimal("500.00"))
        assert HistoryEntry.objects.for_object(row).get().action == "approvals.approver_limit.created"
        changed = admin_client.post(f"{self.URL}{row.pk}/change/", {"max_amount": "150", "period": "day",
                                                                    "period_limit": "500"})
        assert changed.status_code == 302
        row.refresh_from_db()
        assert row.max_amount == Decimal("150.00")
        assert HistoryEntry.objects.for_object(row).get(action="approvals.approver_limit.updated").changes == {
            "max_amount": ["100.00", "150.00"]}


class TestRequestAdmin:
    URL = "/admin/approvals/approvalrequest/"

    def test_read_only_and_decided_by_an_action_with_a_reason(self, ask, supervisor):
        request = ask()
        boss = login(supervisor)
        assert boss.get(self.URL).status_code == 200
        assert boss.get(f"{self.URL}{request.pk}/change/").status_code == 200
        assert boss.get(self.URL + "add/").status_code == 403
        form = boss.post(self.URL, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [request.pk]})
        assert form.status_code == 200 and "Reason (required)" in form.content.decode()
        done = boss.post(self.URL, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [request.pk], "apply": "1",
                                    "reason": "checked"})
        assert done.status_code == 302
        request = ApprovalRequest.objects.get(pk=request.pk)
        assert (request.state, request.decided_by, request.decision_reason) == ("approved", supervisor, "checked")
        assert HistoryEntry.objects.for_object(request).get(
            action="approvals.approval_request.approved").channel == "admin"

    def test_the_action_reports_what_the_service_refuses(self, ask, supervisor):
        request = ask(by=supervisor)
        response = login(supervisor).post(self.URL, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [request.pk],
                                                     "apply": "1", "reason": "mine"}, follow=True)
        assert "someone else must approve it" in response.content.decode()
        assert ApprovalRequest.objects.get(pk=request.pk).state == "pending"
