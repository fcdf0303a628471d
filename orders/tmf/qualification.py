"""TMF679 Product Offering Qualification: synchronous evaluation of the feasibility rules."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from bss.roles import is_staff_user
from bss.tmf.ids import local_id
from bss.tmf.routers import TmfRouter
from bss.tmf.serializers import RelatedRefSerializer, TmfResourceSerializer, absolute_url
from bss.tmf.views import TmfViewSet
from customers.models import Address, BillingAccount
from customers.scoping import self_service_customer_id, visible_to
from customers.selectors import customer_queryset

from .. import feasibility as fe
from ..models import OfferingQualification
from ..models.catalog import SalesChannel
from ..services.feasibility import ItemInput, qualification_create


class RefSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=64)
    href = serializers.CharField(required=False, allow_blank=True)
    name = serializers.CharField(required=False, allow_blank=True)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return {**{k: v for k, v in data.items() if k.startswith("@")}, **value} if isinstance(data, dict) else value


class PlaceSerializer(serializers.Serializer):
    """RelatedPlaceRefOrValue: a reference to one of our addresses (id) or an address value."""

    role = serializers.CharField(max_length=50)
    id = serializers.CharField(required=False, max_length=64)
    href = serializers.CharField(required=False, allow_blank=True)
    name = serializers.CharField(required=False, allow_blank=True)
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=20)
    areaCode = serializers.CharField(required=False, allow_blank=True, max_length=20)
    city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    streetName = serializers.CharField(required=False, allow_blank=True, max_length=200)
    country = serializers.CharField(required=False, allow_blank=True, max_length=60)

    def validate(self, attrs):
        if not attrs.get("id") and not (attrs.get("postcode") or attrs.get("areaCode")):
            raise serializers.ValidationError("A place needs the id of an address, or a postcode / areaCode.")
        return attrs


class ProductCharacteristicSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    value = serializers.JSONField()


class ProductValueSerializer(serializers.Serializer):
    id = serializers.CharField(required=False, max_length=64, help_text="the customer's product (modify/delete)")
    productCharacteristic = ProductCharacteristicSerializer(many=True, required=False)
    billingAccount = RefSerializer(required=False)


class QualificationItemSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=64)
    action = serializers.ChoiceField(choices=["add", "modify", "delete", "no_change"], required=False, default="add")
    productOffering = RefSerializer()
    product = ProductValueSerializer(required=False)
    quantity = serializers.IntegerField(required=False, min_value=1, default=1)


READ_ONLY = {"state", "qualificationResult", "effectiveQualificationDate", "productOfferingQualificationDate",
             "expectedPOQCompletionDate", "expirationDate"}


class ProductOfferingQualificationSerializer(TmfResourceSerializer):
    tmf_type = "ProductOfferingQualification"
    url_name = "tmf679:productofferingqualification-detail"
    passthrough = ("note", "category", "requestedPOQCompletionDate")

    description = serializers.CharField(required=False, allow_blank=True, max_length=500)
    instantSyncQualification = serializers.BooleanField(required=False, default=True)
    provideAlternative = serializers.BooleanField(required=False, default=True)
    provideOnlyAvailable = serializers.BooleanField(required=False, default=False)
    provideUnavailabilityReason = serializers.BooleanField(required=False, default=True)
    channel = RefSerializer(required=False)
    place = PlaceSerializer(many=True, required=False)
    relatedParty = RelatedRefSerializer(many=True, required=False)
    productOfferingQualificationItem = QualificationItemSerializer(many=True, allow_empty=False)

    def validate_productOfferingQualificationItem(self, items):
        ids = [i["id"] for i in items]
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError("Item ids must be unique.")
        return items

    def represent(self, poq: OfferingQualification) -> dict:
        from bss.tmf.renderers import tmf_datetime

        req = poq.request
        customer_view = not is_staff_user(self.context["request"].user) if self.context.get("request") else False
        only_available = req.get("provideOnlyAvailable", False)
        items = []
        for r in poq.result:
            alternatives = r["alternatives"] if req.get("provideAlternative", True) else []
            outcome = "qualified" if r["feasible"] else ("alternate" if alternatives else "unqualified")
            if only_available and outcome != "qualified":
                continue
            item = {"id": r["itemId"], "action": next((i.get("action", "add") for i in
                                                       req.get("productOfferingQualificationItem", [])
                                                       if str(i.get("id")) == r["itemId"]), "add"),
                    "state": "done", "qualificationItemResult": outcome,
                    "productOffering": self._offering_ref(r["offering"], r["offeringName"])}
            if not r["feasible"] and req.get("provideUnavailabilityReason", True):
                item["eligibilityUnavailabilityReason"] = [
                    {"code": x["code"], "label": x["customerMessage"] if customer_view else x["staffMessage"],
                     "@type": "EligibilityUnavailabilityReason"} for x in r["reasons"]]
            if alternatives and not r["feasible"]:
                item["alternateProductOfferingProposal"] = [
                    {"id": f"{r['itemId']}-{n}", "alternateProductOffering": self._offering_ref(a["code"], a["name"])}
                    for n, a in enumerate(alternatives, start=1)]
            items.append(item)
        return {
            "description": req.get("description"),
            "state": poq.state,
            "qualificationResult": poq.qualification_result,
            "instantSyncQualification": True,
            "provideAlternative": req.get("provideAlternative", True),
            "provideOnlyAvailable": only_available,
            "provideUnavailabilityReason": req.get("provideUnavailabilityReason", True),
            "productOfferingQualificationDate": tmf_datetime(poq.created_at),
            "effectiveQualificationDate": tmf_datetime(poq.created_at),
            "channel": req.get("channel") or {"id": poq.channel, "name": poq.channel},
            "place": req.get("place"),
            "relatedParty": req.get("relatedParty"),
            "productOfferingQualificationItem": items,
        }

    def _offering_ref(self, code, name):
        ref = {"id": code, "name": name, "@referredType": "ProductOffering"}
        try:
            ref["href"] = absolute_url(reverse("tmf620:productoffering-detail", kwargs={"pk": code}),
                                       self.context.get("request"))
        except Exception:  # the catalog API may not be mounted
            pass
        return ref


class ProductOfferingQualificationViewSet(TmfViewSet):
    serializer_class = ProductOfferingQualificationSerializer
    http_method_names = ["get", "post", "head", "options"]
    read_only_on_create = READ_ONLY
    db_filters = {"id": "pk", "qualificationResult": "qualification_result", "state": "state",
                  "productOfferingQualificationDate": "created_at"}

    def get_queryset(self):
        return visible_to(OfferingQualification.objects.select_related("customer"), self.request.user)

    def perform_create(self, data, actor):
        user = self.request.user
        own = self_service_customer_id(user)
        customer, prospect = None, {}
        for party in data.get("relatedParty", []):
            kind = (party.get("@referredType") or "").lower()
            if kind == "customer" and local_id(party["id"]) is not None:
                customer = customer_queryset(user).filter(pk=local_id(party["id"])).first()
            elif kind in ("individual", "organization"):
                prospect = {"customer_type": kind, "segment": "residential" if kind == "individual" else "sme"}
        if own is not None and (customer is None or customer.pk != own):
            customer = customer_queryset(user).get(pk=own)  # a customer qualifies for themself only
        channel = SalesChannel.SELF_SERVICE if own is not None else self._channel(data)
        address, place = None, None
        for p in data.get("place", []):
            if p.get("id"):
                address = visible_to(Address.objects.all(), user).filter(pk=local_id(p["id"])).first() \
                    if local_id(p["id"]) is not None else None
                if address is None:
                    from bss.errors import DomainValidationError

                    raise DomainValidationError({"place": f"No address with id {p['id']}."})
            else:
                place = fe.Place(area_code=p.get("areaCode", ""), postcode=p.get("postcode", ""))
        items, account = [], None
        for i in data["productOfferingQualificationItem"]:
            product = i.get("product") or {}
            chars = {c["name"]: c["value"] for c in product.get("productCharacteristic", [])}
            if product.get("billingAccount"):
                account = visible_to(BillingAccount.objects.all(), user).filter(
                    pk=local_id(product["billingAccount"]["id"])).first() \
                    if local_id(product["billingAccount"]["id"]) is not None \
                    else None
            items.append(ItemInput(id=i["id"], offering=i["productOffering"]["id"], action=i.get("action", "add"),
                                   characteristics=chars, quantity=i.get("quantity", 1),
                                   product_id=local_id(product.get("id"))))
        body = {k: v for k, v in self.request.data.items()}
        poq, _ = qualification_create(actor=actor, request_body=body, customer=customer, items=items,
                                      channel=channel, address=address, place=place, billing_account=account,
                                      prospect=prospect)
        return poq

    def _channel(self, data) -> str:
        ch = data.get("channel") or {}
        for value in (ch.get("id"), ch.get("name")):
            if value in SalesChannel.values:
                return value
        return SalesChannel.API


tmf679 = TmfRouter("productOfferingQualification")
tmf679.register("productOfferingQualification", ProductOfferingQualificationViewSet,
                basename="productofferingqualification")
