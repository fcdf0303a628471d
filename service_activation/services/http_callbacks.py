"""Asynchronous HTTP adapter callbacks (eTOM 1.1.2.2.4): an element configured through adapters.http with
``async`` accepts a step at once (the step waits in progress) and reports the outcome later to
``POST /api/v1/adapter-callbacks/<token>/``. The token is the step's idempotency key signed by us, so it is
both the callback's credential and its correlation; the body's correlation field, when present, must match the
element's reference given in its first answer. The outcome is applied as a report on the work order
(service_orders.work_order_report): done moves the order on, failed sends the step to the fallout queue; a
replayed callback changes nothing."""

from __future__ import annotations

from django.db import transaction

from bss.actors import Actor
from bss.errors import ApplicationError, DomainValidationError
from service_activation.adapters.http import callback_key, callback_outcome
from service_activation.models import WorkOrder


def adapter_callback_receive(*, token: str, body, actor: Actor | None = None) -> WorkOrder:
    from service_activation.services.service_orders import _record_test, work_order_report

    key = callback_key(token)
    if not key or not key.startswith("wo-") or not key[3:].isdigit():
        raise DomainValidationError({"token": "Not a callback we issued."})
    wo = WorkOrder.objects.filter(pk=int(key[3:])).first()
    if wo is None or wo.adapter != "http" or not wo.adapter_config.get("async"):
        raise DomainValidationError({"token": "Not a callback we issued."})
    ok, detail = callback_outcome(wo.adapter_config, body, correlation=wo.result.get("correlation"))
    if ok is None:
        raise ApplicationError(f"The callback names another request: {detail}.", code="correlation_mismatch")
    reference = str(body.get(wo.adapter_config.get("correlation_field", "id")) or "")[:100]
    actor = actor or Actor.system(f"{wo.specialty or 'network element'} callback")
    with transaction.atomic():
        before = wo.status
        wo = work_order_report(work_order_id=wo.pk, status="done" if ok else "failed", actor=actor, detail=detail,
                               reference=reference)
        if wo.kind == WorkOrder.Kind.TEST and wo.status != before:  # an asynchronous check: its result is a run
            _record_test(wo, passed=ok, detail=detail, actor=actor)
    return wo
