"""Order handling reports (eTOM 1.1.1.5.7): orders by state and channel, cycle time percentiles per order type,
jeopardy and escalation counts, rejection reasons; the same for one (business) customer for their account
manager. Aggregated in the database (percentiles with percentile_cont on PostgreSQL); CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, DurationField, ExpressionWrapper, F
from django.utils import timezone

from orders.models import CustomerOrder
from orders.ordering_states import tmf622_state

MAX_REJECTED_SCANNED = 20_000


@dataclass
class OrderReport:
    since: dt.datetime
    until: dt.datetime
    customer_id: int | None
    by_state: list[dict] = field(default_factory=list)      # [{"state", "channel", "count"}]
    cycle_times: list[dict] = field(default_factory=list)   # [{"order_type", "count", "p50_hours", "p90_hours", "p95_hours"}]
    jeopardy: dict = field(default_factory=dict)            # {"on_track": n, "at_risk": n, "in_jeopardy": n}
    escalations: int = 0
    rejection_reasons: list[dict] = field(default_factory=list)  # [{"code", "count"}]


def _percentiles(qs) -> list[dict]:
    """p50/p90/p95 of completion - order date per order type, in hours."""
    rows = []
    if connection.vendor == "postgresql":
        sql, params = qs.values("pk").query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute(
                "SELECT coalesce(t.name, 'No order type'), count(*), "
                "percentile_cont(ARRAY[0.5, 0.9, 0.95]) WITHIN GROUP "
                "(ORDER BY extract(epoch FROM o.completion_date - o.order_date) / 3600.0) "
                f"FROM {CustomerOrder._meta.db_table} o LEFT JOIN orders_ordertype t ON t.id = o.order_type_id "
                f"WHERE o.id IN ({sql}) GROUP BY 1 ORDER BY 1", params)
            for name, n, (p50, p90, p95) in cur.fetchall():
                rows.append({"order_type": name, "count": n, "p50_hours": round(p50, 2),
                             "p90_hours": round(p90, 2), "p95_hours": round(p95, 2)})
        return rows
    durations: dict[str, list[float]] = {}
    for name, d in qs.annotate(took=ExpressionWrapper(F("completion_date") - F("order_date"),
                                                      output_field=DurationField())).values_list(
            "order_type__name", "took"):
        durations.setdefault(name or "No order type", []).append(d.total_seconds() / 3600)
    for name, values in sorted(durations.items()):
        values.sort()

        def pct(p, v=values):
            k = (len(v) - 1) * p
            lo, hi = int(k), min(int(k) + 1, len(v) - 1)
            return round(v[lo] + (v[hi] - v[lo]) * (k - lo), 2)

        rows.append({"order_type": name, "count": len(values), "p50_hours": pct(0.5), "p90_hours": pct(0.9),
                     "p95_hours": pct(0.95)})
    return rows


def order_report(*, since: dt.datetime | None = None, until: dt.datetime | None = None,
                 customer_id: int | None = None) -> OrderReport:
    until = until or timezone.now()
    since = since or until - dt.timedelta(days=30)
    if since >= until:
        from bss.errors import DomainValidationError

        raise DomainValidationError({"since": ["The period must start before it ends."]})
    qs = CustomerOrder.objects.filter(order_date__gte=since, order_date__lt=until)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    report = OrderReport(since=since, until=until, customer_id=customer_id)
    counts: Counter = Counter()
    for state, closed_from, channel, n in qs.values_list("state", "closed_from", "channel").annotate(n=Count("id")):
        counts[(tmf622_state(state, closed_from=closed_from), channel)] += n
    report.by_state = [{"state": s, "channel": c, "count": n} for (s, c), n in sorted(counts.items())]
    report.cycle_times = _percentiles(qs.filter(completion_date__isnull=False))

    from bss.sla.models import Escalation, SlaClock

    ct = ContentType.objects.get_for_model(CustomerOrder)
    from django.db.models import CharField
    from django.db.models.functions import Cast

    ids = qs.annotate(pk_text=Cast("pk", CharField())).values_list("pk_text", flat=True).order_by()
    clocks = SlaClock.objects.filter(content_type=ct, clock_type="orders.customer_order", object_id__in=ids)
    open_clocks = clocks.filter(state__in=["running", "paused"])
    report.jeopardy = {r["jeopardy_status"]: r["n"] for r in
                       open_clocks.values("jeopardy_status").annotate(n=Count("id")).order_by()}
    report.escalations = Escalation.objects.filter(clock__in=clocks).count()
    reasons: Counter = Counter()
    for rr in qs.filter(state__in=["rejected", "closed"]).exclude(rejection_reasons=[]).values_list(
            "rejection_reasons", flat=True)[:MAX_REJECTED_SCANNED]:
        reasons.update({r.get("code", "unknown") for r in rr})
    report.rejection_reasons = [{"code": c, "label": rejection_reason_label(c), "count": n}
                                for c, n in reasons.most_common()]
    return report


def order_report_csv(report: OrderReport) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["section", "key", "channel", "count", "p50_hours", "p90_hours", "p95_hours"])
    for r in report.by_state:
        w.writerow(["state", r["state"], r["channel"], r["count"], "", "", ""])
    for r in report.cycle_times:
        w.writerow(["cycle_time", r["order_type"], "", r["count"], r["p50_hours"], r["p90_hours"], r["p95_hours"]])
    for k, n in sorted(report.jeopardy.items()):
        w.writerow(["jeopardy", k, "", n, "", "", ""])
    w.writerow(["escalations", "all", "", report.escalations, "", "", ""])
    for r in report.rejection_reasons:
        w.writerow(["rejection_reason", r["code"], "", r["count"], "", "", ""])
    return out.getvalue()


# Words for the reason codes orders are rejected with (orders.services.ordering's validation, credit and the
# feasibility engine's rule types); an unknown code reads as itself with its underscores as spaces.
REJECTION_REASON_LABELS = {
    "unknown_customer": "Customer not found",
    "customer_not_orderable": "Customer may not order (closed or suspended)",
    "unknown_billing_account": "Billing account not found",
    "account_of_another_customer": "Billing account of another customer",
    "unknown_qualification": "Qualification not found",
    "unknown_offering": "Offering missing or unknown",
    "offering_not_orderable": "Offering not on sale",
    "channel_not_allowed": "Offering not sold through this channel",
    "invalid_characteristic": "Invalid option value",
    "missing_characteristic": "Required option missing",
    "install_address_required": "Install address missing",
    "unknown_place": "Install address not the customer's",
    "unknown_product": "Product not the customer's",
    "product_required": "Change without the product it changes",
    "credit_declined": "Credit declined",
    "eligibility": "Not eligible (feasibility rule)",
    "prerequisite": "Prerequisite missing (feasibility rule)",
    "exclusion": "Excluded by another product (feasibility rule)",
    "transition": "Change not allowed (feasibility rule)",
    "serviceability": "Not serviceable at the address",
    "coverage": "No coverage at the address",
    "capacity": "No free network capacity at the address",
    "compatibility": "Incompatible items (feasibility rule)",
}


def rejection_reason_label(code: str) -> str:
    return REJECTION_REASON_LABELS.get(code) or code.replace("_", " ").capitalize()
