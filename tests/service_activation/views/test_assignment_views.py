"""Assignment rules in the staff portal (/csr/provisioning/assignment-rules/) and admin: supervisors (monitoring
staff) and provisioning engineers list, add and change them through the service (form errors, nothing half-saved);
CSRs only look; the worklist shows the team a rule chose and filters on it."""

from __future__ import annotations

import pytest
from django.test import Client

from bss.actors import Actor
from bss.roles import Role
from service_activation.models import WorkOrderAssignmentRule
from service_activation.services import assignment
from service_activation.services.service_orders import (
    ServiceItemInput,
    service_order_issue,
    service_order_run,
)
from tests.factories import ActivationStepFactory, CustomerFactory, ServiceSpecificationFactory, staff_user

pytestmark = pytest.mark.django_db
RULES = "/csr/provisioning/assignment-rules/"
SYSTEM = Actor.system("test")


def login(role) -> Client:
    client = Client()
    client.force_login(staff_user(role))
    return client


def _form(**kw):
    return {"name": "Dublin installs", "position": "10", "active": "on", "specialty": "field-install",
            "work_order_kind": "", "specification": "", "area_code": "DUB01", "max_priority": "", "team": "field-dublin",
            "assignee": "", **kw}


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.PROVISIONING])
def test_monitoring_staff_add_and_change_a_rule(role):
    client = login(role)
    page = client.get(RULES)
    assert page.status_code == 200 and b"No assignment rule" in page.content and b'data-rule-action="add"' in page.content
    resp = client.post(f"{RULES}new/", _form())
    assert resp.status_code == 302, resp.content
    rule = WorkOrderAssignmentRule.objects.get()
    assert (rule.team, rule.area_code, rule.specialty, rule.position) == ("field-dublin", "DUB01", "field-install", 10)
    listed = client.get(RULES).content.decode()
    assert "Dublin installs" in listed and "field-dublin" in listed and "DUB01" in listed
    resp = client.post(f"{RULES}{rule.pk}/", _form(team="field-leinster", active=""))
    assert resp.status_code == 302
    rule.refresh_from_db()
    assert rule.team == "field-leinster" and rule.active is False
    detail = client.get(f"{RULES}{rule.pk}/").content.decode()
    assert "field-dublin" in detail and "field-leinster" in detail  # the change in the history


def test_a_bad_rule_shows_every_problem_and_saves_nothing():
    client = login(Role.SUPERVISOR)
    resp = client.post(f"{RULES}new/", _form(name="", team="", assignee=str(staff_user(Role.CSR).pk)))
    assert resp.status_code == 400
    body = resp.content.decode()
    assert "data-error-summary" in body and "There are 3 problems" in body and "id_assignee_error" in body
    assert not WorkOrderAssignmentRule.objects.exists()


def test_a_csr_may_look_but_not_change():
    rule = assignment.assignment_rule_create(actor=SYSTEM, name="Field", team="field")
    client = login(Role.CSR)
    assert client.get(RULES).status_code == 200
    assert b'data-rule-action="add"' not in client.get(RULES).content
    assert client.get(f"{RULES}new/").status_code == 403
    assert client.post(f"{RULES}{rule.pk}/", _form()).status_code == 403
    rule.refresh_from_db()
    assert rule.team == "field"
    assert login(Role.BILLING).get(RULES).status_code == 403


def test_the_worklist_shows_and_filters_by_the_rules_team():
    spec = ServiceSpecificationFactory(lifecycle_status="active")
    ActivationStepFactory(specification=spec, sequence=1, code="install-ont", name="install-ont", kind="manual",
                          specialty="field-install")
    other = ServiceSpecificationFactory(lifecycle_status="active")
    ActivationStepFactory(specification=other, sequence=1, code="ship-cpe", name="ship-cpe", kind="manual",
                          specialty="cpe-delivery")
    lead = staff_user(Role.PROVISIONING, username="aoife", first_name="Aoife", last_name="Byrne")
    assignment.assignment_rule_create(actor=SYSTEM, name="Fiber", team="field-dublin", specification=spec,
                                      assignee=lead)
    for s in (spec, other):
        so = service_order_issue(actor=SYSTEM, customer_id=CustomerFactory().pk, start=False, origin="api",
                                 items=[ServiceItemInput(item_id="1", specification_id=s.pk)])
        service_order_run(service_order_id=so.pk, actor=SYSTEM)
    client = login(Role.PROVISIONING)
    page = client.get("/csr/provisioning/worklist/").content.decode()
    assert 'data-team="field-dublin"' in page and 'data-team="cpe-delivery"' in page and "Aoife Byrne" in page
    mine = client.get("/csr/provisioning/worklist/", {"specialty": "field-dublin"}).content.decode()
    assert "install-ont" in mine and "ship-cpe" not in mine
    theirs = client.get("/csr/provisioning/worklist/", {"specialty": "cpe-delivery"}).content.decode()
    assert "ship-cpe" in theirs and "install-ont" not in theirs


def test_admin_saves_rules_through_the_service():
    from bss.audit.models import HistoryEntry

    client = Client()
    client.force_login(staff_user(Role.ADMIN, is_superuser=True))
    url = "/admin/service_activation/workorderassignmentrule/add/"
    assert client.get(url).status_code == 200
    resp = client.post(url, {**_form(active="on"), "_save": "Save"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    rule = WorkOrderAssignmentRule.objects.get()
    assert HistoryEntry.objects.filter(action="service_activation.assignment_rule.created",
                                       object_id=str(rule.pk)).exists()
    bad = client.post(url, {**_form(team=""), "_save": "Save"})
    assert bad.status_code == 200 and WorkOrderAssignmentRule.objects.count() == 1
