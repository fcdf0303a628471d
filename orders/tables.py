"""Portal tables of order handling (the list pattern: bss/tables.py)."""

import django_tables2 as tables

from bss.tables import BssTable
from orders.models import CreditCheck, CustomerOrder, OrderTask


class CreditQueueTable(BssTable):
    """Credit checks awaiting manual review, oldest first; the decision column carries the inline review form
    for the checks this user may decide (``reviewable`` in the page context)."""

    noun, noun_plural = "credit check", "credit checks"

    pk = tables.Column(verbose_name="#", linkify=("orders:credit_check_detail", {"pk": tables.A("pk")}))
    created_at = tables.DateTimeColumn(verbose_name="Waiting since (UTC)", format="j M Y, H:i")
    customer = tables.TemplateColumn(template_name="orders/csr/queue/_customer.html", verbose_name="Customer",
                                     order_by=("customer__name",))
    amount = tables.TemplateColumn("{{ record.amount }} {{ record.currency }}", verbose_name="Amount")
    reason = tables.Column(verbose_name="Reason", orderable=False)
    terms = tables.TemplateColumn(template_name="orders/csr/queue/_terms.html", verbose_name="Proposed terms",
                                  orderable=False)
    score = tables.Column(verbose_name="Score", default="—")
    approval = tables.TemplateColumn(template_name="orders/csr/queue/_approval.html", verbose_name="Approval",
                                     orderable=False, accessor="approval_request_id")
    decision = tables.TemplateColumn(template_name="orders/csr/queue/_decision.html", verbose_name="Decision",
                                     orderable=False, empty_values=())

    class Meta(BssTable.Meta):
        model = CreditCheck
        fields = ("pk", "created_at", "customer", "amount", "reason", "terms", "score", "approval", "decision")
        order_by = ("created_at",)
        empty_text = "Nothing waits for review."


# --- customer orders (orders/views/ordering.py) -----------------------------------------------------------------

class CustomerOrderTable(BssTable):
    """Every customer order, newest first: its state in words (internal and TMF622), milestone and dates."""

    noun, noun_plural = "order", "orders"

    order_number = tables.Column(verbose_name="Order", linkify=("orders:order", {"pk": tables.A("pk")}))
    customer = tables.TemplateColumn(template_name="orders/ordering/cells/_customer.html", verbose_name="Customer",
                                     order_by=("customer__name",))
    state = tables.TemplateColumn(template_name="orders/ordering/cells/_state.html", verbose_name="State")
    milestone = tables.Column(verbose_name="Milestone", accessor="milestone__name", default="—", orderable=False)
    channel = tables.Column(verbose_name="Channel")
    priority = tables.Column(verbose_name="Priority")
    order_date = tables.DateTimeColumn(verbose_name="Ordered (UTC)", format="j M Y, H:i")
    committed_date = tables.DateColumn(verbose_name="Committed for", format="j M Y", default="—")

    class Meta(BssTable.Meta):
        model = CustomerOrder
        fields = ("order_number", "customer", "state", "milestone", "channel", "priority", "order_date",
                  "committed_date")
        order_by = ("-order_date",)
        empty_text = "No order matches these filters."


class InvestigationTable(BssTable):
    """Rejected orders nobody has re-entered yet (the investigation queue), oldest first, with the reasons."""

    noun, noun_plural = "rejected order", "rejected orders"

    order_number = tables.Column(verbose_name="Order", linkify=("orders:order", {"pk": tables.A("pk")}))
    customer = tables.TemplateColumn(template_name="orders/ordering/cells/_customer.html", verbose_name="Customer",
                                     order_by=("customer__name",))
    channel = tables.Column(verbose_name="Channel")
    order_date = tables.DateTimeColumn(verbose_name="Ordered (UTC)", format="j M Y, H:i")
    rejection_reasons = tables.TemplateColumn(template_name="orders/ordering/cells/_reasons.html",
                                              verbose_name="Why it was rejected", orderable=False)

    class Meta(BssTable.Meta):
        model = CustomerOrder
        fields = ("order_number", "customer", "channel", "order_date", "rejection_reasons")
        order_by = ("order_date",)
        empty_text = "No rejected order waits for investigation."


class OrderTaskTable(BssTable):
    """Manual order tasks (a team's worklist, or mine): what to do, for which order, and the actions the role
    allows (``can_work`` in the page context)."""

    noun, noun_plural = "task", "tasks"

    order = tables.Column(verbose_name="Order", accessor="order__order_number",
                          linkify=("orders:order", {"pk": tables.A("order_id")}))
    customer = tables.TemplateColumn(template_name="orders/ordering/cells/_task_customer.html",
                                     verbose_name="Customer", order_by=("order__customer__name",))
    step = tables.Column(verbose_name="Task", accessor="step__name", order_by=("step__name",))
    team = tables.Column(verbose_name="Team", default="—")
    status = tables.TemplateColumn('<span class="badge {{ record.status }}">{{ record.get_status_display }}</span>',
                                   verbose_name="Status")
    assigned_to = tables.TemplateColumn(
        "{% if record.assigned_to %}{{ record.assigned_to.get_full_name|default:record.assigned_to.username }}"
        "{% else %}—{% endif %}", verbose_name="Assigned to", order_by=("assigned_to__last_name",))
    created_at = tables.DateTimeColumn(verbose_name="Since (UTC)", format="j M Y, H:i")
    due_at = tables.TemplateColumn(  # back-scheduled from the committed date (orders.services.order_config)
        '{% if record.due_at %}<span{% if record.is_overdue %} class="text-danger fw-semibold" data-overdue{% endif %}>'
        '{{ record.due_at|date:"j M Y, H:i" }}{% if record.is_overdue %} · overdue{% endif %}</span>'
        '{% else %}—{% endif %}', verbose_name="Due (UTC)")
    actions = tables.TemplateColumn(template_name="orders/ordering/cells/_task_actions.html", verbose_name="Actions",
                                    orderable=False, empty_values=())

    class Meta(BssTable.Meta):
        model = OrderTask
        fields = ("order", "customer", "step", "team", "status", "assigned_to", "created_at", "due_at", "actions")
        order_by = ("created_at",)
        empty_text = "No task waits here."
