"""Decompose a committed customer order into service orders (eTOM 1.1.1.5.4.1 "generate the respective
service order creation requests"), driven only by catalog data: the offering's product specification names the
service specifications that realize it (a bundle's members each bring theirs), the order item's action maps to
the service order item's action, and item dependencies carry over. A new offering set up in admin is fulfilled
with no code change."""

from __future__ import annotations

from bss.actors import Actor
from bss.fsm import fsm_transition
from orders.models import CustomerOrder, OrderItem, ProductOffering

ACTION_MAP = {"add": "add", "modify": "modify", "delete": "delete"}


def _service_specs(offering: ProductOffering | None) -> list:
    if offering is None:
        return []
    specs = list(offering.specification.service_specifications.all()) if offering.specification_id else []
    if offering.is_bundle:
        for member in offering.bundled_offerings.select_related("specification"):
            specs += [s for s in _service_specs(member) if s not in specs]
    return specs


def decompose(order: CustomerOrder, *, actor: Actor):
    """One service order per customer order, one service order item per (order item, service specification).
    Items whose offering needs no service (nothing to activate) complete with the order."""
    from service_activation import selectors as sa_selectors
    from service_activation import services as sa_services

    design = sa_selectors.design_for_order(customer_order_id=order.pk)
    assignments = (design.resource_assignments or {}) if design is not None else {}
    inputs = []
    for item in order.items.select_related("offering__specification", "product", "place").prefetch_related(
            "depends_on"):
        if item.action not in ACTION_MAP or item.state != OrderItem.State.ACKNOWLEDGED:
            continue
        if item.action in ("modify", "delete") and item.product_id:
            from service_activation.selectors import services_for_product

            services = services_for_product(product_id=item.product_id)
            chars = dict(item.characteristics)
            if order.lifecycle_action:  # the network's view of a suspension: the service's administrative state
                chars["administrativeState"] = "suspended" if order.lifecycle_action == "suspend" else "active"
            for n, service in enumerate(services, start=1):
                inputs.append(sa_services.ServiceItemInput(
                    item_id=f"{item.item_id}.{n}" if len(services) > 1 else item.item_id,
                    action=ACTION_MAP[item.action], specification_id=service.specification_id,
                    service_id=service.pk, characteristics=chars,
                    customer_order_item_id=item.pk, product_id=item.product_id, place_id=item.place_id,
                    depends_on_order_items=[d.pk for d in item.depends_on.all()]))
            fsm_transition(item, "start", actor=actor, record=False, state_field="state")
            continue
        specs = _service_specs(item.offering)
        for n, spec in enumerate(specs, start=1):
            inputs.append(sa_services.ServiceItemInput(
                item_id=f"{item.item_id}.{n}" if len(specs) > 1 else item.item_id, action=ACTION_MAP[item.action],
                specification_id=spec.pk, characteristics={**item.characteristics,
                                                           **(assignments.get(spec.code) or {})},
                customer_order_item_id=item.pk, product_id=item.product_id, place_id=item.place_id,
                depends_on_order_items=[d.pk for d in item.depends_on.all()]))
        fsm_transition(item, "start", actor=actor, record=False, state_field="state")
    if design is not None and design.status == "approved":
        sa_services.service_design_issued(design_id=design.pk, actor=actor)
    if not inputs:
        return None
    return sa_services.service_order_issue(
        actor=actor, items=inputs, customer_id=order.customer_id, customer_order_ref=order.order_number,
        customer_order_id=order.pk, priority=order.priority,
        requested_completion_date=order.committed_date, origin="customer_order")
