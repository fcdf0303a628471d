"""TMF641 Service Ordering (v4 and v3, one representation with the version's names) and TMF638 Service
Inventory v4 serializers.

The two TMF641 versions differ in names and shapes, not in what is stored: v4 lists ``serviceOrderItem`` and
shows every internal state but ``closed``; v3 lists ``orderItem`` and shows the states of
service_activation.states (no cancellation states). Each version's representation keeps only what its spec
defines for nested objects (a v3 note has no ``id``, a v3 service has no ``@referredType``, a v3 specification
reference always has an ``href``). Extensions (TMF630): ``orderNumber``, ``customerOrder`` (the customer order it
realizes) and ``rejectionReason`` (why an order was rejected: unknown service specifications, ...).

An item's ``appointment`` (AppointmentRef, v4 and v3) is the visit booked for one of its manual work orders
(service_activation.services.appointments), read-only: the one still to come first (its work order not done),
earliest window first; once every visited work order is done, the earliest visit. The spec gives an item one
appointment; the others are listed by ``/api/v1/appointments/?work_order=``. Lists read it from an annotation of
the items (``with_booked_appointment``: no query per row); any other render (events) asks once per order.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.urls import reverse
from rest_framework import serializers

from bss.tmf.renderers import tmf_datetime
from bss.tmf.serializers import TmfResourceSerializer, absolute_url
from bss.tmf.spec import TmfSpec, load_spec
from service_activation.states import tmf641_state

TMF641_V4 = "TMF641-ServiceOrdering-v4.0.0.swagger.json"
TMF641_V3 = "TMF641-ServiceOrdering-v3.0.0.swagger.json"
TMF638 = "TMF638-ServiceInventory-v4.0.0.swagger.json"
PRIORITIES = ("0", "1", "2", "3", "4")


def _href(url_name: str, pk, request) -> str | None:
    try:
        return absolute_url(reverse(url_name, kwargs={"pk": pk}), request)
    except Exception:
        return None


def _spec_ref(spec, fallback: dict, request, *, version: int = 4) -> dict | None:
    """The item's or service's ServiceSpecificationRef: ours (id, name, and the href the client sent, if any), or
    the reference kept as sent. v3's reference needs an ``href``: a specification we hold that was never sent with
    one is named by its URN (there is no service catalog API to link to)."""
    if spec is None:
        return dict(fallback) if fallback else None
    ref = {"id": str(spec.pk), "name": spec.name, "@referredType": "ServiceSpecification"}
    if (fallback or {}).get("href"):
        ref["href"] = fallback["href"]
    elif version == 3:
        ref["href"] = f"urn:bss:serviceSpecification:{spec.pk}"
    if (fallback or {}).get("version"):
        ref["version"] = fallback["version"]
    return ref


def _booked_appointments():
    """Booked appointments in the order an item shows them: those whose work order still needs the visit first,
    then by window (a cancelled or rolled-back work order's booking is not the item's appointment)."""
    from service_activation.models import Appointment, WorkOrder

    return (Appointment.objects.filter(status=Appointment.Status.BOOKED)
            .exclude(work_order__status__in=[WorkOrder.Status.CANCELLED, WorkOrder.Status.ROLLED_BACK])
            .order_by(Case(When(work_order__status=WorkOrder.Status.DONE, then=Value(1)), default=Value(0),
                           output_field=IntegerField()), "window_start", "pk"))


APPOINTMENT_FIELDS = {"booked_appointment_id": "pk", "booked_appointment_start": "window_start",
                      "booked_appointment_end": "window_end"}


def with_booked_appointment(items):
    """Service order items annotated with their booked appointment (id and window): part of the items' own query."""
    booked = _booked_appointments().filter(work_order__item=OuterRef("pk"))
    return items.annotate(**{name: Subquery(booked.values(field)[:1]) for name, field in APPOINTMENT_FIELDS.items()})


def _appointments_of(so, items) -> dict:
    """item pk -> (appointment id, window start, window end): from the annotation, else one query for the order."""
    if not items:
        return {}
    if hasattr(items[0], "booked_appointment_id"):
        return {i.pk: (i.booked_appointment_id, i.booked_appointment_start, i.booked_appointment_end)
                for i in items if i.booked_appointment_id}
    out = {}
    for item_id, pk, start, end in _booked_appointments().filter(work_order__item__service_order_id=so.pk).values_list(
            "work_order__item_id", "pk", "window_start", "window_end"):
        out.setdefault(item_id, (pk, start, end))
    return out


def _appointment_ref(booked: tuple, request) -> dict:
    """TMF641 AppointmentRef (v3 needs ``href``): the native appointment resource it stands for."""
    pk, start, end = booked
    when = None
    if start and end:
        start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
        when = f"Visit {start:%Y-%m-%d %H:%M}\u2013{end:%H:%M} UTC"
    return {"id": str(pk), "href": _href("api:appointment-detail", pk, request), "description": when,
            "@referredType": "Appointment"}


