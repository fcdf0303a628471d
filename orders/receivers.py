"""Reactions to other apps' events: a service order reporting its state moves its customer order on."""

from bss.actors import Actor
from bss.events import subscriber
from service_activation.events import SERVICE_DESIGN_STATE_CHANGE, SERVICE_ORDER_STATE_CHANGE


@subscriber(SERVICE_ORDER_STATE_CHANGE, when=lambda so: so.customer_order_id is not None)
def service_order_reported(event) -> None:
    from service_activation.selectors import service_order_customer_order_id

    from .services.ordering import customer_order_try_complete

    order_id = service_order_customer_order_id(service_order_id=int(event.resource_id))
    if order_id is not None:
        customer_order_try_complete(order_id=order_id, actor=Actor.system("service order report"))


@subscriber(SERVICE_DESIGN_STATE_CHANGE, when=lambda design: design.customer_order_id is not None)
def service_design_reported(event) -> None:
    """An approved design releases the order held for it (its service orders are issued from the design)."""
    from service_activation.selectors import design_summary

    from .services.ordering import customer_order_design_approved

    design = design_summary(design_id=int(event.resource_id))
    if design and design["status"] == "approved" and design["customer_order_id"]:
        customer_order_design_approved(order_id=design["customer_order_id"],
                                       actor=Actor.system("service design approved"))
