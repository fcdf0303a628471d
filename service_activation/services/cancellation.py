"""TMF641 v4 cancelServiceOrder (eTOM 1.1.2.2.3 "canceling a service order"): the request is a resource of its
own, stored with its outcome, while the service order moves through ``service_order_cancel`` and its three cases
(seed 001):

- nothing activated yet: the order is cancelled and its reservations released -> the request is ``done``;
- some automatic steps done: they are rolled back (``undo-<step>`` work orders) and the order is
  ``pendingCancellation`` -> the request is ``inProgress`` until the order reports ``cancelled``
  (``cancel_service_order_requests_settle``, called on the order's state change), then ``done``;
- a service activated for the customer: refused, nothing changes -> ``terminatedWithError``, saying a recovery
  order (a ``delete`` item for the service) ends it instead.

A request for a service order we do not hold (or that the caller may not see), or one that has finished, is still
stored (201) and ``terminatedWithError`` with the reason (ARCHITECTURE.md, validation policy).
``requestedCancellationDate`` is recorded; the cancellation is attempted at once (docs/service_activation.md).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from bss.actors import Actor
from bss.audit.services import history_record
from bss.errors import ApplicationError, DomainValidationError
from bss.events import publish
from bss.fsm import fsm_transition
from bss.tmf.ids import local_id
from service_activation.events import CANCEL_SERVICE_ORDER_CREATE, CANCEL_SERVICE_ORDER_STATE_CHANGE
from service_activation.models import CancelServiceOrder, ServiceOrder
from service_activation.services.service_orders import service_order_cancel

C = CancelServiceOrder.State
SO = ServiceOrder.State
REFUSED_ACTIVATED = ("Service order {number} has activated a service for the customer: it can no longer be "
                     "cancelled. A recovery order (a service order with a delete item for that service) ends the "
                     "service instead.")


def _visible_orders(actor: Actor):
    from service_activation.selectors import service_order_queryset

    if actor.user_id is None and actor.channel == "system":
        return ServiceOrder.objects.all()
    return service_order_queryset(actor.user if actor.user_id else None)


def _root(req: CancelServiceOrder):
    so = req.service_order
    return (so.customer or so) if so is not None else req


def _move(req: CancelServiceOrder, transition: str, *, actor: Actor, reason: str) -> None:
    fsm_transition(req, transition, actor=actor, reason=reason[:500], state_field="state", root=_root(req),
                   action=f"service_activation.cancel_service_order.{transition}")


def _effective(so: ServiceOrder) -> str:
    return so.closed_from if so.state == SO.CLOSED else so.state


@transaction.atomic
def cancel_service_order_request(*, actor: Actor, service_order_ref: dict, reason: str = "",
                                 requested_date: dt.datetime | None = None,
                                 tmf_extra: dict | None = None) -> CancelServiceOrder:
    """Store a cancelServiceOrder request and cancel the service order it names; the request ends ``done``,
    ``inProgress`` (rolling back) or ``terminatedWithError`` (with the reason in ``outcome``)."""
    ref = service_order_ref if isinstance(service_order_ref, dict) else {}
    pk = local_id(ref.get("id"))
    so = _visible_orders(actor).filter(pk=pk).first() if pk is not None else None
    req = CancelServiceOrder.objects.create(
        service_order=so, service_order_ref=ref, cancellation_reason=(reason or "")[:500],
        requested_cancellation_date=requested_date, tmf_extra=tmf_extra or {},
        created_by=actor.user if actor.user_id else None)
    history_record(obj=req, action="service_activation.cancel_service_order.created", actor=actor, root=_root(req),
                   reason=reason or "", changes={"serviceOrder": [None, so.order_number if so else ref.get("id")]})
    publish(CANCEL_SERVICE_ORDER_CREATE, req)
    if so is None:
        req.outcome = f"No service order '{ref.get('id')}'."
        _move(req, "refuse", actor=actor, reason=req.outcome)
    else:
        try:
            with transaction.atomic():
                outcome = service_order_cancel(service_order_id=so.pk, actor=actor,
                                               reason=reason or f"cancelServiceOrder {req.pk}")
        except (ApplicationError, DomainValidationError) as e:
            req.outcome = e.message[:500]
            _move(req, "refuse", actor=actor, reason=req.outcome)
        else:
            if outcome == "refused":
                req.outcome = REFUSED_ACTIVATED.format(number=so.order_number)
                _move(req, "refuse", actor=actor, reason=req.outcome)
            elif outcome == "rolling_back":
                req.outcome = "Rolling back the steps already done; cancelled when they are undone."
                _move(req, "start", actor=actor, reason=req.outcome)
            else:
                req.outcome = "Cancelled; its reserved resources were released."
                req.effective_cancellation_date = timezone.now()
                _move(req, "finish", actor=actor, reason=req.outcome)
    req.save(update_fields=["outcome", "effective_cancellation_date", "updated_at"])
    publish(CANCEL_SERVICE_ORDER_STATE_CHANGE, req)
    return req


@transaction.atomic
def cancel_service_order_requests_settle(*, service_order_id: int, actor: Actor) -> int:
    """A service order that was rolling back has moved on: its open requests end ``done`` once it is cancelled
    (``terminatedWithError`` should it end any other way). Idempotent; returns how many requests moved."""
    so = ServiceOrder.objects.filter(pk=service_order_id).first()
    if so is None:
        return 0
    state = _effective(so)
    if state in (SO.ASSESSING_CANCELLATION, SO.PENDING_CANCELLATION):
        return 0  # still rolling back
    moved = 0
    open_requests = CancelServiceOrder.objects.select_for_update(of=("self",)).select_related(
        "service_order__customer").filter(service_order_id=so.pk, state=C.IN_PROGRESS)
    for req in open_requests:
        if state == SO.CANCELLED:
            req.outcome = "Cancelled; the steps done were rolled back and the resources released."
            req.effective_cancellation_date = so.updated_at or timezone.now()
            _move(req, "finish", actor=actor, reason=req.outcome)
        else:
            req.outcome = f"Service order {so.order_number} ended {state} instead of cancelled."
            _move(req, "refuse", actor=actor, reason=req.outcome)
        req.save(update_fields=["outcome", "effective_cancellation_date", "updated_at"])
        publish(CANCEL_SERVICE_ORDER_STATE_CHANGE, req)
        moved += 1
    return moved
