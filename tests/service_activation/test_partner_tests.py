"""Partner test plans (1.1.2.2.5): a partner-delivered specification's test plan runs on the partner's side; each
test step waits on the partner's result, reported by callback (native API, an integrator token) or entered by
staff; every result is a TestRun compared with the earlier runs; a failure goes to the fallout queue."""

import pytest
from rest_framework.test import APIClient

from bss.actors import Actor, Channel
from bss.roles import Role
from service_activation.models import Service, ServiceOrder, WorkOrder
from service_activation.models import TestRun as E2ETestRun
from service_activation.selectors import fallout_queue
from service_activation.services import (
    service_order_issue,
    service_order_run,
    work_order_complete,
    work_order_report,
    work_order_retry,
)
from service_activation.services.service_orders import ServiceItemInput
from tests.factories import ServiceSpecificationFactory, orderable_customer, staff_user

pytestmark = pytest.mark.django_db


def _partner_order(actor, on_commit):
    spec = ServiceSpecificationFactory(
        lifecycle_status="active", delivered_by_partner=True, partner_name="Emerald Fibre",
        test_plan=[{"code": "olt-light-level", "name": "Light level at the ONT"},
                   {"code": "throughput", "name": "Throughput test"}])
    with on_commit(execute=True):
        so = service_order_issue(actor=actor, customer_id=orderable_customer().pk, origin="partner", start=False,
                                 items=[ServiceItemInput(item_id="1", specification_id=spec.pk)])
        service_order_run(service_order_id=so.pk, actor=actor)
    requisition = WorkOrder.objects.get(item__service_order=so, code="partner-requisition")
    with on_commit(execute=True):
        work_order_report(work_order_id=requisition.pk, status="done", actor=actor, reference="EF-1")
    return so


@pytest.fixture
def partner():
    client = APIClient()
    client.force_authenticate(staff_user(Role.INTEGRATOR))
    return client


def test_the_partner_test_plan_waits_on_the_partners_results_and_fails_to_fallout(partner, on_commit, client):
    csr = Actor(user=staff_user(Role.PROVISIONING), channel=Channel.PORTAL)
    so = _partner_order(csr, on_commit)
    tests = {w.code: w for w in WorkOrder.objects.filter(item__service_order=so, kind="test")}
    assert {(w.status, w.manual, w.specialty) for w in tests.values()} == {("ready", True, "partner:Emerald Fibre")}
    service = so.items.get().service
    service.refresh_from_db()
    assert service.state == Service.State.INACTIVE  # configured by the partner, not yet tested

    url = f"/api/v1/work-orders/{tests['olt-light-level'].pk}/test-result/"
    assert partner.post(url, {"passed": "maybe"}, format="json").status_code == 400
    assert partner.post(url, {"passed": True, "results": [{"code": "rx", "passed": False}]},
                        format="json").status_code == 400  # a failed check in a passed run
    assert APIClient().post(url, {"passed": True}, format="json").status_code in (401, 403)
    with on_commit(execute=True):
        r = partner.post(url, {"passed": False, "reference": "EF-T1", "detail": "-31 dBm at the ONT", "results": [
            {"code": "rx-power", "passed": False, "detail": "-31 dBm", "measurements": {"dbm": -31}},
            {"code": "tx-power", "passed": True}]}, format="json")
    assert r.status_code == 200, r.content
    first = E2ETestRun.objects.get(pk=r.json()["testRun"]["id"])
    assert not first.passed
    assert [(c["code"], c["change"], c["partner"], c["reference"]) for c in first.results] == [
        ("rx-power", "new", "Emerald Fibre", "EF-T1"), ("tx-power", "new", "Emerald Fibre", "EF-T1")]
    assert first.results[0]["measurements"] == {"dbm": -31}
    wo = WorkOrder.objects.get(pk=tests["olt-light-level"].pk)
    assert wo.status == "failed" and "-31 dBm" in wo.last_error
    assert wo in fallout_queue()
    with on_commit(execute=True):  # a replayed callback stores nothing new
        assert partner.post(url, {"passed": False, "reference": "EF-T1"}, format="json").status_code == 200
    assert E2ETestRun.objects.filter(item__service_order=so).count() == 1

    with on_commit(execute=True):
        work_order_retry(work_order_id=wo.pk, actor=csr, reason="the partner cleaned the connector")
        r = partner.post(url, {"passed": True, "reference": "EF-T2", "results": [
            {"code": "rx-power", "passed": True, "detail": "-19 dBm"}, {"code": "tx-power", "passed": True}]},
            format="json")
    assert r.status_code == 200, r.content
    second = E2ETestRun.objects.get(pk=r.json()["testRun"]["id"])
    assert [(c["code"], c["previous"], c["change"]) for c in second.results] == [
        ("rx-power", False, "fixed"), ("tx-power", True, "same")]
    assert r.json()["workOrder"]["status"] == "done"

    # the other check entered by staff (the worklist's form): also compared, and the service becomes active
    with on_commit(execute=True):
        work_order_complete(work_order_id=tests["throughput"].pk, actor=csr, note="940 Mbit/s, partner's sheet",
                            passed=True)
    staff_run = E2ETestRun.objects.filter(item__service_order=so).order_by("-id").first()
    assert staff_run.results[0]["code"] == "throughput" and staff_run.results[0]["change"] == "new"
    so.refresh_from_db()
    service.refresh_from_db()
    assert so.state == ServiceOrder.State.COMPLETED and service.state == Service.State.ACTIVE
    client.force_login(csr.user)  # the service order page shows what changed since the last run
    page = client.get(f"/csr/provisioning/service-orders/{so.pk}/").content.decode()
    assert page.count('data-test-change="fixed"') == 1


def test_only_a_partner_test_takes_a_partner_result(partner, on_commit):
    from tests.factories import ActivationStepFactory

    csr = Actor(user=staff_user(Role.PROVISIONING), channel=Channel.PORTAL)
    spec = ServiceSpecificationFactory(lifecycle_status="active",
                                       test_plan=[{"code": "check", "name": "Check", "kind": "manual"}])
    ActivationStepFactory(specification=spec, code="configure", kind="automatic")
    with on_commit(execute=True):
        so = service_order_issue(actor=csr, origin="api", items=[ServiceItemInput(item_id="1",
                                                                                  specification_id=spec.pk)])
    wo = WorkOrder.objects.get(item__service_order=so, kind="test")
    r = partner.post(f"/api/v1/work-orders/{wo.pk}/test-result/", {"passed": True}, format="json")
    assert r.status_code == 409
