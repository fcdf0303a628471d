"""TMF641 Service Ordering (v4 and v3) and TMF638 Service Inventory v4: thin views over the service_activation
services on the shared toolkit (bss.tmf.views.TmfViewSet).

TMF641 POST (validation policy, ARCHITECTURE.md): a malformed body is 400 with the TMF Error body and nothing is
stored: wrong types, unknown or missing mandatory attributes, read-only attributes (``state``, ``orderDate``,
``completionDate``, ... and an item's ``state`` and ``appointment``), and an ``add`` item whose service names no
``serviceSpecification`` by ``id`` or ``href``. A well-formed order whose specification (or customer) we do not
hold is still a resource: 201, stored, and ``rejected`` with the reasons (``rejectionReason``). A valid order
answers ``acknowledged`` and runs asynchronously. PATCH changes only descriptive attributes and requested dates
of an open order, and adds notes; DELETE is a cancellation (409 once the order has finished or a service it
activated is live); the order stays readable. ``state`` filters through the version's mapping
(service_activation.states).

TMF638: services scoped per customer (customers.scoping.visible_to); a self-service user sees their own. Writes
(POST / PATCH / DELETE) are for administrators and the data migration role only (migration and corrections),
with their role's add/change/delete_service permission: DELETE terminates.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q
from rest_framework import serializers
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import SAFE_METHODS

from bss.actors import Actor
from bss.api.permissions import RolePermission
from bss.audit.services import UNSET
from bss.errors import ApplicationError
from bss.roles import Role
from bss.tmf.ids import local_id
from bss.tmf.references import kept_reference
from bss.tmf.views import TmfViewSet
from customers.scoping import self_service_customer_id, visible_to
from service_activation import selectors
from service_activation.models import CancelServiceOrder, ServiceOrder, ServiceOrderItem
from service_activation.services.cancellation import cancel_service_order_request
from service_activation.services.inventory import (
    service_inventory_create,
    service_inventory_terminate,
    service_inventory_update,
)
from service_activation.services.service_orders import (
    ServiceItemInput,
    service_order_cancel,
    service_order_issue,
    service_order_update,
)
from service_activation.states import internal_states
from service_activation.tmf.serializers import (
    CancelServiceOrderSerializer,
    ServiceOrderSerializer,
    ServiceOrderV3Serializer,
    ServiceSerializer,
    with_booked_appointment,
)

ORDER_READ_ONLY = {"state", "orderDate", "completionDate", "expectedCompletionDate", "startDate", "cancellationDate",
                   "cancellationReason"}
# an item's ``appointment`` is the server's (the visit booked for its work orders, /api/v1/appointments/): read-only
ITEM_READ_ONLY = ("state", "appointment")
ITEM_ATTRIBUTES_KEPT = ("quantity", "serviceOrderItem", "serviceOrderItemRelationship",
                        "orderItemRelationship")


def _parties(data: dict) -> tuple[list, str | None]:
    """The relatedParty list as sent, and the id of the one that names the customer (by @referredType or role;
    else the first party)."""
    parties = [p for p in data.get("relatedParty") or [] if isinstance(p, dict)]
    for p in parties:
        if (p.get("@referredType") or "").lower() == "customer" or (p.get("role") or "").lower() == "customer":
            return parties, p.get("id")
    return parties, next((p.get("id") for p in parties if p.get("id")), None)


def _notes(notes: list | None, start: int = 0) -> list[dict]:
    """Notes as stored: each with an ``id`` (TMF641 v4 requires one; v3 sends none)."""
    out = []
    for n, note in enumerate(notes or [], start=start + 1):
        if isinstance(note, dict):
            out.append({**note, "id": str(note.get("id") or n)})
    return out


class ServiceOrderViewSet(TmfViewSet):
    """TMF641 v4 serviceOrder."""

    serializer_class = ServiceOrderSerializer
    version = 4
    read_only_on_create = ORDER_READ_ONLY
    read_only_on_update = ORDER_READ_ONLY | {"serviceOrderItem", "orderItem", "relatedParty", "externalReference",
                                             "orderRelationship", "notificationContact"}
    db_filters = {"id": "pk", "orderNumber": "order_number", "externalId": "external_id", "priority": "priority",
                  "description": "description", "orderDate": "order_date", "startDate": "start_date",
                  "completionDate": "completion_date", "requestedStartDate": "requested_start_date",
                  "requestedCompletionDate": "requested_completion_date", "customerOrder.id": "customer_order_id",
                  "customerOrder.orderNumber": "customer_order_ref"}
    custom_filters = {"state": "filter_state", "category": "filter_category"}
    ordering = ("-order_date", "-pk")
    error_names = {"items": "serviceOrderItem", "reason": "cancellationReason", "external_id": "externalId",
                   "requested_start_date": "requestedStartDate",
                   "requested_completion_date": "requestedCompletionDate"}
    # a DELETE is a cancellation, not an erasure: it needs the right to change an order
    action_permissions = {"destroy": ["service_activation.view_serviceorder", "service_activation.change_serviceorder"]}

    def get_queryset(self):
        return selectors.service_order_queryset(self.request.user).prefetch_related(
            Prefetch("items", queryset=with_booked_appointment(ServiceOrderItem.objects.all())),
            "items__service", "items__specification")

    # --- filters ----------------------------------------------------------------------------------
    def filter_state(self, qs, value):
        """``state`` as this version shows it: the internal states it stands for (closed ones included)."""
        states = internal_states(value, version=self.version)
        if not states:
            return qs.none()
        condition = Q(state__in=states) | Q(state=ServiceOrder.State.CLOSED, closed_from__in=states)
        if ServiceOrder.State.COMPLETED in states:
            condition |= Q(state=ServiceOrder.State.CLOSED, closed_from="")
        return qs.filter(condition)

    def filter_category(self, qs, value):
        """``category`` as shown: the category sent, or the origin's label for an order sent without one."""
        origins = [code for code, label in ServiceOrder.Origin.choices if label == value]
        return qs.filter(Q(category=value) | Q(category="", origin__in=origins))

    # --- writes -------------------------------------------------------------------------------------
    def _validated(self, *, partial, forbidden, instance=None):
        data = super()._validated(partial=partial, forbidden=forbidden, instance=instance)
        if not partial:
            self._check_items(data)
        return data

    def _check_items(self, data: dict) -> None:
        """Item-level policy the spec cannot say: an item's ``state`` and ``appointment`` are the server's (an
        appointment is booked for a work order, which exists once the order is issued); an ``add`` item names the
        specification of the service it creates (by id or href)."""
        name = self.serializer_class.items_name
        errors = {}
        for n, item in enumerate(self.serializer_class.items_of(data)):
            if not isinstance(item, dict):
                continue
            for attribute in ITEM_READ_ONLY:
                if attribute in item:
                    errors[f"{name}[{n}].{attribute}"] = ["Read-only attribute; it may not be set by the client"]
            service = item.get("service") if isinstance(item.get("service"), dict) else {}
            spec = service.get("serviceSpecification") if isinstance(service.get("serviceSpecification"), dict) \
                else {}
            if item.get("action", "add") == "add" and not (spec.get("id") or spec.get("href")):
                errors[f"{name}[{n}].service.serviceSpecification"] = [
                    "An add item names the service specification of the service it creates (id or href)."]
        if errors:
            raise serializers.ValidationError(errors)

    def _item_input(self, item: dict) -> ServiceItemInput:
        service = item.get("service") or {}
        spec = service.get("serviceSpecification") or {}
        action = item.get("action", "add")
        chars = {c["name"]: c.get("value") for c in service.get("serviceCharacteristic") or []
                 if isinstance(c, dict) and c.get("name")}
        extra = {k: item[k] for k in ITEM_ATTRIBUTES_KEPT if k in item}
        extra["service"] = service  # kept as sent: shown while no service of ours stands for it
        return ServiceItemInput(
            item_id=str(item["id"]), action=action, specification_id=local_id(spec.get("id")),
            specification_ref=kept_reference(spec) if spec else {},
            service_id=local_id(service.get("id")) if action != "add" else None, characteristics=chars,
            extra=extra)

    def perform_create(self, data, actor: Actor):
        data, extra = self.serializer_class.split_passthrough(dict(data))
        parties, customer_ref = _parties(data)
        so = service_order_issue(
            actor=actor, items=[self._item_input(i) for i in self.serializer_class.items_of(data)], origin="api",
            customer_ref=customer_ref, related_party=parties, external_id=data.get("externalId", ""),
            priority=int(data["priority"]) if data.get("priority") else 2, description=data.get("description", ""),
            category=data.get("category", ""), requested_start_date=data.get("requestedStartDate"),
            requested_completion_date=data.get("requestedCompletionDate"), notes=_notes(data.get("note")),
            request_extra=extra)
        return self.get_queryset().get(pk=so.pk)

    def perform_update(self, so, data, actor: Actor):
        names = {"description": "description", "category": "category", "externalId": "external_id",
                 "requestedStartDate": "requested_start_date", "requestedCompletionDate": "requested_completion_date"}
        arguments = {ours: data[theirs] for theirs, ours in names.items() if theirs in data}
        if data.get("priority"):
            arguments["priority"] = int(data["priority"])
        service_order_update(service_order_id=so.pk, actor=actor, notes=_notes(data.get("note"), len(so.notes)),
                             **{k: v if v is not None else UNSET for k, v in arguments.items()})
        return self.get_queryset().get(pk=so.pk)

    def perform_destroy(self, so, actor: Actor):
        outcome = service_order_cancel(service_order_id=so.pk, reason="cancelled through the API (DELETE)",
                                       actor=actor)
        if outcome == "refused":
            raise ApplicationError(f"Service order {so.order_number} has activated a service: it can no longer be "
                                   "cancelled; order its removal instead.", extra={"state": so.state})


