"""The one source of "now" for the SLA services and the scan, so tests control time.

    from bss.sla import clock
    with clock.frozen(datetime(2025, 3, 3, 9, tzinfo=UTC)) as t:
        sla_clock_start(...)
        t.advance(hours=4)
        sla_scan()

Services read ``clock.now()`` (never ``timezone.now()``); no test needs to sleep.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta

from django.utils import timezone


class FrozenTime:
    def __init__(self, at: datetime):
        self.at = at

    def set(self, at: datetime) -> datetime:
        self.at = at
        return at

    def advance(self, delta: timedelta | None = None, **kwargs) -> datetime:
        self.at = self.at + (delta if delta is not None else timedelta(**kwargs))
        return self.at


_frozen: FrozenTime | None = None


def now() -> datetime:
    return _frozen.at if _frozen is not None else timezone.now()


@contextmanager
def frozen(at: datetime):
    """Freeze (and let the test move) the SLA clock; shared by every thread, so concurrent scans
    in a test see the same moment."""
    global _frozen
    if at.tzinfo is None:
        raise ValueError("freeze the clock at an aware datetime")
    previous, _frozen = _frozen, FrozenTime(at)
    try:
        yield _frozen
    finally:
        _frozen = previous
