"""Service activation's parts of the portal (bss.panels): the customer 360's services panel (the service inventory
and the open service orders) and the provisioning work queues (the teams' worklist, the fallout queue)."""

from django.urls import reverse

from bss.panels import Flag, Panel, WorkQueue, register_flag, register_panel, register_work_queue

SHOWN = 10
SHOWN_CHARACTERISTICS = ("msisdn", "iccid", "ipv4", "line_id", "port", "vlan")


def _services(customer, request):
    from service_activation.models import ServiceOrder
    from service_activation.selectors import service_order_queryset, service_queryset

    services = list(service_queryset(request.user).filter(customer=customer).exclude(
        state__in=["terminated"]).select_related("product")[:SHOWN])
    for s in services:
        s.identifiers = [(k, s.characteristics[k]) for k in SHOWN_CHARACTERISTICS if s.characteristics.get(k)]
    working = list(service_order_queryset(request.user).filter(
        customer=customer, state__in=[*ServiceOrder.OPEN, ServiceOrder.State.PENDING_CANCELLATION])[:SHOWN])
    return {"services": services, "open_service_orders": working}


def _worklist(request) -> int:
    from service_activation.selectors import team_worklist

    return team_worklist().count()


def _recovery() -> int:
    from service_activation.services.recovery import recovery_plans_to_review

    return recovery_plans_to_review().count()


def _fallout(request) -> int:
    from service_activation.views.csr import open_fallout

    return open_fallout().count()


register_panel(Panel("services", "Services", "service_activation/panels/services.html", order=32,
                     perm="service_activation.view_service", context=_services,
                     empty_text="No services in the inventory yet."))
register_work_queue(WorkQueue("provisioning_worklist", "Manual provisioning steps waiting", _worklist,
                              url=lambda request: reverse("provisioning:worklist"),
                              perm="service_activation.change_workorder", order=50))
register_work_queue(WorkQueue("provisioning_recovery", "Recovery plans to review", lambda request: _recovery(),
                              url=lambda request: reverse("provisioning:recovery_queue"),
                              perm="service_activation.change_recoveryplan", order=52))
register_work_queue(WorkQueue("provisioning_fallout", "Fallout: failed provisioning steps", _fallout,
                              url=lambda request: reverse("provisioning:fallout"),
                              perm="service_activation.change_workorder", order=51))


def _outage_planned(customer) -> bool:
    from service_activation.services.outage import outages_for_customer

    return bool(outages_for_customer(customer_id=customer.pk))


register_flag(Flag("planned_outage", "Planned outage", _outage_planned, level="warning", order=30,
                   help="A planned outage affects this customer's services (scheduled or in progress)."))
