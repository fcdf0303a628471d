"""Service activation's reactions to events (its own included), run after commit by bss.events: thin, each
calls one service. A service order moving tells the customer and the affected parties that a recovery started
or ended (service_recoveries_notify; the e-mail leaves after that transaction commits)."""

from bss.actors import Actor
from bss.events import subscriber
from service_activation.events import SERVICE_ORDER_STATE_CHANGE


def _has_recovery(so) -> bool:
    from service_activation.models import ServiceRecovery

    return ServiceRecovery.objects.filter(item__service_order_id=so.pk).exists()


@subscriber(SERVICE_ORDER_STATE_CHANGE, when=_has_recovery)
def service_order_recovery_reported(event) -> None:
    from service_activation.models import ServiceRecovery
    from service_activation.services.recovery import service_recoveries_notify

    if ServiceRecovery.objects.filter(item__service_order_id=int(event.resource_id)).exists():
        service_recoveries_notify(service_order_id=int(event.resource_id), actor=Actor.system("service recovery"))


@subscriber(SERVICE_ORDER_STATE_CHANGE, when=lambda so: so.state == "cancelled")
def service_order_cancellation_reported(event) -> None:
    """A cancelled service order: a cancelServiceOrder request that waited for its rollback ends
    (services.cancellation) and its booked appointments give their places back (services.appointments). The other
    moves cost no query."""
    from service_activation.services.appointments import appointments_release_for
    from service_activation.services.cancellation import cancel_service_order_requests_settle

    state = ((event.payload or {}).get("event") or {}).get("serviceOrder", {}).get("state")
    if state == "cancelled":
        actor = Actor.system("service order report")
        cancel_service_order_requests_settle(service_order_id=int(event.resource_id), actor=actor)
        appointments_release_for(service_order_id=int(event.resource_id), actor=actor)
