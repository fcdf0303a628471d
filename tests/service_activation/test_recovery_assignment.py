"""Recovery work orders go through the assignment rules (eTOM 1.1.2.2.3 with 1.1.2.2.10): the work orders a held
recovery gets when its drafted recovery plan is approved (recovery.recovery_release) are routed by the same hook
as those service_order_issue creates (assignment.work_orders_assign): a matching rule gives the manual ones its
team and person, with the assignment in the history; automatic ones are never routed."""

import pytest

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.roles import Role
from service_activation.models import RecoveryPlan, Service, ServiceOrder, WorkOrder, WorkOrderAssignment
from service_activation.services import assignment, service_order_issue
from service_activation.services.recovery import recovery_plan_approve, recovery_plan_update
from service_activation.services.service_orders import ServiceItemInput
from tests.factories import ActivationStepFactory, ServiceSpecificationFactory, orderable_customer, staff_user
from tests.factories.service_activation import number_pool

pytestmark = pytest.mark.django_db


@pytest.fixture
def engineer():
    return Actor(user=staff_user(Role.PROVISIONING), channel=Channel.PORTAL)


def _spec_without_recovery_plan():
    spec = ServiceSpecificationFactory(lifecycle_status="active", required_resources=["msisdn"], recovery_plan=[])
    ActivationStepFactory(specification=spec, sequence=1, code="hlr-provision", name="Provision the HLR",
                          kind="automatic", specialty="hlr")
    return spec


def _held_recovery(spec, actor, on_commit):
    customer = orderable_customer()
    with on_commit(execute=True):
        so = service_order_issue(actor=actor, customer_id=customer.pk, origin="api",
                                 items=[ServiceItemInput(item_id="1", specification_id=spec.pk)])
    service = so.items.get().service
    service.refresh_from_db()
    assert service.state == Service.State.ACTIVE
    with on_commit(execute=True):
        recovery = service_order_issue(actor=actor, customer_id=customer.pk, origin="recovery",
                                       items=[ServiceItemInput(item_id="1", action="delete", service_id=service.pk)])
    recovery.refresh_from_db()
    assert recovery.state == ServiceOrder.State.HELD
    assert not WorkOrder.objects.filter(item__service_order=recovery).exists()
    return recovery


def test_an_approved_drafted_recovery_plans_manual_work_orders_get_the_matching_rules_team_and_person(
        engineer, on_commit):
    number_pool(3)
    spec = _spec_without_recovery_plan()
    so = _held_recovery(spec, engineer, on_commit)
    shop_lead = staff_user(Role.PROVISIONING, username="niamh")
    # an earlier, non-matching rule (another kind) and the matching one: the first that matches decides
    assignment.assignment_rule_create(actor=engineer, name="Shop installs", team="shop-installs",
                                      specialty="retail", work_order_kind="activation", position=10)
    rule = assignment.assignment_rule_create(actor=engineer, name="SIM collection", team="shop-recovery",
                                             specialty="retail", work_order_kind="recovery", assignee=shop_lead,
                                             position=20)
    plan = RecoveryPlan.objects.get(specification=spec, status=RecoveryPlan.Status.DRAFT)
    steps = [*plan.steps, {"code": "collect-sim", "name": "Collect the SIM card", "kind": "manual",
                           "specialty": "retail"}]
    recovery_plan_update(plan_id=plan.pk, steps=steps, actor=engineer)

    with on_commit(execute=True):
        recovery_plan_approve(plan_id=plan.pk, actor=engineer)

    so.refresh_from_db()
    assert so.state == ServiceOrder.State.IN_PROGRESS
    work_orders = {w.code: w for w in WorkOrder.objects.select_related("assignment__rule", "assigned_to").filter(
        item__service_order=so)}
    collect = work_orders["collect-sim"]
    assert collect.kind == WorkOrder.Kind.RECOVERY and collect.manual
    assert collect.assignment.team == "shop-recovery" and collect.assignment.rule == rule
    assert collect.assigned_to == shop_lead
    assert assignment.work_order_team(collect) == "shop-recovery"
    entry = HistoryEntry.objects.get(action="service_activation.work_order.assigned", object_id=str(collect.pk))
    assert entry.changes == {"team": ["retail", "shop-recovery"], "assigned_to": [None, shop_lead.pk]}
    assert "SIM collection" in entry.reason
    # the automatic recovery steps are never routed
    automatic = [w for w in work_orders.values() if not w.manual]
    assert automatic and not WorkOrderAssignment.objects.filter(work_order__in=automatic).exists()


def test_without_a_matching_rule_the_recovery_work_order_stays_with_its_specialty(engineer, on_commit):
    number_pool(3)
    spec = _spec_without_recovery_plan()
    so = _held_recovery(spec, engineer, on_commit)
    assignment.assignment_rule_create(actor=engineer, name="Field recovery", team="field-recovery",
                                      specialty="field-install", work_order_kind="recovery")
    plan = RecoveryPlan.objects.get(specification=spec, status=RecoveryPlan.Status.DRAFT)
    recovery_plan_update(plan_id=plan.pk, actor=engineer, steps=[
        *plan.steps, {"code": "collect-sim", "name": "Collect the SIM card", "kind": "manual", "specialty": "retail"}])
    with on_commit(execute=True):
        recovery_plan_approve(plan_id=plan.pk, actor=engineer)
    collect = WorkOrder.objects.get(item__service_order=so, code="collect-sim")
    assert not WorkOrderAssignment.objects.filter(work_order=collect).exists()
    assert assignment.work_order_team(collect) == "retail" and collect.assigned_to is None
