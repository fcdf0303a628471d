"""Handing work to Celery from a committed use case, without ever holding up or failing it.

Whatever a service enqueues after its transaction commits (the next step of an order, an event's fan-out) is
already safe in the database: a periodic sweep finds what was never picked up (orders_resume_stalled,
work_orders_resume_stalled, events_redispatch). So a broker that cannot be reached must cost the request as
little as possible: a send is tried once, without kombu's publish retries, and after a failure this process
stops trying for ``BSS_BROKER_BACKOFF_SECONDS`` (a circuit breaker: one slow request per window, not every
request waiting for the connection to be refused), then tries again. With ``CELERY_TASK_ALWAYS_EAGER`` (the
tests, the embedded run) a failure is the task's own and is raised.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)
_lock = threading.Lock()
_down_until = 0.0  # monotonic time until which this process does not try the broker


def _eager(task) -> bool:
    return bool(getattr(task.app.conf, "task_always_eager", False))


def broker_backing_off() -> bool:
    return time.monotonic() < _down_until


def attempt(task, publish: Callable[[], object], what: str) -> bool:
    """Run ``publish`` (a send to the broker for ``task``) unless the broker is backing off; True when sent."""
    global _down_until
    if _eager(task):
        publish()
        return True
    if broker_backing_off():
        log.info("broker backing off: %s left for the sweep", what)
        return False
    try:
        publish()
        return True
    except Exception:
        with _lock:
            _down_until = time.monotonic() + settings.BSS_BROKER_BACKOFF_SECONDS
        log.exception("could not enqueue %s; the periodic sweep will pick it up (not trying the broker for %s s)",
                      what, settings.BSS_BROKER_BACKOFF_SECONDS)
        return False


def send(task, *args, **options) -> bool:
    """Enqueue ``task(*args)`` now (after commit, from an on_commit hook); see the module docstring."""
    return attempt(task, lambda: task.apply_async(args, retry=False, **options), f"{task.name}{args}")


def send_on_commit(task, *args, **options) -> None:
    """Enqueue ``task(*args)`` once the caller's transaction commits."""
    transaction.on_commit(lambda: send(task, *args, **options))


def reset() -> None:
    """Forget a broker failure (tests)."""
    global _down_until
    _down_until = 0.0
