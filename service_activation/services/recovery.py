"""Recover service (eTOM 1.1.2.2.10): end a service that is no longer needed.

A ``delete`` item of a service order runs its specification's recovery plan through the same adapters as
activation. Around that plan:

- **No recovery plan:** one is drafted from the activation plan (its steps undone in reverse order) and the
  resources the specification needs, stored as a ``RecoveryPlan`` for an engineer to review, edit and approve
  (portal /csr/provisioning/recovery/, admin). The recovery is held until then; approving the plan makes it the
  specification's ``recovery_plan`` and releases every recovery that waited for it. The recovery work orders made
  then are routed by the assignment rules like any other (assignment.work_orders_assign).
- **Other services impacted** (another live service uses the same resource value, or another live service of
  the same customer product is not part of the order): authorization is asked through bss.approvals
  (``service_activation.recovery``, Supervisor/Admin) and the service order is held. Approved: it runs.
  Rejected: the service order is cancelled with the approver's reason.
- **Notifications:** the customer and the affected parties (the customers of the impacted services) are
  e-mailed when the recovery starts and when it ends. ``receivers.py`` reacts to ServiceOrderStateChangeEvent
  and calls ``service_recoveries_notify``; the mail goes after that transaction commits, never inside the use
  case that moved the order.
- **Parameters:** when the item completes, the service's allocated numbers, addresses and ports go to the
  pool's quarantine (service_orders._release_resources, resources.resource_release) before reuse.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from bss.actors import Actor
from bss.approvals.models import ApprovalRequest
from bss.audit.services import history_record, history_record_created
from bss.errors import ApplicationError, DomainValidationError
from bss.events import one_event
from bss.fsm import fsm_transition
from service_activation.models import (
    RecoveryPlan,
    Service,
    ServiceOrder,
    ServiceOrderItem,
    ServiceRecovery,
    ServiceSpecification,
    WorkOrder,
)
from service_activation.services.assignment import work_orders_assign

log = logging.getLogger(__name__)

RECOVERY_APPROVAL = "service_activation.recovery"
STEP_KINDS = ("automatic", "manual")
RESOURCE_KEYS = ("msisdn", "iccid", "imsi", "sim", "ipv4", "vlan", "port", "line_id")
R = ServiceRecovery.Status
A = ServiceRecovery.Authorization


def _root(obj):
    customer = getattr(obj, "customer", None)
    if customer is None and isinstance(obj, ServiceRecovery):
        customer = obj.service.customer
    if customer is None and isinstance(obj, RecoveryPlan):
        return obj
    return customer or obj


# --- the plan ----------------------------------------------------------------------------------------------

def recovery_plan_draft_steps(spec: ServiceSpecification) -> tuple[list[dict], dict]:
    """A proposed recovery plan: each activation step undone, last first (manual ones stay with their team), then
    a check per required resource that the network no longer uses it before it goes to quarantine."""
    activation = list(spec.activation_steps.all().order_by("-sequence"))
    steps = []
    for s in activation:
        if s.kind == "automatic":
            steps.append({"code": f"remove-{s.code}", "name": f"Remove: {s.name}"[:120], "kind": "automatic",
                          "adapter": s.adapter or "simulated", "specialty": s.specialty,
                          "config": dict(s.adapter_config or {})})
        else:
            steps.append({"code": f"recover-{s.code}", "name": f"Recover on site: {s.name}"[:120], "kind": "manual",
                          "adapter": "", "specialty": s.specialty})
    for kind in spec.required_resources or []:
        steps.append({"code": f"reclaim-{kind}", "name": f"Check the {kind} is no longer in use on the network",
                      "kind": "automatic", "adapter": "simulated", "specialty": "inventory"})
    drafted_from = {"activation_steps": [s.code for s in reversed(activation)],
                    "required_resources": list(spec.required_resources or [])}
    return steps, drafted_from


def _validate_steps(steps) -> list[dict]:
    from service_activation.adapters import known_adapters

    if not isinstance(steps, list) or not steps:
        raise DomainValidationError({"steps": "A recovery plan has at least one step."})
    errors, seen, out = [], set(), []
    for n, s in enumerate(steps, start=1):
        if not isinstance(s, dict):
            errors.append(f"Step {n}: an object with code, name and kind.")
            continue
        code, name, kind = str(s.get("code") or "").strip(), str(s.get("name") or "").strip(), s.get("kind")
        adapter = str(s.get("adapter") or "").strip()
        if not code or not name:
            errors.append(f"Step {n}: a code and a name.")
        elif code in seen:
            errors.append(f"Step {n}: the code '{code}' is used twice.")
        if kind not in STEP_KINDS:
            errors.append(f"Step {n}: kind is automatic or manual.")
        if kind == "automatic" and (adapter or "simulated") not in known_adapters():
            errors.append(f"Step {n}: no adapter '{adapter}' ({', '.join(known_adapters())}).")
        seen.add(code)
        row = {"code": code[:60], "name": name[:120], "kind": kind,
               "adapter": (adapter or "simulated") if kind == "automatic" else "",
               "specialty": str(s.get("specialty") or "")[:60]}
        if isinstance(s.get("config"), dict) and s["config"]:
            row["config"] = s["config"]
        out.append(row)
    if errors:
        raise DomainValidationError({"steps": " ".join(errors)})
    return out


def recovery_plan_for(spec: ServiceSpecification, *, actor: Actor) -> RecoveryPlan:
    """The specification's plan waiting for review, drafted now when there is none (one draft per
    specification)."""
    draft = RecoveryPlan.objects.select_for_update().filter(specification=spec,
                                                            status=RecoveryPlan.Status.DRAFT).first()
    if draft is not None:
        return draft
    steps, drafted_from = recovery_plan_draft_steps(spec)
    draft = RecoveryPlan.objects.create(specification=spec, steps=steps, drafted_from=drafted_from)
    history_record_created(obj=draft, actor=actor, action="service_activation.recovery_plan.drafted", root=draft,
                           reason=f"{spec.code} has no recovery plan")
    return draft


def _locked_plan(plan_id: int) -> RecoveryPlan:
    plan = RecoveryPlan.objects.select_for_update(of=("self",)).select_related("specification").filter(pk=plan_id).first()
    if plan is None:
        raise DomainValidationError({"plan": "Not found."})
    return plan


@transaction.atomic
def recovery_plan_update(*, plan_id: int, steps: list[dict], actor: Actor, review_note: str | None = None
                         ) -> RecoveryPlan:
    """The engineer's edit of a drafted plan (only while it waits for review)."""
    plan = _locked_plan(plan_id)
    if plan.status != RecoveryPlan.Status.DRAFT:
        raise ApplicationError(f"{plan} is {plan.get_status_display().lower()}: it is no longer edited.")
    steps = _validate_steps(steps)
    changes = {}
    if steps != plan.steps:
        changes["steps"] = [[s["code"] for s in plan.steps], [s["code"] for s in steps]]
        plan.steps = steps
    if review_note is not None and review_note != plan.review_note:
        changes["review_note"] = [plan.review_note, review_note]
        plan.review_note = review_note
    if changes:
        plan.reviewed_by = actor.user if actor.user_id else None
        plan.save(update_fields=["steps", "review_note", "reviewed_by", "updated_at"])
        history_record(obj=plan, action="service_activation.recovery_plan.edited", actor=actor, root=plan,
                       changes=changes)
    return plan


