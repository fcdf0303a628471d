"""TMF629 Customer, TMF632 Party (Individual, Organization) and TMF637 Product wire shapes over the inventory."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from bss.roles import is_staff_user
from bss.tmf.renderers import tmf_datetime
from bss.tmf.serializers import (
    RelatedRefSerializer,
    TimePeriodSerializer,
    TmfDateTimeField,
    TmfResourceSerializer,
    absolute_url,
)
from bss.tmf.spec import TmfSpec

from ..models import ContactMedium, Customer, Party, Product
from ..scoping import self_service_customer_id

# TMF mediumType (case-insensitive) -> our medium kind; "postal" means the contact's address.
MEDIUM_TYPES = {
    "email": ContactMedium.Kind.EMAIL, "emailaddress": ContactMedium.Kind.EMAIL,
    "mobile": ContactMedium.Kind.MOBILE, "mobilephone": ContactMedium.Kind.MOBILE,
    "phone": ContactMedium.Kind.PHONE, "telephone": ContactMedium.Kind.PHONE,
    "telephonenumber": ContactMedium.Kind.PHONE, "landline": ContactMedium.Kind.PHONE,
    "fax": ContactMedium.Kind.FAX,
    "postaladdress": "postal", "postal": "postal", "address": "postal",
}
ADDRESS_KEYS = {"street1": "street1", "street2": "street2", "city": "city", "postCode": "postcode",
                "stateOrProvince": "state_or_province", "country": "country"}


class RelatedPartyRefSerializer(RelatedRefSerializer):
    def get_fields(self):
        fields = super().get_fields()
        fields["@referredType"].required = True
        return fields


class MediumCharacteristicSerializer(serializers.Serializer):
    city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    contactType = serializers.CharField(required=False, allow_blank=True, max_length=50)
    country = serializers.CharField(required=False, allow_blank=True, max_length=60)
    emailAddress = serializers.CharField(required=False, allow_blank=True, max_length=254)
    faxNumber = serializers.CharField(required=False, allow_blank=True, max_length=40)
    phoneNumber = serializers.CharField(required=False, allow_blank=True, max_length=40)
    postCode = serializers.CharField(required=False, allow_blank=True, max_length=20)
    socialNetworkId = serializers.CharField(required=False, allow_blank=True, max_length=100)
    stateOrProvince = serializers.CharField(required=False, allow_blank=True, max_length=100)
    street1 = serializers.CharField(required=False, allow_blank=True, max_length=200)
    street2 = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ContactMediumSerializer(serializers.Serializer):
    mediumType = serializers.CharField(max_length=40)
    preferred = serializers.BooleanField(required=False, default=False)
    characteristic = MediumCharacteristicSerializer()
    validFor = TimePeriodSerializer(required=False)

    def validate_mediumType(self, value):
        if value.replace("_", "").lower() not in MEDIUM_TYPES:
            raise serializers.ValidationError(
                f"Unsupported mediumType '{value}'; use email, mobile, phone, fax or postalAddress.")
        return value

    def validate(self, attrs):
        kind = MEDIUM_TYPES[attrs["mediumType"].replace("_", "").lower()]
        ch = attrs["characteristic"]
        needed = {"postal": ("street1", "city", "postCode", "country"), ContactMedium.Kind.EMAIL: ("emailAddress",),
                  ContactMedium.Kind.FAX: ("faxNumber",)}.get(kind, ("phoneNumber",))
        missing = [k for k in needed if not ch.get(k)]
        if missing:
            raise serializers.ValidationError({"characteristic": f"{', '.join(missing)} required for "
                                                                 f"mediumType {attrs['mediumType']}"})
        return attrs


class CharacteristicSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    value = serializers.JSONField()
    valueType = serializers.CharField(required=False, max_length=50)


def split_contact_media(items: list[dict]) -> tuple[list[dict], dict | None]:
    """TMF contactMedium list -> (our media, postal address fields or None)."""
    media, postal = [], None
    for item in items:
        kind = MEDIUM_TYPES[item["mediumType"].replace("_", "").lower()]
        ch = item["characteristic"]
        if kind == "postal":
            postal = {ours: ch.get(theirs, "") for theirs, ours in ADDRESS_KEYS.items()}
            continue
        value = {ContactMedium.Kind.EMAIL: ch.get("emailAddress"), ContactMedium.Kind.FAX: ch.get("faxNumber")}.get(
            kind, ch.get("phoneNumber"))
        media.append({"kind": kind, "value": value, "preferred": item.get("preferred", False)})
    return media, postal


def contact_media_representation(contact) -> list[dict]:
    if contact is None:
        return []
    out = []
    for m in contact.media.all():
        key = {ContactMedium.Kind.EMAIL: "emailAddress", ContactMedium.Kind.FAX: "faxNumber"}.get(m.kind, "phoneNumber")
        ch = {key: m.value}
        if key == "phoneNumber":
            ch["contactType"] = m.kind
        out.append({"mediumType": m.kind, "preferred": m.preferred, "characteristic": ch})
    if contact.postal_address_id:
        a = contact.postal_address
        out.append({"mediumType": "postalAddress", "preferred": False, "characteristic": {
            theirs: str(getattr(a, ours)) for theirs, ours in ADDRESS_KEYS.items() if getattr(a, ours)}})
    return out


def party_href(party: Party, request=None) -> str:
    name = "tmf632:individual-detail" if party.kind == Party.Kind.INDIVIDUAL else "tmf632:organization-detail"
    return absolute_url(reverse(name, kwargs={"pk": party.pk}), request)


class CustomerSerializer(TmfResourceSerializer):
    tmf_type = "Customer"
    url_name = "tmf629:customer-detail"
    tmf_spec = TmfSpec("TMF629-Customer-v4.0.0.swagger.json", "Customer")
    # Required on create, but a customer made on the native API or in admin may have no party yet.
    response_optional = ("engagedParty",)

    name = serializers.CharField(max_length=200)
    status = serializers.ChoiceField(choices=Customer.Status.choices, required=False)
    statusReason = serializers.CharField(required=False, allow_blank=True, max_length=255)
    validFor = TimePeriodSerializer(required=False)
    engagedParty = RelatedPartyRefSerializer()
    contactMedium = ContactMediumSerializer(many=True, required=False)
    characteristic = CharacteristicSerializer(many=True, required=False)
    relatedParty = RelatedPartyRefSerializer(many=True, required=False)

    def represent(self, c: Customer) -> dict:
        request = self.context.get("request")
        if c.party_id:
            engaged = {"id": str(c.party_id), "href": party_href(c.party, request), "name": c.party.display_name,
                       "@referredType": "Individual" if c.party.kind == Party.Kind.INDIVIDUAL else "Organization"}
        else:
            engaged = c.engaged_party_ref
        primary = next((ct for ct in c.contacts.all() if ct.is_primary), None)
        accounts = [{"id": str(a.pk), "name": a.name, "@referredType": "BillingAccount",
                     "href": absolute_url(reverse("api:billingaccount-detail", kwargs={"pk": a.pk}), request)}
                    for a in c.billing_accounts.all()]
        accounts += (c.tmf_extra or {}).get("account", [])
        return {
            "name": c.name,
            "status": c.status,
            "statusReason": c.status_reason or None,
            "validFor": {k: v for k, v in (("startDateTime", tmf_datetime(c.valid_from)),
                                           ("endDateTime", tmf_datetime(c.valid_to))) if v} or None,
            "engagedParty": engaged,
            "contactMedium": contact_media_representation(primary),
            "account": accounts,
            "characteristic": [{"name": "customerNumber", "value": c.customer_number},
                               {"name": "segment", "value": c.segment},
                               *[ch for ch in c.characteristics if ch.get("name") not in ("customerNumber", "segment")]],
            "relatedParty": c.related_party_refs or [],
        }


class PartySerializerBase(TmfResourceSerializer):
    status = serializers.ChoiceField(choices=Party.Status.choices, required=False)

    def related_parties(self, party: Party) -> list[dict] | None:
        """The customers this party is, then the related parties the client sent (kept as sent)."""
        return [*self.related_customers(party), *(party.tmf_extra or {}).get("relatedParty", [])] or None

    def related_customers(self, party: Party) -> list[dict]:
        request = self.context.get("request")
        customers = party.customers.all()
        if request is not None and not is_staff_user(request.user):
            # A party can be shared: a customer login sees only its own customer among them.
            own = self_service_customer_id(request.user)
            customers = [c for c in customers if c.pk == own]
        return [{"id": str(c.pk), "name": c.name, "role": "customer", "@referredType": "Customer",
                 "href": absolute_url(reverse("tmf629:customer-detail", kwargs={"pk": c.pk}), request)}
                for c in customers]


class IndividualSerializer(PartySerializerBase):
    tmf_type = "Individual"
    url_name = "tmf632:individual-detail"
    tmf_spec = TmfSpec("TMF632-Party-v4.0.0.swagger.json", "Individual")
    FIELD_MAP = {"givenName": "given_name", "familyName": "family_name", "middleName": "middle_name",
                 "title": "title", "birthDate": "birth_date", "gender": "gender", "nationality": "nationality",
                 "status": "status"}

    givenName = serializers.CharField(max_length=100)
    familyName = serializers.CharField(max_length=100)
    middleName = serializers.CharField(required=False, allow_blank=True, max_length=100)
    title = serializers.CharField(required=False, allow_blank=True, max_length=30)
    birthDate = serializers.DateTimeField(required=False, allow_null=True)
    gender = serializers.CharField(required=False, allow_blank=True, max_length=20)
    nationality = serializers.CharField(required=False, allow_blank=True, max_length=2)
    fullName = serializers.CharField(required=False, read_only=True)
    formattedName = serializers.CharField(required=False, read_only=True)

    def validate_birthDate(self, value):
        return value.date() if value else None

    def represent(self, p: Party) -> dict:
        return {
            "givenName": p.given_name, "familyName": p.family_name, "middleName": p.middle_name or None,
            "title": p.title or None, "fullName": p.display_name, "formattedName": p.display_name,
            "birthDate": f"{p.birth_date.isoformat()}T00:00:00.000Z" if p.birth_date else None,
            "gender": p.gender or None, "nationality": p.nationality or None, "status": p.status,
            "relatedParty": self.related_parties(p),
        }


class OrganizationSerializer(PartySerializerBase):
    tmf_type = "Organization"
    url_name = "tmf632:organization-detail"
    tmf_spec = TmfSpec("TMF632-Party-v4.0.0.swagger.json", "Organization")
    FIELD_MAP = {"tradingName": "trading_name", "name": "legal_name", "organizationType": "organization_type",
                 "isLegalEntity": "is_legal_entity", "status": "status"}

    tradingName = serializers.CharField(max_length=200)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    organizationType = serializers.CharField(required=False, allow_blank=True, max_length=50)
    isLegalEntity = serializers.BooleanField(required=False)
    organizationIdentification = serializers.ListField(child=serializers.DictField(), required=False)

    def represent(self, p: Party) -> dict:
        ident = [{"identificationType": "registrationNumber", "identificationId": p.registration_number}] \
            if p.registration_number else None
        return {
            "tradingName": p.trading_name, "name": p.legal_name or p.trading_name,
            "organizationType": p.organization_type or None, "isLegalEntity": p.is_legal_entity,
            "organizationIdentification": ident, "status": p.status,
            "relatedParty": self.related_parties(p),
        }


# --- TMF637 Product Inventory ---------------------------------------------------------------------

# TMF637 v4.0.0 spells one ProductStatusType value "aborted " (with a trailing space); we store and
# render "aborted" and take either spelling from a client.
SPEC_ABORTED = "aborted "


class ProductInventorySpec(TmfSpec):
    """The official TMF637 spec, with a body's status "aborted" checked as the spec's "aborted "."""

    def problems(self, body: dict, *, update: bool, extensions=()) -> dict[str, list[str]]:
        if isinstance(body, dict) and body.get("status") == Product.Status.ABORTED:
            body = {**body, "status": SPEC_ABORTED}
        return super().problems(body, update=update, extensions=extensions)


class ProductStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Product.Status.choices, **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(Product.Status.ABORTED if data == SPEC_ABORTED else data)


class ProductOfferingRefSerializer(RelatedRefSerializer):
    """The product's offering: its id is the catalog's offering code (TMF620 ``code``)."""


def product_characteristics(items: list[dict]) -> dict:
    """TMF productCharacteristic [{name, value}] -> our {name: value}."""
    return {item["name"]: item.get("value") for item in items}


class ProductSerializer(TmfResourceSerializer):
    tmf_type = "Product"
    url_name = "tmf637:product-detail"
    tmf_spec = ProductInventorySpec("TMF637-ProductInventory-v4.0.0.swagger.json", "Product")

    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    status = ProductStatusField()
    productSerialNumber = serializers.CharField(required=False, allow_blank=True, max_length=64)
    startDate = TmfDateTimeField(required=False, allow_null=True)
    terminationDate = TmfDateTimeField(required=False, allow_null=True)
    productOffering = ProductOfferingRefSerializer(required=False)
    productCharacteristic = CharacteristicSerializer(many=True, required=False)
    billingAccount = RelatedRefSerializer(required=False, allow_null=True)
    # Kept as sent apart from the first of our addresses: a place may come by value (TMF polymorphism).
    place = serializers.ListField(child=serializers.DictField(), required=False)
    relatedParty = RelatedPartyRefSerializer(many=True, required=False)

    def validate_productCharacteristic(self, items):
        names = [item["name"] for item in items]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise serializers.ValidationError(f"Each characteristic once: {', '.join(twice)} given more than once.")
        return items

    def represent(self, p: Product) -> dict:
        request = self.context.get("request")
        extra = p.tmf_extra or {}
        customer = {"id": str(p.customer_id), "name": p.customer.name, "role": "customer",
                    "@referredType": "Customer",
                    "href": absolute_url(reverse("tmf629:customer-detail", kwargs={"pk": p.customer_id}), request)}
        if p.billing_account_id:
            account = {"id": str(p.billing_account_id), "name": p.billing_account.name,
                       "@referredType": "BillingAccount",
                       "href": absolute_url(reverse("api:billingaccount-detail", kwargs={"pk": p.billing_account_id}),
                                            request)}
        else:
            account = extra.get("billingAccount")
        places = [{"id": str(p.place_id), "name": str(p.place), "role": "installationAddress",
                   "@referredType": "GeographicAddress",
                   "href": absolute_url(reverse("api:address-detail", kwargs={"pk": p.place_id}), request)}
                  ] if p.place_id else []
        places += extra.get("place", [])
        return {
            "name": p.name,
            "description": p.description or None,
            "status": p.status,
            "productSerialNumber": p.product_serial or None,
            "startDate": tmf_datetime(p.start_date),
            "terminationDate": tmf_datetime(p.end_date),
            "productOffering": {"id": p.offering_code, "name": p.offering_name, "@referredType": "ProductOffering"},
            "productCharacteristic": [{"name": str(k), "value": v} for k, v in (p.characteristics or {}).items()],
            "billingAccount": account,
            "place": places or None,
            "relatedParty": [customer, *extra.get("relatedParty", [])],
        }
