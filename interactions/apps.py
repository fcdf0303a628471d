from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    """eTOM 1.1.1.18 / 1.1.1.2 Customer Interaction Management (TMF683, TMF681)."""

    name = "interactions"
