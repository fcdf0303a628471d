"""Browser journeys of the monitoring view and the provisioning reports (Playwright, the system Chromium): the
board refreshes itself over HTMX and keeps the filter the user chose; the reports draw their charts with our own
Chart.js and export CSV."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from bss.actors import Actor
from bss.roles import Role

from .helpers import role_user, sign_in
from .test_accessibility import serious_violations

pytestmark = pytest.mark.browser
CLOCK = "service_activation.service_order"


def open_order(number: str, *, due: dt.timedelta, priority: int = 2):
    from bss.sla.services import sla_clock_start
    from service_activation.models import ServiceOrder, ServiceOrderItem

    so = ServiceOrder.objects.create(order_number=number, state=ServiceOrder.State.IN_PROGRESS, priority=priority)
    ServiceOrderItem.objects.create(service_order=so, item_id="1")
    sla_clock_start(obj=so, clock_type=CLOCK, committed_at=timezone.now() + due, actor=Actor.system("test"))
    return so


def test_the_board_refreshes_itself_and_keeps_the_filter(live_server, page, transactional_db, settings):  # noqa: F811
    settings.BSS_MONITORING_REFRESH_SECONDS = 1
    open_order("SO-LATE-1", due=-dt.timedelta(hours=2), priority=0)
    open_order("SO-FINE-1", due=dt.timedelta(days=2))
    sign_in(page, live_server.url, role_user(Role.PROVISIONING))
    page.wait_for_load_state()
    page.get_by_role("link", name="Monitoring").click()
    page.wait_for_url(re.compile(r".*/csr/provisioning/monitoring/$"))
    assert page.locator("[data-alarm=overdue]").is_visible()
    assert page.locator("tr[data-order]").first.get_attribute("data-order") == "SO-LATE-1"
    assert page.locator("tr[data-order=SO-LATE-1] [data-priority]").inner_text() == "Urgent"

    page.select_option("#id_jeopardy", "in_jeopardy")
    page.wait_for_url(re.compile(r".*jeopardy=in_jeopardy.*"))
    page.wait_for_function("document.querySelectorAll('tr[data-order]').length === 1")

    open_order("SO-LATE-2", due=-dt.timedelta(minutes=30))  # becomes overdue while the page is open
    open_order("SO-FINE-2", due=dt.timedelta(days=3))
    page.wait_for_selector("tr[data-order=SO-LATE-2]", timeout=10000)  # the refresh brought it, nothing clicked
    assert page.locator("[data-counter=overdue]").inner_text() == "2"
    assert page.locator("tr[data-order=SO-FINE-2]").count() == 0  # the filter is kept
    assert page.locator("#id_jeopardy").input_value() == "in_jeopardy"
    assert not serious_violations(page)


def test_the_reports_draw_their_charts_and_export_csv(live_server, page, transactional_db):  # noqa: F811
    from service_activation.models import ServiceOrder, ServiceOrderItem, ServiceSpecification

    spec = ServiceSpecification.objects.create(code="fibre-access", name="Fibre access")
    for n in range(3):
        so = ServiceOrder.objects.create(order_number=f"SO-DONE-{n}", state=ServiceOrder.State.COMPLETED,
                                         completion_date=timezone.now() - dt.timedelta(hours=1))
        ServiceOrderItem.objects.create(service_order=so, item_id="1", specification=spec,
                                        state=ServiceOrderItem.State.COMPLETED)
    hosts = set()
    page.on("request", lambda r: hosts.add(urlparse(r.url).netloc))
    sign_in(page, live_server.url, role_user(Role.SUPERVISOR))
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/csr/provisioning/monitoring/")
    page.get_by_role("link", name="Provisioning reports").click()
    page.wait_for_url(re.compile(r".*/csr/provisioning/reports/$"))
    page.wait_for_function("document.querySelectorAll('canvas[data-drawn]').length >= 2")
    assert page.locator("[data-total=completed]").inner_text() == "3"
    assert hosts == {urlparse(live_server.url).netloc}  # Chart.js is ours: nothing from elsewhere
    assert not serious_violations(page)
    with page.expect_download() as download:
        page.click("[data-export=csv]")
    text = open(download.value.path(), encoding="utf-8").read()
    assert text.startswith("section,key,name") and "cycle_time,fibre-access,Fibre access" in text
