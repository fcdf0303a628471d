"""The staff home's own parts besides the search: recently viewed customers and the customers-by-status chart.
The work queues come from every app through bss.panels."""

from django.db.models import Count

from bss.charts import Chart, Series
from customers.models import Customer
from customers.scoping import visible_to

RECENT_KEY = "recent_customers"
RECENT_KEEP = 10


def remember_customer(request, customer) -> None:
    """Put ``customer`` first in the session's recently viewed list (at most RECENT_KEEP)."""
    recent = [pk for pk in request.session.get(RECENT_KEY, []) if pk != customer.pk]
    request.session[RECENT_KEY] = [customer.pk, *recent][:RECENT_KEEP]


def recent_customers(request) -> list[Customer]:
    ids = request.session.get(RECENT_KEY, [])
    if not ids:
        return []
    found = {c.pk: c for c in visible_to(Customer.objects.filter(pk__in=ids), request.user)}
    return [found[pk] for pk in ids if pk in found]


def status_chart(user) -> Chart:
    counts = dict(visible_to(Customer.objects.all(), user).order_by().values_list("status").annotate(n=Count("id")))
    statuses = list(Customer.Status)
    return Chart("customers-by-status", "Customers by status", kind="bar",
                 labels=[s.label for s in statuses], series=[Series("Customers", [counts.get(s.value, 0) for s in statuses])])


def home_context(request) -> dict:
    if getattr(request, "htmx", None) and not request.htmx.history_restore_request:
        return {}  # the live search's fragment needs none of it
    return {"recent": recent_customers(request), "status_chart": status_chart(request.user)}
