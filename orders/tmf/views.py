"""TMF620 endpoints: thin views over orders.services.catalog on the shared toolkit.

Reads are open to every role that may view the catalog; writes need the catalog
administrator's permissions (role Admin), others get 403. Each POST / PATCH / DELETE parses the
body (the resource serializer's ``arguments``), calls ONE catalog service and renders the result.

References (ARCHITECTURE.md, validation policy): one that names something the catalog holds is
linked; one that names nothing of ours (an offering's productSpecification, category,
bundledProductOffering or productOfferingPrice, a specification's serviceSpecification, a
category's parentId or productOffering, a catalog's category, a price's productOffering) is never
a 400: it is kept as sent and returned in the same attribute, and the request is 201 / 200. The
service resolves them (bss.tmf.references). A reference to something we hold that the rules do
not allow (e.g. a retired category) is still a 400 with the reason, and nothing is stored.

DELETE never removes what may have been sold: an active offering is retired (a draft that
nothing refers to is deleted); specifications, categories and prices in use are retired.
"""

from __future__ import annotations

from bss.actors import Actor
from bss.errors import DomainValidationError
from bss.roles import is_staff_user
from bss.tmf.ids import local_id
from bss.tmf.views import TmfViewSet
from customers.scoping import visible_to
from orders import feasibility as fe
from orders.models import (
    Catalog,
    Category,
    OfferingQualification,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
)
from orders.models.catalog import SalesChannel
from orders.services import catalog as services
from orders.services.feasibility import ANSWERED_UNQUALIFIED, ItemInput, offering_qualification_request
from orders.tmf.serializers import (
    OFFERING_NAMES,
    READ_ONLY,
    CancelProductOrderSerializer,
    CatalogSerializer,
    CategorySerializer,
    ProductOfferingPriceSerializer,
    ProductOfferingQualificationSerializer,
    ProductOfferingSerializer,
    ProductOrderSerializer,
    ProductSpecificationSerializer,
)


class CatalogTmfViewSet(TmfViewSet):
    """The services name fields as the models do; the toolkit answers with the TMF attribute names
    (``error_names`` for the first part of an error key, ``nested_error_names`` for the parts below).
    Writes: the serializer's ``arguments`` for the body, then the one service of the use case."""


# --- productOffering ------------------------------------------------------------------------

class ProductOfferingViewSet(CatalogTmfViewSet):
    serializer_class = ProductOfferingSerializer
    error_names = {**{ours: theirs for theirs, ours in OFFERING_NAMES.items()}, "sales_channels": "channel",
                   "customer_segments": "marketSegment"}
    read_only_on_create = {"lastUpdate", "prodSpecCharValueUse"}
    read_only_on_update = {"lastUpdate", "prodSpecCharValueUse", "code"}
    db_filters = {"id": "pk", "name": "name", "description": "description", "version": "version",
                  "lifecycleStatus": "lifecycle_status", "code": "code", "technology": "technology",
                  "bandwidthMbps": "bandwidth_mbps", "partnerName": "partner_name",
                  "lastUpdate": "updated_at", "validFor.startDateTime": "valid_from",
                  "validFor.endDateTime": "valid_to", "productSpecification.id": "specification_id",
                  "productSpecification.name": "specification__name", "category.id": "categories__id",
                  "category.name": "categories__name", "bundledProductOffering.id": "bundled_offerings__id",
                  "productOfferingPrice.id": "prices__id"}

    def get_queryset(self):
        qs = ProductOffering.objects.select_related("specification").prefetch_related(
            "categories", "prices", "bundled_offerings", "specification__characteristics").distinct()
        if not is_staff_user(self.request.user):  # customers never see unlaunched offerings
            qs = qs.exclude(lifecycle_status=ProductOffering.LifecycleStatus.DRAFT)
        return qs

    def perform_create(self, data, actor: Actor):
        offering = services.offering_create(actor=actor, **ProductOfferingSerializer.arguments(data, create=True))
        return self.get_queryset().get(pk=offering.pk)

    def perform_update(self, offering, data, actor: Actor):
        services.offering_update(offering=offering, actor=actor,
                                 **ProductOfferingSerializer.arguments(data, create=False))
        return self.get_queryset().get(pk=offering.pk)

    def perform_destroy(self, offering, actor: Actor):
        services.offering_delete(offering=offering, actor=actor, reason="TMF620 DELETE")


# --- productSpecification -------------------------------------------------------------------

