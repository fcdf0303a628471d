from django.apps import AppConfig


class BillingConfig(AppConfig):
    """eTOM 1.1.1.10 Bill Invoice Management (TMF678, TMF635)."""

    name = "billing"
