"""Thin, idempotent Celery tasks over bss.idempotency.services."""

from celery import shared_task


@shared_task(name="bss.idempotency.purge", acks_late=True)
def purge_expired_task() -> int:
    from .services import idempotency_keys_purge

    return idempotency_keys_purge()