@transaction.atomic
def recovery_plan_approve(*, plan_id: int, actor: Actor, review_note: str = "") -> RecoveryPlan:
    """Approve a drafted plan: it becomes the specification's recovery plan, and the recoveries held for it go
    on (each once nothing else holds it)."""
    from service_activation.services.specification import service_specification_update

    if not actor.user_id:
        raise ApplicationError("A recovery plan is approved by an engineer, not by the system.")
    plan = _locked_plan(plan_id)
    if plan.status != RecoveryPlan.Status.DRAFT:
        raise ApplicationError(f"{plan} is {plan.get_status_display().lower()}.")
    plan.steps = _validate_steps(plan.steps)
    plan.reviewed_by, plan.approved_at = actor.user, timezone.now()
    if review_note:
        plan.review_note = review_note
    plan.save(update_fields=["steps", "reviewed_by", "approved_at", "review_note", "updated_at"])
    fsm_transition(plan, "approve", actor=actor, reason=review_note or "reviewed", root=plan,
                   action="service_activation.recovery_plan.approve")
    service_specification_update(specification=plan.specification, actor=actor, recovery_plan=plan.steps)
    for so_id in sorted(set(plan.recoveries.filter(status=R.HELD).values_list("item__service_order_id", flat=True))):
        recovery_release(service_order_id=so_id, actor=actor)
    return plan


