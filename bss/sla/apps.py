"""bss.sla: SLA clocks and jeopardy, a shared building block (own app label 'sla')."""
from django.apps import AppConfig

from bss.roles import Role


class SlaConfig(AppConfig):
    name = "bss.sla"
    label = "sla"
    verbose_name = "SLA clocks and jeopardy"
    default_auto_field = "django.db.models.BigAutoField"

    role_permissions = {
        # Calendars, targets and escalation steps are configured by Admin (all permissions);
        # supervisors watch the clocks and escalations.
        Role.SUPERVISOR: ["sla.view_*"],
        Role.CSR: ["sla.view_slaclock", "sla.view_escalation"],
        Role.PROVISIONING: ["sla.view_slaclock", "sla.view_escalation"],
        Role.BILLING: ["sla.view_slaclock", "sla.view_escalation"],
    }

    def ready(self):
        from . import events

        events.register()