def _chars(values: dict) -> list[dict]:
    return [{"name": k, "value": v} for k, v in (values or {}).items()]


def _only(file: str, definition: str, obj: dict) -> dict:
    """``obj`` with only the attributes the spec's definition has (the other version's attributes dropped)."""
    props = load_spec(file)["definitions"][definition].get("properties", {})
    return {k: v for k, v in obj.items() if k in props}


class PriorityField(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str) or data.strip() not in PRIORITIES:
            raise serializers.ValidationError("A priority from '0' (highest) to '4' (lowest).")
        return data.strip()


class ServiceOrderSerializer(TmfResourceSerializer):
    """TMF641 v4 ServiceOrder."""

    tmf_type = "ServiceOrder"
    tmf_spec = TmfSpec(TMF641_V4, "ServiceOrder")
    url_name = "tmf641:serviceorder-detail"
    version = 4
    items_name = "serviceOrderItem"
    item_definition = "ServiceOrderItem"
    service_definition = "ServiceRefOrValue"

    serviceOrderItem = serializers.ListField(child=serializers.JSONField(), allow_empty=False)
    relatedParty = serializers.ListField(child=serializers.JSONField(), required=False)
    note = serializers.ListField(child=serializers.JSONField(), required=False)
    externalId = serializers.CharField(required=False, allow_blank=True, max_length=100)
    priority = PriorityField(required=False, allow_blank=True, max_length=2)
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)
    category = serializers.CharField(required=False, allow_blank=True, max_length=60)
    requestedStartDate = serializers.DateTimeField(required=False)
    requestedCompletionDate = serializers.DateTimeField(required=False)
    orderNumber = serializers.CharField(read_only=True)
    customerOrder = serializers.JSONField(read_only=True)
    rejectionReason = serializers.JSONField(read_only=True)

    @classmethod
    def items_of(cls, data: dict) -> list:
        return data.get(cls.items_name) or []

    def _item(self, item, request, appointment: tuple | None = None) -> dict:
        service = {}
        if item.service_id:
            service = {"id": str(item.service_id), "href": _href("tmf638:service-detail", item.service_id, request),
                       "name": item.service.name, "state": item.service.state, "@referredType": "Service"}
        elif item.item_extra.get("service"):
            service = dict(item.item_extra["service"])
        spec = _spec_ref(item.specification, item.specification_ref, request, version=self.version)
        if spec:
            service["serviceSpecification"] = spec
        if item.characteristics:
            service["serviceCharacteristic"] = _chars(item.characteristics)
        service = _only(self.tmf_spec.file, self.service_definition,
                        {k: v for k, v in service.items() if v is not None})
        row = {"id": item.item_id, "action": item.action, "state": item.state, "service": service}
        if appointment:
            row["appointment"] = {k: v for k, v in _appointment_ref(appointment, request).items() if v is not None}
        return row

    def _notes(self, so) -> list[dict] | None:
        notes = [_only(self.tmf_spec.file, "Note", n) for n in so.notes or [] if isinstance(n, dict)]
        return notes or None

    def represent(self, so) -> dict:
        request = self.context.get("request")
        rows = list(so.items.all())
        booked = _appointments_of(so, rows)
        items = [self._item(i, request, booked.get(i.pk)) for i in rows]
        return {
            "orderNumber": so.order_number,
            "externalId": so.external_id or None,
            "priority": str(so.priority),
            "description": so.description or None,
            "category": so.category or so.get_origin_display(),
            "state": tmf641_state(so.state, closed_from=so.closed_from, version=self.version),
            "orderDate": tmf_datetime(so.order_date),
            "startDate": tmf_datetime(so.start_date),
            "requestedStartDate": tmf_datetime(so.requested_start_date),
            "requestedCompletionDate": tmf_datetime(so.requested_completion_date),
            "expectedCompletionDate": tmf_datetime(so.expected_completion_date or so.requested_completion_date),
            "completionDate": tmf_datetime(so.completion_date),
            **({"cancellationReason": so.cancellation_reason or None} if self.version == 4 else {}),
            "relatedParty": (so.related_party or None) if so.related_party or not so.customer_id else [
                {"id": str(so.customer_id), "name": so.customer.name, "role": "customer",
                 "@referredType": "Customer"}],
            "note": self._notes(so),
            self.items_name: items,
            "customerOrder": ({"id": str(so.customer_order_id), "orderNumber": so.customer_order_ref,
                               "@referredType": "ProductOrder"} if so.customer_order_id else None),
            "rejectionReason": so.rejection_reasons or None,
        }


