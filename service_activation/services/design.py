"""Design solution (eTOM 1.1.2.2.1). A design is opened for an order held for special handling; an engineer
records the solution (CPE, resource assignments, implementation plan, schedule, budget, cost and risk, time to
revenue) and submits it for approval (bss.approvals, type service_activation.design); once approved, the
customer order is released (ServiceDesignStateChangeEvent, to which orders subscribes) and its service orders are
issued with the design's resource assignments."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction

from bss.actors import Actor
from bss.approvals.models import ApprovalRequest
from bss.audit.services import UNSET, history_record_created, model_update
from bss.errors import ApplicationError, DomainValidationError
from bss.events import publish
from bss.fsm import fsm_transition
from service_activation.events import SERVICE_DESIGN_STATE_CHANGE
from service_activation.models import ServiceDesign

DESIGN_APPROVAL = "service_activation.design"
DESIGN_FIELDS = ("cpe", "resource_assignments", "implementation_plan", "schedule", "budget", "cost", "currency",
                 "risk", "time_to_revenue_days", "designer")


def _root(d: ServiceDesign):
    return d.customer or d


@transaction.atomic
def service_design_open(*, requirement: str, actor: Actor, customer_id: int | None = None,
                        customer_order_ref: str = "", customer_order_id: int | None = None) -> ServiceDesign:
    """A design task in the service design queue (idempotent per customer order)."""
    if customer_order_id is not None:
        existing = ServiceDesign.objects.filter(customer_order_id=customer_order_id).exclude(
            status=ServiceDesign.Status.CANCELLED).first()
        if existing is not None:
            return existing
    d = ServiceDesign.objects.create(requirement=requirement or "special handling", customer_id=customer_id,
                                     customer_order_ref=customer_order_ref, customer_order_id=customer_order_id)
    history_record_created(obj=d, actor=actor, action="service_activation.service_design.opened", root=_root(d))
    return d


def _money(errors: dict, name: str, value):
    if value in (UNSET, None, ""):
        return value if value is not UNSET else UNSET
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[name] = "An amount, e.g. 1250.00."
        return UNSET
    if amount < 0 or not amount.is_finite():
        errors[name] = "Not negative."
    return amount


@transaction.atomic
def service_design_record(*, design_id: int, actor: Actor, cpe: str = UNSET, resource_assignments: dict = UNSET,
                          implementation_plan: str = UNSET, schedule: str = UNSET, budget=UNSET, cost=UNSET,
                          currency: str = UNSET, risk: str = UNSET, time_to_revenue_days: int = UNSET) -> ServiceDesign:
    d = ServiceDesign.objects.select_for_update().get(pk=design_id)
    if d.status not in (ServiceDesign.Status.OPEN, ServiceDesign.Status.REJECTED):
        raise ApplicationError(f"{d} is {d.get_status_display().lower()}: it is no longer edited.")
    errors: dict = {}
    budget, cost = _money(errors, "budget", budget), _money(errors, "cost", cost)
    if resource_assignments is not UNSET and not isinstance(resource_assignments, dict):
        errors["resource_assignments"] = 'Per service: {"msisdn": "0871001888", ...}.'
    if errors:
        raise DomainValidationError(errors)
    model_update(instance=d, fields=DESIGN_FIELDS, actor=actor, action="service_activation.service_design.recorded",
                 root=_root(d), data={"cpe": cpe, "resource_assignments": resource_assignments,
                                      "implementation_plan": implementation_plan, "schedule": schedule,
                                      "budget": budget, "cost": cost, "currency": currency, "risk": risk,
                                      "time_to_revenue_days": time_to_revenue_days,
                                      "designer": actor.user if actor.user_id else UNSET})
    return d


@transaction.atomic
def service_design_submit(*, design_id: int, actor: Actor, reason: str = "") -> ServiceDesign:
    """Ask for approval: the solution must say how it is implemented and what it costs."""
    from bss.approvals.services import approval_request_create

    d = ServiceDesign.objects.select_for_update().get(pk=design_id)
    missing = [label for f, label in (("implementation_plan", "the implementation plan"), ("cost", "the cost"),
                                      ("schedule", "the schedule")) if getattr(d, f) in (None, "")]
    if missing:
        raise DomainValidationError({"design": f"Record {', '.join(missing)} before submitting."})
    fsm_transition(d, "submit", actor=actor, reason=reason, action="service_activation.service_design.submit",
                   root=_root(d))
    approval_request_create(approval_type=DESIGN_APPROVAL, subject=d, actor=actor, amount=d.cost,
                            currency=d.currency, reason=reason or f"design for {d.customer_order_ref or d.pk}")
    publish(SERVICE_DESIGN_STATE_CHANGE, d)
    return d


def service_design_decided(request: ApprovalRequest, *, actor: Actor) -> None:
    """Decision handler of service_activation.design (in the approval's transaction)."""
    d = ServiceDesign.objects.select_for_update().get(pk=int(request.subject_id))
    if request.state == ApprovalRequest.State.APPROVED:
        fsm_transition(d, "approve", actor=actor, reason=request.decision_reason,
                       action="service_activation.service_design.approve", root=_root(d))
    elif request.state == ApprovalRequest.State.REJECTED:
        fsm_transition(d, "reject", actor=actor, reason=request.decision_reason,
                       action="service_activation.service_design.reject", root=_root(d))
    else:
        return
    publish(SERVICE_DESIGN_STATE_CHANGE, d)


@transaction.atomic
def service_design_issued(*, design_id: int, actor: Actor) -> ServiceDesign:
    d = ServiceDesign.objects.select_for_update().get(pk=design_id)
    if d.status == ServiceDesign.Status.ISSUED:
        return d
    fsm_transition(d, "issue", actor=actor, reason="service orders issued from the design",
                   action="service_activation.service_design.issue", root=_root(d))
    return d


def design_queue():
    return ServiceDesign.objects.filter(status__in=[ServiceDesign.Status.OPEN, ServiceDesign.Status.REJECTED,
                                                    ServiceDesign.Status.SUBMITTED]).select_related("customer")
