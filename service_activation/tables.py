"""Portal tables of service activation (the list pattern: bss/tables.py)."""

import django_tables2 as tables

from bss.tables import BssTable

from .models import WorkOrder


class WorkOrderTable(BssTable):
    """Manual work orders waiting for a team, most urgent service order first; the actions column offers Complete
    (or Record the result, for a test) when the role may (``can_work`` in the page context)."""

    noun, noun_plural = "work order", "work orders"

    service_order = tables.Column(verbose_name="Service order", accessor="item__service_order__order_number",
                                  linkify=("provisioning:service_order", {"pk": tables.A("item__service_order_id")}))
    customer = tables.TemplateColumn(template_name="service_activation/cells/_customer.html", verbose_name="Customer",
                                     order_by=("item__service_order__customer__name",))
    name = tables.Column(verbose_name="Step")
    kind = tables.Column(verbose_name="Kind")
    specialty = tables.TemplateColumn(template_name="service_activation/cells/_team.html", verbose_name="Team",
                                      order_by=("specialty",))
    status = tables.TemplateColumn('<span class="badge {{ record.status }}">{{ record.get_status_display }}</span>',
                                   verbose_name="Status")
    appointment_start = tables.DateTimeColumn(verbose_name="Appointment (UTC)", format="j M Y, H:i", default="—")
    actions = tables.TemplateColumn(template_name="service_activation/cells/_worklist_actions.html",
                                    verbose_name="Actions", orderable=False, empty_values=())

    class Meta(BssTable.Meta):
        model = WorkOrder
        fields = ("service_order", "customer", "name", "kind", "specialty", "status", "appointment_start", "actions")
        order_by = ()
        empty_text = "No manual step waits for a team."


class FalloutTable(BssTable):
    """Failed steps (fallout), with the last error and what may be done about them."""

    noun, noun_plural = "failed step", "failed steps"

    service_order = tables.Column(verbose_name="Service order", accessor="item__service_order__order_number",
                                  linkify=("provisioning:service_order", {"pk": tables.A("item__service_order_id")}))
    customer = tables.TemplateColumn(template_name="service_activation/cells/_customer.html", verbose_name="Customer",
                                     order_by=("item__service_order__customer__name",))
    name = tables.Column(verbose_name="Step")
    specialty = tables.Column(verbose_name="Network element", default="—")
    attempts = tables.Column(verbose_name="Attempts")
    last_error = tables.Column(verbose_name="Last error", orderable=False, default="—")
    actions = tables.TemplateColumn(template_name="service_activation/cells/_fallout_actions.html",
                                    verbose_name="Actions", orderable=False, empty_values=())

    class Meta(BssTable.Meta):
        model = WorkOrder
        fields = ("service_order", "customer", "name", "specialty", "attempts", "last_error", "actions")
        order_by = ()
        empty_text = "No fallout: every step that failed has been dealt with."
