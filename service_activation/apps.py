from django.apps import AppConfig

from bss.roles import Role


class ServiceActivationConfig(AppConfig):
    """eTOM 1.1.2.2 Service Configuration & Activation (TMF641, TMF638)."""

    name = "service_activation"

    role_permissions = {
        Role.ADMIN: ["service_activation.*"],
        Role.PROVISIONING: ["service_activation.*"],
        Role.SUPERVISOR: ["service_activation.view_*"],
        Role.CSR: ["service_activation.view_*"],
        Role.INTEGRATOR: ["service_activation.view_*"],
    }
