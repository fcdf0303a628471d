"""The monitoring view of open service orders (eTOM 1.1.2.2.8, /csr/provisioning/monitoring/): importance (the
priority's label), time left against the SLA clock (bss.sla), overdue alarms first, counters, filters by team,
state and specification, the HTMX board that refreshes itself; and the service order page's priority label."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from bss.actors import Actor
from bss.roles import Role
from bss.sla.services import sla_clock_start, sla_target_create
from service_activation.models import ServiceOrder, ServiceOrderItem, ServiceSpecification, WorkOrder
from service_activation.services import reports
from tests.factories import staff_user

pytestmark = pytest.mark.django_db
CLOCK = "service_activation.service_order"
SO = ServiceOrder.State


def login(role) -> Client:
    client = Client()
    client.force_login(staff_user(role))
    return client


def spec(code: str) -> ServiceSpecification:
    return ServiceSpecification.objects.create(code=code, name=code.replace("-", " ").title())


def service_order(number: str, *, state=SO.IN_PROGRESS, priority=2, due: dt.timedelta | None = None,
                  specification=None, team: str = "", step_status=WorkOrder.Status.READY) -> ServiceOrder:
    so = ServiceOrder.objects.create(order_number=number, state=state, priority=priority)
    item = ServiceOrderItem.objects.create(service_order=so, item_id="1", specification=specification,
                                           state=ServiceOrderItem.State.IN_PROGRESS)
    if team:
        WorkOrder.objects.create(item=item, sequence=1, code="install", name="Install", manual=True, specialty=team,
                                 status=step_status)
    if due is not None:
        sla_clock_start(obj=so, clock_type=CLOCK, committed_at=timezone.now() + due, actor=Actor.system("test"))
    return so


@pytest.fixture
def board():
    """Four open orders: one overdue, one at risk (inside the 2 h margin), one on track, one not started; plus a
    completed one that is not monitored."""
    sla_target_create(name="Service orders", clock_type=CLOCK, duration_minutes=24 * 60, time_basis="calendar",
                      jeopardy_margin_minutes=120, actor=Actor.system("test"))
    fibre, mobile = spec("fibre-access"), spec("mobile-line")
    return {
        "overdue": service_order("SO-OVERDUE", priority=3, due=-dt.timedelta(hours=3), specification=fibre,
                                 team="field-install"),
        "at_risk": service_order("SO-ATRISK", priority=2, due=dt.timedelta(hours=1), specification=mobile),
        "on_track": service_order("SO-ONTRACK", priority=0, due=dt.timedelta(days=3), specification=fibre,
                                  team="cpe-delivery"),
        "not_started": service_order("SO-NEW", state=SO.ACKNOWLEDGED, priority=1, specification=mobile),
        "done": service_order("SO-DONE", state=SO.COMPLETED, due=dt.timedelta(days=1), specification=fibre),
        "fibre": fibre,
    }


def rows(response) -> list[str]:
    html = response.content.decode()
    return [n for n in ("SO-OVERDUE", "SO-ATRISK", "SO-ONTRACK", "SO-NEW", "SO-DONE") if f'data-order="{n}"' in html]


def order_of(response) -> list[str]:
    html = response.content.decode()
    found = [(html.index(f'data-order="{n}"'), n) for n in rows(response)]
    return [n for _, n in sorted(found)]


class TestReads:
    def test_open_orders_carry_their_clock_and_the_most_important_come_first(self, board):
        qs = list(reports.open_service_orders())
        assert [so.order_number for so in qs] == ["SO-OVERDUE", "SO-ATRISK", "SO-ONTRACK", "SO-NEW"]
        by = {so.order_number: so for so in qs}
        assert by["SO-OVERDUE"].sla_jeopardy == "in_jeopardy" and by["SO-OVERDUE"].sla_due < timezone.now()
        assert by["SO-ATRISK"].sla_jeopardy == "at_risk"
        assert by["SO-ONTRACK"].sla_jeopardy == "on_track" and by["SO-ONTRACK"].sla_state == "running"
        assert by["SO-NEW"].sla_jeopardy is None and by["SO-NEW"].sla_due is None

    def test_counters_in_one_query(self, board, django_assert_num_queries):
        qs = reports.open_service_orders()
        with django_assert_num_queries(1):
            counters = reports.monitoring_counters(qs)
        assert counters == {"open": 4, "overdue": 1, "at_risk": 1, "on_track": 1, "not_started": 1, "waiting": 0,
                            "in_fallout": 0}

    def test_a_step_in_fallout_is_counted(self, board):
        WorkOrder.objects.filter(item__service_order=board["on_track"]).update(status=WorkOrder.Status.FAILED)
        assert reports.monitoring_counters(reports.open_service_orders())["in_fallout"] == 1


class TestPage:
    def test_lists_open_orders_by_importance_with_labels_time_left_and_an_alarm(self, board):
        response = login(Role.PROVISIONING).get("/csr/provisioning/monitoring/")
        assert response.status_code == 200
        html = response.content.decode()
        assert order_of(response) == ["SO-OVERDUE", "SO-ATRISK", "SO-ONTRACK", "SO-NEW"]  # not the completed one
        assert 'data-alarm="overdue"' in html and "1 service order is overdue" in html
        assert 'data-counter="open">4<' in html and 'data-counter="overdue">1<' in html
        assert 'data-counter="at_risk">1<' in html and 'data-counter="not_started">1<' in html
        assert '<span class="badge danger" data-priority="0">Urgent</span>' in html
        assert 'data-priority="1">High</span>' in html and 'data-priority="3">Low</span>' in html
        assert "Overdue</span> by 2" in html or "Overdue</span> by 3" in html  # 3 hours (minus the test's seconds)
        assert "At risk</span>" in html and " left" in html and "not started" in html

    def test_the_board_refreshes_itself_from_the_current_url(self, board):
        html = login(Role.SUPERVISOR).get("/csr/provisioning/monitoring/").content.decode()
        assert 'id="board" hx-get="" hx-trigger="every 30s" hx-select="#board"' in html

    def test_an_htmx_refresh_gets_only_the_board(self, board):
        response = login(Role.SUPERVISOR).get("/csr/provisioning/monitoring/?jeopardy=in_jeopardy",
                                              HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith('<div id="board"') and "<html" not in html
        assert rows(response) == ["SO-OVERDUE"] and response["Cache-Control"] == "no-store"

    @pytest.mark.parametrize(("query", "expected"), [
        ("team=field-install", ["SO-OVERDUE"]),
        ("team=cpe-delivery", ["SO-ONTRACK"]),
        ("state=acknowledged", ["SO-NEW"]),
        ("jeopardy=at_risk", ["SO-ATRISK"]),
        ("jeopardy=none", ["SO-NEW"]),
    ])
    def test_filters(self, board, query, expected):
        response = login(Role.CSR).get(f"/csr/provisioning/monitoring/?{query}")
        assert response.status_code == 200 and rows(response) == expected

    def test_filter_by_specification_and_the_counters_follow(self, board):
        response = login(Role.CSR).get(f"/csr/provisioning/monitoring/?specification={board['fibre'].pk}")
        assert order_of(response) == ["SO-OVERDUE", "SO-ONTRACK"]
        assert 'data-counter="open">2<' in response.content.decode()

    def test_a_team_whose_step_is_done_is_not_working_on_the_order(self, board):
        WorkOrder.objects.filter(specialty="field-install").update(status=WorkOrder.Status.DONE)
        assert rows(login(Role.CSR).get("/csr/provisioning/monitoring/?team=field-install")) == []

    def test_no_alarm_when_nothing_is_overdue(self, board):
        html = login(Role.CSR).get("/csr/provisioning/monitoring/?jeopardy=on_track").content.decode()
        assert 'data-alarm="overdue"' not in html

    def test_a_role_without_service_orders_gets_403(self, board):
        assert login(Role.BILLING).get("/csr/provisioning/monitoring/").status_code == 403

    def test_the_staff_bar_links_it_for_who_may_see_it(self, board):
        assert 'href="/csr/provisioning/monitoring/">Monitoring' in login(Role.CSR).get(
            "/csr/provisioning/monitoring/").content.decode()

    def test_the_query_count_does_not_grow_with_the_orders(self, board, django_assert_max_num_queries):
        client = login(Role.PROVISIONING)
        client.get("/csr/provisioning/monitoring/")  # warm the session and content types
        with django_assert_max_num_queries(16) as few:
            client.get("/csr/provisioning/monitoring/")
        for n in range(20):
            service_order(f"SO-MORE-{n}", due=dt.timedelta(days=2), specification=board["fibre"], team="field-install")
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get("/csr/provisioning/monitoring/")


class TestServiceOrderPagePriority:
    def test_the_priority_shows_as_its_label_not_a_number(self, board):
        html = login(Role.CSR).get(f"/csr/provisioning/service-orders/{board['on_track'].pk}/").content.decode()
        assert '<dt>Priority</dt><dd><span class="badge danger" data-priority="0">Urgent</span>' in html.replace(
            "\n", "")
