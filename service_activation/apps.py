from django.apps import AppConfig


class ServiceActivationConfig(AppConfig):
    """eTOM 1.1.2.2 Service Configuration & Activation (TMF641, TMF638)."""

    name = "service_activation"
