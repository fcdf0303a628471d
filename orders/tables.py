"""Portal tables of order handling (the list pattern: bss/tables.py)."""

import django_tables2 as tables

from bss.tables import BssTable
from orders.models import CreditCheck


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
