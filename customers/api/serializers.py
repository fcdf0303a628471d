"""Native REST (/api/v1/) shapes. Output = the model; input serializers only validate and
hand plain data to customers.services."""

from rest_framework import serializers

from ..models import Address, BillCycle, BillingAccount, Contact, ContactMedium, Customer, Product


class ContactMediumSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactMedium
        fields = ["id", "kind", "value", "preferred"]
        read_only_fields = ["id"]


class AddressSerializer(serializers.ModelSerializer):
    # The ISO 3166-1 alpha-2 code, in any case on input: the address service checks and upper-cases it
    # (customers.validation.country_check), with the same message as every other door.
    country = serializers.CharField(max_length=60, required=False,
                                    help_text="ISO 3166-1 alpha-2 country code, e.g. IE or GB.")

    class Meta:
        model = Address
        fields = ["id", "customer", "street1", "street2", "city", "state_or_province", "postcode", "country",
                  "area_code", "created_at"]
        read_only_fields = ["id", "created_at"]


class ContactSerializer(serializers.ModelSerializer):
    media = ContactMediumSerializer(many=True)

    class Meta:
        model = Contact
        fields = ["id", "customer", "role", "is_primary", "title", "given_name", "family_name", "job_title",
                  "postal_address", "preferred_channel", "preferred_language", "is_active", "media",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "is_primary", "created_at", "updated_at"]


class BillingAccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = BillingAccount
        fields = ["id", "account_number", "customer", "name", "parent", "bill_cycle", "currency",
                  "payment_method", "payment_reference", "credit_limit", "bill_delivery", "billing_address",
                  "bill_contact", "status", "created_at", "updated_at"]
        read_only_fields = ["id", "account_number", "status", "created_at", "updated_at"]
        # Like every other door: without a name the account is named after the customer.
        extra_kwargs = {"name": {"required": False}}


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "customer", "billing_account", "name", "offering_code", "offering_name", "product_serial",
                  "place", "characteristics", "status", "start_date", "end_date", "created_at"]
        read_only_fields = fields


class BillCycleSerializer(serializers.ModelSerializer):
    class Meta:
        model = BillCycle
        fields = ["id", "code", "name", "day_of_month", "payment_terms_days", "active"]


class CustomerSerializer(serializers.ModelSerializer):
    customer_type = serializers.CharField(read_only=True)

    class Meta:
        model = Customer
        fields = ["id", "customer_number", "name", "customer_type", "party", "engaged_party_ref", "status",
                  "status_reason", "segment", "credit_class", "valid_from", "valid_to", "created_at",
                  "updated_at"]
        read_only_fields = ["id", "customer_number", "customer_type", "party", "engaged_party_ref", "status",
                            "status_reason", "created_at", "updated_at"]


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.CharField(max_length=20)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class TransitionSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(choices=["suspend", "resume", "close"])
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class SearchHitSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    matched = serializers.ListField(child=serializers.CharField())
    customer = CustomerSerializer()
