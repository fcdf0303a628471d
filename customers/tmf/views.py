"""TMF629, TMF632 and TMF637 endpoints: thin views over customers.services on the shared toolkit."""

from __future__ import annotations

import re

from bss.tmf.views import TmfViewSet

from .. import selectors, services
from ..models import Customer, Party
from ..services import product as product_services
from .serializers import (
    ADDRESS_KEYS,
    MEDIUM_TYPES,
    CustomerSerializer,
    IndividualSerializer,
    OrganizationSerializer,
    ProductSerializer,
    product_characteristics,
    split_contact_media,
)

MEDIUM_ERROR = re.compile(r"(?:contact\.)?media(?:\[(\d+)\](?:\.(\w+))?)?")
ADDRESS_NAMES = {ours: theirs for theirs, ours in ADDRESS_KEYS.items()}


def _customer_fields(data: dict) -> dict:
    out = {}
    if "name" in data:
        out["name"] = data["name"]
    if "statusReason" in data:
        out["status_reason"] = data["statusReason"]
    if "validFor" in data:  # merge patch: only the members sent change (null removes one)
        for theirs, ours in (("startDateTime", "valid_from"), ("endDateTime", "valid_to")):
            if theirs in data["validFor"]:
                out[ours] = data["validFor"][theirs]
    if "characteristic" in data:
        out["characteristics"] = [dict(c) for c in data["characteristic"]]
    if "relatedParty" in data:
        out["related_party_refs"] = [dict(r) for r in data["relatedParty"]]
    return out


class CustomerViewSet(TmfViewSet):
    serializer_class = CustomerSerializer
    db_filters = {"id": "pk", "name": "name", "status": "status", "statusReason": "status_reason",
                  "validFor.startDateTime": "valid_from", "validFor.endDateTime": "valid_to",
                  # a party we hold, or a reference to one we do not
                  "engagedParty.id": ("party_id", "engaged_party_ref__id")}

    error_names = {"characteristics": "characteristic", "related_party_refs": "relatedParty",
                   "party": "engagedParty", "engaged_party_ref": "engagedParty"}

    def get_queryset(self):
        return selectors.customer_queryset(self.request.user)

    def tmf_error_key(self, key: str) -> str:
        """The contact-media service names media[i].value and address fields; the client sent
        contactMedium[j].characteristic.emailAddress (postal items are not among the media)."""
        items = self.request.data.get("contactMedium") if isinstance(self.request.data, dict) else None
        items = [i if isinstance(i, dict) else {} for i in items] if isinstance(items, list) else []
        kinds = [MEDIUM_TYPES.get(str(i.get("mediumType", "")).replace("_", "").lower()) for i in items]
        media = MEDIUM_ERROR.fullmatch(key)
        if media and items:
            if media[1] is None:
                return "contactMedium"
            positions = [j for j, kind in enumerate(kinds) if kind != "postal"]
            n = int(media[1])
            if n >= len(positions):
                return "contactMedium"
            j = positions[n]
            if media[2] == "kind":
                return f"contactMedium[{j}].mediumType"
            attribute = {"email": "emailAddress", "fax": "faxNumber"}.get(kinds[j], "phoneNumber")
            return f"contactMedium[{j}].characteristic.{attribute}"
        if key in ADDRESS_NAMES and "postal" in kinds:
            j = len(kinds) - 1 - kinds[::-1].index("postal")  # the last postal address is the one kept
            return f"contactMedium[{j}].characteristic.{ADDRESS_NAMES[key]}"
        return super().tmf_error_key(key)

    def perform_create(self, data, actor):
        data, extra = CustomerSerializer.split_passthrough(dict(data))
        customer = services.customer_register(
            actor=actor, engaged_party=dict(data["engagedParty"]), segment=None,
            status=data.get("status", Customer.Status.PROSPECT), tmf_extra=extra,
            contact_media=split_contact_media(data["contactMedium"]) if data.get("contactMedium") else None,
            **_customer_fields(data),
        )
        # The instance just saved, with the relations its representation reads: not read again.
        return selectors.customer_with_relations(customer)

    def perform_update(self, customer, data, actor):
        data, extra = CustomerSerializer.split_passthrough(dict(data))
        fields = _customer_fields(data)
        if extra:
            fields["tmf_extra_merge"] = extra
        if "engagedParty" in data:
            fields["engaged_party"] = dict(data["engagedParty"])
        customer = services.customer_revise(
            customer=customer, actor=actor, status=data.get("status"), reason=data.get("statusReason", ""),
            contact_media=split_contact_media(data["contactMedium"]) if "contactMedium" in data else None,
            **fields)
        return self.get_queryset().get(pk=customer.pk)

    def perform_destroy(self, customer, actor):
        """Customers are never hard-deleted: DELETE closes the customer (history keeps why)."""
        services.customer_change_status(customer_id=customer.pk, status=Customer.Status.CLOSED, actor=actor,
                                        reason="Closed through TMF629 DELETE")


