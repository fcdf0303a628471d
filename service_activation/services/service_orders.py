"""Service order use cases (eTOM 1.1.2.2.3 to 1.1.2.2.9): issue, run (work orders through adapters or team
worklists), test end to end, complete, cancel (the three cases of seed 001) and close.

Activation runs outside database transactions: ``work_order_execute`` claims the work order (one short
transaction), calls the adapter with the work order's idempotency key, then records the outcome (another). A
worker killed between the two leaves the claim; the retry calls the adapter again with the same key, which
configures once. The service order reports upward by event only (ServiceOrderStateChangeEvent).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django_fsm import can_proceed

from bss import dispatch
from bss.actors import Actor
from bss.audit.services import UNSET, history_record, history_root, model_update
from bss.errors import ApplicationError, DomainValidationError
from bss.events import one_event, publish
from bss.fsm import fsm_transition
from bss.numbering import next_number
from service_activation.adapters import AdapterError, StepRequest, get_adapter
from service_activation.events import (
    SERVICE_ATTRIBUTE_VALUE_CHANGE,
    SERVICE_CREATE,
    SERVICE_ORDER_ATTRIBUTE_VALUE_CHANGE,
    SERVICE_ORDER_CREATE,
    SERVICE_ORDER_STATE_CHANGE,
    SERVICE_STATE_CHANGE,
)
from service_activation.models import (
    Service,
    ServiceOrder,
    ServiceOrderItem,
    ServiceSpecification,
    TestRun,
    WorkOrder,
)
from service_activation.services import appointments, assignment, partner_tests, recovery

log = logging.getLogger(__name__)
SO = ServiceOrder.State
IT = ServiceOrderItem.State
WO = WorkOrder.Status
MAX_ATTEMPTS = 3


def claim_lease() -> dt.timedelta:
    """How long a worker's claim on a work order lasts (settings.BSS_WORK_ORDER_CLAIM_LEASE_SECONDS, default 60 s:
    longer than an adapter call may take); after it another worker may take the step."""
    return dt.timedelta(seconds=getattr(settings, "BSS_WORK_ORDER_CLAIM_LEASE_SECONDS", 60))


@dataclass
class ServiceItemInput:
    item_id: str
    action: str = "add"
    specification_id: int | None = None
    specification_ref: dict = field(default_factory=dict)
    service_id: int | None = None
    characteristics: dict = field(default_factory=dict)
    customer_order_item_id: int | None = None
    product_id: int | None = None
    place_id: int | None = None
    depends_on_order_items: list[int] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


def _root(so: ServiceOrder):
    """The history root: the customer (a reference: no query for it), else the standalone order itself."""
    return history_root(so, "customer") or so


def _so_state(so: ServiceOrder, transition: str, *, actor: Actor, reason: str = "") -> None:
    fsm_transition(so, transition, actor=actor, reason=reason, state_field="state", root=_root(so),
                   action=f"service_activation.service_order.{transition}")
    publish(SERVICE_ORDER_STATE_CHANGE, so)


def _service_state(service: Service, transition: str, *, actor: Actor, reason: str = "") -> None:
    fsm_transition(service, transition, actor=actor, reason=reason, state_field="state",
                   root=history_root(service, "customer") or service,
                   action=f"service_activation.service.{transition}")
    publish(SERVICE_STATE_CHANGE, service)


def _enqueue(task, *args) -> None:
    """After commit, never holding up or failing the committed step (bss.dispatch; the sweep re-drives)."""
    dispatch.send_on_commit(task, *args)


def _default_characteristics(spec: ServiceSpecification | None, given: dict) -> dict:
    out = {c["name"]: c.get("default") for c in (spec.characteristics if spec else [])
           if c.get("default") not in (None, "")}
    return {**out, **(given or {})}


# --- issue (1.1.2.2.7) ----------------------------------------------------------------------------------

def _work_orders_for(item: ServiceOrderItem) -> list[WorkOrder]:
    spec = item.specification
    if spec is None:
        return []
    rows = []
    steps = list(spec.activation_steps.all())
    if item.action == "delete":  # recovery (1.1.2.2.10): the spec's recovery plan; none yet: one is drafted
        return recovery.recovery_work_orders(item)
    if spec.delivered_by_partner:
        # a partner requisition (1.1.1.5.4.1, S/P Requisition Management): one step the partner reports back on,
        # by callback (work_order_report) or staff entry; sent through the step's adapter when one is configured
        partner = spec.partner_name or "partner"
        config = next((s.adapter_config for s in steps if s.adapter == "http"), {})
        rows.append(WorkOrder(item=item, kind=WorkOrder.Kind.ACTIVATION, sequence=1, code="partner-requisition",
                              name=f"Requisition to {partner}", manual=not config, specialty=f"partner:{partner}",
                              adapter="http" if config else "", adapter_config=config))
        return rows + partner_tests.partner_test_work_orders(item)  # the partner's test plan waits on its results
    for s in steps:
        rows.append(WorkOrder(item=item, kind=WorkOrder.Kind.ACTIVATION, sequence=s.sequence, code=s.code,
                              name=s.name, manual=s.kind == "manual", specialty=s.specialty, adapter=s.adapter,
                              adapter_config=s.adapter_config, depends_on=list(s.depends_on)))
    for n, t in enumerate(spec.test_plan or [], start=1):
        rows.append(WorkOrder(item=item, kind=WorkOrder.Kind.TEST, sequence=n, code=t["code"], name=t["name"],
                              manual=t.get("kind") == "manual", specialty=t.get("specialty", "test"),
                              adapter=t.get("adapter", "simulated"), adapter_config=t.get("config", {})))
    return rows


@transaction.atomic
def service_order_issue(*, actor: Actor, items: list[ServiceItemInput], customer_id: int | None = None,
                        customer_order_ref: str = "", customer_order_id: int | None = None, priority: int = 2,
                        requested_completion_date: dt.datetime | None = None, origin: str = "customer_order",
                        external_id: str = "", description: str = "", related_party: list | None = None,
                        request_extra: dict | None = None, start: bool = True, customer_ref: str | None = None,
                        category: str = "", requested_start_date: dt.datetime | None = None,
                        notes: list | None = None) -> ServiceOrder:
    """Issue a service order (from a customer order, or standalone). Items name a service specification (by
    pk; ``specification_ref`` keeps one we do not hold, and the order is then rejected with the reason).
    ``customer_ref`` (a standalone order's relatedParty id) links the customer when it names one the actor may
    see; otherwise the party stays a reference in ``related_party``."""
    if customer_id is None and customer_ref:
        from bss.tmf.ids import local_id
        from customers.selectors import customer_visible

        found = customer_visible(user=actor.user if actor.user_id else None, customer_id=local_id(customer_ref),
                                 system=actor.user_id is None and actor.channel == "system")
        customer_id = found.pk if found is not None else None
    if not items:
        raise DomainValidationError({"items": "A service order needs at least one item."})
    ids = [i.item_id for i in items]
    if len(set(ids)) != len(ids):
        raise DomainValidationError({"items": "Item ids must be unique within the order."})
    if origin not in ServiceOrder.Origin.values:
        raise DomainValidationError({"origin": f"Unknown origin '{origin}'."})
    so = ServiceOrder.objects.create(
        order_number=next_number("SO", width=8, gapless=False), origin=origin, customer_id=customer_id,
        customer_order_ref=customer_order_ref, customer_order_id=customer_order_id, priority=priority,
        requested_completion_date=requested_completion_date, external_id=external_id, description=description,
        related_party=related_party or [], tmf_extra=request_extra or {}, category=category or "",
        requested_start_date=requested_start_date, notes=notes or [],
        created_by=actor.user if actor.user_id else None)
    problems = []
    specs = {s.pk: s for s in ServiceSpecification.objects.filter(
        pk__in=[i.specification_id for i in items if i.specification_id]).prefetch_related("activation_steps")}
    for i in items:
        spec = specs.get(i.specification_id)
        service = Service.objects.filter(pk=i.service_id).first() if i.service_id else None
        if spec is None and service is not None and not (i.specification_id or i.specification_ref):
            spec = service.specification  # a modify / delete item may name just the service it changes
        if spec is None:
            problems.append({"code": "unknown_service_specification", "message":
                             f"Item {i.item_id}: no service specification {i.specification_ref or i.specification_id}."})
        elif spec.lifecycle_status == "retired" and i.action == "add":
            problems.append({"code": "retired_specification", "message": f"Item {i.item_id}: {spec.name} is retired."})
        if i.action in ("modify", "delete") and service is None:
            problems.append({"code": "service_required", "message": f"Item {i.item_id}: a {i.action} item names the "
                                                                    "service it changes."})
        item = ServiceOrderItem.objects.create(
            service_order=so, item_id=i.item_id, action=i.action, specification=spec,
            specification_ref=i.specification_ref, service=service,
            characteristics=_default_characteristics(spec, i.characteristics),
            customer_order_item_id=i.customer_order_item_id, product_id=i.product_id, place_id=i.place_id,
            item_extra={**(i.extra or {}), "dependsOnOrderItems": i.depends_on_order_items})
        if spec is not None and i.action == "add":
            item.service = Service.objects.create(
                name=spec.name, customer_id=customer_id, specification=spec, state=Service.State.DESIGNED,
                characteristics=item.characteristics, product_id=i.product_id, place_id=i.place_id,
                customer_order_item_id=i.customer_order_item_id)
            item.save(update_fields=["service"])
            _reserve_resources(item, actor=actor)
            publish(SERVICE_CREATE, item.service)
        assignment.work_orders_assign(WorkOrder.objects.bulk_create(_work_orders_for(item)), item=item, actor=actor)
    history_record(obj=so, action="service_activation.service_order.created", actor=actor, root=_root(so),
                   changes={"state": [None, so.state], "items": [None, len(items)], "origin": [None, origin]})
    with one_event():
        publish(SERVICE_ORDER_CREATE, so)
        if problems:
            so.rejection_reasons = problems
            so.save(update_fields=["rejection_reasons", "updated_at"])
            for item in so.items.all():
                fsm_transition(item, "reject", actor=actor, record=False, state_field="state")
            _so_state(so, "reject", actor=actor, reason="; ".join(p["message"] for p in problems)[:500])
            _services_end(so, actor=actor)
        else:
            recovery.recoveries_open(so, actor=actor)  # delete items: plan drafted / authorization asked: held
    if not problems and start:
        from service_activation.tasks import run_service_order_task

        _enqueue(run_service_order_task, so.pk)
    return so


def _reserve_resources(item: ServiceOrderItem, *, actor: Actor) -> None:
    """Reserve what the specification needs (resource pools, 1.1.2.2.2): the service is then ``reserved``.
    A customer-chosen value (a characteristic named after the resource kind, e.g. msisdn) is reserved as chosen."""
    service = item.service
    kinds = list(item.specification.required_resources or [])
    allocated = {}
    if kinds:
        from service_activation.services import resources as resource_services

        for kind in kinds:
            chosen = item.characteristics.get(kind) or None
            res = resource_services.resource_reserve(kind=kind, value=chosen, holder=f"service:{service.pk}",
                                                     actor=actor)
            allocated[kind] = res.value
    if allocated:
        service.characteristics = {**service.characteristics, **allocated}
        service.save(update_fields=["characteristics", "updated_at"])
        item.characteristics = {**item.characteristics, **allocated}
        item.save(update_fields=["characteristics"])
    _service_state(service, "reserve", actor=actor,
                   reason=", ".join(f"{k} {v}" for k, v in allocated.items()) or "nothing to allocate")


def _release_resources(service: Service | None, *, actor: Actor, allocated: bool) -> None:
    """Give back what the service holds: reservations become free, allocations rest in quarantine (the pool's
    quarantine period) before reuse (1.1.2.2.10)."""
    if service is None or not (service.specification and service.specification.required_resources):
        return
    from service_activation.services import resources as resource_services

    resource_services.resources_release_held_by(holder=f"service:{service.pk}", actor=actor,
                                                reason=f"service {service.pk} no longer needs it")


def _confirm_resources(service: Service, *, actor: Actor) -> None:
    """Activation done: the service's reservations become allocations."""
    if not (service.specification and service.specification.required_resources):
        return
    from service_activation.models import Resource
    from service_activation.services import resources as resource_services

    holder = f"service:{service.pk}"
    for resource_id in Resource.objects.filter(holder=holder, state="reserved").values_list("pk", flat=True):
        resource_services.resource_confirm(resource_id=resource_id, holder=holder, actor=actor,
                                           reason="service configured")


def _services_end(so: ServiceOrder, *, actor: Actor) -> None:
    for item in so.items.select_related("service__specification"):
        if item.action == "add" and item.service and item.service.state in (
                Service.State.DESIGNED, Service.State.RESERVED, Service.State.FEASIBILITY_CHECKED):
            _release_resources(item.service, actor=actor, allocated=False)
            _service_state(item.service, "terminate", actor=actor, reason="service order did not go ahead")


# --- run ------------------------------------------------------------------------------------------------

def _locked(so_id: int) -> ServiceOrder:
    try:
        return ServiceOrder.objects.select_for_update().get(pk=so_id)
    except ServiceOrder.DoesNotExist:
        raise DomainValidationError({"service_order": "Not found."}) from None


@transaction.atomic
def service_order_run(*, service_order_id: int, actor: Actor) -> ServiceOrder:
    """Start an acknowledged order and move every item as far as it goes (idempotent)."""
    so = _locked(service_order_id)
    with one_event():
        if so.state == SO.ACKNOWLEDGED:
            so.start_date = timezone.now()
            so.save(update_fields=["start_date", "updated_at"])
            _so_state(so, "start", actor=actor, reason="work orders dispatched")
            from bss.sla.services import sla_clock_start

            sla_clock_start(obj=so, clock_type="service_activation.service_order",
                            committed_at=so.requested_completion_date, qualifiers={"priority": str(so.priority)},
                            actor=actor)
        if so.state in (SO.IN_PROGRESS, SO.PENDING_CANCELLATION):
            _advance(so, actor=actor)
    return so


def _item_blocked(item: ServiceOrderItem, items: list[ServiceOrderItem]) -> bool:
    deps = set(item.item_extra.get("dependsOnOrderItems") or [])
    return any(o.customer_order_item_id in deps and o.state != IT.COMPLETED for o in items if o.pk != item.pk)


def _advance(so: ServiceOrder, *, actor: Actor) -> None:
    """Move every item as far as it goes; an item completed in one pass may unblock items that depend on it."""
    items = list(so.items.select_related("service", "specification"))
    for _ in range(20):
        completed = sum(i.state == IT.COMPLETED for i in items)
        _advance_items(so, items, actor=actor)
        if sum(i.state == IT.COMPLETED for i in items) == completed:
            break
    _settle(so, items, actor=actor)


def _advance_items(so: ServiceOrder, items: list[ServiceOrderItem], *, actor: Actor) -> None:
    """One pass over the order's items (loaded once by _advance, with their service and specification; the
    transitions below change them in place)."""
    from service_activation.tasks import execute_work_order_task

    for item in items:
        if item.state in (IT.COMPLETED, IT.CANCELLED, IT.REJECTED, IT.FAILED):
            continue
        work = list(item.work_orders.all())
        if so.state == SO.PENDING_CANCELLATION:
            rollbacks = [w for w in work if w.kind == WorkOrder.Kind.ROLLBACK]
            for w in rollbacks:
                if w.status == WO.WAITING:
                    fsm_transition(w, "make_ready", actor=actor, record=False)
                if w.status == WO.READY:
                    _enqueue(execute_work_order_task, w.pk)
            if all(w.status == WO.DONE for w in rollbacks):
                _cancel_item(item, actor=actor, reason=so.cancellation_reason)
            continue
        if _item_blocked(item, items):
            continue
        if item.state == IT.ACKNOWLEDGED:
            fsm_transition(item, "start", actor=actor, record=False, state_field="state")
        phase = [w for w in work if w.kind in (WorkOrder.Kind.ACTIVATION, WorkOrder.Kind.RECOVERY)]
        tests = [w for w in work if w.kind == WorkOrder.Kind.TEST]
        if any(w.status == WO.FAILED for w in work):
            continue  # fallout: waits for a retry or repair
        if not all(w.status == WO.DONE for w in phase):
            done = {w.code for w in phase if w.status == WO.DONE}
            for w in sorted(phase, key=lambda w: w.sequence):
                if w.status == WO.WAITING and all(d in done for d in w.depends_on):
                    fsm_transition(w, "make_ready", actor=actor, record=False)
                if w.status == WO.READY and not w.manual:
                    _enqueue(execute_work_order_task, w.pk)
            continue
        service = item.service
        if item.action == "delete":
            if service is not None and service.state != Service.State.TERMINATED:
                _release_resources(service, actor=actor, allocated=True)
                service.end_date = timezone.now()
                service.save(update_fields=["end_date", "updated_at"])
                _service_state(service, "terminate", actor=actor, reason=f"service order {so.order_number}")
            fsm_transition(item, "complete", actor=actor, reason="recovered", state_field="state",
                           action="service_activation.service_order_item.complete", root=_root(so))
            continue
        if item.action == "modify" and service is not None and item.characteristics.get(
                "administrativeState") == "suspended":  # a suspension: configured, left inactive, no test
            service.characteristics = {**service.characteristics, **item.characteristics}
            service.save(update_fields=["characteristics", "updated_at"])
            if service.state == Service.State.ACTIVE:
                _service_state(service, "deactivate", actor=actor, reason="suspended")
            fsm_transition(item, "complete", actor=actor, reason="suspended", state_field="state",
                           action="service_activation.service_order_item.complete", root=_root(so))
            continue
        if item.action == "modify" and service is not None and service.state == Service.State.INACTIVE:
            service.characteristics = {**service.characteristics, **item.characteristics}
            service.save(update_fields=["characteristics", "updated_at"])
        if service is not None and service.state in (Service.State.RESERVED, Service.State.DESIGNED,
                                                     Service.State.FEASIBILITY_CHECKED):
            _confirm_resources(service, actor=actor)
            _service_state(service, "configure", actor=actor, reason="activation steps done")
        elif service is not None and item.action == "modify" and service.state == Service.State.ACTIVE:
            service.characteristics = {**service.characteristics, **item.characteristics}
            service.save(update_fields=["characteristics", "updated_at"])
            _service_state(service, "deactivate", actor=actor, reason="reconfigured: to be tested")
        if not all(w.status == WO.DONE for w in tests):
            for w in tests:
                if w.status == WO.WAITING:
                    fsm_transition(w, "make_ready", actor=actor, record=False)
                if w.status == WO.READY and not w.manual:
                    _enqueue(execute_work_order_task, w.pk)
            continue
        if service is not None and service.state == Service.State.INACTIVE:
            service.start_date = service.start_date or timezone.now()
            service.save(update_fields=["start_date", "updated_at"])
            _service_state(service, "activate", actor=actor, reason="end-to-end test passed")
        fsm_transition(item, "complete", actor=actor, reason="activated and tested", state_field="state",
                       action="service_activation.service_order_item.complete", root=_root(so))


def _stop_clock(so: ServiceOrder, *, actor: Actor, completed: bool) -> None:
    from bss.sla.services import sla_clock_stop

    sla_clock_stop(obj=so, clock_type="service_activation.service_order", completed=completed, actor=actor)


def _settle(so: ServiceOrder, items: list[ServiceOrderItem] | None = None, *, actor: Actor) -> None:
    states = [i.state for i in (so.items.all() if items is None else items)]
    if any(s in (IT.ACKNOWLEDGED, IT.IN_PROGRESS, IT.HELD) for s in states):
        return
    _stop_clock(so, actor=actor, completed=any(s == IT.COMPLETED for s in states))
    if so.state == SO.PENDING_CANCELLATION or (states and all(s == IT.CANCELLED for s in states)):
        if so.state in (SO.PENDING_CANCELLATION, SO.ASSESSING_CANCELLATION):
            _so_state(so, "cancel", actor=actor, reason=so.cancellation_reason or "cancelled")
        return
    if so.state != SO.IN_PROGRESS:
        return
    so.completion_date = timezone.now()
    so.save(update_fields=["completion_date", "updated_at"])
    if all(s in (IT.COMPLETED, IT.CANCELLED) for s in states):
        _so_state(so, "complete", actor=actor, reason="every item activated and tested")
    elif any(s == IT.COMPLETED for s in states):
        _so_state(so, "complete_partially", actor=actor, reason="some items failed")
    else:
        _so_state(so, "fail", actor=actor, reason="every item failed")


def _lock_work_order(work_order_id: int) -> tuple[ServiceOrder, WorkOrder]:
    """Lock the service order first, then the work order: every writer takes them in this order (no deadlock
    between a step finishing and the order being advanced)."""
    so_id = WorkOrder.objects.filter(pk=work_order_id).values_list("item__service_order_id", flat=True).first()
    if so_id is None:
        raise DomainValidationError({"work_order": "Not found."})
    so = _locked(so_id)
    wo = WorkOrder.objects.select_for_update(of=("self",)).select_related("item__service_order", "item__service").get(
        pk=work_order_id)
    return so, wo


def work_order_execute(*, work_order_id: int, actor: Actor) -> str:
    """Run one automatic work order through its adapter. Returns done / failed / retry / skipped."""
    with transaction.atomic():
        so, wo = _lock_work_order(work_order_id)
        if wo.status not in (WO.READY, WO.IN_PROGRESS) or wo.manual:
            return "skipped"
        so_state = so.state
        if so_state not in (SO.IN_PROGRESS, SO.PENDING_CANCELLATION):
            return "skipped"
        now = timezone.now()
        if wo.status == WO.IN_PROGRESS and wo.claimed_at and wo.claimed_at > now - claim_lease():
            return "skipped"  # another worker has it; after the lease (it died) it may be taken again
        wo.attempts += 1
        wo.started_at = wo.started_at or now
        wo.claimed_at = now
        fsm_transition(wo, "start", actor=actor, record=False)
        wo.save(update_fields=["attempts", "started_at", "claimed_at"])
        service = wo.item.service
        request = StepRequest(
            idempotency_key=wo.idempotency_key,
            operation={"activation": "activate", "test": "test", "rollback": "rollback",
                       "recovery": "recover"}[wo.kind],
            element=wo.specialty, step_code=wo.code, service_ref=f"service:{service.pk}" if service else "",
            characteristics=dict(wo.item.characteristics), config=dict(wo.adapter_config))
        adapter_name = wo.adapter
    try:
        result = get_adapter(adapter_name).apply(request)  # outside any transaction
        error, retryable = (None, False) if result.ok else (result.detail or "check failed", False)
    except AdapterError as e:
        result, error, retryable = None, str(e), e.retryable
    with transaction.atomic():
        so, wo = _lock_work_order(work_order_id)
        if wo.status != WO.IN_PROGRESS:
            return "skipped"
        with one_event():
            if error is None and result.pending:  # an asynchronous element: its callback finishes the step
                wo.result, wo.claimed_at = {"detail": result.detail, **result.data}, None
                wo.save(update_fields=["result", "claimed_at"])
                return "pending"
            if error is None:
                wo.done_at = timezone.now()
                wo.result = {"detail": result.detail, **result.data}
                wo.last_error = ""
                fsm_transition(wo, "finish", actor=actor, reason=result.detail, root=_root(so),
                               action="service_activation.work_order.finish")
                if wo.kind == WorkOrder.Kind.TEST:
                    _record_test(wo, passed=True, detail=result.detail, actor=actor)
                _advance(so, actor=actor)
                return "done"
            wo.last_error = error[:2000]
            if retryable and wo.attempts < MAX_ATTEMPTS:
                wo.claimed_at = None  # free for the retry at once
                wo.save(update_fields=["last_error", "claimed_at"])
                return "retry"
            fsm_transition(wo, "fail", actor=actor, reason=error[:500], root=_root(so),
                           action="service_activation.work_order.fail")
            if wo.kind == WorkOrder.Kind.TEST:
                _record_test(wo, passed=False, detail=error, actor=actor)
            publish(SERVICE_ORDER_ATTRIBUTE_VALUE_CHANGE, so)  # fallout shows on the order
            return "failed"


def _record_test(wo: WorkOrder, *, passed: bool, detail: str, actor: Actor, manual: bool = False) -> TestRun:
    item = wo.item
    return TestRun.objects.create(item=item, service=item.service, passed=passed, run_by=actor.user if actor.user_id
                                  else None, results=partner_tests.test_results_compared(item, [{
                                      "code": wo.code, "name": wo.name, "passed": passed, "detail": detail[:500],
                                      "manual": manual}]))  # beside the earlier runs


@transaction.atomic
def work_order_complete(*, work_order_id: int, actor: Actor, note: str = "", passed: bool = True) -> WorkOrder:
    """A team finished a manual step (or recorded a manual test: ``passed``)."""
    so, wo = _lock_work_order(work_order_id)
    if not wo.manual:
        raise ApplicationError("An automatic step is run by its adapter; retry it from the fallout queue instead.")
    if wo.status not in (WO.READY, WO.IN_PROGRESS):
        raise ApplicationError(f"The step '{wo.name}' is {wo.get_status_display().lower()}.")
    appointments.appointment_check_completion(wo)  # not before its booked visit
    with one_event():
        if wo.kind == WorkOrder.Kind.TEST:
            _record_test(wo, passed=passed, detail=note or ("passed" if passed else "failed"), actor=actor,
                         manual=True)
        if passed:
            wo.done_at = timezone.now()
            wo.result = {"detail": note}
            fsm_transition(wo, "finish", actor=actor, reason=note, root=_root(so),
                           action="service_activation.work_order.finish")
            _advance(so, actor=actor)
        else:
            wo.last_error = note
            fsm_transition(wo, "fail", actor=actor, reason=note, root=_root(so),
                           action="service_activation.work_order.fail")
            publish(SERVICE_ORDER_ATTRIBUTE_VALUE_CHANGE, so)
    return wo


@transaction.atomic
def work_order_retry(*, work_order_id: int, actor: Actor, reason: str) -> WorkOrder:
    """Fallout repair: a failed step is tried again (its attempts start over)."""
    if not (reason or "").strip():
        raise DomainValidationError({"reason": "Say what was repaired."})
    so, wo = _lock_work_order(work_order_id)
    if so.state not in (SO.IN_PROGRESS, SO.FAILED, SO.PENDING_CANCELLATION):
        raise ApplicationError(f"Service order {so.order_number} is {so.get_state_display().lower()}.")
    with one_event():
        wo.attempts = 0
        wo.save(update_fields=["attempts"])
        fsm_transition(wo, "retry", actor=actor, reason=reason, root=_root(so),
                       action="service_activation.work_order.retry")
        if so.state == SO.FAILED:
            _so_state(so, "retry", actor=actor, reason=reason)
        if wo.item.state == IT.FAILED:
            fsm_transition(wo.item, "start", actor=actor, record=False, state_field="state")
        _advance(so, actor=actor)
    return wo


@transaction.atomic
def work_order_give_up(*, work_order_id: int, actor: Actor, reason: str) -> WorkOrder:
    """Fallout that cannot be repaired: the item fails (the service order then fails or completes partially)."""
    if not (reason or "").strip():
        raise DomainValidationError({"reason": "Say why the step cannot be done."})
    so, wo = _lock_work_order(work_order_id)
    if wo.status != WO.FAILED:
        raise ApplicationError("Only a failed step can be given up.")
    with one_event():
        item = wo.item
        fsm_transition(item, "fail", actor=actor, reason=reason, state_field="state", root=_root(so),
                       action="service_activation.service_order_item.fail")
        if item.service and item.service.state in (Service.State.RESERVED, Service.State.INACTIVE):
            _release_resources(item.service, actor=actor, allocated=False)
            _service_state(item.service, "terminate", actor=actor, reason=reason)
        _settle(so, actor=actor)
    return wo


# --- cancel (seed 001: before activation, mid-way, after) ----------------------------------------------------

def _cancel_item(item: ServiceOrderItem, *, actor: Actor, reason: str) -> None:
    for w in item.work_orders.all():
        if can_proceed(w.cancel):
            fsm_transition(w, "cancel", actor=actor, record=False)
    if item.service is not None and item.action == "add" and item.service.state != Service.State.TERMINATED:
        _release_resources(item.service, actor=actor, allocated=False)
        _service_state(item.service, "terminate", actor=actor, reason=reason or "cancelled")
    if can_proceed(item.cancel):
        fsm_transition(item, "cancel", actor=actor, reason=reason, state_field="state",
                       root=_root(item.service_order), action="service_activation.service_order_item.cancel")


def _plan_cancellation(item: ServiceOrderItem, *, actor: Actor) -> str:
    """'refused' (activated: needs a recovery order), 'rolling_back' (done steps to undo) or 'cancelled'."""
    if item.state in (IT.COMPLETED,) or (item.service and item.service.state == Service.State.ACTIVE
                                         and item.action == "add"):
        return "refused"
    done = [w for w in item.work_orders.all() if w.kind == WorkOrder.Kind.ACTIVATION and w.status == WO.DONE
            and not w.manual]
    if not done:
        return "cancelled"
    existing = {w.code for w in item.work_orders.filter(kind=WorkOrder.Kind.ROLLBACK)}
    rows = [WorkOrder(item=item, kind=WorkOrder.Kind.ROLLBACK, sequence=n, code=f"undo-{w.code}",
                      name=f"Roll back: {w.name}", specialty=w.specialty, adapter=w.adapter,
                      adapter_config=w.adapter_config, status=WO.READY)
             for n, w in enumerate(sorted(done, key=lambda w: -w.sequence), start=1) if f"undo-{w.code}" not in existing]
    WorkOrder.objects.bulk_create(rows)
    for w in item.work_orders.filter(kind__in=[WorkOrder.Kind.ACTIVATION, WorkOrder.Kind.TEST]):
        if can_proceed(w.cancel):
            fsm_transition(w, "cancel", actor=actor, record=False)
    return "rolling_back"


@transaction.atomic
def service_order_cancel(*, service_order_id: int, reason: str, actor: Actor) -> str:
    """Cancel a service order; returns 'cancelled', 'rolling_back' or 'refused' (the order is left as it was)."""
    if not (reason or "").strip():
        raise DomainValidationError({"reason": "Say why the service order is cancelled."})
    so = _locked(service_order_id)
    if so.state not in ServiceOrder.OPEN:
        raise ApplicationError(f"Service order {so.order_number} is {so.get_state_display().lower()}.")
    items = list(so.items.select_related("service"))
    if any(i.state == IT.COMPLETED or (i.service and i.service.state == Service.State.ACTIVE and i.action == "add")
           for i in items):
        return "refused"
    with one_event():
        so.cancellation_reason = reason[:500]
        so.save(update_fields=["cancellation_reason", "updated_at"])
        _so_state(so, "assess_cancellation", actor=actor, reason=reason)
        outcomes = [(_plan_cancellation(i, actor=actor), i) for i in items
                    if i.state not in (IT.CANCELLED, IT.REJECTED, IT.FAILED)]
        if any(o == "rolling_back" for o, _ in outcomes):
            _so_state(so, "start_cancellation", actor=actor, reason="rolling back the steps done")
            for o, i in outcomes:
                if o == "cancelled":
                    _cancel_item(i, actor=actor, reason=reason)
            _advance(so, actor=actor)
            return "rolling_back" if so.state == SO.PENDING_CANCELLATION else "cancelled"
        for _, i in outcomes:
            _cancel_item(i, actor=actor, reason=reason)
        _so_state(so, "cancel", actor=actor, reason=reason)
        _stop_clock(so, actor=actor, completed=False)
        return "cancelled"


def service_orders_cancel_for(*, customer_order_id: int, reason: str, actor: Actor) -> str:
    """Cancel every open service order of a customer order: 'none' (there were none), 'cancelled',
    'rolling_back' or 'refused' (one is activated; nothing was changed)."""
    if Service.objects.filter(order_items__service_order__customer_order_id=customer_order_id,
                              order_items__action="add", state=Service.State.ACTIVE).exists():
        return "refused"  # activated for the customer: a recovery (termination) order undoes it
    open_orders = list(ServiceOrder.objects.filter(customer_order_id=customer_order_id,
                                                   state__in=ServiceOrder.OPEN).select_related("customer"))
    if not open_orders:
        return "none"
    for so in open_orders:
        items = so.items.select_related("service")
        if any(i.state == IT.COMPLETED or (i.service and i.service.state == Service.State.ACTIVE and i.action == "add")
               for i in items):
            return "refused"
    outcomes = [service_order_cancel(service_order_id=so.pk, reason=reason, actor=actor) for so in open_orders]
    return "rolling_back" if "rolling_back" in outcomes else "cancelled"


@transaction.atomic
def service_order_items_cancel_for(*, customer_order_item_id: int, reason: str, actor: Actor) -> str:
    """Cancel the service order items that realize one customer order item."""
    items = list(ServiceOrderItem.objects.select_related("service", "service_order")
                 .filter(customer_order_item_id=customer_order_item_id))
    if not items:
        return "none"
    outcome = "cancelled"
    with one_event():
        for item in items:
            if item.state in (IT.CANCELLED, IT.REJECTED):
                continue
            plan = _plan_cancellation(item, actor=actor)
            if plan == "refused":
                return "refused"
            if plan == "cancelled":
                _cancel_item(item, actor=actor, reason=reason)
            else:
                outcome = "rolling_back"
        for so in {i.service_order_id for i in items}:
            locked = _locked(so)
            if locked.state == SO.IN_PROGRESS:
                _advance(locked, actor=actor)
            publish(SERVICE_ORDER_ATTRIBUTE_VALUE_CHANGE, locked)
    return outcome


# --- update (TMF641 PATCH) --------------------------------------------------------------------------------

SERVICE_ORDER_UPDATABLE = ("description", "category", "priority", "external_id", "requested_start_date",
                           "requested_completion_date")


@transaction.atomic
def service_order_update(*, service_order_id: int, actor: Actor, description=UNSET, category=UNSET, priority=UNSET,
                         external_id=UNSET, requested_start_date=UNSET, requested_completion_date=UNSET,
                         notes: list | None = None) -> ServiceOrder:
    """Change what a client may change on an open service order (its descriptive attributes and requested dates)
    and add notes; a service order that has finished is 409."""
    so = _locked(service_order_id)
    if so.state not in ServiceOrder.OPEN:
        raise ApplicationError(f"Service order {so.order_number} is {so.get_state_display().lower()}: it can no "
                               "longer be changed.", extra={"state": so.state})
    with one_event():
        changes = model_update(instance=so, fields=SERVICE_ORDER_UPDATABLE, actor=actor, root=_root(so),
                               action="service_activation.service_order.updated",
                               data={"description": description, "category": category, "priority": priority,
                                     "external_id": external_id, "requested_start_date": requested_start_date,
                                     "requested_completion_date": requested_completion_date},
                               extra={"notes": [None, len(notes)]} if notes else None)
        if notes:
            so.notes = list(so.notes) + list(notes)
            so.save(update_fields=["notes", "updated_at"])
        if changes or notes:
            publish(SERVICE_ORDER_ATTRIBUTE_VALUE_CHANGE, so)
    return so


# --- close (1.1.2.2.9) ---------------------------------------------------------------------------------

def service_orders_close(*, now: dt.datetime | None = None, grace_days: int | None = None,
                         actor: Actor | None = None) -> int:
    now = now or timezone.now()
    grace = grace_days if grace_days is not None else getattr(settings, "BSS_SERVICE_ORDER_CLOSE_GRACE_DAYS", 7)
    actor = actor or Actor.system("service order close job")
    closed = 0
    with transaction.atomic():
        for so in ServiceOrder.objects.select_for_update(skip_locked=True).filter(
                state__in=ServiceOrder.TERMINAL, updated_at__lt=now - dt.timedelta(days=grace))[:1000]:
            _so_state(so, "close", actor=actor, reason=f"terminal for more than {grace} days")
            closed += 1
    return closed


# --- what orders reads back (through these calls, never the models) ---------------------------------------

def service_serial_for(*, customer_order_item_id: int) -> str:
    """The serial the customer's product carries: the MSISDN / address / line id the service was given."""
    for s in Service.objects.filter(customer_order_item_id=customer_order_item_id):
        for key in ("msisdn", "iccid", "ipv4", "line_id", "port"):
            if s.characteristics.get(key):
                return str(s.characteristics[key])
    return ""


@transaction.atomic
def services_link_product(*, customer_order_item_id: int, product_id: int, actor: Actor) -> int:
    services = list(Service.objects.select_for_update().filter(customer_order_item_id=customer_order_item_id,
                                                               product__isnull=True))
    for s in services:
        s.product_id = product_id
        s.save(update_fields=["product", "updated_at"])
        history_record(obj=s, action="service_activation.service.product_linked", actor=actor,
                       root=s.customer or s, changes={"product": [None, product_id]})
        publish(SERVICE_ATTRIBUTE_VALUE_CHANGE, s)  # relatedEntity: the product it realizes
    return len(services)


def work_orders_resume_stalled(*, now: dt.datetime | None = None) -> int:
    """Re-enqueue automatic work orders a worker should be running: ready ones (their task was lost, e.g. the
    broker was down) and claimed ones whose lease ran out (the worker died mid-step). Executing twice is
    harmless: the claim is taken under a lock and the adapter configures once per idempotency key."""
    from service_activation.tasks import execute_work_order_task

    now = now or timezone.now()
    ids = list(WorkOrder.objects.filter(
        manual=False, item__service_order__state__in=[SO.IN_PROGRESS, SO.PENDING_CANCELLATION]).filter(
        models.Q(status=WO.READY, created_at__lt=now - dt.timedelta(seconds=30))
        | models.Q(status=WO.IN_PROGRESS, claimed_at__lt=now - claim_lease())).values_list("pk", flat=True)[:1000])
    for pk in ids:
        try:
            execute_work_order_task.delay(pk)
        except Exception:
            if getattr(execute_work_order_task.app.conf, "task_always_eager", False):
                raise
            log.exception("could not enqueue work order %s", pk)
    return len(ids)


@transaction.atomic
def work_order_report(*, work_order_id: int, status: str, actor: Actor, detail: str = "",
                      reference: str = "") -> WorkOrder:
    """A partner (or a team's system) reports on a requisition or a step: ``done`` or ``failed`` (to the fallout
    queue). A repeated report of the same outcome changes nothing."""
    if status not in ("done", "failed"):
        raise DomainValidationError({"status": "done or failed."})
    so, wo = _lock_work_order(work_order_id)
    if (status == "done" and wo.status == WO.DONE) or (status == "failed" and wo.status == WO.FAILED):
        return wo  # a replayed callback
    if wo.status not in (WO.READY, WO.IN_PROGRESS):
        raise ApplicationError(f"The step '{wo.name}' is {wo.get_status_display().lower()}.")
    with one_event():
        wo.result = {**wo.result, "detail": detail[:500], "reference": reference[:100]}
        if status == "done":
            wo.done_at = timezone.now()
            fsm_transition(wo, "finish", actor=actor, reason=detail or "reported done", root=_root(so),
                           action="service_activation.work_order.finish")
            _advance(so, actor=actor)
        else:
            wo.last_error = detail[:2000]
            fsm_transition(wo, "fail", actor=actor, reason=detail or "reported failed", root=_root(so),
                           action="service_activation.work_order.fail")
            publish(SERVICE_ORDER_ATTRIBUTE_VALUE_CHANGE, so)
    return wo
