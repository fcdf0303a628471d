"""Provisioning reports (eTOM 1.1.2.2.8 Report Service Provisioning): throughput (service orders finished per day),
fallout rate by step and by adapter, cycle time percentiles per service specification; and the monitoring view's
reads (the open service orders against their SLA clocks, with counters). docs/service_activation.md.

Every figure is one aggregate statement in the database (GROUP BY, percentile_cont on PostgreSQL), never a Python
loop over the rows: the report costs the same handful of queries for ten service orders or a million
(tests/service_activation/test_provisioning_reports.py pins the count). Python only fills the days without a
finished order with zeros and rounds.

Definitions:
- a service order's *outcome* is its state, or the state it closed from (``closed_from``);
- *throughput*: service orders whose ``completion_date`` falls in the period, per UTC day, by outcome (completed,
  partial, failed);
- *fallout*: a work order (step) that landed in the fallout queue (moved to ``failed``) at least once, even if a
  retry after a repair later succeeded. The history keeps every such move (``to_state = failed``). The rate is
  the steps that fell out over the steps that ran (reached in progress, done, failed or rolled back) among the
  work orders created in the period, per step code and per adapter (manual steps: ``manual``);
- *cycle time*: ``completion_date - order_date`` of the service orders completed (or partially completed) in the
  period, in hours, p50/p90/p95 per service specification of their items.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import asdict, dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from bss.audit.models import HistoryEntry
from bss.errors import DomainValidationError
from customers.scoping import visible_to
from service_activation.models import ServiceOrder, ServiceOrderItem, ServiceSpecification, WorkOrder

SO = ServiceOrder.State
WO = WorkOrder.Status
MAX_DAYS = 366
DEFAULT_DAYS = 30
FINISHED = (SO.COMPLETED, SO.PARTIAL, SO.FAILED)
RAN = (WO.IN_PROGRESS, WO.DONE, WO.FAILED, WO.ROLLED_BACK)
MANUAL = "manual"


@dataclass
class ProvisioningReport:
    since: dt.datetime
    until: dt.datetime
    throughput: list[dict] = field(default_factory=list)  # [{"day", "completed", "partial", "failed"}] every day
    fallout_by_step: list[dict] = field(default_factory=list)  # [{"step", "name", "ran", "fallout", "rate"}]
    fallout_by_adapter: list[dict] = field(default_factory=list)  # [{"adapter", "ran", "fallout", "rate"}]
    cycle_times: list[dict] = field(default_factory=list)  # [{"specification", "name", "count", "p50_hours", ...}]

    @property
    def totals(self) -> dict:
        ran = sum(r["ran"] for r in self.fallout_by_adapter)
        fell = sum(r["fallout"] for r in self.fallout_by_adapter)
        return {"completed": sum(r["completed"] for r in self.throughput),
                "partial": sum(r["partial"] for r in self.throughput),
                "failed": sum(r["failed"] for r in self.throughput),
                "steps_ran": ran, "steps_fallout": fell, "fallout_rate": _rate(fell, ran)}

    def as_dict(self) -> dict:
        data = asdict(self)
        data["since"], data["until"] = _iso(self.since), _iso(self.until)
        for row in data["throughput"]:
            row["day"] = row["day"].isoformat()
        data["totals"] = self.totals
        return data


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def report_period(*, since: dt.datetime | None = None, until: dt.datetime | None = None
                  ) -> tuple[dt.datetime, dt.datetime]:
    """The period asked for: by default the last 30 days; at most a year; ``since`` before ``until``."""
    until = until or timezone.now()
    since = since or until - dt.timedelta(days=DEFAULT_DAYS)
    if since >= until:
        raise DomainValidationError({"since": "The start must be before the end."})
    if until - since > dt.timedelta(days=MAX_DAYS):
        raise DomainValidationError({"since": f"At most {MAX_DAYS} days at a time."})
    return since, until


def _outcome():
    """The state, or the state a closed order closed from."""
    return Case(When(state=SO.CLOSED, then=F("closed_from")), default=F("state"), output_field=CharField())


def _throughput(since: dt.datetime, until: dt.datetime) -> list[dict]:
    rows = (ServiceOrder.objects.filter(completion_date__gte=since, completion_date__lt=until)
            .annotate(outcome=_outcome()).filter(outcome__in=FINISHED)
            .annotate(day=TruncDate("completion_date", tzinfo=dt.UTC)).values("day")
            .annotate(completed=Count("id", filter=Q(outcome=SO.COMPLETED)),
                      partial=Count("id", filter=Q(outcome=SO.PARTIAL)),
                      failed=Count("id", filter=Q(outcome=SO.FAILED))).order_by("day"))
    by_day = {r["day"]: r for r in rows}
    first, last = since.astimezone(dt.UTC).date(), (until - dt.timedelta(microseconds=1)).astimezone(dt.UTC).date()
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    return [{"day": d, "completed": by_day.get(d, {}).get("completed", 0),
             "partial": by_day.get(d, {}).get("partial", 0), "failed": by_day.get(d, {}).get("failed", 0)}
            for d in days]


def _work_orders(since: dt.datetime, until: dt.datetime):
    """The steps created in the period that ran, each marked whether it ever fell out (a history row to failed)."""
    fell_out = HistoryEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(WorkOrder), to_state=WO.FAILED,
        object_id=Cast(OuterRef("pk"), CharField()))
    return (WorkOrder.objects.filter(created_at__gte=since, created_at__lt=until)
            .annotate(fell_out=Exists(fell_out)).filter(Q(status__in=RAN) | Q(fell_out=True)))


def _fallout(since: dt.datetime, until: dt.datetime) -> tuple[list[dict], list[dict]]:
    qs = _work_orders(since, until)
    counts = {"ran": Count("id"), "fallout": Count("id", filter=Q(fell_out=True))}
    by_step = [{"step": r["code"], "name": r["step_name"], "ran": r["ran"], "fallout": r["fallout"],
                "rate": _rate(r["fallout"], r["ran"])}
               for r in qs.values("code").annotate(step_name=Max("name"), **counts).order_by("code")]
    adapter = Case(When(manual=True, then=Value(MANUAL)), When(adapter="", then=Value("unknown")),
                   default=F("adapter"), output_field=CharField())
    by_adapter = [{"adapter": r["by"], "ran": r["ran"], "fallout": r["fallout"], "rate": _rate(r["fallout"], r["ran"])}
                  for r in qs.annotate(by=adapter).values("by").annotate(**counts).order_by("by")]
    by_step.sort(key=lambda r: (-r["rate"], r["step"]))
    by_adapter.sort(key=lambda r: (-r["rate"], r["adapter"]))
    return by_step, by_adapter


def _completed_items(since: dt.datetime, until: dt.datetime):
    return (ServiceOrderItem.objects.filter(service_order__completion_date__gte=since,
                                            service_order__completion_date__lt=until)
            .annotate(outcome=Case(When(service_order__state=SO.CLOSED, then=F("service_order__closed_from")),
                                   default=F("service_order__state"), output_field=CharField()))
            .filter(outcome__in=(SO.COMPLETED, SO.PARTIAL), specification__isnull=False))


def _cycle_times(since: dt.datetime, until: dt.datetime) -> list[dict]:
    """p50/p90/p95 of completion - order date per service specification, in hours: one statement (each service
    order counted once per specification, however many of its items use it)."""
    items = _completed_items(since, until)
    if connection.vendor == "postgresql":
        sql, params = items.values("pk").query.sql_with_params()
        so, it, spec = (ServiceOrder._meta.db_table, ServiceOrderItem._meta.db_table,
                        ServiceSpecification._meta.db_table)
        with connection.cursor() as cur:
            cur.execute(
                "SELECT s.code, s.name, count(*), percentile_cont(ARRAY[0.5, 0.9, 0.95]) WITHIN GROUP "
                "(ORDER BY hours) FROM ("
                "  SELECT DISTINCT i.specification_id, o.id, "
                "         extract(epoch FROM o.completion_date - o.order_date) / 3600.0 AS hours"
                f"  FROM {it} i JOIN {so} o ON o.id = i.service_order_id WHERE i.id IN ({sql})"
                f") t JOIN {spec} s ON s.id = t.specification_id GROUP BY s.code, s.name ORDER BY s.name, s.code",
                params)
            return [{"specification": code, "name": name, "count": n, "p50_hours": round(p50, 2),
                     "p90_hours": round(p90, 2), "p95_hours": round(p95, 2)}
                    for code, name, n, (p50, p90, p95) in cur.fetchall()]
    # The embedded SQLite has no percentile_cont: one query of the durations, ordered, interpolated as
    # percentile_cont does (the embedded run is a demo, not a million orders).
    durations: dict[tuple[str, str], list[float]] = {}
    rows = (items.annotate(took=ExpressionWrapper(F("service_order__completion_date") - F("service_order__order_date"),
                                                  output_field=DurationField()))
            .values_list("specification__code", "specification__name", "service_order_id", "took").distinct())
    for code, name, _so_id, took in rows:
        durations.setdefault((code, name), []).append(took.total_seconds() / 3600)
    out = []
    for (code, name), values in sorted(durations.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        values.sort()

        def pct(p, v=values):
            k = (len(v) - 1) * p
            lo, hi = int(k), min(int(k) + 1, len(v) - 1)
            return round(v[lo] + (v[hi] - v[lo]) * (k - lo), 2)

        out.append({"specification": code, "name": name, "count": len(values), "p50_hours": pct(0.5),
                    "p90_hours": pct(0.9), "p95_hours": pct(0.95)})
    return out


def provisioning_report(*, since: dt.datetime | None = None, until: dt.datetime | None = None) -> ProvisioningReport:
    """The provisioning figures of a period (default the last 30 days, at most a year): four aggregate queries."""
    since, until = report_period(since=since, until=until)
    by_step, by_adapter = _fallout(since, until)
    return ProvisioningReport(since=since, until=until, throughput=_throughput(since, until),
                              fallout_by_step=by_step, fallout_by_adapter=by_adapter,
                              cycle_times=_cycle_times(since, until))


def provisioning_report_csv(report: ProvisioningReport) -> str:
    """One CSV of every figure: a ``section`` column says which (throughput, fallout_step, fallout_adapter,
    cycle_time); the columns a section does not use are empty."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["section", "key", "name", "completed", "partial", "failed", "ran", "fallout", "fallout_rate",
                "count", "p50_hours", "p90_hours", "p95_hours"])
    for r in report.throughput:
        w.writerow(["throughput", r["day"].isoformat(), "", r["completed"], r["partial"], r["failed"],
                    "", "", "", "", "", "", ""])
    for r in report.fallout_by_step:
        w.writerow(["fallout_step", r["step"], r["name"], "", "", "", r["ran"], r["fallout"], r["rate"],
                    "", "", "", ""])
    for r in report.fallout_by_adapter:
        w.writerow(["fallout_adapter", r["adapter"], "", "", "", "", r["ran"], r["fallout"], r["rate"],
                    "", "", "", ""])
    for r in report.cycle_times:
        w.writerow(["cycle_time", r["specification"], r["name"], "", "", "", "", "", "", r["count"],
                    r["p50_hours"], r["p90_hours"], r["p95_hours"]])
    return out.getvalue()


