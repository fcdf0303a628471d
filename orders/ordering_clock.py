"""The customer order's jeopardy clock on the shared SLA engine (bss.sla, docs/sla.md): one clock per order from
commitment to completion, due at the committed availability date; steps may have their own targets. The clock is
qualified by the order's priority and its order type (the ``type`` qualifier, the order type's code), so a target
and its escalation policy may be set per order type; a target naming no order type applies to all."""

from bss.audit.services import history_root
from bss.sla.registry import register_clock_type


def register_order_clock():
    register_clock_type(
        "orders.customer_order", label="Customer order", referred_type="ProductOrder",
        steps=("committed",), history_root=lambda order: history_root(order, "customer") or order,
        href=lambda order: f"/tmf-api/productOrderingManagement/v4/productOrder/{order.pk}",
        types=_order_type_codes)


def _order_type_codes():
    from orders.models import OrderType

    return OrderType.objects.values_list("code", flat=True)
