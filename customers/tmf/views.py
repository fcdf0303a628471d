"""TMF629 and TMF632 endpoints: thin views over customers.services on the shared toolkit."""

from __future__ import annotations

from bss.tmf.ids import local_id
from bss.tmf.views import TmfViewSet

from .. import selectors, services
from ..models import Customer, Party
from .serializers import (
    CustomerSerializer,
    IndividualSerializer,
    OrganizationSerializer,
    split_contact_media,
)


def _resolve_party(ref: dict) -> Party | None:
    """engagedParty pointing at a Party we hold -> that Party; anything else stays a reference."""
    kind = {"individual": Party.Kind.INDIVIDUAL, "organization": Party.Kind.ORGANIZATION}.get(
        (ref.get("@referredType") or "").lower())
    pk = local_id(ref.get("id"))
    if kind is None or pk is None:
        return None
    return Party.objects.filter(pk=pk, kind=kind).first()


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

    def get_queryset(self):
        return selectors.customer_queryset(self.request.user)

    def perform_create(self, data, actor):
        data, extra = CustomerSerializer.split_passthrough(dict(data))
        ref = dict(data["engagedParty"])
        party = _resolve_party(ref)
        customer = services.customer_create(
            actor=actor, party=party, engaged_party_ref=None if party else ref, segment=None,
            status=data.get("status", Customer.Status.PROSPECT), tmf_extra=extra, **_customer_fields(data),
        )
        if data.get("contactMedium"):
            services.customer_contact_media_set(customer=customer, actor=actor,
                                                media_and_postal=split_contact_media(data["contactMedium"]))
        return self.get_queryset().get(pk=customer.pk)

    def perform_update(self, customer, data, actor):
        data, extra = CustomerSerializer.split_passthrough(dict(data))
        fields = _customer_fields(data)
        if extra:
            fields["tmf_extra_merge"] = extra
        if "engagedParty" in data:
            ref = dict(data["engagedParty"])
            party = _resolve_party(ref)
            fields.update(party=party, engaged_party_ref=None if party else ref)
        if fields:
            customer = services.customer_update(customer=customer, actor=actor, **fields)
        if "status" in data:
            services.customer_change_status(customer_id=customer.pk, status=data["status"], actor=actor,
                                            reason=data.get("statusReason", ""))
        if "contactMedium" in data:
            services.customer_contact_media_set(customer=customer, actor=actor,
                                                media_and_postal=split_contact_media(data["contactMedium"]))
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
