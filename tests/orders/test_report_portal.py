"""The order reports page (/csr/orders/reports/, eTOM 1.1.1.5.7): orders by state and channel, cycle times per order
type, jeopardy and escalations, rejection reasons as charts (the vendored Chart.js) and tables; period and customer
filters; CSV download; staff only."""

import csv
import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.utils import timezone

from bss.actors import Actor, Channel
from bss.roles import Role
from bss.sla.models import SlaClock
from bss.sla.services import sla_clock_start
from orders.models import CustomerOrder
from orders.services.ordering import OrderItemInput, customer_order_create
from tests.factories import (
    OrganizationFactory,
    activatable_offering,
    customer_user,
    orderable_customer,
    staff_user,
)

pytestmark = pytest.mark.django_db

REPORTS = "/csr/orders/reports/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def csr():
    return Actor(user=staff_user(Role.CSR), channel=Channel.PORTAL)


@pytest.fixture
def figures(csr, django_capture_on_commit_callbacks):
    """A business customer with a completed order and an open one in jeopardy; a rejected order from the API for a
    customer we do not hold; and an old order outside the default period."""
    business = orderable_customer(party=OrganizationFactory())
    offering = activatable_offering(name="Fibre 500")
    with django_capture_on_commit_callbacks(execute=True):
        done, _ = customer_order_create(actor=csr, customer_ref=str(business.pk),
                                        items=[OrderItemInput(item_id="1", offering=offering.code)])
    open_order, _ = customer_order_create(actor=csr, customer_ref=str(business.pk),
                                          items=[OrderItemInput(item_id="1", offering=offering.code)])
    clock = sla_clock_start(obj=open_order, clock_type="orders.customer_order",
                            committed_at=timezone.now() - dt.timedelta(hours=1), actor=csr)
    SlaClock.objects.filter(pk=clock.pk).update(jeopardy_status="in_jeopardy")
    api = Actor(user=staff_user(Role.INTEGRATOR), channel=Channel.API)
    rejected, _ = customer_order_create(actor=api, customer_ref="nobody", channel="api",
                                        items=[OrderItemInput(item_id="1", offering=offering.code)])
    old, _ = customer_order_create(actor=csr, customer_ref=str(orderable_customer().pk),
                                   items=[OrderItemInput(item_id="1", offering=offering.code)])
    CustomerOrder.objects.filter(pk=old.pk).update(order_date=timezone.now() - dt.timedelta(days=90))
    done.refresh_from_db()
    assert done.state == "completed" and rejected.state == "rejected"
    return {"business": business, "done": done, "open": open_order, "rejected": rejected, "old": old}


def _cell(html, attrs):
    match = re.search(rf"<tr {attrs}>.*?</tr>", html, re.S)
    return match.group(0) if match else ""


def test_the_page_shows_the_figures_as_charts_and_tables(figures):
    response = login(staff_user(Role.SUPERVISOR)).get(REPORTS)
    html = response.content.decode()
    assert response.status_code == 200
    for key in ("orders-by-state", "orders-cycle-time", "orders-jeopardy", "orders-rejections"):
        assert f'data-chart="chart-{key}-data"' in html and f'id="chart-{key}-data"' in html
    assert "/static/vendor/chartjs-4.6.1/chart.umd.min.js" in html and "cdn" not in html.lower()
    assert '<strong data-total="orders">3</strong>' in html  # the old order is outside the last 30 days
    assert "<td>1</td>" in _cell(html, 'data-state="completed" data-channel="portal"')
    assert "<td>1</td>" in _cell(html, 'data-state="rejected" data-channel="api"')
    assert _cell(html, 'data-reason="unknown_customer"') and "In jeopardy (overdue)" in html
    assert "Customer not found" in _cell(html, 'data-reason="unknown_customer"')  # in words, the code beside
    assert "<td>1</td>" in _cell(html, 'data-order-type="No order type"')  # the completed one's cycle time


def test_the_period_filters_orders_by_their_order_date_and_the_last_day_is_included(figures):
    web = login(staff_user(Role.CSR))
    day = (timezone.now() - dt.timedelta(days=90)).date()
    html = web.get(REPORTS, {"since": day.isoformat(), "until": day.isoformat()}).content.decode()
    assert '<strong data-total="orders">1</strong>' in html
    assert "<td>1</td>" in _cell(html, 'data-state="acknowledged" data-channel="portal"')


def test_a_period_that_ends_before_it_starts_or_a_bad_date_is_a_form_error(figures):
    web = login(staff_user(Role.CSR))
    response = web.get(REPORTS, {"since": "2026-02-01", "until": "2026-01-01"})
    assert response.status_code == 400 and "The period must start before it ends." in response.content.decode()
    response = web.get(REPORTS, {"since": "yesterday"})
    assert response.status_code == 400 and "data-report-period" not in response.content.decode()


def test_the_account_managers_view_is_one_customers_orders(figures):
    business = figures["business"]
    web = login(staff_user(Role.SUPERVISOR))
    html = web.get(REPORTS, {"customer": business.customer_number}).content.decode()
    assert business.name in html and '<strong data-total="orders">2</strong>' in html
    assert not _cell(html, 'data-state="rejected" data-channel="api"')
    assert "export=csv" in html and f"customer={business.customer_number}" in html
    response = web.get(REPORTS, {"customer": "CU404"})
    assert response.status_code == 400 and "No customer CU404." in response.content.decode()


def test_the_csv_download_has_the_same_figures_for_the_same_filters(figures):
    business = figures["business"]
    web = login(staff_user(Role.CSR))
    page = web.get(REPORTS, {"customer": business.customer_number}).content.decode()
    link = re.search(r'href="\?([^"]+)" data-export="csv"', page).group(1).replace("&amp;", "&")
    response = web.get(f"{REPORTS}?{link}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f"order-report-{business.customer_number}-" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["section", "key", "channel", "count"]
    states = {(r[1], r[2]): r[3] for r in rows if r[0] == "state"}
    assert states == {("completed", "portal"): "1", ("acknowledged", "portal"): "1"}
    assert ["jeopardy", "in_jeopardy", "", "1", "", "", ""] in rows


def test_staff_with_order_access_see_it_in_the_nav_and_customers_do_not_get_it(figures):
    for role in (Role.CSR, Role.SUPERVISOR):
        html = login(staff_user(role)).get("/csr/orders/").content.decode()
        assert f'href="{REPORTS}">Order reports</a>' in html
    assert login(customer_user(figures["business"])).get(REPORTS).status_code == 403
    assert Client().get(REPORTS).status_code == 302  # to the login page


def test_no_orders_in_the_period_says_so(figures):
    html = login(staff_user(Role.CSR)).get(REPORTS, {"since": "2020-01-01", "until": "2020-01-31"}).content.decode()
    assert "data-no-orders" in html and "data-chart=" not in html


def test_the_report_api_gives_operator_wide_figures_to_staff_only(figures):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(customer_user(figures["business"]))  # a self-service login has order access too
    assert client.get("/api/v1/order-reports/").status_code == 403
    client.force_authenticate(staff_user(Role.INTEGRATOR))
    assert client.get("/api/v1/order-reports/").status_code == 200
