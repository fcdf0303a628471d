"""Work order assignment rules (eTOM 1.1.2.2.3, seed 001: assign rules based on the work order, that monitoring
staff can change): evaluated when a service order's manual work orders are created; the first active rule in
position order whose conditions (specialty, kind, service specification, area, priority) all hold gives the work
order its team and, optionally, a person; no rule leaves it with its specialty's team. Rules are validated, changes
recorded, and a change applies to work orders created afterwards only."""

from __future__ import annotations

import pytest

from bss.actors import Actor
from bss.audit.models import HistoryEntry
from bss.errors import DomainValidationError
from bss.roles import Role
from service_activation.models import WorkOrder, WorkOrderAssignment
from service_activation.services import assignment
from service_activation.services.service_orders import ServiceItemInput, service_order_issue
from tests.factories import (
    ActivationStepFactory,
    AddressFactory,
    CustomerFactory,
    ServiceSpecificationFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


@pytest.fixture
def spec():
    """A fiber line: an automatic port step, then a manual installation, then a manual site test."""
    s = ServiceSpecificationFactory(lifecycle_status="active", test_plan=[
        {"code": "site-test", "name": "Site test", "kind": "manual", "specialty": "field-install"}])
    ActivationStepFactory(specification=s, sequence=1, code="configure-port", specialty="olt")
    ActivationStepFactory(specification=s, sequence=2, code="install-ont", kind="manual", specialty="field-install",
                          depends_on=["configure-port"])
    return s


def _issue(spec, *, area=None, priority=2):
    customer = CustomerFactory()
    place = AddressFactory(customer=customer, area_code=area).pk if area else None
    return service_order_issue(actor=SYSTEM, customer_id=customer.pk, priority=priority, start=False, origin="api",
                               items=[ServiceItemInput(item_id="1", specification_id=spec.pk, place_id=place)])


def _wo(so, code) -> WorkOrder:
    return WorkOrder.objects.select_related("assignment", "assigned_to").get(item__service_order=so, code=code)


def _team(wo) -> str:
    return assignment.work_order_team(wo)


def _rule(**kw):
    return assignment.assignment_rule_create(actor=SYSTEM, **{"name": kw.get("team", "rule"), **kw})


def test_the_first_matching_rule_in_position_order_gives_the_team_and_the_person(spec):
    dublin_lead = staff_user(Role.PROVISIONING, username="aoife")
    _rule(name="Everything else in the field", team="field-national", specialty="field-install", position=50)
    _rule(name="Dublin installs", team="field-dublin", specialty="field-install", area_code="dub01",
          assignee=dublin_lead, position=10)
    so = _issue(spec, area="DUB01")
    install = _wo(so, "install-ont")
    assert install.assignment.team == "field-dublin" and install.assignment.rule.name == "Dublin installs"
    assert install.assigned_to == dublin_lead
    entry = HistoryEntry.objects.get(action="service_activation.work_order.assigned", object_id=str(install.pk))
    assert entry.changes == {"team": ["field-install", "field-dublin"], "assigned_to": [None, dublin_lead.pk]}
    assert "Dublin installs" in entry.reason
    elsewhere = _wo(_issue(spec, area="COR02"), "install-ont")
    assert _team(elsewhere) == "field-national" and elsewhere.assigned_to is None
    no_address = _wo(_issue(spec), "install-ont")
    assert _team(no_address) == "field-national"


def test_automatic_steps_are_never_routed_and_no_rule_leaves_the_specialty(spec):
    rule = _rule(team="anyone")  # no condition: any manual work order
    so = _issue(spec)
    assert not WorkOrderAssignment.objects.filter(work_order=_wo(so, "configure-port")).exists()
    assert _team(_wo(so, "install-ont")) == "anyone" and _team(_wo(so, "site-test")) == "anyone"
    WorkOrderAssignment.objects.all().delete()
    assert assignment.assignment_rule_update(rule_id=rule.pk, actor=SYSTEM, active=False).active is False
    fresh = _issue(spec)
    assert not WorkOrderAssignment.objects.exists()
    assert _team(_wo(fresh, "install-ont")) == "field-install"


@pytest.mark.parametrize("condition, matching, other", [
    ({"work_order_kind": "test"}, "site-test", "install-ont"),
    ({"work_order_kind": "activation"}, "install-ont", "site-test"),
])
def test_the_kind_condition(spec, condition, matching, other):
    _rule(team="special", **condition)
    so = _issue(spec)
    assert _team(_wo(so, matching)) == "special"
    assert _team(_wo(so, other)) == "field-install"


def test_the_specification_and_priority_conditions(spec):
    other_spec = ServiceSpecificationFactory(lifecycle_status="active")
    ActivationStepFactory(specification=other_spec, sequence=1, code="install-ont", kind="manual",
                          specialty="field-install")
    _rule(name="Urgent fiber", team="express", specification=spec, max_priority=1, position=1)
    assert _team(_wo(_issue(spec, priority=0), "install-ont")) == "express"
    assert _team(_wo(_issue(spec, priority=1), "install-ont")) == "express"
    assert _team(_wo(_issue(spec, priority=2), "install-ont")) == "field-install"
    assert _team(_wo(_issue(other_spec, priority=0), "install-ont")) == "field-install"


def test_a_changed_rule_routes_new_work_orders_and_leaves_the_old_ones(spec):
    rule = _rule(team="field-north", specialty="field-install")
    before = _wo(_issue(spec), "install-ont")
    assignment.assignment_rule_update(rule_id=rule.pk, actor=SYSTEM, team="field-south", reason="north is full")
    after = _wo(_issue(spec), "install-ont")
    before.refresh_from_db()
    assert _team(WorkOrder.objects.get(pk=before.pk)) == "field-north" and _team(after) == "field-south"
    entry = HistoryEntry.objects.get(action="service_activation.assignment_rule.updated")
    assert entry.changes == {"team": ["field-north", "field-south"]} and entry.reason == "north is full"
    assert HistoryEntry.objects.filter(action="service_activation.assignment_rule.created").count() == 1


def test_rules_are_validated_all_at_once_and_nothing_is_saved():
    csr = staff_user(Role.CSR)  # may not work provisioning steps
    with pytest.raises(DomainValidationError) as e:
        assignment.assignment_rule_create(actor=SYSTEM, name=" ", team="", assignee=csr, max_priority=7,
                                          work_order_kind="rollback")
    assert set(e.value.field_errors) == {"name", "team", "assignee", "max_priority", "work_order_kind"}
    from service_activation.models import WorkOrderAssignmentRule

    assert not WorkOrderAssignmentRule.objects.exists()
    rule = _rule(team="x")
    with pytest.raises(DomainValidationError):
        assignment.assignment_rule_update(rule_id=rule.pk, actor=SYSTEM, team="  ")
    rule.refresh_from_db()
    assert rule.team == "x"


def test_evaluation_costs_nothing_without_manual_work_and_one_query_without_rules(spec, django_assert_num_queries):
    so = _issue(spec)
    item = so.items.get()
    automatic = list(WorkOrder.objects.filter(item=item, manual=False))
    manual = list(WorkOrder.objects.filter(item=item, manual=True))
    with django_assert_num_queries(0):
        assignment.work_orders_assign(automatic, item=item, actor=SYSTEM)
    with django_assert_num_queries(1):
        assignment.work_orders_assign(manual, item=item, actor=SYSTEM)


def test_a_partner_requisition_is_routed_only_by_a_rule_naming_the_partner():
    partner = ServiceSpecificationFactory(lifecycle_status="active", delivered_by_partner=True, partner_name="eir")
    _rule(name="Catch-all", team="field-national", position=1)
    so = _issue(partner)
    assert _team(_wo(so, "partner-requisition")) == "partner:eir"
    _rule(name="eir desk", team="wholesale-desk", specialty="partner:eir", position=2)
    assert _team(_wo(_issue(partner), "partner-requisition")) == "wholesale-desk"
