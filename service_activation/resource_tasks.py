"""The resource pools' housekeeping (beat: every minute, CELERY_BEAT_SCHEDULE "resources-sweep"): lapsed
reservations become free, ended quarantines become free. Both are set-based UPDATEs filtered by time, so the
task is idempotent: a repeat, a retry or a late run moves only what is due (and nothing twice); acks_late, so
a worker lost mid-run leaves the message to run again. Correctness never waits on it: reserve and search
already treat a lapsed reservation or an ended quarantine as available."""

from celery import shared_task

from bss.actors import Actor


@shared_task(name="service_activation.resources_sweep", acks_late=True, ignore_result=True)
def resources_sweep_task() -> dict[str, int]:
    from .services.resources import resources_expire_reservations, resources_release_quarantine

    actor = Actor.system("resource-sweep")
    return {"expired": resources_expire_reservations(actor=actor),
            "quarantine_released": resources_release_quarantine(actor=actor)}