# --- monitoring: the open service orders against their SLA clocks ------------------------------------------

CLOCK_TYPE = "service_activation.service_order"
MONITORED = (*ServiceOrder.OPEN, SO.ASSESSING_CANCELLATION, SO.PENDING_CANCELLATION)
IN_JEOPARDY, AT_RISK, ON_TRACK = "in_jeopardy", "at_risk", "on_track"
NO_CLOCK = "none"
GIVEN_UP = (ServiceOrderItem.State.FAILED, ServiceOrderItem.State.CANCELLED)
LIVE_STEPS = (WO.WAITING, WO.READY, WO.IN_PROGRESS, WO.FAILED)


def _in_fallout() -> Exists:
    return Exists(WorkOrder.objects.filter(item__service_order=OuterRef("pk"), status=WO.FAILED).exclude(
        item__state__in=GIVEN_UP))


def open_service_orders(user=None) -> QuerySet[ServiceOrder]:
    """The service orders still working (open, or being cancelled), each annotated with its lifecycle SLA clock
    (bss.sla, clock type service_activation.service_order): ``sla_due`` (the due date, pauses included),
    ``sla_jeopardy`` (on_track / at_risk / in_jeopardy), ``sla_state`` (running / paused), all None while no clock
    runs (not started yet), plus ``in_fallout`` (a step waits in the fallout queue). Most important first: overdue,
    then at risk, then by priority (0 is the highest), then the earliest due date. One statement for any page.
    With ``user``: only what that user may see (customers.scoping)."""
    from bss.sla.models import SlaClock

    clocks = SlaClock.objects.filter(
        content_type=ContentType.objects.get_for_model(ServiceOrder), object_id=Cast(OuterRef("pk"), CharField()),
        clock_type=CLOCK_TYPE, step="", state__in=SlaClock.OPEN_STATES).order_by("-started_at")
    qs = ServiceOrder.objects.filter(state__in=MONITORED)
    if user is not None:
        qs = visible_to(qs, user)
    return (qs.select_related("customer")
            .annotate(sla_due=Subquery(clocks.values("due_at")[:1]),
                      sla_jeopardy=Subquery(clocks.values("jeopardy_status")[:1]),
                      sla_state=Subquery(clocks.values("state")[:1]),
                      in_fallout=_in_fallout())
            .annotate(urgency=Case(When(sla_jeopardy=IN_JEOPARDY, then=Value(0)),
                                   When(sla_jeopardy=AT_RISK, then=Value(1)), default=Value(2)))
            .order_by("urgency", "priority", F("sla_due").asc(nulls_last=True), "order_date", "pk"))


