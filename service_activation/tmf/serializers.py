"""TMF641 Service Ordering (v4 and v3, one representation with the version's names) and TMF638 Service
Inventory v4 serializers."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from bss.tmf.renderers import tmf_datetime
from bss.tmf.serializers import TmfResourceSerializer, absolute_url
from bss.tmf.spec import TmfSpec
from service_activation.states import tmf641_state

TMF641_V4 = "TMF641-ServiceOrdering-v4.0.0.swagger.json"
TMF641_V3 = "TMF641-ServiceOrdering-v3.0.0.swagger.json"
TMF638 = "TMF638-ServiceInventory-v4.0.0.swagger.json"


def _href(url_name: str, pk, request) -> str | None:
    try:
        return absolute_url(reverse(url_name, kwargs={"pk": pk}), request)
    except Exception:
        return None


def _spec_ref(spec, fallback: dict, request) -> dict | None:
    if spec is None:
        return fallback or None
    return {"id": str(spec.pk), "name": spec.name, "@referredType": "ServiceSpecification"}


def _chars(values: dict) -> list[dict]:
    return [{"name": k, "value": v} for k, v in (values or {}).items()]


class ServiceOrderSerializer(TmfResourceSerializer):
    """TMF641 v4 ServiceOrder. Extensions: ``orderNumber``, ``customerOrder`` (the customer order it realizes)."""

    tmf_type = "ServiceOrder"
    tmf_spec = TmfSpec(TMF641_V4, "ServiceOrder")
    url_name = "tmf641:serviceorder-detail"
    version = 4
    items_name = "serviceOrderItem"
    relationship_name = "serviceOrderItemRelationship"

    serviceOrderItem = serializers.ListField(child=serializers.JSONField(), allow_empty=False)
    relatedParty = serializers.ListField(child=serializers.JSONField(), required=False)
    note = serializers.ListField(child=serializers.JSONField(), required=False)
    externalId = serializers.CharField(required=False, allow_blank=True, max_length=100)
    priority = serializers.CharField(required=False, allow_blank=True, max_length=2)
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)
    category = serializers.CharField(required=False, allow_blank=True, max_length=60)
    requestedStartDate = serializers.DateTimeField(required=False)
    requestedCompletionDate = serializers.DateTimeField(required=False)
    orderNumber = serializers.CharField(read_only=True)
    customerOrder = serializers.JSONField(read_only=True)

    def _item(self, item, request) -> dict:
        service = {}
        if item.service_id:
            service = {"id": str(item.service_id), "href": _href("tmf638:service-detail", item.service_id, request),
                       "name": item.service.name, "state": item.service.state, "@referredType": "Service"}
        elif item.item_extra.get("service"):
            service = dict(item.item_extra["service"])
        spec = _spec_ref(item.specification, item.specification_ref, request)
        if spec:
            service["serviceSpecification"] = spec
        if item.characteristics:
            service["serviceCharacteristic"] = _chars(item.characteristics)
        service = {k: v for k, v in service.items() if v is not None}
        row = {"id": item.item_id, "action": item.action, "state": item.state, "service": service}
        return row

    def represent(self, so) -> dict:
        request = self.context.get("request")
        items = [self._item(i, request) for i in so.items.all()]
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
            "note": so.notes or None,
            self.items_name: items,
            "customerOrder": ({"id": str(so.customer_order_id), "orderNumber": so.customer_order_ref,
                               "@referredType": "ProductOrder"} if so.customer_order_id else None),
        }


class ServiceOrderV3Serializer(ServiceOrderSerializer):
    """TMF641 v3: ``orderItem``, no cancellation states, no closed (service_activation.states)."""

    tmf_spec = TmfSpec(TMF641_V3, "ServiceOrder")
    url_name = "tmf641v3:serviceorder-detail"
    version = 3
    items_name = "orderItem"

    serviceOrderItem = None
    orderItem = serializers.ListField(child=serializers.JSONField(), allow_empty=False)


class ServiceSerializer(TmfResourceSerializer):
    tmf_type = "Service"
    tmf_spec = TmfSpec(TMF638, "Service")
    url_name = "tmf638:service-detail"

    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    state = serializers.CharField(required=False)
    serviceSpecification = serializers.JSONField(required=False)
    serviceCharacteristic = serializers.ListField(child=serializers.JSONField(), required=False)
    relatedParty = serializers.ListField(child=serializers.JSONField(), required=False)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data.pop("@type", None)  # TMF638 v4's Service defines no @type (nor @baseType / @schemaLocation)
        return data

    def represent(self, s) -> dict:
        request = self.context.get("request")
        related = []
        if s.customer_id:
            related.append({"id": str(s.customer_id), "name": s.customer.name, "role": "customer",
                            "@referredType": "Customer"})
        entities = []
        if s.product_id:
            entities.append({"id": str(s.product_id), "role": "realizes", "@referredType": "Product",
                             **({"href": h} if (h := _href("tmf637:product-detail", s.product_id, request)) else {})})
        return {
            "name": s.name,
            "state": s.state,
            "category": "CFS",
            "serviceType": s.specification.code if s.specification_id else None,
            "isServiceEnabled": s.state == "active",
            "hasStarted": s.start_date is not None,
            "startDate": tmf_datetime(s.start_date),
            "endDate": tmf_datetime(s.end_date),
            "serviceSpecification": _spec_ref(s.specification, {}, request),
            "serviceCharacteristic": _chars(s.characteristics) or None,
            "relatedParty": related or None,
            "relatedEntity": entities or None,
            "place": [{"id": str(s.place_id), "role": "installationAddress", "@referredType": "GeographicAddress"}]
            if s.place_id else None,
        }