class ServiceOrderV3Serializer(ServiceOrderSerializer):
    """TMF641 v3: ``orderItem``, no cancellation states, no closed (service_activation.states)."""

    tmf_spec = TmfSpec(TMF641_V3, "ServiceOrder")
    url_name = "tmf641v3:serviceorder-detail"
    version = 3
    items_name = "orderItem"
    item_definition = "ServiceOrderItem"
    service_definition = "ServiceRestriction"

    serviceOrderItem = None
    orderItem = serializers.ListField(child=serializers.JSONField(), allow_empty=False)


class ServiceSerializer(TmfResourceSerializer):
    """TMF638 Service. ``isServiceEnabled`` and ``hasStarted`` follow the state and start date (read-only);
    ``category`` and ``serviceType`` default to CFS and the specification's code."""

    tmf_type = "Service"
    tmf_spec = TmfSpec(TMF638, "Service")
    url_name = "tmf638:service-detail"

    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    state = serializers.CharField(required=False)
    serviceSpecification = serializers.JSONField(required=False)
    serviceCharacteristic = serializers.ListField(child=serializers.JSONField(), required=False)
    relatedParty = serializers.ListField(child=serializers.JSONField(), required=False)
    startDate = serializers.DateTimeField(required=False, allow_null=True)
    endDate = serializers.DateTimeField(required=False, allow_null=True)
    isServiceEnabled = serializers.BooleanField(read_only=True)
    hasStarted = serializers.BooleanField(read_only=True)

    @classmethod
    def extension_names(cls) -> frozenset[str]:
        # TMF630 gives every resource an @type; the TMF638 v4.0.0 Service definition omits it (a defect of that
        # spec file: its Service_Create / Service_Update have no @type either), so it is documented here.
        return super().extension_names() | {"@type"}

    def validate_state(self, value):
        from service_activation.models import Service

        if value not in Service.State.values:
            raise serializers.ValidationError(f"'{value}' is not one of {', '.join(Service.State.values)}.")
        return value

    def represent(self, s) -> dict:
        request = self.context.get("request")
        extra = s.tmf_extra or {}
        related = []
        if s.customer_id:
            related.append({"id": str(s.customer_id), "name": s.customer.name, "role": "customer",
                            "@referredType": "Customer"})
        related += [p for p in extra.get("relatedParty") or [] if isinstance(p, dict)
                    and str(p.get("id")) != str(s.customer_id)]
        entities = []
        if s.product_id:
            entities.append({"id": str(s.product_id), "role": "realizes", "@referredType": "Product",
                             **({"href": h} if (h := _href("tmf637:product-detail", s.product_id, request)) else {})})
        return {
            "name": s.name,
            "state": s.state,
            "category": extra.get("category") or "CFS",
            "serviceType": extra.get("serviceType") or (s.specification.code if s.specification_id else None),
            "isServiceEnabled": s.state == "active",
            "hasStarted": s.start_date is not None,
            "startDate": tmf_datetime(s.start_date),
            "endDate": tmf_datetime(s.end_date),
            "serviceSpecification": _spec_ref(s.specification, {}, request) or extra.get("serviceSpecification"),
            "serviceCharacteristic": _chars(s.characteristics) or None,
            "relatedParty": related or None,
            "relatedEntity": entities or None,
            "place": [{"id": str(s.place_id), "role": "installationAddress", "@referredType": "GeographicAddress"}]
            if s.place_id else None,
        }


class CancelServiceOrderSerializer(TmfResourceSerializer):
    """TMF641 v4 CancelServiceOrder (a task resource: TaskStateType accepted / inProgress / done /
    terminatedWithError). Extension (TMF630): ``outcome``, what happened or why the request was refused."""

    tmf_type = "CancelServiceOrder"
    tmf_spec = TmfSpec(TMF641_V4, "CancelServiceOrder")
    url_name = "tmf641:cancelserviceorder-detail"

    serviceOrder = serializers.JSONField()
    cancellationReason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    requestedCancellationDate = serializers.DateTimeField(required=False)
    outcome = serializers.CharField(read_only=True)

    def validate_serviceOrder(self, value):
        if not isinstance(value, dict) or not value.get("id"):
            raise serializers.ValidationError("A reference to the service order, with its id.")
        return value

    def represent(self, c) -> dict:
        request = self.context.get("request")
        if c.service_order_id:
            so = c.service_order
            order = {"id": str(so.pk), "href": _href("tmf641:serviceorder-detail", so.pk, request),
                     "name": so.order_number, "@referredType": "ServiceOrder"}
        else:
            order = {k: v for k, v in (c.service_order_ref or {}).items()
                     if k in ("id", "href", "name", "@referredType")}
        return {"serviceOrder": order or None, "state": c.state,
                "cancellationReason": c.cancellation_reason or None,
                "requestedCancellationDate": tmf_datetime(c.requested_cancellation_date),
                "effectiveCancellationDate": tmf_datetime(c.effective_cancellation_date),
                "outcome": c.outcome or None}
