"""Recover service (eTOM 1.1.2.2.10): a delete item runs its specification's recovery plan; a specification without
one gets a plan drafted for review and the recovery is held until an engineer approves it; a recovery impacting
other services waits for an authorization (bss.approvals) and a refusal cancels it; the customer and the affected
parties are told when it starts and ends (after commit, through the event receivers); the recovered number goes to
quarantine."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from bss.actors import Actor, Channel
from bss.approvals.models import ApprovalRequest
from bss.approvals.services import approval_approve, approval_reject
from bss.errors import ApplicationError, DomainValidationError
from bss.roles import Role
from service_activation.models import (
    NetworkConfiguration,
    RecoveryPlan,
    Resource,
    Service,
    ServiceOrder,
    ServiceRecovery,
    WorkOrder,
)
from service_activation.services import service_order_issue, service_order_run
from service_activation.services.recovery import (
    RECOVERY_APPROVAL,
    recovery_plan_approve,
    recovery_plan_update,
    service_recoveries_notify,
)
from service_activation.services.service_orders import ServiceItemInput
from tests.factories import (
    ActivationStepFactory,
    ContactFactory,
    ContactMediumFactory,
    ServiceSpecificationFactory,
    orderable_customer,
    staff_user,
)
from tests.factories.service_activation import number_pool

pytestmark = pytest.mark.django_db


@pytest.fixture
def engineer():
    return Actor(user=staff_user(Role.PROVISIONING), channel=Channel.PORTAL)


def _customer(email=None):
    customer = orderable_customer()
    if email:
        ContactMediumFactory(contact=ContactFactory(customer=customer), kind="email", value=email)
    return customer


def _spec(recovery_plan=None):
    spec = ServiceSpecificationFactory(lifecycle_status="active", required_resources=["msisdn"],
                                       recovery_plan=recovery_plan or [])
    ActivationStepFactory(specification=spec, sequence=1, code="hlr-provision", name="Provision the HLR",
                          kind="automatic", specialty="hlr")
    ActivationStepFactory(specification=spec, sequence=2, code="pcrf-profile", name="Load the PCRF profile",
                          kind="automatic", specialty="pcrf", depends_on=["hlr-provision"])
    return spec


def _active_service(spec, customer, actor, on_commit):
    with on_commit(execute=True):
        so = service_order_issue(actor=actor, customer_id=customer.pk, origin="api",
                                 items=[ServiceItemInput(item_id="1", specification_id=spec.pk)])
    service = so.items.get().service
    service.refresh_from_db()
    assert service.state == Service.State.ACTIVE
    return service


def _recover(service, actor, on_commit):
    with on_commit(execute=True):
        so = service_order_issue(actor=actor, customer_id=service.customer_id, origin="recovery",
                                 items=[ServiceItemInput(item_id="1", action="delete", service_id=service.pk)])
    so.refresh_from_db()
    return so


def test_a_specification_without_recovery_plan_gets_one_drafted_and_the_recovery_waits_for_its_approval(
        engineer, on_commit):
    number_pool(3, quarantine_days=30)
    spec = _spec()
    service = _active_service(spec, _customer(), engineer, on_commit)
    number = service.characteristics["msisdn"]

    so = _recover(service, engineer, on_commit)
    assert so.state == ServiceOrder.State.HELD
    assert so.items.get().state == "held"
    plan = RecoveryPlan.objects.get(specification=spec)
    assert plan.status == "draft"
    assert [s["code"] for s in plan.steps] == ["remove-pcrf-profile", "remove-hlr-provision", "reclaim-msisdn"]
    assert plan.drafted_from == {"activation_steps": ["hlr-provision", "pcrf-profile"],
                                 "required_resources": ["msisdn"]}
    assert not WorkOrder.objects.filter(item__service_order=so).exists()  # nothing runs before the review
    with on_commit(execute=True):
        service_order_run(service_order_id=so.pk, actor=engineer)
    so.refresh_from_db()
    assert so.state == ServiceOrder.State.HELD
    service.refresh_from_db()
    assert service.state == Service.State.ACTIVE

    with pytest.raises(DomainValidationError):
        recovery_plan_update(plan_id=plan.pk, steps=[{"code": "x", "name": "X", "kind": "sideways"}], actor=engineer)
    edited = [*plan.steps[:2], {"code": "collect-sim", "name": "Collect the SIM card", "kind": "manual",
                                "specialty": "retail"}]
    recovery_plan_update(plan_id=plan.pk, steps=edited, actor=engineer, review_note="SIMs are collected in shops")
    with on_commit(execute=True):
        recovery_plan_approve(plan_id=plan.pk, actor=engineer)
    plan.refresh_from_db()
    spec.refresh_from_db()
    assert plan.status == "approved" and plan.reviewed_by == engineer.user
    assert [s["code"] for s in spec.recovery_plan] == ["remove-pcrf-profile", "remove-hlr-provision", "collect-sim"]

    so.refresh_from_db()
    assert so.state == ServiceOrder.State.IN_PROGRESS  # released: the automatic steps ran, the manual one waits
    steps = {w.code: w for w in WorkOrder.objects.filter(item__service_order=so)}
    assert steps["remove-pcrf-profile"].status == "done" and steps["remove-hlr-provision"].status == "done"
    assert NetworkConfiguration.objects.filter(operation="recover", service_ref=f"service:{service.pk}").count() == 2
    from service_activation.services import work_order_complete

    with on_commit(execute=True):
        work_order_complete(work_order_id=steps["collect-sim"].pk, actor=engineer, note="SIM cut")
    so.refresh_from_db()
    service.refresh_from_db()
    assert so.state == ServiceOrder.State.COMPLETED
    assert service.state == Service.State.TERMINATED
    resource = Resource.objects.get(value=number)  # (d) the number rests in quarantine before reuse
    assert resource.state == "quarantined" and resource.holder == ""
    assert abs(resource.quarantined_until - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=5)
    assert ServiceRecovery.objects.get(item__service_order=so).status == "completed"

    # the approved plan is now the specification's: the next recovery of this kind runs without waiting
    other = _active_service(spec, _customer(), engineer, on_commit)
    so2 = _recover(other, engineer, on_commit)
    assert so2.state == ServiceOrder.State.IN_PROGRESS
    assert RecoveryPlan.objects.filter(specification=spec).count() == 1


def test_two_recoveries_wait_for_the_same_draft(engineer, on_commit):
    number_pool(3)
    spec = _spec()
    first, second = (_active_service(spec, _customer(), engineer, on_commit) for _ in range(2))
    so1, so2 = _recover(first, engineer, on_commit), _recover(second, engineer, on_commit)
    assert RecoveryPlan.objects.filter(specification=spec, status="draft").count() == 1
    with pytest.raises(ApplicationError):
        recovery_plan_approve(plan_id=RecoveryPlan.objects.get().pk, actor=Actor.system())
    with on_commit(execute=True):
        recovery_plan_approve(plan_id=RecoveryPlan.objects.get().pk, actor=engineer)
    for so in (so1, so2):
        so.refresh_from_db()
        assert so.state == ServiceOrder.State.COMPLETED  # every step automatic


PLAN = [{"code": "remove-line", "name": "Remove the line", "kind": "automatic", "adapter": "simulated",
         "specialty": "olt"}]


def _shared_port_services(engineer):
    spec = ServiceSpecificationFactory(lifecycle_status="active", recovery_plan=PLAN)
    customer, neighbour = _customer("owner@example.com"), _customer("neighbour@example.com")
    service = Service.objects.create(name="Business line", customer=customer, specification=spec,
                                     state=Service.State.ACTIVE, characteristics={"port": "olt1/1/4"})
    shared = Service.objects.create(name="Alarm line", customer=neighbour, specification=spec,
                                    state=Service.State.ACTIVE, characteristics={"port": "olt1/1/4"})
    Service.objects.create(name="Old line", customer=neighbour, specification=spec,
                           state=Service.State.TERMINATED, characteristics={"port": "olt1/1/4"})
    return service, shared


def test_a_recovery_impacting_another_service_waits_for_authorization(engineer, on_commit):
    service, shared = _shared_port_services(engineer)
    so = _recover(service, engineer, on_commit)
    assert so.state == ServiceOrder.State.HELD
    rec = ServiceRecovery.objects.get(item__service_order=so)
    assert rec.authorization == "pending"
    assert [(i["service"], i["reason"]) for i in rec.impacts] == [(shared.pk, "uses the same port olt1/1/4")]
    request = ApprovalRequest.objects.get(approval_type=RECOVERY_APPROVAL, subject_id=str(rec.pk))
    assert "Alarm line" in request.reason
    assert mail.outbox == []  # nothing started yet: nobody is told

    supervisor = Actor(user=staff_user(Role.SUPERVISOR), channel=Channel.PORTAL)
    with on_commit(execute=True):
        approval_approve(request_id=request.pk, reason="the alarm line moves to port 5 tonight", actor=supervisor)
    so.refresh_from_db()
    service.refresh_from_db()
    rec.refresh_from_db()
    assert so.state == ServiceOrder.State.COMPLETED and service.state == Service.State.TERMINATED
    assert rec.authorization == "approved" and rec.status == "completed"
    shared.refresh_from_db()
    assert shared.state == Service.State.ACTIVE

    # (c) the customer and the affected party, at start and at the end, once each
    sent = sorted((m.to[0], "ended" in m.body) for m in mail.outbox)
    assert sent == [("neighbour@example.com", False), ("neighbour@example.com", True),
                    ("owner@example.com", False), ("owner@example.com", True)]
    assert rec.started_notified_at and rec.ended_notified_at
    with on_commit(execute=True):
        assert service_recoveries_notify(service_order_id=so.pk, actor=engineer) == []  # a replayed event
    assert len(mail.outbox) == 4


def test_a_refused_authorization_cancels_the_recovery_with_the_reason(engineer, on_commit):
    service, _ = _shared_port_services(engineer)
    so = _recover(service, engineer, on_commit)
    rec = ServiceRecovery.objects.get(item__service_order=so)
    request = ApprovalRequest.objects.get(approval_type=RECOVERY_APPROVAL, subject_id=str(rec.pk))
    supervisor = Actor(user=staff_user(Role.SUPERVISOR), channel=Channel.PORTAL)
    with on_commit(execute=True):
        approval_reject(request_id=request.pk, reason="the alarm line cannot move this month", actor=supervisor)
    so.refresh_from_db()
    service.refresh_from_db()
    rec.refresh_from_db()
    assert so.state == ServiceOrder.State.CANCELLED
    assert so.cancellation_reason == "recovery not authorized: the alarm line cannot move this month"
    assert rec.status == "cancelled" and rec.authorization == "rejected"
    assert service.state == Service.State.ACTIVE  # nothing was recovered
    assert not WorkOrder.objects.filter(item__service_order=so, status="done").exists()
    assert mail.outbox == []  # it never started


def test_services_recovered_together_do_not_need_authorization(engineer, on_commit):
    spec = ServiceSpecificationFactory(lifecycle_status="active", recovery_plan=PLAN)
    customer = _customer()
    a, b = (Service.objects.create(name=f"Line {n}", customer=customer, specification=spec,
                                   state=Service.State.ACTIVE, characteristics={"vlan": 120}) for n in (1, 2))
    with on_commit(execute=True):
        so = service_order_issue(actor=engineer, customer_id=customer.pk, origin="recovery", items=[
            ServiceItemInput(item_id="1", action="delete", service_id=a.pk),
            ServiceItemInput(item_id="2", action="delete", service_id=b.pk)])
    so.refresh_from_db()
    assert so.state == ServiceOrder.State.COMPLETED
    assert set(ServiceRecovery.objects.filter(item__service_order=so).values_list("authorization", flat=True)) == {
        "notNeeded"}


def test_cancelling_a_held_recovery_order_closes_its_recovery_without_notices(engineer, on_commit):
    from service_activation.services import service_order_cancel

    number_pool(2)
    service = _active_service(_spec(), _customer("someone@example.com"), engineer, on_commit)
    so = _recover(service, engineer, on_commit)
    with on_commit(execute=True):
        assert service_order_cancel(service_order_id=so.pk, reason="the customer stays", actor=engineer) == "cancelled"
    rec = ServiceRecovery.objects.get(item__service_order=so)
    assert rec.status == "cancelled" and rec.outcome_reason == "the customer stays"
    service.refresh_from_db()
    assert service.state == Service.State.ACTIVE
    assert mail.outbox == []


def test_a_dependent_service_of_the_same_product_is_an_impact(engineer, on_commit):
    from tests.factories import ProductFactory

    spec = ServiceSpecificationFactory(lifecycle_status="active", recovery_plan=PLAN)
    customer = _customer()
    product = ProductFactory(customer=customer)
    access = Service.objects.create(name="Fibre access", customer=customer, specification=spec, product=product,
                                    state=Service.State.ACTIVE)
    iptv = Service.objects.create(name="IPTV", customer=customer, specification=spec, product=product,
                                  state=Service.State.ACTIVE)
    so = _recover(access, engineer, on_commit)
    assert so.state == ServiceOrder.State.HELD
    rec = ServiceRecovery.objects.get(item__service_order=so)
    assert rec.impacts == [{"service": iptv.pk, "name": "IPTV", "customer": customer.pk,
                            "reason": "realizes the same customer product"}]


def test_a_recovery_waiting_for_both_its_plan_and_an_authorization_runs_once_both_are_given(engineer, on_commit):
    spec = ServiceSpecificationFactory(lifecycle_status="active")
    ActivationStepFactory(specification=spec, sequence=1, code="olt-port", name="Configure the OLT port")
    customer = _customer()
    service, _shared = (Service.objects.create(name=f"Line {n}", customer=customer, specification=spec,
                                               state=Service.State.ACTIVE, characteristics={"port": "p7"})
                        for n in (1, 2))
    so = _recover(service, engineer, on_commit)
    request = ApprovalRequest.objects.get(approval_type=RECOVERY_APPROVAL)
    with on_commit(execute=True):
        recovery_plan_approve(plan_id=RecoveryPlan.objects.get(specification=spec).pk, actor=engineer)
    so.refresh_from_db()
    assert so.state == ServiceOrder.State.HELD  # the authorization is still missing
    with on_commit(execute=True):
        approval_approve(request_id=request.pk, reason="ok", actor=Actor(user=staff_user(Role.SUPERVISOR),
                                                                          channel=Channel.PORTAL))
    so.refresh_from_db()
    assert so.state == ServiceOrder.State.COMPLETED
    assert list(WorkOrder.objects.filter(item__service_order=so).values_list("code", flat=True)) == [
        "remove-olt-port"]
