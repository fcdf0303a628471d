"""SLA admin: calendars (hours, holidays inline) and targets (escalation steps inline) saved through
the services with history; clocks and escalations read-only."""

from datetime import date, time

import pytest
from django.test import Client

from bss.audit.models import HistoryEntry
from bss.roles import Role
from bss.sla.models import BusinessCalendar, EscalationStep, Holiday, SlaClock, SlaTarget, WorkingHours
from tests.admin_forms import form_errors, post_data
from tests.factories import staff_user

from .conftest import CLOCK_TYPE

pytestmark = pytest.mark.django_db
BASE = "/admin/sla/"


@pytest.fixture
def client():
    c = Client()
    c.force_login(staff_user(Role.ADMIN))
    return c


def inline(prefix, rows, initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


class TestCalendarAdmin:
    def test_created_with_hours_and_holidays_through_the_services(self, client):
        response = client.post(BASE + "businesscalendar/add/", {
            "name": "Dublin office", "time_zone": "Europe/Dublin", "region": "ie", "description": "",
            **inline("working_hours", [{"weekday": "0", "start": "09:00", "end": "12:30"},
                                       {"weekday": "0", "start": "13:30", "end": "17:30"}]),
            **inline("holidays", [{"date": "2025-03-17", "name": "St Patrick's Day"}]),
        })
        assert response.status_code == 302, form_errors(response)
        cal = BusinessCalendar.objects.get()
        assert cal.region == "IE"  # the service normalises
        assert [str(h) for h in cal.working_hours.all()] == ["Monday 09:00-12:30", "Monday 13:30-17:30"]
        assert list(cal.holidays.values_list("date", "name")) == [(date(2025, 3, 17), "St Patrick's Day")]
        actions = set(HistoryEntry.objects.for_object(cal).values_list("action", "channel"))
        assert actions == {("sla.business_calendar.created", "admin"), ("sla.business_calendar.hours_set", "admin"),
                           ("sla.business_calendar.holidays_set", "admin")}

    def test_refusals_are_shown_and_nothing_is_saved(self, client):
        response = client.post(BASE + "businesscalendar/add/", {
            "name": "Nowhere", "time_zone": "Mars/Olympus", "region": "",
            **inline("working_hours", [{"weekday": "0", "start": "17:00", "end": "09:00"}]),
            **inline("holidays", []),
        })
        errors = form_errors(response)
        assert "not a known time zone" in errors and "must end after it starts" in errors
        assert not BusinessCalendar.objects.exists()

    def test_editing_hours_replaces_them_with_history(self, client, office):
        page = client.get(f"{BASE}businesscalendar/{office.pk}/change/")
        data = post_data(page)
        data["working_hours-0-end"] = "11:00"  # Monday morning now 08:00-11:00
        response = client.post(f"{BASE}businesscalendar/{office.pk}/change/", data)
        assert response.status_code == 302, form_errors(response)
        assert WorkingHours.objects.filter(calendar=office, weekday=0, start=time(8)).get().end == time(11)
        entry = HistoryEntry.objects.for_object(office).filter(action="sla.business_calendar.hours_set").first()
        assert entry.channel == "admin" and "Monday 08:00-11:00" in entry.changes["working_hours"][1]

    def test_shared_regional_holidays(self, client):
        response = client.post(BASE + "holiday/add/", {"date": "2025-08-15", "name": "Assumption", "region": "de-by"})
        assert response.status_code == 302, form_errors(response)
        holiday = Holiday.objects.get()
        assert holiday.calendar is None and holiday.region == "DE-BY"
        assert HistoryEntry.objects.for_object(holiday).get().action == "sla.holiday.created"


class TestTargetAdmin:
    def test_created_with_escalation_steps_through_the_services(self, client, office):
        response = client.post(BASE + "slatarget/add/", {
            "name": "Onboarding", "clock_type": CLOCK_TYPE, "step": "", "priority": "", "segment": "",
            "time_basis": "business", "calendar": str(office.pk), "duration_minutes": "960",
            "jeopardy_margin_minutes": "120", "active": "on", "description": "",
            **inline("escalation_steps", [
                {"level": "1", "trigger": "at_risk", "delay_minutes": "0", "action": "notify_role",
                 "role": "Supervisor", "message": "At risk"},
                {"level": "2", "trigger": "breached", "delay_minutes": "30", "action": "raise_priority",
                 "role": "", "message": ""}]),
        })
        assert response.status_code == 302, form_errors(response)
        target = SlaTarget.objects.get()
        assert list(target.escalation_steps.values_list("level", "trigger", "delay_minutes")) == [
            (1, "at_risk", 0), (2, "breached", 30)]
        actions = set(HistoryEntry.objects.for_object(target).values_list("action", flat=True))
        assert actions == {"sla.sla_target.created", "sla.sla_target.escalation_steps_set"}

    def test_business_time_without_a_calendar_or_an_unknown_clock_type_is_refused(self, client):
        response = client.post(BASE + "slatarget/add/", {
            "name": "x", "clock_type": "nobody.nothing", "time_basis": "business", "duration_minutes": "60",
            "jeopardy_margin_minutes": "0", **inline("escalation_steps", [])})
        errors = form_errors(response)
        assert "Business time needs a calendar" in errors and "Unknown clock type" in errors
        assert not SlaTarget.objects.exists()

    def test_changing_a_target_goes_through_the_service(self, client, target):
        page = client.get(f"{BASE}slatarget/{target.pk}/change/")
        response = client.post(f"{BASE}slatarget/{target.pk}/change/",
                               post_data(page, jeopardy_margin_minutes="240"))
        assert response.status_code == 302, form_errors(response)
        entry = HistoryEntry.objects.for_object(target).get(action="sla.sla_target.updated")
        assert entry.changes == {"jeopardy_margin_minutes": [120, 240]} and entry.channel == "admin"
        assert not EscalationStep.objects.exists()


class TestClockAdmin:
    def test_clocks_are_read_only(self, client, target, start):
        clock = start()
        assert client.get(BASE + "slaclock/").status_code == 200
        assert client.get(f"{BASE}slaclock/{clock.pk}/change/").status_code == 200
        assert client.get(BASE + "slaclock/add/").status_code == 403
        response = client.post(f"{BASE}slaclock/{clock.pk}/change/", {"state": "met"})
        assert response.status_code == 403
        assert SlaClock.objects.get().state == "running"
        assert client.get(BASE + "escalation/").status_code == 200