# --- issue: what a delete item runs, and what holds it (hooks of service_orders.service_order_issue) --------------

def recovery_work_orders(item: ServiceOrderItem) -> list[WorkOrder]:
    """The recovery work orders of a delete item: its specification's recovery plan, in order (none while the
    plan is still to be drafted and approved)."""
    plan = item.specification.recovery_plan or []
    return [WorkOrder(item=item, kind=WorkOrder.Kind.RECOVERY, sequence=n, code=s["code"], name=s["name"],
                      manual=s.get("kind") == "manual", specialty=s.get("specialty", ""),
                      adapter=s.get("adapter") or ("" if s.get("kind") == "manual" else "simulated"),
                      adapter_config=s.get("config") or {}, depends_on=[plan[n - 2]["code"]] if n > 1 else [])
            for n, s in enumerate(plan, start=1)]


def recovery_impacts(service: Service, *, recovered_with: set[int]) -> list[dict]:
    """Other live services the recovery of ``service`` impacts: one using the same resource value (a shared
    port, VLAN, address or number), or one realizing the same customer product, that is not recovered with it."""
    live = Service.objects.exclude(state=Service.State.TERMINATED).exclude(pk__in=recovered_with | {service.pk})
    out, seen = [], set()
    kinds = [k for k in (service.specification.required_resources if service.specification else []) or []]
    for key in dict.fromkeys([*kinds, *RESOURCE_KEYS]):
        value = (service.characteristics or {}).get(key)
        if value in (None, ""):
            continue
        for other in live.filter(**{f"characteristics__{key}": value}).only("pk", "name", "customer_id")[:20]:
            if other.pk not in seen:
                seen.add(other.pk)
                out.append({"service": other.pk, "name": other.name, "customer": other.customer_id,
                            "reason": f"uses the same {key} {value}"})
    if service.product_id:
        for other in live.filter(product_id=service.product_id).only("pk", "name", "customer_id")[:20]:
            if other.pk not in seen:
                seen.add(other.pk)
                out.append({"service": other.pk, "name": other.name, "customer": other.customer_id,
                            "reason": "realizes the same customer product"})
    return out


def recoveries_open(so: ServiceOrder, *, actor: Actor) -> bool:
    """For each delete item of a new service order: its recovery record, the plan drafted when the specification
    has none, authorization asked when other services are impacted. Holds the order (and the items) when any
    recovery must wait; returns whether it did. Runs in service_order_issue's transaction."""
    from bss.approvals.services import approval_request_create

    items = [i for i in so.items.select_related("service__specification", "specification")
             if i.action == "delete" and i.service_id and i.specification_id]
    if not items:
        return False
    recovered_with = {i.service_id for i in items}
    held = False
    for item in items:
        plan = None if item.specification.recovery_plan else recovery_plan_for(item.specification, actor=actor)
        impacts = recovery_impacts(item.service, recovered_with=recovered_with)
        waits = plan is not None or bool(impacts)
        rec = ServiceRecovery.objects.create(item=item, service=item.service, plan=plan, impacts=impacts,
                                             status=R.HELD if waits else R.RUNNING,
                                             authorization=A.PENDING if impacts else A.NOT_NEEDED)
        history_record_created(obj=rec, actor=actor, action="service_activation.service_recovery.opened",
                               root=_root(rec), reason="; ".join(filter(None, [
                                   "waiting for the recovery plan's review" if plan else "",
                                   f"impacts {len(impacts)} other service(s)" if impacts else ""])))
        if impacts:
            approval_request_create(
                approval_type=RECOVERY_APPROVAL, subject=rec, actor=actor,
                reason=(f"Recovery of {item.service} ({so.order_number}) impacts: "
                        + "; ".join(f"{i['name']} #{i['service']} {i['reason']}" for i in impacts))[:500])
        if waits:
            held = True
            fsm_transition(item, "hold", actor=actor, record=False, state_field="state")
    if held:
        from service_activation.services.service_orders import _so_state

        _so_state(so, "hold", actor=actor, reason="recovery waits for its plan's review or an authorization")
    return held


