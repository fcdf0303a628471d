from django.apps import AppConfig


class OrdersConfig(AppConfig):
    """eTOM 1.1.1.5 Order Handling: catalog, feasibility, credit, customer orders (TMF620/679/622)."""

    name = "orders"
