"""bss.sla.calendar: business-time arithmetic, examples and properties (hypothesis)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bss.sla.calendar import (
    CalendarError,
    WorkingCalendar,
    add_business_minutes,
    add_business_time,
    business_minutes_between,
    business_time_between,
    is_working_time,
    subtract_business_time,
)

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = {d: [("08:00", "12:00"), ("13:00", "17:00")] for d in range(5)}  # Mon-Fri, lunch break


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def office(**kw) -> WorkingCalendar:
    return WorkingCalendar.build("Europe/Berlin", OFFICE, **kw)


class TestExamples:
    def test_adds_within_a_day_and_over_the_lunch_break(self):
        cal = office()
        assert add_business_minutes(cal, berlin(2025, 3, 3, 9, 0), 60) == berlin(2025, 3, 3, 10, 0)
        assert add_business_minutes(cal, berlin(2025, 3, 3, 11, 30), 60) == berlin(2025, 3, 3, 13, 30)

    def test_a_day_filled_exactly_is_due_at_closing_time(self):
        assert add_business_minutes(office(), berlin(2025, 3, 3, 8, 0), 8 * 60) == berlin(2025, 3, 3, 17, 0)

    def test_outside_hours_starts_counting_at_the_next_opening(self):
        cal = office()
        friday_evening = berlin(2025, 3, 7, 18, 30)
        assert add_business_minutes(cal, friday_evening, 30) == berlin(2025, 3, 10, 8, 30)  # Monday
        assert business_time_between(cal, friday_evening, berlin(2025, 3, 10, 8, 0)) == timedelta(0)

    def test_holidays_are_skipped(self):
        cal = office(holidays={date(2025, 3, 10)})  # Monday off
        assert add_business_minutes(cal, berlin(2025, 3, 7, 16, 0), 120) == berlin(2025, 3, 11, 9, 0)
        assert business_time_between(cal, berlin(2025, 3, 10, 0, 0), berlin(2025, 3, 11, 0, 0)) == timedelta(0)

    def test_counting_back(self):
        cal = office()
        assert business_minutes_between(cal, berlin(2025, 3, 3, 9, 0), berlin(2025, 3, 4, 9, 0)) == 8 * 60
        assert business_minutes_between(cal, berlin(2025, 3, 4, 9, 0), berlin(2025, 3, 3, 9, 0)) == -8 * 60

    def test_subtract_gives_the_earliest_moment_with_that_much_left(self):
        cal = office()
        # One business hour before Monday 9:00 is reached at Friday's closing time already.
        assert subtract_business_time(cal, berlin(2025, 3, 10, 9, 0), timedelta(hours=1)) == berlin(2025, 3, 7, 17)
        assert subtract_business_time(cal, berlin(2025, 3, 10, 9, 0), timedelta(minutes=30)) == \
            berlin(2025, 3, 10, 8, 30)

    def test_24x7_is_plain_elapsed_time_and_ignores_holidays(self):
        cal = WorkingCalendar.twenty_four_seven("Europe/Berlin")
        start = berlin(2025, 3, 29, 12, 0)  # over the spring-forward night
        assert add_business_minutes(cal, start, 24 * 60) == start.astimezone(UTC) + timedelta(days=1)
        assert add_business_minutes(cal, start, 24 * 60) == berlin(2025, 3, 30, 13, 0)
        assert business_time_between(cal, berlin(2025, 12, 25, 0, 0), berlin(2025, 12, 26, 0, 0)) == timedelta(days=1)

    def test_several_intervals_per_day_overlapping_ones_merged(self):
        cal = WorkingCalendar.build("UTC", {0: [("09:00", "11:00"), ("10:00", "12:00"), ("14:00", "15:00")]})
        day = cal.intervals_on(date(2025, 3, 3))
        assert [(s.time(), e.time()) for s, e in day] == [(time(9), time(12)), (time(14), time(15))]

    def test_naive_datetimes_and_empty_calendars_are_refused(self):
        with pytest.raises(CalendarError):
            add_business_minutes(office(), datetime(2025, 3, 3, 9), 10)
        with pytest.raises(CalendarError):
            WorkingCalendar.build("UTC", {})
        with pytest.raises(CalendarError):
            WorkingCalendar.build("UTC", {0: [("10:00", "09:00")]})
        with pytest.raises(Exception):  # noqa: B017 - ZoneInfoNotFoundError
            WorkingCalendar.build("Mars/Olympus", OFFICE)

    def test_only_holidays_ahead_fails_loudly_instead_of_looping(self):
        cal = WorkingCalendar(time_zone="UTC", hours=((( 0, 60),),) + ((),) * 6,
                              holidays=frozenset(date(2025, 3, 3) + timedelta(weeks=w) for w in range(5)),
                              horizon_days=30)
        with pytest.raises(CalendarError):
            add_business_minutes(cal, datetime(2025, 3, 2, tzinfo=UTC), 30)


class TestDaylightSaving:
    ROUND_THE_CLOCK = {d: [("00:00", "24:00")] for d in range(7)}

    def test_a_whole_day_is_23_hours_in_spring_and_25_in_autumn(self):
        cal = WorkingCalendar.build("Europe/Berlin", self.ROUND_THE_CLOCK)
        spring, autumn = date(2025, 3, 30), date(2025, 10, 26)
        day = timedelta(days=1)
        assert business_time_between(cal, berlin(*spring.timetuple()[:3]),
                                     berlin(*(spring + day).timetuple()[:3])) == timedelta(hours=23)
        assert business_time_between(cal, berlin(*autumn.timetuple()[:3]),
                                     berlin(*(autumn + day).timetuple()[:3])) == timedelta(hours=25)

    def test_office_hours_are_wall_clock_hours_on_the_dst_days(self):
        # Sunday hours 08-17 both on the spring-forward and the fall-back Sunday: nine real hours.
        cal = WorkingCalendar.build("Europe/Berlin", {6: [("08:00", "17:00")]})
        for sunday in (date(2025, 3, 30), date(2025, 10, 26)):
            start = datetime.combine(sunday, time(0), BERLIN)
            end = datetime.combine(sunday + timedelta(days=1), time(0), BERLIN)
            assert business_time_between(cal, start, end) == timedelta(hours=9)
            assert add_business_minutes(cal, start, 9 * 60) == datetime.combine(sunday, time(17), BERLIN)

    def test_an_interval_starting_in_the_gap_opens_at_the_transition(self):
        cal = WorkingCalendar.build("Europe/Berlin", {6: [("02:30", "05:00")]})
        (start, end), = cal.intervals_on(date(2025, 3, 30))
        assert start == berlin(2025, 3, 30, 3, 0) and end == berlin(2025, 3, 30, 5, 0)

    def test_wall_times_shown_twice_count_twice(self):
        # 02:30-04:00 on the fall-back night: 02:30-03:00 summer time, then 02:30-04:00 winter time.
        cal = WorkingCalendar.build("Europe/Berlin", {6: [("02:30", "04:00")]})
        day = cal.intervals_on(date(2025, 10, 26))
        assert sum((e - s for s, e in day), timedelta()) == timedelta(hours=2)

    def test_midnight_that_does_not_exist(self):
        # Chile springs forward at midnight: 7 Sep 2025 has no 00:00 and only 23 hours.
        cal = WorkingCalendar.build("America/Santiago", self.ROUND_THE_CLOCK)
        day = cal.intervals_on(date(2025, 9, 7))
        assert sum((e - s for s, e in day), timedelta()) == timedelta(hours=23)


# --- properties -----------------------------------------------------------------------------------

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata"]


@st.composite
def calendars(draw):
    zone = draw(st.sampled_from(ZONES))
    always_open = draw(st.integers(0, 9)) == 0  # now and then a 24x7 calendar
    hours = {}
    for day in range(7):
        cuts = sorted(draw(st.lists(st.integers(0, 48), max_size=4, unique=True)))
        pairs = [(a * 30, b * 30) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b]
        if pairs:
            hours[day] = pairs
    assume(always_open or hours)
    start = date(2024, 1, 1)
    holidays = draw(st.sets(st.integers(0, 800).map(lambda n: start + timedelta(days=n)), max_size=40))
    return WorkingCalendar.build(zone, hours, holidays=holidays, always_open=always_open)


moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2025, 12, 31),
                       timezones=st.just(UTC)).map(lambda d: d.replace(second=0, microsecond=0))
durations = st.integers(0, 5 * 24 * 60).map(lambda m: timedelta(minutes=m))


@settings(max_examples=120, deadline=None)
@given(cal=calendars(), start=moments, duration=durations)
def test_adding_then_counting_back_gives_the_same_duration(cal, start, duration):
    due = add_business_time(cal, start, duration)
    assert due >= start
    assert business_time_between(cal, start, due) == duration


@settings(max_examples=120, deadline=None)
@given(cal=calendars(), start=moments, duration=durations.filter(lambda d: d > timedelta(0)))
def test_a_due_moment_is_never_outside_working_hours(cal, start, duration):
    """It is working time, or the closing moment of an interval (the last minute just elapsed)."""
    due = add_business_time(cal, start, duration)
    just_before = due - timedelta(seconds=1)
    assert is_working_time(cal, just_before)
    assert cal.always_open or cal.local_date(just_before) not in cal.holidays


@settings(max_examples=150, deadline=None)
@given(cal=calendars(), start=moments, a=durations, b=durations)
def test_adding_in_two_steps_is_adding_once(cal, start, a, b):
    assert add_business_time(cal, add_business_time(cal, start, a), b) == add_business_time(cal, start, a + b)


@settings(max_examples=150, deadline=None)
@given(cal=calendars(), end=moments, duration=durations)
def test_subtracting_leaves_exactly_that_much(cal, end, duration):
    earliest = subtract_business_time(cal, end, duration)
    assert earliest <= end
    assert business_time_between(cal, earliest, end) == duration
    # ... and it is the earliest such moment: one second earlier, more than that remains.
    assert business_time_between(cal, earliest - timedelta(seconds=1), end) > duration


@settings(max_examples=150, deadline=None)
@given(cal=calendars(), a=moments, b=moments, c=moments)
def test_counting_is_additive_and_never_more_than_elapsed_time(cal, a, b, c):
    a, b, c = sorted((a, b, c))
    assert business_time_between(cal, a, b) + business_time_between(cal, b, c) == business_time_between(cal, a, c)
    assert timedelta(0) <= business_time_between(cal, a, c) <= c - a


@settings(max_examples=100, deadline=None)
@given(cal=calendars().filter(lambda c: not c.always_open and c.holidays), data=st.data())
def test_holidays_hold_no_business_time(cal, data):
    holiday = data.draw(st.sampled_from(sorted(cal.holidays)))
    zone = ZoneInfo(cal.time_zone)
    start = datetime.combine(holiday, time(0), zone)
    end = datetime.combine(holiday + timedelta(days=1), time(0), zone)
    assert business_time_between(cal, start, end) == timedelta(0)
    assert not any(is_working_time(cal, start + timedelta(minutes=m)) for m in range(0, 23 * 60, 30))


@settings(max_examples=150, deadline=None)
@given(zone=st.sampled_from(ZONES), a=moments, b=moments)
def test_round_the_clock_hours_count_real_elapsed_time_across_dst(zone, a, b):
    """00:00-24:00 every day is every moment once: no gap, no double count at a transition."""
    a, b = sorted((a, b))
    cal = WorkingCalendar.build(zone, {d: [("00:00", "24:00")] for d in range(7)})
    assert business_time_between(cal, a, b) == b - a
    assert add_business_time(cal, a, b - a) == b