# --- release / cancel -----------------------------------------------------------------------------------------

@transaction.atomic
def recovery_release(*, service_order_id: int, actor: Actor) -> bool:
    """Start a held recovery order once none of its recoveries waits any more (idempotent); returns whether it
    started. The recoveries' work orders come from the (now approved) recovery plans."""
    from bss.sla.services import sla_clock_start
    from service_activation.services.service_orders import _advance, _so_state

    so = ServiceOrder.objects.select_for_update().get(pk=service_order_id)
    if so.state != ServiceOrder.State.HELD:
        return False
    recs = list(ServiceRecovery.objects.select_for_update(of=("self",)).select_related(
        "plan", "item__specification", "service__customer").filter(item__service_order=so))
    if any(r.status == R.HELD and (r.waits_for_plan or r.authorization == A.PENDING) for r in recs):
        return False
    with one_event():
        for rec in recs:
            if rec.status != R.HELD:
                continue
            item = rec.item
            if not item.work_orders.filter(kind=WorkOrder.Kind.RECOVERY).exists():
                item.specification.refresh_from_db(fields=["recovery_plan"])
                # routed like the work orders service_order_issue creates (the assignment rules' hook)
                work_orders_assign(WorkOrder.objects.bulk_create(recovery_work_orders(item)), item=item,
                                   actor=actor)
            fsm_transition(rec, "start", actor=actor, reason="plan approved and authorized", root=_root(rec),
                           action="service_activation.service_recovery.start")
        for item in so.items.filter(state=ServiceOrderItem.State.HELD):
            fsm_transition(item, "start", actor=actor, record=False, state_field="state")
        so.start_date = so.start_date or timezone.now()
        so.save(update_fields=["start_date", "updated_at"])
        _so_state(so, "start", actor=actor, reason="recovery released")
        sla_clock_start(obj=so, clock_type="service_activation.service_order",
                        committed_at=so.requested_completion_date, qualifiers={"priority": str(so.priority)},
                        actor=actor)
        _advance(so, actor=actor)
    return True


def recovery_authorization_decided(request: ApprovalRequest, *, actor: Actor) -> None:
    """Decision handler of service_activation.recovery (in the approval's transaction): approved, the order goes
    on (once its plan is approved too); rejected, the recovery is cancelled with the reason."""
    from service_activation.services.service_orders import service_order_cancel

    rec = ServiceRecovery.objects.select_for_update(of=("self",)).select_related("item__service_order", "service__customer").get(
        pk=int(request.subject_id))
    if rec.authorization != A.PENDING:
        return
    if request.state == ApprovalRequest.State.APPROVED:
        rec.authorization = A.APPROVED
        rec.save(update_fields=["authorization", "updated_at"])
        history_record(obj=rec, action="service_activation.service_recovery.authorized", actor=actor,
                       root=_root(rec), changes={"authorization": [A.PENDING, A.APPROVED]},
                       reason=request.decision_reason)
        recovery_release(service_order_id=rec.item.service_order_id, actor=actor)
    elif request.state in (ApprovalRequest.State.REJECTED, ApprovalRequest.State.CANCELLED):
        reason = f"recovery not authorized: {request.decision_reason}"[:500]
        rec.authorization = A.REJECTED
        rec.outcome_reason = reason
        rec.save(update_fields=["authorization", "outcome_reason", "updated_at"])
        fsm_transition(rec, "cancel", actor=actor, reason=reason, root=_root(rec),
                       action="service_activation.service_recovery.cancel")
        so = rec.item.service_order
        if so.state in ServiceOrder.OPEN:
            service_order_cancel(service_order_id=so.pk, reason=reason, actor=actor)


# --- notifications (called by receivers.py after the order moved) ------------------------------------------------

TERMINAL_ITEM = {ServiceOrderItem.State.COMPLETED: "complete", ServiceOrderItem.State.FAILED: "fail",
                 ServiceOrderItem.State.CANCELLED: "cancel", ServiceOrderItem.State.REJECTED: "cancel"}
