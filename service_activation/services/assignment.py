"""Work order assignment (eTOM 1.1.2.2.3, seed 001: "system will provide assign rules based on work order, monitor
can modify these rules"): the rules monitoring staff maintain (create, change, switch off; history on each), and
their evaluation when manual work orders are created (``work_orders_assign``, called wherever work orders are made:
service_orders.service_order_issue, and recovery.recovery_release for the recovery steps of a plan approved after
the order was issued).

A rule matches a work order when every condition it sets holds (a blank condition matches anything): the step's
specialty, the work order's kind, the item's service specification, the install address's area code (the item's
place, else its service's place) and the service order's priority (``max_priority``: that priority or more urgent;
0 is the highest). Active rules are tried by ``position`` (then age); the first that matches decides the team and,
if it names one, the person. A partner requisition is routed only by a rule naming its ``partner:`` specialty. No match: the work order stays with its specialty's team, unassigned. Rules apply to
work orders created after the change; existing work orders keep their team.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from bss.actors import Actor
from bss.audit.services import UNSET, history_record, history_record_created, model_update
from bss.errors import DomainValidationError
from service_activation.models import (
    ServiceOrderItem,
    ServiceSpecification,
    WorkOrder,
    WorkOrderAssignment,
    WorkOrderAssignmentRule,
)

RULE_FIELDS = ("name", "position", "active", "specialty", "work_order_kind", "specification", "area_code",
               "max_priority", "team", "assignee")
WORK_PERMISSION = "service_activation.change_workorder"
PRIORITIES = range(0, 5)


def assignable_users():
    """Who a rule may give work orders to: active users whose role may work them."""
    User = get_user_model()
    from django.db.models import Q

    perm = Q(groups__permissions__codename="change_workorder",
             groups__permissions__content_type__app_label="service_activation")
    return User.objects.filter(is_active=True).filter(perm | Q(is_superuser=True)).distinct().order_by("username")


def validate_rule_data(data: dict) -> None:
    """Every problem at once (the portal form and the admin show them on their fields)."""
    errors: dict[str, list[str]] = {}
    for name, label in (("name", "Name the rule."), ("team", "Name the team whose worklist gets the work order.")):
        if name in data and not str(data[name] or "").strip():
            errors[name] = [label]
    kind = data.get("work_order_kind") or ""
    if kind and kind not in WorkOrderAssignmentRule.Kind.values:
        errors["work_order_kind"] = [f"One of {', '.join(WorkOrderAssignmentRule.Kind.values)}, or blank for any."]
    priority = data.get("max_priority")
    if priority not in (None, "") and priority not in PRIORITIES:
        errors["max_priority"] = ["A priority from 0 (highest) to 4, or blank for any."]
    spec = data.get("specification")
    if spec is not None and not isinstance(spec, ServiceSpecification):
        errors["specification"] = ["A service specification we hold."]
    assignee = data.get("assignee")
    if assignee is not None and not assignable_users().filter(pk=getattr(assignee, "pk", None)).exists():
        errors["assignee"] = ["Someone whose role may work provisioning steps (and whose login is active)."]
    if errors:
        raise DomainValidationError(errors)


def _clean(data: dict) -> dict:
    out = dict(data)
    for name in ("name", "specialty", "area_code", "team"):
        if isinstance(out.get(name), str):
            out[name] = out[name].strip()
    if out.get("max_priority") == "":
        out["max_priority"] = None
    return out


@transaction.atomic
def assignment_rule_create(*, actor: Actor, name: str, team: str, position: int = 100, active: bool = True,
                           specialty: str = "", work_order_kind: str = "", specification=None, area_code: str = "",
                           max_priority: int | None = None, assignee=None) -> WorkOrderAssignmentRule:
    data = _clean({"name": name, "team": team, "position": position, "active": active, "specialty": specialty,
                   "work_order_kind": work_order_kind or "", "specification": specification,
                   "area_code": area_code, "max_priority": max_priority, "assignee": assignee})
    validate_rule_data(data)
    rule = WorkOrderAssignmentRule(**data)
    rule.full_clean()
    rule.save()
    history_record_created(obj=rule, actor=actor, action="service_activation.assignment_rule.created")
    return rule


@transaction.atomic
def assignment_rule_update(*, rule_id: int, actor: Actor, reason: str = "", name=UNSET, team=UNSET, position=UNSET,
                           active=UNSET, specialty=UNSET, work_order_kind=UNSET, specification=UNSET,
                           area_code=UNSET, max_priority=UNSET, assignee=UNSET) -> WorkOrderAssignmentRule:
    """Change a rule (switching it off is ``active=False``: rules are kept, the assignments they made name them)."""
    rule = WorkOrderAssignmentRule.objects.select_for_update().filter(pk=rule_id).first()
    if rule is None:
        raise DomainValidationError({"rule": "Not found."})
    data = _clean({k: v for k, v in {
        "name": name, "team": team, "position": position, "active": active, "specialty": specialty,
        "work_order_kind": work_order_kind, "specification": specification, "area_code": area_code,
        "max_priority": max_priority, "assignee": assignee}.items() if v is not UNSET})
    if data.get("work_order_kind") is None and "work_order_kind" in data:
        data["work_order_kind"] = ""
    validate_rule_data(data)
    model_update(instance=rule, fields=RULE_FIELDS, data=data, actor=actor, reason=reason,
                 action="service_activation.assignment_rule.updated")
    return rule


# --- evaluation ---------------------------------------------------------------------------------------------

def _facts(item: ServiceOrderItem, rules: list[WorkOrderAssignmentRule]) -> dict:
    """What the rules look at, read once per item (the area only when a rule asks for one)."""
    area = ""
    if any(r.area_code for r in rules):
        from customers.selectors import address_visible

        place_id = item.place_id or (item.service.place_id if item.service_id else None)
        place = address_visible(user=None, address_id=place_id, system=True) if place_id else None
        area = place.area_code if place is not None else ""
    return {"specification_id": item.specification_id, "area_code": area.strip().upper(),
            "priority": item.service_order.priority}


def rule_matches(rule: WorkOrderAssignmentRule, wo: WorkOrder, facts: dict) -> bool:
    """Every condition the rule sets holds. A partner requisition (specialty ``partner:<name>``) is the partner's
    work: only a rule that names that specialty routes it."""
    if wo.specialty.startswith("partner:") and rule.specialty != wo.specialty:
        return False
    return ((not rule.specialty or rule.specialty == wo.specialty)
            and (not rule.work_order_kind or rule.work_order_kind == wo.kind)
            and (rule.specification_id is None or rule.specification_id == facts["specification_id"])
            and (not rule.area_code or rule.area_code.strip().upper() == facts["area_code"])
            and (rule.max_priority is None or facts["priority"] <= rule.max_priority))


def work_orders_assign(work_orders: list[WorkOrder], *, item: ServiceOrderItem, actor: Actor) -> list[WorkOrder]:
    """Route the item's new manual work orders by the first matching active rule (one query when no rule is
    configured or no work order is manual: none). Returns the work orders, for the caller's chaining."""
    manual = [w for w in work_orders if w.manual and w.pk]
    if not manual:
        return work_orders
    rules = list(WorkOrderAssignmentRule.objects.filter(active=True).order_by("position", "pk"))
    if not rules:
        return work_orders
    facts = _facts(item, rules)
    so = item.service_order
    root = so.customer if so.customer_id else so
    rows, given = [], []
    for wo in manual:
        rule = next((r for r in rules if rule_matches(r, wo, facts)), None)
        if rule is None:
            continue
        rows.append(WorkOrderAssignment(work_order=wo, team=rule.team, rule=rule))
        changes = {"team": [wo.specialty or None, rule.team]}
        if rule.assignee_id:
            wo.assigned_to_id = rule.assignee_id
            given.append(wo)
            changes["assigned_to"] = [None, rule.assignee_id]
        history_record(obj=wo, action="service_activation.work_order.assigned", actor=actor, root=root,
                       reason=f"assignment rule “{rule.name}”", changes=changes)
    WorkOrderAssignment.objects.bulk_create(rows)
    if given:
        WorkOrder.objects.bulk_update(given, ["assigned_to"])
    return work_orders


def work_order_team(wo: WorkOrder) -> str:
    """The team whose worklist holds the work order: the rule's, else its specialty."""
    try:
        return wo.assignment.team
    except WorkOrderAssignment.DoesNotExist:
        return wo.specialty
