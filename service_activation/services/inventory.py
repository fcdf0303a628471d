"""Service inventory corrections (TMF638 POST / PATCH / DELETE): for administrators and data migration only.

Services are normally created and moved by service orders (services/service_orders.py). These use cases let an
administrator (or a migration running with an administrator's token) record a service that exists in the network,
correct its attributes, move it to another state, or terminate it. Every change is one history row on the
service (root: its customer). A service is never erased: DELETE terminates it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import get_available_FIELD_transitions

from bss.actors import Actor
from bss.audit.services import UNSET, history_record, model_update
from bss.errors import ApplicationError, DomainValidationError
from bss.events import one_event, publish
from bss.fsm import fsm_transition
from bss.tmf.ids import local_id
from service_activation.events import SERVICE_ATTRIBUTE_VALUE_CHANGE, SERVICE_CREATE, SERVICE_STATE_CHANGE
from service_activation.models import Service, ServiceSpecification

SERVICE_INVENTORY_FIELDS = ("name", "characteristics", "start_date", "end_date", "tmf_extra")


def _customer(actor: Actor, customer_ref):
    from customers.selectors import customer_visible

    return customer_visible(user=actor.user if actor.user_id else None, customer_id=local_id(customer_ref),
                            system=actor.user_id is None and actor.channel == "system")


def _specification(ref: dict | None) -> ServiceSpecification | None:
    key = str((ref or {}).get("id") or "").strip()
    if not key:
        return None
    pk = local_id(key)
    found = ServiceSpecification.objects.filter(pk=pk).first() if pk is not None else None
    return found or ServiceSpecification.objects.filter(code=key).first()


def _root(service: Service):
    return service.customer or service


@transaction.atomic
def service_inventory_create(*, actor: Actor, state: str, specification_ref: dict, name: str = "",
                             characteristics: dict | None = None, customer_ref: str | None = None,
                             start_date: dt.datetime | None = None, end_date: dt.datetime | None = None,
                             tmf_extra: dict | None = None, reason: str = "") -> Service:
    """Record a service that exists outside a service order (migration). ``specification_ref``: one we hold
    (by id or code) is linked, another is kept as sent; ``customer_ref``: a customer the actor may see is linked,
    other parties stay in ``tmf_extra['relatedParty']`` as sent."""
    if state not in Service.State.values:
        raise DomainValidationError({"state": f"'{state}' is not one of {', '.join(Service.State.values)}."})
    spec = _specification(specification_ref)
    customer = _customer(actor, customer_ref) if customer_ref else None
    extra = dict(tmf_extra or {})
    if spec is None and specification_ref:
        extra["serviceSpecification"] = specification_ref
    service = Service(name=(name or (spec.name if spec else "") or "Service")[:200], state=state, specification=spec,
                      customer=customer, characteristics=characteristics or {}, start_date=start_date,
                      end_date=end_date, tmf_extra=extra)
    try:
        service.full_clean(exclude=["state"])  # the lifecycle field is protected (checked above)
    except DjangoValidationError as e:
        raise DomainValidationError(e.message_dict) from e
    service.save()
    history_record(obj=service, action="service_activation.service.created", actor=actor, root=_root(service),
                   reason=reason or "recorded through the service inventory API",
                   changes={"state": [None, state], "name": [None, service.name],
                            "specification": [None, spec.pk if spec else specification_ref.get("id")]})
    publish(SERVICE_CREATE, service)
    return service


def _transition_to(service: Service, target: str) -> str | None:
    """The name of the lifecycle transition that moves ``service`` to ``target`` (None: there is none)."""
    names = [t.name for t in get_available_FIELD_transitions(service, Service._meta.get_field("state"))
             if t.target == target]
    # an active service taken out of service is deactivated (configure is the activation path's move)
    return "deactivate" if "deactivate" in names else (names[0] if names else None)


@transaction.atomic
def service_inventory_update(*, service_id: int, actor: Actor, name=UNSET, characteristics=UNSET, start_date=UNSET,
                             end_date=UNSET, state=UNSET, tmf_extra: dict | None = None, reason: str = "") -> Service:
    """Correct a service's attributes and, with ``state``, move it along its lifecycle (409 where no transition
    leads there). One history row for the attributes, one for the state move."""
    try:
        service = Service.objects.select_for_update().get(pk=service_id)
    except Service.DoesNotExist:
        raise DomainValidationError({"service": "Not found."}) from None
    with one_event():
        data = {"name": name, "characteristics": characteristics, "start_date": start_date, "end_date": end_date}
        if tmf_extra:
            data["tmf_extra"] = {**service.tmf_extra, **tmf_extra}
        changes = model_update(instance=service, fields=SERVICE_INVENTORY_FIELDS, data=data, actor=actor,
                               root=_root(service), action="service_activation.service.updated",
                               reason=reason or "corrected through the service inventory API")
        if changes:
            publish(SERVICE_ATTRIBUTE_VALUE_CHANGE, service)
        if state is not UNSET and state != service.state:
            if state not in Service.State.values:
                raise DomainValidationError({"state": f"'{state}' is not one of "
                                                      f"{', '.join(Service.State.values)}."})
            transition = _transition_to(service, state)
            if transition is None:
                raise ApplicationError(f"A {service.state} service cannot become {state}.",
                                       extra={"state": service.state})
            if state == Service.State.TERMINATED and service.end_date is None:
                service.end_date = timezone.now()
                service.save(update_fields=["end_date", "updated_at"])
            fsm_transition(service, transition, actor=actor, state_field="state", root=_root(service),
                           action=f"service_activation.service.{transition}",
                           reason=reason or "set through the service inventory API")
            publish(SERVICE_STATE_CHANGE, service)
    return service


@transaction.atomic
def service_inventory_terminate(*, service_id: int, actor: Actor, reason: str = "") -> Service:
    """TMF638 DELETE: the service is terminated (its row and history stay); 409 if it already is."""
    service = Service.objects.select_for_update().filter(pk=service_id).first()
    if service is None:
        raise DomainValidationError({"service": "Not found."})
    if service.state == Service.State.TERMINATED:
        raise ApplicationError(f"Service {service.pk} is already terminated.", extra={"state": service.state})
    return service_inventory_update(service_id=service.pk, actor=actor, state=Service.State.TERMINATED,
                                    reason=reason or "deleted through the service inventory API")