class PartyViewSet(TmfViewSet):
    kind: str = ""
    read_only_on_create = {"fullName", "formattedName"}
    read_only_on_update = {"fullName", "formattedName"}
    db_filters = {"id": "pk", "status": "status"}

    def get_queryset(self):
        return selectors.party_queryset(self.request.user).filter(kind=self.kind)

    def tmf_error_key(self, key: str) -> str:
        names = {ours: theirs for theirs, ours in self.serializer_class.FIELD_MAP.items()}
        names["registration_number"] = "organizationIdentification"
        head, sep, rest = key.partition(".")
        return names[head] + sep + rest if head in names else super().tmf_error_key(key)

    def _model_fields(self, data: dict) -> tuple[dict, dict]:
        data, extra = self.serializer_class.split_passthrough(dict(data))
        fields = {ours: data[theirs] for theirs, ours in self.serializer_class.FIELD_MAP.items() if theirs in data}
        for key in ("birth_date",):
            if key in fields and fields[key] is None:
                fields[key] = None
        for ident in data.get("organizationIdentification") or []:
            fields["registration_number"] = str(ident.get("identificationId", ""))[:50]
        return fields, extra

    def perform_create(self, data, actor):
        fields, extra = self._model_fields(data)
        return services.party_create(kind=self.kind, actor=actor, tmf_extra=extra, **fields)

    def perform_update(self, party, data, actor):
        fields, extra = self._model_fields(data)
        if extra:
            fields["tmf_extra"] = {**party.tmf_extra, **extra}
        return services.party_update(party=party, actor=actor, **fields)

    def perform_destroy(self, party, actor):
        """Parties are never hard-deleted: DELETE sets status closed."""
        services.party_update(party=party, actor=actor, status=Party.Status.CLOSED)


class IndividualViewSet(PartyViewSet):
    kind = Party.Kind.INDIVIDUAL
    serializer_class = IndividualSerializer
    db_filters = {**PartyViewSet.db_filters, "givenName": "given_name", "familyName": "family_name",
                  "gender": "gender", "nationality": "nationality"}


class OrganizationViewSet(PartyViewSet):
    kind = Party.Kind.ORGANIZATION
    serializer_class = OrganizationSerializer
    db_filters = {**PartyViewSet.db_filters, "tradingName": "trading_name", "name": "legal_name",
                  "organizationType": "organization_type"}


# --- TMF637 Product Inventory ---------------------------------------------------------------------

MIGRATE_PRODUCTS = ["customers.migrate_product"]


def _product_fields(data: dict) -> dict:
    """The TMF attributes sent, as the outside-order services' keyword arguments (references as sent)."""
    names = {"name": "name", "description": "description", "status": "status",
             "productSerialNumber": "product_serial", "startDate": "start_date", "terminationDate": "end_date"}
    out = {ours: data[theirs] for theirs, ours in names.items() if theirs in data}
    if "productOffering" in data:
        out["product_offering"] = dict(data["productOffering"]) if data["productOffering"] else None
    if "productCharacteristic" in data:
        out["characteristics"] = product_characteristics(data["productCharacteristic"] or [])
    if "billingAccount" in data:
        out["billing_account"] = dict(data["billingAccount"]) if data["billingAccount"] else None
    if "place" in data:
        out["place"] = [dict(p) for p in data["place"] or []]
    if "relatedParty" in data:
        out["related_party"] = [dict(r) for r in data["relatedParty"] or []]
    return out


class ProductViewSet(TmfViewSet):
    """The customer's products: a self-service user sees their own (customers.scoping). Products change
    through customer orders; POST / PATCH / DELETE write directly only for the data-migration role
    (customers.migrate_product; 403 for everyone else), and DELETE terminates, never erases."""

    serializer_class = ProductSerializer
    db_filters = {"id": "pk", "name": "name", "status": "status", "productSerialNumber": "product_serial",
                  "productOffering.id": "offering_code", "productOffering.name": "offering_name",
                  "startDate": "start_date", "terminationDate": "end_date",
                  # the customer (the other related parties are matched on the representation's customer only)
                  "relatedParty.id": "customer_id",
                  # an account we hold, or a reference to one we do not
                  "billingAccount.id": ("billing_account_id", "tmf_extra__billingAccount__id"),
                  "place.id": "place_id"}
    error_names = {"offering_code": "productOffering", "offering_name": "productOffering.name",
                   "product_serial": "productSerialNumber", "billing_account": "billingAccount",
                   "characteristics": "productCharacteristic", "start_date": "startDate",
                   "end_date": "terminationDate", "customer": "relatedParty", "place": "place"}
    action_permissions = {"create": MIGRATE_PRODUCTS, "partial_update": MIGRATE_PRODUCTS,
                          "destroy": MIGRATE_PRODUCTS}

    def get_queryset(self):
        return selectors.product_queryset(self.request.user)

    def perform_create(self, data, actor):
        data, extra = ProductSerializer.split_passthrough(dict(data))
        fields = _product_fields(data)
        product = product_services.product_create_outside_order(
            actor=actor, status=fields.pop("status"), related_party=fields.pop("related_party", []),
            product_offering=fields.pop("product_offering", None), tmf_extra=extra, **fields)
        return self.get_queryset().get(pk=product.pk)

    def perform_update(self, product, data, actor):
        data, extra = ProductSerializer.split_passthrough(dict(data))
        fields = _product_fields(data)
        if extra:
            fields["tmf_extra"] = extra
        product = product_services.product_update_outside_order(product_id=product.pk, actor=actor, **fields)
        return self.get_queryset().get(pk=product.pk)

    def perform_destroy(self, product, actor):
        """Products are never erased: DELETE terminates the product (history keeps why)."""
        product_services.product_terminate_outside_order(product_id=product.pk, actor=actor,
                                                 reason="Terminated through TMF637 DELETE, outside an order")
