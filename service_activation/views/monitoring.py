"""Staff portal pages of eTOM 1.1.2.2.8 (Report Service Provisioning), under /csr/provisioning/:

- the **monitoring view** of the open service orders: importance (priority and jeopardy), time left against the
  SLA clock (bss.sla), overdue alarms, counters, filters by team, state and service specification; it refreshes
  itself every 30 s over HTMX (the board only, at the URL the filters pushed);
- the **provisioning reports**: throughput, fallout rate by step and by adapter, cycle time percentiles per service
  specification, with charts (bss.charts, the vendored Chart.js), a period filter and a CSV export.

Thin: parse, call service_activation.services.reports, render."""

from __future__ import annotations

from decimal import Decimal

import django_filters
import django_tables2 as tables
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from bss.charts import Chart, Series
from bss.errors import DomainValidationError
from bss.forms import ReportPeriodForm
from bss.portal import add_service_errors, render_page_or_fragment, staff_required
from bss.tables import BssTable
from service_activation.models import ServiceOrder, ServiceSpecification
from service_activation.services import reports

VIEW_ORDER = "service_activation.view_serviceorder"
REFRESH_SECONDS = 30  # settings.BSS_MONITORING_REFRESH_SECONDS overrides it
STATE_LABELS = dict(ServiceOrder.State.choices)


# --- monitoring ------------------------------------------------------------------------------------------------

class MonitoringFilter(django_filters.FilterSet):
    team = django_filters.ChoiceFilter(
        label="Team", empty_label="Every team", method="by_team",
        choices=lambda: [(t, t.replace("-", " ").capitalize()) for t in reports.monitoring_teams()])
    state = django_filters.ChoiceFilter(label="State", empty_label="Every state", method="by_state",
                                        choices=[(s, STATE_LABELS[s]) for s in reports.MONITORED])
    specification = django_filters.ModelChoiceFilter(
        label="Service specification", empty_label="Every specification", method="by_specification",
        queryset=ServiceSpecification.objects.order_by("name"))
    jeopardy = django_filters.ChoiceFilter(
        label="SLA", empty_label="Any", method="by_jeopardy",
        choices=[(reports.IN_JEOPARDY, "Overdue"), (reports.AT_RISK, "At risk"), (reports.ON_TRACK, "On track"),
                 (reports.NO_CLOCK, "Not started (no clock)")])

    class Meta:
        model = ServiceOrder
        fields = []

    def by_team(self, qs, name, value):
        return reports.open_service_orders_filter(qs, team=value)

    def by_state(self, qs, name, value):
        return reports.open_service_orders_filter(qs, state=value)

    def by_specification(self, qs, name, value):
        return reports.open_service_orders_filter(qs, specification_id=value.pk)

    def by_jeopardy(self, qs, name, value):
        return reports.open_service_orders_filter(qs, jeopardy=value)


class MonitoringTable(BssTable):
    noun, noun_plural = "open service order", "open service orders"
    list_id = "board-list"

    order_number = tables.Column(verbose_name="Service order",
                                 linkify=("provisioning:service_order", {"pk": tables.A("pk")}))
    customer = tables.TemplateColumn(
        '{% if record.customer %}<a href="{% url \'csr:customer\' record.customer_id %}">{{ record.customer.name }}'
        '</a>{% else %}—{% endif %}', verbose_name="Customer", order_by=("customer__name",))
    priority = tables.TemplateColumn(template_name="service_activation/monitoring/_priority_cell.html",
                                     verbose_name="Importance", order_by=("priority", "order_date"))
    state = tables.TemplateColumn('<span class="badge {{ record.state }}">{{ record.get_state_display }}</span>'
                                  '{% if record.in_fallout %} <span class="badge danger" data-fallout>fallout'
                                  '</span>{% endif %}', verbose_name="State", orderable=False)
    time_left = tables.TemplateColumn(template_name="service_activation/monitoring/_time_left.html",
                                      verbose_name="Time left (SLA)", order_by=("sla_due", "pk"),
                                      empty_values=())
    order_date = tables.DateTimeColumn(verbose_name="Ordered (UTC)", format="j M Y, H:i")

    class Meta(BssTable.Meta):
        model = ServiceOrder
        fields = ("order_number", "customer", "priority", "state", "time_left", "order_date")
        order_by = ()
        empty_text = "No open service order matches."
        row_attrs = {"data-jeopardy": lambda record: record.sla_jeopardy or reports.NO_CLOCK,
                     "data-order": lambda record: record.order_number}