class ServiceOrderV3ViewSet(ServiceOrderViewSet):
    """TMF641 v3 serviceOrder (the resource model the official CTKs test): ``orderItem``, v3 states."""

    serializer_class = ServiceOrderV3Serializer
    version = 3
    error_names = {**ServiceOrderViewSet.error_names, "items": "orderItem"}


# --- TMF638 ---------------------------------------------------------------------------------------------------

INVENTORY_WRITERS = (Role.ADMIN, Role.MIGRATION)


def _may_write_inventory(user) -> bool:
    return bool(user and user.is_authenticated and (
        user.is_superuser or user.groups.filter(name__in=INVENTORY_WRITERS).exists()))


class ServiceInventoryPermission(RolePermission):
    """Reads: staff with view_service, or a self-service user (their own services: the queryset is scoped).
    Writes: administrators and the data migration role only, and only with the model permission
    (add/change/delete_service) their role grants."""

    def has_permission(self, request, view):
        user = request.user
        if request.method in SAFE_METHODS:
            return bool(user and user.is_authenticated and (
                user.has_perm("service_activation.view_service") or self_service_customer_id(user) is not None))
        return _may_write_inventory(user) and super().has_permission(request, view)


class ServiceViewSet(TmfViewSet):
    """TMF638 v4 service."""

    serializer_class = ServiceSerializer
    permission_classes = [ServiceInventoryPermission]
    read_only_on_create = {"isServiceEnabled", "hasStarted", "serviceDate"}
    read_only_on_update = read_only_on_create | {"serviceSpecification", "relatedParty"}
    db_filters = {"id": "pk", "name": "name", "state": "state", "startDate": "start_date", "endDate": "end_date",
                  "serviceSpecification.id": "specification_id", "serviceSpecification.name": "specification__name",
                  "relatedParty.id": "customer_id", "relatedEntity.id": "product_id", "place.id": "place_id"}
    error_names = {"characteristics": "serviceCharacteristic", "start_date": "startDate", "end_date": "endDate",
                   "specification": "serviceSpecification", "customer": "relatedParty"}

    def get_queryset(self):
        return selectors.service_queryset(self.request.user)

    @staticmethod
    def _characteristics(data) -> dict | None:
        if "serviceCharacteristic" not in data:
            return None
        return {c["name"]: c.get("value") for c in data["serviceCharacteristic"] or []
                if isinstance(c, dict) and c.get("name")}

    def perform_create(self, data, actor: Actor):
        data, extra = self.serializer_class.split_passthrough(dict(data))
        parties, customer_ref = _parties(data)
        if parties:
            extra["relatedParty"] = parties
        service = service_inventory_create(
            actor=actor, state=data["state"], specification_ref=kept_reference(data["serviceSpecification"])
            if isinstance(data.get("serviceSpecification"), dict) else {}, name=data.get("name", ""),
            characteristics=self._characteristics(data), customer_ref=customer_ref,
            start_date=data.get("startDate"), end_date=data.get("endDate"), tmf_extra=extra)
        return self.get_queryset().get(pk=service.pk)

    def perform_update(self, service, data, actor: Actor):
        data, extra = self.serializer_class.split_passthrough(dict(data))
        chars = self._characteristics(data)
        service_inventory_update(
            service_id=service.pk, actor=actor, name=data.get("name", UNSET),
            characteristics=UNSET if chars is None else chars, start_date=data.get("startDate", UNSET),
            end_date=data.get("endDate", UNSET), state=data.get("state", UNSET), tmf_extra=extra or None)
        return self.get_queryset().get(pk=service.pk)

    def perform_destroy(self, service, actor: Actor):
        service_inventory_terminate(service_id=service.pk, actor=actor)