class ProductSpecificationViewSet(CatalogTmfViewSet):
    serializer_class = ProductSpecificationSerializer
    error_names = {"code": "productNumber", "characteristics": "productSpecCharacteristic",
                   "service_specifications": "serviceSpecification"}
    nested_error_names = {"value_type": "valueType", "mandatory": "minCardinality",
                    "allowed_values": "productSpecCharacteristicValue",
                    "default_value": "productSpecCharacteristicValue.isDefault",
                    "min_value": "productSpecCharacteristicValue.valueFrom",
                    "max_value": "productSpecCharacteristicValue.valueTo"}
    read_only_on_create = {"lastUpdate"}
    read_only_on_update = {"lastUpdate", "productNumber"}
    db_filters = {"id": "pk", "name": "name", "description": "description", "brand": "brand",
                  "version": "version", "lifecycleStatus": "lifecycle_status", "productNumber": "code",
                  "lastUpdate": "updated_at", "serviceSpecification.id": "service_specifications__id",
                  "productSpecCharacteristic.name": "characteristics__name"}

    def get_queryset(self):
        return ProductSpecification.objects.prefetch_related("characteristics", "service_specifications").distinct()

    def perform_create(self, data, actor: Actor):
        spec = services.specification_create(actor=actor,
                                             **ProductSpecificationSerializer.arguments(data, create=True))
        return self.get_queryset().get(pk=spec.pk)

    def perform_update(self, spec, data, actor: Actor):
        services.specification_update(specification=spec, actor=actor,
                                      **ProductSpecificationSerializer.arguments(data, create=False))
        return self.get_queryset().get(pk=spec.pk)

    def perform_destroy(self, spec, actor: Actor):
        services.specification_delete(specification=spec, actor=actor, reason="TMF620 DELETE")


# --- productOfferingPrice -------------------------------------------------------------------

class ProductOfferingPriceViewSet(CatalogTmfViewSet):
    serializer_class = ProductOfferingPriceSerializer
    error_names = {"amount": "price.value", "currency": "price.unit", "price_type": "priceType",
                   "recurring_period": "recurringChargePeriodType", "unit_of_measure": "unitOfMeasure",
                   "tax_category": "tax.taxCategory", "offering": "productOffering", "alterations": "priceAlteration"}
    nested_error_names = {"percentage": "price.percentage", "amount": "price.dutyFreeAmount.value",
                    "duration_periods": "applicationDuration"}
    read_only_on_create = {"lastUpdate"}
    read_only_on_update = {"lastUpdate", "productOffering"}
    db_filters = {"id": "pk", "name": "name", "lifecycleStatus": "lifecycle_status",
                  "recurringChargePeriodType": "recurring_period", "price.unit": "currency", "price.value": "amount",
                  "unitOfMeasure.units": "unit_of_measure", "tax.taxCategory": "tax_category",
                  "lastUpdate": "updated_at", "validFor.startDateTime": "valid_from",
                  "validFor.endDateTime": "valid_to", "productOffering.id": "offering_id",
                  "productOffering.name": "offering__name"}

    def get_queryset(self):
        qs = ProductOfferingPrice.objects.select_related("offering").prefetch_related("alterations")
        if not is_staff_user(self.request.user):
            qs = qs.exclude(offering__lifecycle_status=ProductOffering.LifecycleStatus.DRAFT)
        return qs

    def perform_create(self, data, actor: Actor):
        price = services.price_create(actor=actor, **ProductOfferingPriceSerializer.arguments(data, create=True))
        return self.get_queryset().get(pk=price.pk)

    def perform_update(self, price, data, actor: Actor):
        services.price_update(price=price, actor=actor,
                              **ProductOfferingPriceSerializer.arguments(data, create=False))
        return self.get_queryset().get(pk=price.pk)

    def perform_destroy(self, price, actor: Actor):
        services.price_delete(price=price, actor=actor, reason="TMF620 DELETE")


# --- category and catalog -------------------------------------------------------------------

class CategoryViewSet(CatalogTmfViewSet):
    serializer_class = CategorySerializer
    error_names = {"parent": "parentId", "is_root": "isRoot", "offerings": "productOffering"}
    read_only_on_create = {"lastUpdate", "subCategory"}
    read_only_on_update = {"lastUpdate", "subCategory"}
    db_filters = {"id": "pk", "name": "name", "description": "description", "lifecycleStatus": "lifecycle_status",
                  "parentId": "parent_id", "lastUpdate": "updated_at", "productOffering.id": "offerings__id",
                  "subCategory.id": "children__id"}

    def get_queryset(self):
        return Category.objects.prefetch_related("children", "offerings").distinct()

    def perform_create(self, data, actor: Actor):
        category = services.category_create(actor=actor, **CategorySerializer.arguments(data, create=True))
        return self.get_queryset().get(pk=category.pk)

    def perform_update(self, category, data, actor: Actor):
        services.category_update(category=category, actor=actor, **CategorySerializer.arguments(data, create=False))
        return self.get_queryset().get(pk=category.pk)

    def perform_destroy(self, category, actor: Actor):
        services.category_delete(category=category, actor=actor, reason="TMF620 DELETE")


