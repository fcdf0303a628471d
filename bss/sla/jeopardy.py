"""Jeopardy assessment and escalation timing: pure functions over a WorkingCalendar.

A running clock is
- *in jeopardy* (overdue) from its due date on;
- *at risk* while the projected completion leaves no more than the jeopardy margin of business
  time before the due date (a projection already past the due date is at risk too). Without a
  projection, or with one in the past, "now" is the projection: the clock becomes at risk when no
  more than the margin remains;
- *on track* otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .calendar import WorkingCalendar, add_business_time, business_time_between, subtract_business_time

ON_TRACK, AT_RISK, IN_JEOPARDY = "on_track", "at_risk", "in_jeopardy"
TRIGGER_AT_RISK, TRIGGER_BREACHED = "at_risk", "breached"


def jeopardy_status(cal: WorkingCalendar, *, now: datetime, due: datetime | None, projected: datetime | None,
                    margin: timedelta) -> str:
    if due is None:
        return ON_TRACK
    if now >= due:
        return IN_JEOPARDY
    effective = max(projected, now) if projected is not None else now
    if effective >= due or business_time_between(cal, effective, due) <= margin:
        return AT_RISK
    return ON_TRACK


def at_risk_from(cal: WorkingCalendar, *, due: datetime, margin: timedelta) -> datetime:
    """The moment from which a clock with no (or an earlier) projection is at risk."""
    return subtract_business_time(cal, due, margin)


@dataclass(frozen=True)
class StepTiming:
    """What the engine needs of an escalation step."""

    key: object  # the step's id
    level: int
    trigger: str  # TRIGGER_AT_RISK or TRIGGER_BREACHED
    delay: timedelta


def step_fires_at(cal: WorkingCalendar, step: StepTiming, *, at_risk_since: datetime | None,
                  breached_at: datetime | None) -> datetime | None:
    """When the step is due to fire (None while its trigger has not happened)."""
    since = at_risk_since if step.trigger == TRIGGER_AT_RISK else breached_at
    if since is None:
        return None
    return add_business_time(cal, since, step.delay)


def steps_due(cal: WorkingCalendar, steps: Iterable[StepTiming], *, now: datetime, fired: set,
              at_risk_since: datetime | None, breached_at: datetime | None) -> list[StepTiming]:
    """The steps to fire now, lowest level first (each step fires once per clock)."""
    due = []
    for step in sorted(steps, key=lambda s: s.level):
        if step.key in fired:
            continue
        at = step_fires_at(cal, step, at_risk_since=at_risk_since, breached_at=breached_at)
        if at is not None and at <= now:
            due.append(step)
    return due


def next_check(cal: WorkingCalendar, *, now: datetime, status: str, due: datetime | None, margin: timedelta,
               steps: Iterable[StepTiming], fired: set, at_risk_since: datetime | None,
               breached_at: datetime | None, recheck: timedelta | None = None) -> datetime | None:
    """The next moment at which the assessment can change by itself (None: only an update can)."""
    candidates = []
    if due is not None:
        if status == ON_TRACK:
            candidates.append(at_risk_from(cal, due=due, margin=margin))
        if status != IN_JEOPARDY:
            candidates.append(due)
    for step in steps:
        if step.key not in fired:
            at = step_fires_at(cal, step, at_risk_since=at_risk_since, breached_at=breached_at)
            if at is not None:
                candidates.append(at)
    if recheck is not None and due is not None:
        candidates.append(now + recheck)
    later = [c for c in candidates if c > now]
    return min(later) if later else None
