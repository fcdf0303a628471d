"""Business-calendar arithmetic: pure functions, no database, DST-safe (zoneinfo).

Definition used throughout: a moment is *working time* when its local wall-clock time in the
calendar's time zone falls inside one of the working intervals configured for that local date's
weekday, and that local date is not a holiday. Business time between two moments is the real
(elapsed) time during which it was working time. So on the night clocks go forward an interval
00:00-24:00 holds 23 hours, on the night they go back 25; an interval that starts at a wall time
that does not exist (in the gap) opens at the transition.

``add_business_time`` answers the *earliest* moment by which the given business time has elapsed
(work that fills a day exactly is due at closing time, not at the next opening);
``subtract_business_time`` answers the earliest moment from which no more than the given business
time remains (the start of a jeopardy margin). A 24x7 calendar (``always_open``) is plain elapsed
time: it has no hours and observes no holidays.

    cal = WorkingCalendar.build("Europe/Berlin", {0: [("08:00", "12:00"), ("13:00", "17:00")], ...},
                                holidays={date(2025, 12, 25)})
    due = add_business_minutes(cal, started_at, 480)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
# A calendar with (almost) no working time must fail loudly, not loop: ten years ahead at most.
DEFAULT_HORIZON_DAYS = 3660
_ZERO = timedelta(0)

Interval = tuple[int, int]  # minutes since local midnight, 0 <= start < end <= 1440


class CalendarError(ValueError):
    """The calendar cannot answer (no working time within the horizon, naive datetime, ...)."""


def _minutes(value) -> int:
    """'08:30', time(8, 30) or 510 as minutes since midnight; '24:00' is the end of the day."""
    if isinstance(value, int):
        return value
    if isinstance(value, time):
        return value.hour * 60 + value.minute
    hours, _, minutes = str(value).partition(":")
    return int(hours) * 60 + int(minutes or 0)


def normalize_intervals(intervals: Iterable) -> tuple[Interval, ...]:
    """Sorted, validated, overlapping and touching intervals merged."""
    out: list[list[int]] = []
    for start, end in sorted((_minutes(s), _minutes(e)) for s, e in intervals):
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise CalendarError(f"working interval {start}-{end} (minutes) is not within one day")
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return tuple((s, e) for s, e in out)


@dataclass(frozen=True)
class WorkingCalendar:
    """What the arithmetic needs of a business calendar (built from the database or by hand)."""

    time_zone: str = "UTC"
    hours: tuple[tuple[Interval, ...], ...] = ((),) * 7  # per weekday, Monday = 0
    holidays: frozenset[date] = field(default_factory=frozenset)
    always_open: bool = False
    horizon_days: int = DEFAULT_HORIZON_DAYS

    def __post_init__(self):
        ZoneInfo(self.time_zone)  # raises for an unknown zone
        if len(self.hours) != 7:
            raise CalendarError("working hours need one entry per weekday (Monday = 0)")
        object.__setattr__(self, "hours", tuple(normalize_intervals(day) for day in self.hours))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        if not self.always_open and not any(self.hours):
            raise CalendarError("a calendar that is not 24x7 needs working hours on at least one weekday")

    @classmethod
    def build(cls, time_zone: str, hours: Mapping[int, Iterable], *, holidays: Iterable[date] = (),
              always_open: bool = False) -> WorkingCalendar:
        return cls(time_zone=time_zone, hours=tuple(tuple(hours.get(day, ())) for day in range(7)),
                   holidays=frozenset(holidays), always_open=always_open)

    @classmethod
    def twenty_four_seven(cls, time_zone: str = "UTC") -> WorkingCalendar:
        return cls(time_zone=time_zone, always_open=True)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def local_date(self, moment: datetime) -> date:
        return _aware(moment).astimezone(self.zone).date()

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of one local date, as UTC moments in time order."""
        if self.always_open:
            return [(start, end) for start, end, _ in _offset_segments(self.time_zone, day)]
        if day in self.holidays:
            return []
        return list(_working_intervals(self.time_zone, day, self.hours[day.weekday()]))


ALWAYS_OPEN = WorkingCalendar.twenty_four_seven()


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CalendarError("business-time arithmetic needs timezone-aware datetimes")
    return moment


# --- the local-date <-> UTC mapping ----------------------------------------------------------------

def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    return instant.astimezone(zone).utcoffset()