MOVE_CODES = {"complete": "service_activation.service_recovery.complete",
              "fail": "service_activation.service_recovery.fail",
              "cancel": "service_activation.service_recovery.cancel"}
NOTICE_CODES = {"start": "service_activation.service_recovery.notified_start",
                "end": "service_activation.service_recovery.notified_end"}


def recovery_recipients(rec: ServiceRecovery) -> list[str]:
    """The customer, then the customers of the impacted services (the affected parties), by e-mail."""
    from customers.selectors import customer_email

    ids = [rec.service.customer_id] + [i.get("customer") for i in rec.impacts or []]
    out = []
    for customer_id in dict.fromkeys(c for c in ids if c):
        email = customer_email(customer_id=customer_id)
        if email and email not in out:
            out.append(email)
    return out


def _mail(rec: ServiceRecovery, *, phase: str, recipients: list[str]) -> None:
    from django.core.mail import send_mail

    so = rec.item.service_order
    if phase == "start":
        subject = f"Your service {rec.service.name} is being ended ({so.order_number})"
        body = (f"We have started to recover the service {rec.service.name} (service order {so.order_number}). "
                "Numbers and addresses it used are kept in quarantine before anyone else can have them.")
    else:
        subject = f"Your service {rec.service.name}: recovery {rec.get_status_display().lower()} ({so.order_number})"
        body = (f"The recovery of the service {rec.service.name} (service order {so.order_number}) has ended: "
                f"{rec.get_status_display().lower()}." + (f" {rec.outcome_reason}" if rec.outcome_reason else ""))
    for email in recipients:
        transaction.on_commit(lambda email=email: send_mail(subject, body, None, [email], fail_silently=True))


@transaction.atomic
def service_recoveries_notify(*, service_order_id: int, actor: Actor) -> list[str]:
    """Tell the customer and the affected parties that a recovery started / ended, once each (a replayed event
    sends nothing again), and close the recovery record when its item has settled. Returns what was sent."""
    so = ServiceOrder.objects.filter(pk=service_order_id).first()
    if so is None:
        return []
    sent = []
    for rec in ServiceRecovery.objects.select_for_update(of=("self",)).select_related(
            "item", "service__customer", "item__service_order").filter(item__service_order_id=service_order_id):
        item_state = rec.item.state
        if rec.status in (R.RUNNING, R.HELD) and item_state in TERMINAL_ITEM:  # held: its order was cancelled
            move = TERMINAL_ITEM[item_state] if rec.status == R.RUNNING else "cancel"
            if item_state == ServiceOrderItem.State.FAILED:
                rec.outcome_reason = (so.cancellation_reason or "a step could not be done")[:500]
            elif item_state != ServiceOrderItem.State.COMPLETED:
                rec.outcome_reason = (so.cancellation_reason or "cancelled")[:500]
            rec.save(update_fields=["outcome_reason", "updated_at"])
            fsm_transition(rec, move, actor=actor, reason=f"item {item_state}", root=_root(rec),
                           action=MOVE_CODES[move])
        started = rec.status in (R.RUNNING, R.COMPLETED, R.FAILED)
        ended = rec.status in (R.COMPLETED, R.FAILED) or (rec.status == R.CANCELLED and bool(rec.started_notified_at))
        for phase, field, due in (("start", "started_notified_at", started), ("end", "ended_notified_at", ended)):
            if not due or getattr(rec, field) is not None:
                continue
            recipients = recovery_recipients(rec)
            setattr(rec, field, timezone.now())
            rec.save(update_fields=[field, "updated_at"])
            history_record(obj=rec, action=NOTICE_CODES[phase], actor=actor,
                           root=_root(rec), changes={"recipients": [None, len(recipients)]},
                           reason=", ".join(recipients)[:500] or "no e-mail address on file")
            _mail(rec, phase=phase, recipients=recipients)
            sent.append(phase)
    return sent


# --- the review queue ------------------------------------------------------------------------------------------

def recovery_plans_to_review():
    return RecoveryPlan.objects.filter(status=RecoveryPlan.Status.DRAFT).select_related("specification")


def recoveries_held():
    return ServiceRecovery.objects.filter(status=R.HELD).select_related(
        "item__service_order", "service__customer", "plan")
