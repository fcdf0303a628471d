"""The recovery queue and the review of a drafted recovery plan in the staff portal (/csr/provisioning/recovery/)
and in the admin: an engineer edits the steps and approves the plan, the held recovery then runs; a CSR sees the
queue but cannot approve."""

import pytest
from django.urls import reverse

from bss.actors import Actor
from bss.audit.models import HistoryEntry
from bss.roles import Role
from service_activation.models import RecoveryPlan, Service, ServiceOrder
from service_activation.services import service_order_issue
from service_activation.services.service_orders import ServiceItemInput
from tests.factories import ActivationStepFactory, ServiceSpecificationFactory, orderable_customer, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(on_commit):
    spec = ServiceSpecificationFactory(lifecycle_status="active", name="Fibre line")
    ActivationStepFactory(specification=spec, sequence=1, code="olt-port", name="Configure the OLT port",
                          kind="automatic", specialty="olt")
    service = Service.objects.create(name="Fibre line", customer=orderable_customer(), specification=spec,
                                     state=Service.State.ACTIVE)
    with on_commit(execute=True):
        so = service_order_issue(actor=Actor.system(), customer_id=service.customer_id, origin="recovery",
                                 items=[ServiceItemInput(item_id="1", action="delete", service_id=service.pk)])
    so.refresh_from_db()
    assert so.state == ServiceOrder.State.HELD
    return so, RecoveryPlan.objects.get(specification=spec)


def _steps_post(rows, *, approve=False, note="", initial=0):
    """What the page posts: ``initial`` rows were shown from the plan (the page's management form says so)."""
    data = {"steps-TOTAL_FORMS": str(len(rows)), "steps-INITIAL_FORMS": str(min(initial, len(rows))), "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "1000", "review_note": note}
    for n, row in enumerate(rows):
        data.update({f"steps-{n}-{k}": v for k, v in row.items()})
    if approve:
        data["approve"] = "1"
    return data


def test_an_engineer_edits_and_approves_a_drafted_plan_in_the_portal(client, held, on_commit):
    so, plan = held
    client.force_login(staff_user(Role.PROVISIONING))
    home = client.get("/csr/").content.decode()  # the staff home's work queue leads there
    assert "Recovery plans to review" in home and reverse("provisioning:recovery_queue") in home
    page = client.get("/csr/provisioning/recovery/")
    assert page.status_code == 200
    assert f'data-recovery-plan="{plan.pk}"' in page.content.decode() and so.order_number in page.content.decode()
    url = reverse("provisioning:recovery_plan", args=[plan.pk])
    order_page = client.get(f"/csr/provisioning/service-orders/{so.pk}/").content.decode()
    assert 'data-recovery-status="held"' in order_page and url in order_page  # why it is held, and where to act
    page = client.get(url)
    assert page.status_code == 200 and 'value="remove-olt-port"' in page.content.decode()

    bad = client.post(url, _steps_post([{"code": "remove-olt-port", "name": "Remove", "kind": "automatic",
                                         "adapter": "carrier-pigeon"}]))
    assert bad.status_code == 400
    rows = [{"code": "remove-olt-port", "name": "Remove the OLT port", "kind": "automatic", "adapter": "simulated",
             "specialty": "olt"},
            {"code": "collect-ont", "name": "Collect the ONT", "kind": "manual", "adapter": "",
             "specialty": "field-install"},
            {"code": "dropped", "name": "Dropped", "kind": "manual", "DELETE": "on"}]
    assert client.post(url, _steps_post(rows, note="ONT collected by the field team", initial=1)).status_code == 302
    plan.refresh_from_db()
    assert [s["code"] for s in plan.steps] == ["remove-olt-port", "collect-ont"] and plan.status == "draft"
    with on_commit(execute=True):
        response = client.post(url, _steps_post(rows[:2], approve=True, note="checked", initial=2))
    assert response.status_code == 302
    plan.refresh_from_db()
    so.refresh_from_db()
    assert plan.status == "approved" and so.state == ServiceOrder.State.IN_PROGRESS
    assert HistoryEntry.objects.filter(object_id=str(plan.pk), action="service_activation.recovery_plan.approve",
                                       channel="portal").exists()
    assert client.post(url, _steps_post(rows[:2], approve=True)).status_code == 409  # approved already


def test_a_csr_sees_the_queue_but_cannot_review(client, held):
    _, plan = held
    client.force_login(staff_user(Role.CSR))
    assert client.get("/csr/provisioning/recovery/").status_code == 200
    url = reverse("provisioning:recovery_plan", args=[plan.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Save and approve" not in page.content.decode()
    assert client.post(url, _steps_post([], approve=True)).status_code == 403
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_the_admin_approves_a_plan_through_the_service(admin_client, held, on_commit):
    so, plan = held
    changelist = reverse("admin:service_activation_recoveryplan_changelist")
    assert admin_client.get(changelist).status_code == 200
    with on_commit(execute=True):
        response = admin_client.post(changelist, {"action": "approve", "_selected_action": [plan.pk], "apply": "1",
                                                  "reason": "reviewed with the OLT team"})
    assert response.status_code == 302
    plan.refresh_from_db()
    so.refresh_from_db()
    assert plan.status == "approved" and plan.specification.recovery_plan == plan.steps
    assert so.state == ServiceOrder.State.COMPLETED  # every step automatic
    assert HistoryEntry.objects.filter(object_id=str(plan.pk), channel="admin").exists()
