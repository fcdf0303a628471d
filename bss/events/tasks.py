"""Thin, idempotent Celery tasks over bss.events.services."""

from celery import shared_task


@shared_task(name="bss.events.fan_out", acks_late=True)
def fan_out_task(event_id: int) -> None:
    from .services import event_fan_out

    for delivery_id in event_fan_out(event_id=event_id):
        deliver_task.delay(delivery_id)


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