@lru_cache(maxsize=8192)
def _offset_segments(tz_name: str, day: date) -> tuple[tuple[datetime, datetime, timedelta], ...]:
    """The UTC spans whose local date is ``day``, each with its (constant) UTC offset.

    Found without relying on zoneinfo internals: every instant of a local date lies within
    [day 00:00Z - 15h, day+1 00:00Z + 13h]; the offset is sampled every three hours in that window
    and each change is located to the second by bisection (real zones change offset at most once
    or twice a day, never twice within three hours).
    """
    zone = ZoneInfo(tz_name)
    window_start = datetime.combine(day, time(0), UTC) - timedelta(hours=15)
    window_end = datetime.combine(day, time(0), UTC) + timedelta(hours=24 + 13)
    step = timedelta(hours=3)
    cuts = [window_start]
    probe = window_start
    while probe < window_end:
        nxt = min(probe + step, window_end)
        if _offset(zone, probe) != _offset(zone, nxt):
            lo, hi = probe, nxt  # offset(lo) != offset(hi): find the first instant with offset(hi)
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(microsecond=0)
                if mid <= lo:
                    break
                if _offset(zone, mid) == _offset(zone, lo):
                    lo = mid
                else:
                    hi = mid
            cuts.append(hi)
        probe = nxt
    cuts.append(window_end)
    local_start = datetime.combine(day, time(0))
    local_end = local_start + timedelta(days=1)
    segments = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if b <= a:
            continue
        off = _offset(zone, a)
        # Wall times of this span: [a + off, b + off) (naive local); keep the part on ``day``.
        wall_a = a.replace(tzinfo=None) + off
        wall_b = b.replace(tzinfo=None) + off
        lo, hi = max(wall_a, local_start), min(wall_b, local_end)
        if lo < hi:
            segments.append(((lo - off).replace(tzinfo=UTC), (hi - off).replace(tzinfo=UTC), off))
    return tuple(segments)


@lru_cache(maxsize=8192)
def _working_intervals(tz_name: str, day: date, intervals: tuple[Interval, ...]) -> tuple:
    local_midnight = datetime.combine(day, time(0))
    out: list[list[datetime]] = []
    for seg_start, seg_end, off in _offset_segments(tz_name, day):
        wall_a = seg_start.replace(tzinfo=None) + off
        wall_b = seg_end.replace(tzinfo=None) + off
        for start_min, end_min in intervals:
            lo = max(wall_a, local_midnight + timedelta(minutes=start_min))
            hi = min(wall_b, local_midnight + timedelta(minutes=end_min))
            if lo < hi:
                s, e = (lo - off).replace(tzinfo=UTC), (hi - off).replace(tzinfo=UTC)
                if out and s <= out[-1][1]:  # touching across an offset change: one interval
                    out[-1][1] = max(out[-1][1], e)
                else:
                    out.append([s, e])
    out.sort()
    return tuple((s, e) for s, e in out)


def _days_from(cal: WorkingCalendar, moment: datetime, *, backwards: bool = False) -> Iterator[date]:
    day = cal.local_date(moment)
    step = timedelta(days=-1 if backwards else 1)
    for _ in range(cal.horizon_days):
        yield day
        day += step
    raise CalendarError(f"no working time within {cal.horizon_days} days of {moment.isoformat()}")


# --- the arithmetic -------------------------------------------------------------------------------

def is_working_time(cal: WorkingCalendar, moment: datetime) -> bool:
    moment = _aware(moment)
    return cal.always_open or any(s <= moment < e for s, e in cal.intervals_on(cal.local_date(moment)))


def add_business_time(cal: WorkingCalendar, start: datetime, duration: timedelta) -> datetime:
    """The earliest moment at which ``duration`` of business time has elapsed since ``start``."""
    start = _aware(start).astimezone(UTC)
    if duration < _ZERO:
        return subtract_business_time(cal, start, -duration)
    if duration == _ZERO or cal.always_open:
        return start + duration
    remaining = duration
    for day in _days_from(cal, start):
        for s, e in cal.intervals_on(day):
            if e <= start:
                continue
            s = max(s, start)
            if remaining <= e - s:
                return s + remaining
            remaining -= e - s
    raise AssertionError("unreachable")  # pragma: no cover


def subtract_business_time(cal: WorkingCalendar, end: datetime, duration: timedelta) -> datetime:
    """The earliest moment from which at most ``duration`` of business time remains until ``end``."""
    end = _aware(end).astimezone(UTC)
    if duration < _ZERO:
        return add_business_time(cal, end, -duration)
    if cal.always_open:
        return end - duration
    remaining = duration
    for day in _days_from(cal, end, backwards=True):
        for s, e in reversed(cal.intervals_on(day)):
            if s >= end:
                continue
            e = min(e, end)
            if remaining < e - s:
                return e - remaining
            remaining -= e - s
    raise AssertionError("unreachable")  # pragma: no cover


def business_time_between(cal: WorkingCalendar, start: datetime, end: datetime) -> timedelta:
    """Business time from ``start`` to ``end`` (negative when ``end`` is before ``start``)."""
    start, end = _aware(start).astimezone(UTC), _aware(end).astimezone(UTC)
    if end < start:
        return -business_time_between(cal, end, start)
    if cal.always_open:
        return end - start
    total = _ZERO
    day, last = cal.local_date(start), cal.local_date(end)
    while day <= last:
        for s, e in cal.intervals_on(day):
            lo, hi = max(s, start), min(e, end)
            if lo < hi:
                total += hi - lo
        day += timedelta(days=1)
    return total


def add_business_minutes(cal: WorkingCalendar, start: datetime, minutes: int) -> datetime:
    return add_business_time(cal, start, timedelta(minutes=minutes))


def business_minutes_between(cal: WorkingCalendar, start: datetime, end: datetime) -> float:
    return business_time_between(cal, start, end) / timedelta(minutes=1)
