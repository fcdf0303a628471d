"""bss.approvals: a shared building block (own app label 'approvals' so its migrations stand alone)."""
from django.apps import AppConfig

from bss.roles import Role


class ApprovalsConfig(AppConfig):
    name = "bss.approvals"
    label = "approvals"
    verbose_name = "Approvals"
    default_auto_field = "django.db.models.BigAutoField"

    role_permissions = {
        # Viewing; deciding is a role in the type's policy (bss.approvals.services), not a permission.
        Role.SUPERVISOR: ["approvals.view_*"],
        Role.CSR: ["approvals.view_approvalrequest"],
        Role.BILLING: ["approvals.view_approvalrequest"],
        Role.PROVISIONING: ["approvals.view_approvalrequest"],
    }

    def ready(self):
        from . import events

        events.register()