class CatalogViewSet(CatalogTmfViewSet):
    serializer_class = CatalogSerializer
    error_names = {"catalog_type": "catalogType", "categories": "category"}
    read_only_on_create = {"lastUpdate"}
    read_only_on_update = {"lastUpdate"}
    db_filters = {"id": "pk", "name": "name", "description": "description", "catalogType": "catalog_type",
                  "lifecycleStatus": "lifecycle_status", "lastUpdate": "updated_at",
                  "validFor.startDateTime": "valid_from", "validFor.endDateTime": "valid_to",
                  "category.id": "categories__id", "category.name": "categories__name"}

    def get_queryset(self):
        return Catalog.objects.prefetch_related("categories").distinct()

    def perform_create(self, data, actor: Actor):
        catalog = services.catalog_create(actor=actor, **CatalogSerializer.arguments(data, create=True))
        return self.get_queryset().get(pk=catalog.pk)

    def perform_update(self, catalog, data, actor: Actor):
        services.catalog_update(catalog=catalog, actor=actor, **CatalogSerializer.arguments(data, create=False))
        return self.get_queryset().get(pk=catalog.pk)

    def perform_destroy(self, catalog, actor: Actor):
        services.catalog_delete(catalog=catalog, actor=actor, reason="TMF620 DELETE")


class ProductOfferingQualificationViewSet(TmfViewSet):
    serializer_class = ProductOfferingQualificationSerializer
    http_method_names = ["get", "post", "head", "options"]
    read_only_on_create = READ_ONLY
    db_filters = {"id": "pk", "qualificationResult": "qualification_result", "state": "state",
                  "productOfferingQualificationDate": "created_at"}

    def get_queryset(self):
        return visible_to(OfferingQualification.objects.select_related("customer"), self.request.user)

    def perform_create(self, data, actor):
        # Parse the TMF shape into the use case's inputs; resolving the references (within what the
        # caller may see) is the service's: one that names nothing of ours is kept as sent.
        customer_ref, prospect = None, None
        for party in data.get("relatedParty", []):
            kind = (party.get("@referredType") or "").lower()
            if kind == "customer":
                customer_ref = party["id"]
            elif kind in ("individual", "organization"):
                prospect = {"customer_type": kind, "segment": "residential" if kind == "individual" else "sme"}
        place_ref, place = None, None
        for p in data.get("place", []):
            if p.get("id"):
                place_ref = p["id"]
            else:
                place = fe.Place(area_code=p.get("areaCode", ""), postcode=p.get("postcode", ""))
        items, account_ref = [], None
        for i in data["productOfferingQualificationItem"]:
            product = i.get("product") or {}
            chars = {c["name"]: c["value"] for c in product.get("productCharacteristic", [])}
            if product.get("billingAccount"):
                account_ref = product["billingAccount"]["id"]
            items.append(ItemInput(id=i["id"], offering=i["productOffering"]["id"], action=i.get("action", "add"),
                                   characteristics=chars, quantity=i.get("quantity", 1),
                                   product_id=local_id(product.get("id"))))
        poq, _ = offering_qualification_request(
            actor=actor, request_body=dict(self.request.data), items=items, customer_ref=customer_ref,
            prospect=prospect, place_ref=place_ref, place=place, account_ref=account_ref,
            channel=self._channel(data), answer_unqualified=ANSWERED_UNQUALIFIED)
        return poq

    def _channel(self, data) -> str | None:
        ch = data.get("channel") or {}
        return next((v for v in (ch.get("id"), ch.get("name")) if v in SalesChannel.values), None)


# --- TMF622 Product Ordering ------------------------------------------------------------------------------

