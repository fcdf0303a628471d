"""Thin, idempotent Celery tasks over bss.sla.services (beat runs the scan every minute)."""

from celery import shared_task


@shared_task(name="bss.sla.scan", acks_late=True)
def sla_scan_task() -> dict:
    """Safe to run twice or concurrently: rows are locked (SKIP LOCKED) and each escalation step
    fires once per clock (a unique row)."""
    from .services import sla_scan

    return sla_scan()