def open_service_orders_filter(qs: QuerySet[ServiceOrder], *, team: str = "", state: str = "",
                               specification_id: int | None = None, jeopardy: str = "") -> QuerySet[ServiceOrder]:
    """Narrow ``open_service_orders()``: a team (a specialty with a step still to do or in fallout), a state, a
    service specification of one of the items, a jeopardy status (``none``: no clock runs)."""
    if team:
        qs = qs.filter(Exists(WorkOrder.objects.filter(item__service_order=OuterRef("pk"), specialty=team,
                                                       status__in=LIVE_STEPS)))
    if state:
        qs = qs.filter(state=state)
    if specification_id:
        qs = qs.filter(Exists(ServiceOrderItem.objects.filter(service_order=OuterRef("pk"),
                                                              specification_id=specification_id)))
    if jeopardy == NO_CLOCK:
        qs = qs.filter(sla_jeopardy__isnull=True)
    elif jeopardy:
        qs = qs.filter(sla_jeopardy=jeopardy)
    return qs


def monitoring_counters(qs: QuerySet[ServiceOrder]) -> dict[str, int]:
    """The counters at the top of the monitoring view, over the (filtered) open service orders: one query (grouped
    by state, so at most a row per open state comes back; an aggregate() would wrap the annotations in a
    subquery)."""
    counts = {"open": Count("id"), "overdue": Count("id", filter=Q(sla_jeopardy=IN_JEOPARDY)),
              "at_risk": Count("id", filter=Q(sla_jeopardy=AT_RISK)),
              "on_track": Count("id", filter=Q(sla_jeopardy=ON_TRACK)),
              "not_started": Count("id", filter=Q(sla_jeopardy__isnull=True)),
              "in_fallout": Count("id", filter=Q(in_fallout=True))}
    totals = dict.fromkeys([*counts, "waiting"], 0)
    for row in qs.order_by().values("state").annotate(**counts):
        for key in counts:
            totals[key] += row[key]
        if row["state"] in (SO.HELD, SO.PENDING):
            totals["waiting"] += row["open"]
    return totals


def monitoring_teams() -> list[str]:
    """The teams: the specialties of manual work orders (the teams' worklists)."""
    return list(WorkOrder.objects.filter(manual=True).exclude(specialty="").order_by("specialty")
                .values_list("specialty", flat=True).distinct())
