from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from bss.actors import Actor
from bss.sla import clock, services
from bss.sla.registry import register_clock_type, unregister_clock_type
from tests.factories import CustomerFactory

BERLIN = ZoneInfo("Europe/Berlin")
CLOCK_TYPE = "tests.customer_onboarding"
SYSTEM = Actor.system()


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def clock_type():
    info = register_clock_type(CLOCK_TYPE, label="Customer onboarding", referred_type="Customer",
                               steps=("acknowledged", "inProgress"))
    yield info
    unregister_clock_type(CLOCK_TYPE)


@pytest.fixture
def now():
    """Monday 3 March 2025, 09:00 in Berlin; tests move it with now.advance(...) / now.set(...)."""
    with clock.frozen(berlin(2025, 3, 3, 9, 0)) as frozen:
        yield frozen


@pytest.fixture
def office(db, now):
    """Mon-Fri 08:00-12:00 and 13:00-17:00 in Berlin, observing Bavarian holidays."""
    cal = services.business_calendar_create(name="Munich office", time_zone="Europe/Berlin", region="DE-BY",
                                            actor=SYSTEM)
    services.business_calendar_set_hours(calendar=cal, actor=SYSTEM, hours=[
        services.HoursInput(weekday=d, start=time(s), end=time(e)) for d in range(5) for s, e in ((8, 12), (13, 17))
    ])
    return cal


@pytest.fixture
def target(office):
    """Two business days (16 h), at risk two business hours before the due date."""
    return services.sla_target_create(name="Onboarding", clock_type=CLOCK_TYPE, duration_minutes=16 * 60,
                                      calendar=office, jeopardy_margin_minutes=120, actor=SYSTEM)


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def start(customer, now):
    def _start(**kw):
        return services.sla_clock_start(obj=kw.pop("obj", customer), clock_type=CLOCK_TYPE, actor=SYSTEM, **kw)

    return _start