# --- TMF641 v4 cancelServiceOrder -----------------------------------------------------------------------------

class CancelServiceOrderViewSet(TmfViewSet):
    """TMF641 v4 cancelServiceOrder: POST (a request, answered 201 in the state it reached), list, retrieve. The
    request needs the right to change a service order, like DELETE. v3 has no such resource."""

    serializer_class = CancelServiceOrderSerializer
    http_method_names = ["get", "post", "head", "options"]
    read_only_on_create = {"state", "effectiveCancellationDate", "outcome"}
    db_filters = {"id": "pk", "state": "state", "serviceOrder.id": ("service_order_id", "service_order_ref__id"),
                  "cancellationReason": "cancellation_reason",
                  "requestedCancellationDate": "requested_cancellation_date",
                  "effectiveCancellationDate": "effective_cancellation_date"}
    error_names = {"reason": "cancellationReason"}
    action_permissions = {"create": ["service_activation.view_serviceorder",
                                     "service_activation.change_serviceorder"]}

    def check_permissions(self, request):
        if request.method.lower() not in self.http_method_names:  # a task resource: no PATCH / DELETE, for anyone
            raise MethodNotAllowed(request.method)
        super().check_permissions(request)

    def get_queryset(self):
        return visible_to(CancelServiceOrder.objects.select_related("service_order"), self.request.user)

    def perform_create(self, data, actor: Actor):
        data, extra = self.serializer_class.split_passthrough(dict(data))
        req = cancel_service_order_request(
            actor=actor, service_order_ref=data["serviceOrder"], reason=data.get("cancellationReason", ""),
            requested_date=data.get("requestedCancellationDate"), tmf_extra=extra)
        return self.get_queryset().get(pk=req.pk)
