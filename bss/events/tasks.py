"""Thin, idempotent Celery tasks over bss.events.services."""

from celery import shared_task


@shared_task(name="bss.events.fan_out", acks_late=True)
def fan_out_task(event_id: int, handlers: list[str] | None = None) -> None:
    from .services import event_delivery_attempt, event_fan_out_deliveries

    for delivery_id, in_process in event_fan_out_deliveries(event_id=event_id, handlers=handlers):
        if not in_process:
            deliver_task.delay(delivery_id)  # a webhook: its own task, its own retries
            continue
        # an in-process subscriber: attempted here (claimed, recorded, retried later on failure like any
        # delivery), saving a broker round trip per subscriber
        delay = event_delivery_attempt(delivery_id=delivery_id)
        if delay is not None:
            deliver_task.apply_async((delivery_id,), countdown=delay)


@shared_task(name="bss.events.deliver", acks_late=True)
def deliver_task(delivery_id: int) -> None:
    from .services import event_delivery_attempt

    delay = event_delivery_attempt(delivery_id=delivery_id)
    if delay is not None:
        deliver_task.apply_async((delivery_id,), countdown=delay)


@shared_task(name="bss.events.redispatch_pending", acks_late=True)
def redispatch_pending_task() -> dict:
    from .services import events_redispatch

    return events_redispatch()
