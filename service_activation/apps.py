from django.apps import AppConfig

from bss.roles import Role


class ServiceActivationConfig(AppConfig):
    """eTOM 1.1.2.2 Service Configuration & Activation (TMF641, TMF638)."""

    name = "service_activation"
    demo_seed = "service_activation.demo.seed"

    role_permissions = {
        Role.ADMIN: ["service_activation.*"],
        Role.PROVISIONING: ["service_activation.*"],
        Role.SUPERVISOR: ["service_activation.view_*",  # monitoring staff change the assignment rules (seed 001)
                          "service_activation.add_workorderassignmentrule",
                          "service_activation.change_workorderassignmentrule",
                          "service_activation.add_appointmentslot", "service_activation.change_appointmentslot"],
        Role.CSR: ["service_activation.view_*", "service_activation.change_resource",  # reserve a chosen number
                   "service_activation.add_appointment",  # book and move a visit with the customer
                   "service_activation.change_appointment"],
        Role.INTEGRATOR: ["service_activation.view_*", "service_activation.add_serviceorder",
                          "service_activation.change_serviceorder",
                          "service_activation.change_workorder"],  # a partner's callback on a requisition
    }

    def ready(self):
        from bss.approvals.registry import register_approval_type
        from bss.audit.services import history_root
        from bss.sla.registry import register_clock_type

        from . import (
            events,  # noqa: F401  registers the TMF641 / TMF638 resources for events
            receivers,  # noqa: F401  subscribers to its own service orders' events
        )
        from .services.design import DESIGN_APPROVAL, service_design_decided
        from .services.recovery import RECOVERY_APPROVAL, recovery_authorization_decided

        register_approval_type(DESIGN_APPROVAL, label="Service design", approver_roles=[Role.SUPERVISOR, Role.ADMIN],
                               on_decision=service_design_decided)
        register_approval_type(RECOVERY_APPROVAL, label="Service recovery impacting other services",
                               approver_roles=[Role.SUPERVISOR, Role.ADMIN], on_decision=recovery_authorization_decided)

        register_clock_type(
            "service_activation.service_order", label="Service order", referred_type="ServiceOrder",
            history_root=lambda so: history_root(so, "customer") or so,
            href=lambda so: f"/tmf-api/serviceOrdering/v4/serviceOrder/{so.pk}")
