"""The customer order's jeopardy clock on the shared SLA engine (bss.sla, docs/sla.md): one clock per order from
commitment to completion, due at the committed availability date; steps may have their own targets."""

from bss.audit.services import history_root
from bss.sla.registry import register_clock_type


def register_order_clock():
    register_clock_type(
        "orders.customer_order", label="Customer order", referred_type="ProductOrder",
        steps=("committed",), history_root=lambda order: history_root(order, "customer") or order,
        href=lambda order: f"/tmf-api/productOrderingManagement/v4/productOrder/{order.pk}")
