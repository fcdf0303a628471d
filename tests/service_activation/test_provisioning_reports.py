"""Provisioning reports (eTOM 1.1.2.2.8): throughput per day, fallout rate by step and by adapter, cycle time
percentiles per service specification; computed by aggregate queries (the count is pinned and does not grow with
the rows), on the portal page (charts, period filter, CSV) and the native API (/api/v1/provisioning-reports/)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone

from bss.actors import Actor
from bss.fsm import fsm_transition
from bss.roles import Role
from service_activation.models import ServiceOrder, ServiceOrderItem, ServiceSpecification, WorkOrder
from service_activation.services.reports import provisioning_report, provisioning_report_csv
from tests.factories import staff_user

pytestmark = pytest.mark.django_db
SO = ServiceOrder.State
WO = WorkOrder.Status
NOW = timezone.now().replace(second=0, microsecond=0)
DAY1, DAY2 = NOW - dt.timedelta(days=2), NOW - dt.timedelta(days=1)
ACTOR = Actor.system("test")
_seq = iter(range(1, 10_000))


def login(role) -> Client:
    client = Client()
    client.force_login(staff_user(role))
    return client


def finished(spec, *, outcome=SO.COMPLETED, hours: float, on: dt.datetime, closed=False) -> ServiceOrder:
    """A service order of ``spec`` ordered ``hours`` before ``on`` and finished then."""
    so = ServiceOrder.objects.create(order_number=f"SO-R{next(_seq)}", state=SO.CLOSED if closed else outcome,
                                     closed_from=outcome if closed else "", completion_date=on)
    ServiceOrder.objects.filter(pk=so.pk).update(order_date=on - dt.timedelta(hours=hours))
    ServiceOrderItem.objects.create(service_order=so, item_id="1", specification=spec,
                                    state=ServiceOrderItem.State.COMPLETED)
    return so


def step(so, code, *, adapter="simulated", manual=False, status=WO.DONE, fell_out=False) -> WorkOrder:
    """A work order of the service order's first item; ``fell_out``: it went to the fallout queue (failed) on the
    way, through the real transitions (and their history), then ended as ``status``."""
    wo = WorkOrder.objects.create(item=so.items.first(), sequence=1, code=code, name=code.replace("-", " ").title(),
                                  adapter="" if manual else adapter, manual=manual,
                                  status=WO.READY if fell_out else status)
    if fell_out:
        fsm_transition(wo, "fail", actor=ACTOR, reason="element refused")
        if status != WO.FAILED:
            fsm_transition(wo, "retry", actor=ACTOR, reason="repaired")
            fsm_transition(wo, "finish", actor=ACTOR)
    return wo


@pytest.fixture
def data():
    fibre = ServiceSpecification.objects.create(code="fibre-access", name="Fibre access")
    mobile = ServiceSpecification.objects.create(code="mobile-line", name="Mobile line")
    orders = [finished(fibre, hours=h, on=DAY1) for h in (10, 20, 30)]
    orders.append(finished(fibre, hours=40, on=DAY2, closed=True))  # closed from completed: still counts
    orders.append(finished(mobile, hours=2, on=DAY2, outcome=SO.PARTIAL))
    failed = finished(mobile, hours=5, on=DAY2, outcome=SO.FAILED)  # not in the cycle times
    open_so = ServiceOrder.objects.create(order_number="SO-OPEN", state=SO.IN_PROGRESS)
    ServiceOrderItem.objects.create(service_order=open_so, item_id="1", specification=fibre)
    for so in orders[:4]:
        step(so, "provision-profile")
        step(so, "install-ont", manual=True)
    step(orders[0], "configure-olt", fell_out=True)  # fell out, repaired, done: still a fallout
    step(orders[1], "configure-olt")
    step(orders[4], "configure-olt", adapter="http", fell_out=True, status=WO.FAILED)
    step(failed, "configure-olt", adapter="http", fell_out=True, status=WO.FAILED)
    step(open_so, "configure-olt", adapter="http", status=WO.WAITING)  # never ran: not counted
    return {"fibre": fibre, "mobile": mobile}


def report():
    return provisioning_report(since=NOW - dt.timedelta(days=7), until=NOW + dt.timedelta(hours=1))


class TestFigures:
    def test_throughput_per_day_by_outcome_with_every_day_of_the_period(self, data):
        r = report()
        days = (r.until.date() - r.since.date()).days + 1
        assert len(r.throughput) == days >= 8  # every day of the period, those without a finished order at 0
        by_day = {row["day"]: row for row in r.throughput}
        assert by_day[DAY1.date()] == {"day": DAY1.date(), "completed": 3, "partial": 0, "failed": 0}
        assert by_day[DAY2.date()] == {"day": DAY2.date(), "completed": 1, "partial": 1, "failed": 1}
        assert by_day[(NOW - dt.timedelta(days=4)).date()]["completed"] == 0
        assert r.totals["completed"] == 4 and r.totals["failed"] == 1

    def test_fallout_rate_by_step(self, data):
        by_step = {row["step"]: row for row in report().fallout_by_step}
        assert by_step["configure-olt"] == {"step": "configure-olt", "name": "Configure Olt", "ran": 4,
                                            "fallout": 3, "rate": 0.75}
        assert by_step["provision-profile"]["rate"] == 0.0 and by_step["provision-profile"]["ran"] == 4
        assert report().fallout_by_step[0]["step"] == "configure-olt"  # the worst first

    def test_fallout_rate_by_adapter(self, data):
        by_adapter = {row["adapter"]: row for row in report().fallout_by_adapter}
        assert by_adapter["http"] == {"adapter": "http", "ran": 2, "fallout": 2, "rate": 1.0}
        assert by_adapter["simulated"] == {"adapter": "simulated", "ran": 6, "fallout": 1, "rate": round(1 / 6, 4)}
        assert by_adapter["manual"] == {"adapter": "manual", "ran": 4, "fallout": 0, "rate": 0.0}

    def test_cycle_time_percentiles_per_specification(self, data):
        rows = {row["specification"]: row for row in report().cycle_times}
        # fibre: 10, 20, 30, 40 h -> percentile_cont 0.5 = 25, 0.9 = 37, 0.95 = 38.5
        assert rows["fibre-access"] == {"specification": "fibre-access", "name": "Fibre access", "count": 4,
                                        "p50_hours": 25.0, "p90_hours": 37.0, "p95_hours": 38.5}
        assert rows["mobile-line"]["count"] == 1 and rows["mobile-line"]["p50_hours"] == 2.0  # the failed one left out

    def test_the_period_bounds_what_is_counted(self, data):
        r = provisioning_report(since=DAY2 - dt.timedelta(hours=1), until=NOW)
        assert r.totals["completed"] == 1 and {c["specification"] for c in r.cycle_times} == {"fibre-access",
                                                                                               "mobile-line"}

    def test_a_fixed_number_of_queries_however_many_rows(self, data, django_assert_num_queries):
        report()  # the content type is cached from here on
        with django_assert_num_queries(4):
            report()
        spec = data["fibre"]
        for n in range(30):
            so = finished(spec, hours=n + 1, on=DAY1)
            step(so, "provision-profile", fell_out=n % 3 == 0)
        with django_assert_num_queries(4):
            r = report()
        assert r.totals["completed"] == 34

    def test_csv_has_every_section(self, data):
        rows = list(csv.reader(io.StringIO(provisioning_report_csv(report()))))
        assert rows[0][:3] == ["section", "key", "name"]
        sections = {r[0] for r in rows[1:]}
        assert sections == {"throughput", "fallout_step", "fallout_adapter", "cycle_time"}
        assert ["cycle_time", "fibre-access", "Fibre access", "", "", "", "", "", "", "4", "25.0", "37.0",
                "38.5"] in rows


class TestPage:
    def test_charts_tables_and_the_export_link(self, data):
        response = login(Role.SUPERVISOR).get("/csr/provisioning/reports/")
        assert response.status_code == 200
        html = response.content.decode()
        for key in ("provisioning-throughput", "provisioning-fallout-step", "provisioning-fallout-adapter",
                    "provisioning-cycle-time"):
            assert f'id="chart-{key}-data"' in html
        assert "vendor/chartjs-4.6.1/" in html and "cdn" not in html.lower()
        assert 'data-step="configure-olt"' in html and 'data-specification="fibre-access"' in html
        assert 'data-total="completed">4<' in html and 'data-export="csv"' in html

    def test_the_period_filter_and_csv_export(self, data):
        day = DAY1.date().isoformat()
        client = login(Role.PROVISIONING)
        html = client.get(f"/csr/provisioning/reports/?since={day}&until={day}").content.decode()
        assert 'data-total="completed">3<' in html
        response = client.get(f"/csr/provisioning/reports/?since={day}&until={day}&export=csv")
        assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
        assert f"throughput,{day},,3,0,0" in response.content.decode()

    def test_a_period_the_wrong_way_round_is_a_form_error(self, data):
        response = login(Role.PROVISIONING).get("/csr/provisioning/reports/?since=2026-12-05&until=2026-11-01")
        assert response.status_code == 400 and "The start must be before the end." in response.content.decode()

    def test_a_role_without_service_orders_gets_403(self, data):
        assert login(Role.BILLING).get("/csr/provisioning/reports/").status_code == 403


class TestApi:
    def test_the_same_figures_as_json(self, data, integrator_client):
        since = (NOW - dt.timedelta(days=7)).isoformat()
        until = (NOW + dt.timedelta(hours=1)).isoformat()
        response = integrator_client.get("/api/v1/provisioning-reports/", {"since": since, "until": until})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["totals"]["completed"] == 4 and body["totals"]["steps_fallout"] == 3
        assert {"step": "configure-olt", "name": "Configure Olt", "ran": 4, "fallout": 3, "rate": 0.75} in body[
            "fallout_by_step"]
        assert body["cycle_times"][0]["specification"] == "fibre-access"
        assert body["throughput"][0]["day"] == (NOW - dt.timedelta(days=7)).date().isoformat()
        assert body["since"].endswith("Z")

    def test_csv_export(self, data, integrator_client):
        response = integrator_client.get("/api/v1/provisioning-reports/", {"export": "csv"})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        assert response.content.decode().startswith("section,key,name")

    @pytest.mark.parametrize("query", [{"since": "yesterday"}, {"since": "2026-02-30"},
                                       {"since": "2025-01-01", "until": "2026-12-01"}])
    def test_bad_periods_are_400(self, data, integrator_client, query):
        response = integrator_client.get("/api/v1/provisioning-reports/", query)
        assert response.status_code == 400

    def test_needs_the_permission(self, data):
        from rest_framework.test import APIClient

        client = APIClient()
        client.force_authenticate(staff_user(Role.BILLING))
        assert client.get("/api/v1/provisioning-reports/").status_code == 403