def _order_item_inputs(items: list) -> list:
    from orders.services.ordering import OrderItemInput

    out = []
    for i in items:
        if not isinstance(i, dict):
            continue
        product = i.get("product") or {}
        offering = i.get("productOffering") or {}
        places = product.get("place") or []
        chars = {c.get("name"): c.get("value") for c in product.get("productCharacteristic") or []
                 if isinstance(c, dict) and c.get("name")}
        deps = [r.get("id") for r in i.get("productOrderItemRelationship") or []
                if isinstance(r, dict) and r.get("relationshipType") in ("dependsOn", "reliesOn", "dependency")]
        quantity = i.get("quantity", 1)
        out.append(OrderItemInput(
            item_id=str(i.get("id", "")), action=i.get("action", "add"), offering=offering.get("id"),
            offering_ref=offering, quantity=quantity, characteristics=chars,
            place=next((str(p["id"]) for p in places if isinstance(p, dict) and p.get("id")), None),
            product=str(product["id"]) if product.get("id") else None, depends_on=[str(d) for d in deps if d],
            extra={k: v for k, v in i.items() if k in ("appointment", "itemTerm", "payment", "qualification",
                                                         "quoteItem", "productOfferingQualificationItem")}))
    return out


class ProductOrderViewSet(TmfViewSet):
    """TMF622 productOrder over orders.services.ordering. POST: a malformed body is 400 (nothing stored); a
    well-formed order whose references we cannot resolve is stored and ``rejected`` with the reasons (201). A
    valid order answers ``acknowledged`` and moves on asynchronously. PATCH changes what may change before the
    point of no return (notes, description, dates, priority). DELETE is a cancellation, accepted only while
    the order has not started; the order stays readable."""

    serializer_class = ProductOrderSerializer
    read_only_on_create = {"state", "orderDate", "completionDate", "expectedCompletionDate", "cancellationDate",
                           "orderTotalPrice"}
    read_only_on_update = read_only_on_create | {"relatedParty", "billingAccount", "channel", "externalId"}
    db_filters = {"id": "pk", "orderNumber": "order_number", "externalId": "external_id", "priority": "priority",
                  "category": "category", "orderDate": "order_date", "completionDate": "completion_date",
                  "requestedCompletionDate": "requested_completion_date", "relatedParty.id": "customer_id",
                  "billingAccount.id": "billing_account_id", "channel.id": "channel"}
    ordering = ("-order_date", "-pk")
    error_names = {"items": "productOrderItem", "customer": "relatedParty", "reason": "cancellationReason",
                   "add": "productOrderItem", "remove": "productOrderItem"}

    def get_queryset(self):
        from orders.models import CustomerOrder

        qs = CustomerOrder.objects.select_related("customer", "billing_account", "milestone").prefetch_related(
            "items__offering", "items__prices", "items__depends_on", "notes")
        return visible_to(qs, self.request.user)

    custom_filters = {"state": "filter_state", "productOrderItem.productOffering.id": "filter_offering"}

    def filter_offering(self, qs, value):
        """Orders with an item for this offering (by id or code): an EXISTS, so the list needs no DISTINCT."""
        from django.db.models import Exists, OuterRef, Q

        from orders.models import OrderItem

        match = Q(offering__code=value) | (Q(offering_id=int(value)) if value.isdigit() else Q(pk__in=[]))
        return qs.filter(Exists(OrderItem.objects.filter(match, order=OuterRef("pk"))))

    def filter_state(self, qs, value):
        """``state`` is the TMF622 state: the internal states it shows (orders.ordering_states)."""
        from django.db.models import Q

        from orders.ordering_states import internal_states

        states = internal_states(value)
        return qs.filter(Q(state__in=states) | Q(state="closed", closed_from__in=states)) if states else qs.none()

    def perform_create(self, data, actor):
        from orders.services.ordering import customer_order_create

        body = dict(self.request.data)
        data, extra = self.serializer_class.split_passthrough(dict(data))
        customer_ref, parties = None, data.get("relatedParty") or []
        for p in parties:
            if isinstance(p, dict) and (p.get("@referredType") or "").lower() == "customer" or \
                    (isinstance(p, dict) and p.get("role") == "customer"):
                customer_ref = p.get("id")
                break
        if customer_ref is None:  # an Individual / Organization we hold as a customer's party
            customer_ref = next((p.get("id") for p in parties if isinstance(p, dict)), None)
        channel = next((c.get("id") for c in data.get("channel") or [] if isinstance(c, dict)), None)
        from orders.models import CustomerOrder

        if channel not in CustomerOrder.Channel.values:
            channel = None
        poq = next((p.get("id") for p in data.get("productOfferingQualification") or [] if isinstance(p, dict)), None)
        order, _ = customer_order_create(
            actor=actor, items=_order_item_inputs(data["productOrderItem"]), customer_ref=customer_ref,
            account_ref=(data.get("billingAccount") or {}).get("id"), channel=channel,
            external_id=data.get("externalId", ""), priority=int(data["priority"]) if data.get("priority") else None,
            description=data.get("description", ""), category=data.get("category", ""), related_party=parties,
            requested_start_date=data.get("requestedStartDate"),
            requested_completion_date=data.get("requestedCompletionDate"), qualification_ref=poq,
            notes=[n.get("text", "") for n in data.get("note") or [] if isinstance(n, dict) and n.get("text")],
            request_body=body, tmf_extra=extra)
        return order

    def perform_update(self, obj, data, actor):
        """A merge patch. ``productOrderItem`` (the array replaces the order's items, RFC 7386): an item whose id
        the order has is modified (quantity, product.productCharacteristic, product.place: the attributes the item
        sends), a new id is added, an open item left out is removed; through orders.services.order_modify
        (validation, feasibility and credit again; 409 after the point of no return, 422 when the modified order
        is invalid, infeasible or declined). The other attributes go through customer_order_update; both in one
        transaction with one event."""
        from bss.events import one_event

        data, extra = self.serializer_class.split_passthrough(dict(data))
        with one_event():
            if "productOrderItem" in data:
                self._modify_items(obj, data["productOrderItem"], actor)
            header = {k: v for k, v in data.items() if k not in ("productOrderItem",)}
            if header or extra:
                obj = self._update_header(obj, header, extra, actor)
        obj.refresh_from_db()
        return obj

    def _modify_items(self, obj, items: list, actor):
        from orders.services.order_modify import OrderItemChange, customer_order_modify

        existing = {i.item_id: i for i in obj.items.all()}
        sent = [i for i in items if isinstance(i, dict)]
        ids = [str(i.get("id", "")) for i in sent]
        if len(set(ids)) != len(ids):
            raise DomainValidationError({"productOrderItem": "Item ids must be unique within the order."})
        inputs = {x.item_id: (x, raw) for x, raw in zip(_order_item_inputs(sent), sent, strict=True)}
        changes, add = [], []
        for item_id, (x, raw) in inputs.items():
            item = existing.get(item_id)
            if item is None:
                add.append(x)
                continue
            product = raw.get("product") if isinstance(raw.get("product"), dict) else {}
            change = OrderItemChange(item_id=item_id)
            if "quantity" in raw and x.quantity != item.quantity:
                change.quantity = x.quantity
            if "productCharacteristic" in product:
                wanted = dict(x.characteristics)
                delta = {k: v for k, v in wanted.items() if item.characteristics.get(k) != v}
                delta.update({k: None for k in item.characteristics if k not in wanted})
                change.characteristics = delta or None
            if "place" in product and (x.place or "") != (str(item.place_id) if item.place_id else ""):
                change.place = x.place or ""
            if (change.quantity, change.characteristics, change.place) != (None, None, None):
                changes.append(change)
        closed = ("cancelled", "rejected", "completed", "failed")
        remove = [k for k, i in existing.items() if k not in inputs and i.state not in closed]
        if changes or add or remove:
            customer_order_modify(order_id=obj.pk, actor=actor, changes=changes, add=add, remove=remove,
                                  reason="modified through TMF622 PATCH")

    def _update_header(self, obj, data, extra, actor):
        from orders.services.ordering import customer_order_update

        return customer_order_update(
            order_id=obj.pk, actor=actor, **{k: v for k, v in {
                "description": data.get("description"), "category": data.get("category"),
                "priority": int(data["priority"]) if data.get("priority") else None,
                "requested_start_date": data.get("requestedStartDate"),
                "requested_completion_date": data.get("requestedCompletionDate"),
                "notes": [n.get("text", "") for n in data.get("note") or [] if isinstance(n, dict)] or None,
            }.items() if v is not None}, tmf_extra=extra or None)

    def perform_destroy(self, obj, actor):
        from orders.services.ordering import customer_order_delete

        customer_order_delete(order_id=obj.pk, actor=actor)


class CancelProductOrderViewSet(TmfViewSet):
    serializer_class = CancelProductOrderSerializer
    http_method_names = ["get", "post", "head", "options"]
    read_only_on_create = {"state", "effectiveCancellationDate"}
    db_filters = {"id": "pk", "state": "state", "productOrder.id": "order_id"}

    def get_queryset(self):
        from orders.models import CancelProductOrder

        return visible_to(CancelProductOrder.objects.select_related("order"), self.request.user)

    def perform_create(self, data, actor):
        from orders.services.ordering import cancel_product_order_request

        data, extra = self.serializer_class.split_passthrough(dict(data))
        return cancel_product_order_request(
            actor=actor, order_ref=data["productOrder"] if isinstance(data["productOrder"], dict) else {},
            reason=data.get("cancellationReason", ""), requested_date=data.get("requestedCancellationDate"),
            tmf_extra=extra)

