"""Reads other apps use (orders reads its service orders' progress through these, never the models)."""

from __future__ import annotations

from django.db.models import QuerySet

from customers.scoping import visible_to

from .models import Service, ServiceOrder, ServiceOrderItem, WorkOrder

SO = ServiceOrder.State


def service_order_queryset(user) -> QuerySet[ServiceOrder]:
    return visible_to(ServiceOrder.objects.select_related("customer"), user)


def service_queryset(user) -> QuerySet[Service]:
    return visible_to(Service.objects.select_related("customer", "specification"), user)


def service_orders_for_customer_order(*, customer_order_id: int) -> QuerySet[ServiceOrder]:
    return ServiceOrder.objects.filter(customer_order_id=customer_order_id).prefetch_related(
        "items__work_orders", "items__service", "items__specification").order_by("pk")


def _effective(so: ServiceOrder) -> str:
    return so.closed_from if so.state == SO.CLOSED else so.state


def service_order_summary(*, customer_order_id: int) -> dict:
    """Progress of a customer order's service orders: ``open`` (any still working), counts of completed and
    failed ones, and the customer order items whose service order items failed."""
    orders = list(ServiceOrder.objects.filter(customer_order_id=customer_order_id))
    states = [_effective(so) for so in orders]
    failed_items = list(ServiceOrderItem.objects.filter(
        service_order__customer_order_id=customer_order_id, state=ServiceOrderItem.State.FAILED,
        customer_order_item_id__isnull=False).values_list("customer_order_item_id", flat=True))
    return {"open": any(s in ServiceOrder.OPEN or s in (SO.ASSESSING_CANCELLATION, SO.PENDING_CANCELLATION)
                        for s in states),
            "completed": sum(1 for s in states if s in (SO.COMPLETED, SO.PARTIAL)),
            "failed": sum(1 for s in states if s in (SO.FAILED, SO.PARTIAL)), "failed_items": failed_items,
            "count": len(states)}


def service_orders_done(*, customer_order_id: int) -> bool:
    """Every service order of the customer order completed (or there are none)."""
    return all(_effective(so) in (SO.COMPLETED, SO.CANCELLED)
               for so in ServiceOrder.objects.filter(customer_order_id=customer_order_id))


def service_orders_settled(*, customer_order_id: int) -> bool:
    """No service order of the customer order is still working or rolling back."""
    return not ServiceOrder.objects.filter(
        customer_order_id=customer_order_id,
        state__in=list(ServiceOrder.OPEN) + [SO.ASSESSING_CANCELLATION, SO.PENDING_CANCELLATION]).exists()


def service_order_customer_order_id(*, service_order_id: int) -> int | None:
    return ServiceOrder.objects.filter(pk=service_order_id).values_list("customer_order_id", flat=True).first()


def fallout_queue() -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(status=WorkOrder.Status.FAILED).exclude(  # given up: the item failed
        item__state__in=[ServiceOrderItem.State.FAILED, ServiceOrderItem.State.CANCELLED]).select_related(
        "item__service_order__customer", "item__specification").order_by("item__service_order__priority", "pk")


def team_worklist(*, specialty: str | None = None) -> QuerySet[WorkOrder]:
    qs = WorkOrder.objects.filter(manual=True, status__in=[WorkOrder.Status.READY, WorkOrder.Status.IN_PROGRESS],
                                  item__service_order__state=SO.IN_PROGRESS)
    if specialty:
        qs = qs.filter(specialty=specialty)
    return qs.select_related("item__service_order__customer", "assigned_to").order_by(
        "item__service_order__priority", "appointment_start", "pk")


def services_for_product(*, product_id: int) -> list[Service]:
    """The services in the inventory that realize a customer product (not terminated)."""
    return list(Service.objects.filter(product_id=product_id).exclude(state=Service.State.TERMINATED)
                .select_related("specification").order_by("pk"))


def design_for_order(*, customer_order_id: int):
    """The (not cancelled) service design of a customer order, or None."""
    from .models import ServiceDesign

    return ServiceDesign.objects.filter(customer_order_id=customer_order_id).exclude(
        status=ServiceDesign.Status.CANCELLED).first()


def design_summary(*, design_id: int) -> dict | None:
    from .models import ServiceDesign

    d = ServiceDesign.objects.filter(pk=design_id).first()
    return None if d is None else {"id": d.pk, "status": d.status, "customer_order_id": d.customer_order_id,
                                   "resource_assignments": d.resource_assignments}