@staff_required(perm=VIEW_ORDER)
def monitoring(request):
    """The open service orders, most important first, with counters and overdue alarms; the board part refreshes
    itself (HTMX) every 30 s, keeping the filters, sort and page of the URL."""
    queryset = reports.open_service_orders(request.user)
    filterset = MonitoringFilter(request.GET, queryset=queryset)
    qs = filterset.qs
    table = MonitoringTable(qs)
    tables.RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render_page_or_fragment(
        request, "service_activation/monitoring/monitoring.html", "service_activation/monitoring/_board.html",
        {"filter": filterset, "table": table, "counters": reports.monitoring_counters(qs), "now": timezone.now(),
         "refresh_seconds": getattr(settings, "BSS_MONITORING_REFRESH_SECONDS", REFRESH_SECONDS)})


# --- provisioning reports --------------------------------------------------------------------------------------

def _percent(rate: float) -> Decimal:
    return Decimal(str(round(rate * 100, 1)))


def report_charts(report: reports.ProvisioningReport) -> list[Chart]:
    days = report.throughput
    charts = [Chart("provisioning-throughput", "Service orders finished per day", kind="line",
                    labels=[r["day"].strftime("%d %b") for r in days],
                    series=[Series("Completed", [r["completed"] for r in days]),
                            Series("Partially completed", [r["partial"] for r in days]),
                            Series("Failed", [r["failed"] for r in days])], unit="orders")]
    if report.fallout_by_step:
        charts.append(Chart("provisioning-fallout-step", "Fallout rate by step (%)", kind="bar",
                            labels=[f"{r['name']} ({r['step']})" for r in report.fallout_by_step],
                            series=[Series("Fallout %", [_percent(r["rate"]) for r in report.fallout_by_step])],
                            unit="%"))
    if report.fallout_by_adapter:
        charts.append(Chart("provisioning-fallout-adapter", "Fallout rate by adapter (%)", kind="bar",
                            labels=[r["adapter"] for r in report.fallout_by_adapter],
                            series=[Series("Fallout %", [_percent(r["rate"]) for r in report.fallout_by_adapter])],
                            unit="%"))
    if report.cycle_times:
        rows = report.cycle_times
        charts.append(Chart("provisioning-cycle-time", "Cycle time per service specification (hours)", kind="bar",
                            labels=[r["name"] for r in rows],
                            series=[Series(label, [Decimal(str(r[key])) for r in rows]) for label, key in
                                    (("p50", "p50_hours"), ("p90", "p90_hours"), ("p95", "p95_hours"))],
                            unit="h"))
    return charts


@staff_required(perm=VIEW_ORDER)
def provisioning_reports(request):
    """Throughput, fallout and cycle time of a period, as charts and tables; ``?export=csv`` downloads the same
    figures."""
    form = ReportPeriodForm(request.GET or None)
    report, status = None, 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        since, until = form.period() if form.is_bound else (None, None)
        try:
            report = reports.provisioning_report(since=since, until=until)
        except DomainValidationError as e:
            add_service_errors(form, e)
            status = 400
    if report is not None and request.GET.get("export") == "csv":
        response = HttpResponse(reports.provisioning_report_csv(report), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (f'attachment; filename="provisioning-report-{report.since:%Y%m%d}-'
                                           f'{report.until:%Y%m%d}.csv"')
        return response
    export = request.GET.copy()
    export["export"] = "csv"
    return render(request, "service_activation/monitoring/reports.html", {
        "form": form, "report": report, "charts": report_charts(report) if report else [],
        "totals": report.totals if report else {}, "export_query": export.urlencode()}, status=status)
