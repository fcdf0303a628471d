"""Native API serializers of order handling (credit checks)."""

from rest_framework import serializers
from rest_framework.fields import empty

from bss.approvals.models import ApprovalRequest
from bss.money import CURRENCIES
from orders.models import CreditCheck


class CreditCheckSerializer(serializers.ModelSerializer):
    customer_number = serializers.CharField(source="customer.customer_number", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    # null when the check has no billing account / was requested by the system / is not reviewed yet
    account_number = serializers.CharField(source="billing_account.account_number", read_only=True, default=None,
                                           allow_null=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, default=None,
                                         allow_null=True)
    reviewed_by = serializers.CharField(source="reviewed_by.username", read_only=True, default=None,
                                        allow_null=True)
    approval_request = serializers.IntegerField(
        source="approval_request_id", read_only=True, allow_null=True, default=None,
        help_text="the referral's approval request (bss.approvals), when the check was referred")
    approval_state = serializers.ChoiceField(
        choices=ApprovalRequest.State.choices, read_only=True, allow_null=True, default=None,
        help_text="pending, escalated (to a role with a higher limit), approved, rejected or cancelled")

    class Meta:
        model = CreditCheck
        fields = ["id", "customer", "customer_number", "customer_name", "billing_account", "account_number",
                  "amount", "currency", "order_reference", "status", "decision", "score", "reason", "terms",
                  "findings", "bureau", "bureau_reference", "requested_by", "reviewed_by", "review_reason",
                  "reviewed_at", "approval_request", "approval_state", "created_at"]
        read_only_fields = fields


class CreditCheckRequestSerializer(serializers.Serializer):
    customer = serializers.IntegerField(help_text="customer id")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0,
                                      help_text="the order's one-time plus first-month recurring total")
    currency = serializers.ChoiceField(choices=CURRENCIES, required=False,
                                       help_text="defaults to the billing account's currency, else EUR")
    billing_account = serializers.IntegerField(required=False, allow_null=True, help_text="billing account id")
    order_reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class RequiredBooleanField(serializers.BooleanField):
    """Missing means missing, also in form-encoded bodies (DRF reads an absent HTML checkbox as false,
    which here would silently decline a check)."""

    default_empty_html = empty


class CreditReviewSerializer(serializers.Serializer):
    approve = RequiredBooleanField(help_text="true approves the referred check, false declines it")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="",
                                   help_text="required: why")
    terms = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False,
                                  help_text='approving only: amended terms, e.g. {"deposit": "0.00"} waives the deposit, '
                                            '{"credit_limit": "500.00"} sets the limit; keys left out keep the proposal')


class ImpactItemSerializer(serializers.Serializer):
    """One order item not yet submitted, as the impact preview reads it (the productOrderItem's essentials)."""

    id = serializers.CharField(max_length=64)
    action = serializers.ChoiceField(choices=["add", "modify", "delete", "noChange"], default="add")
    offering = serializers.CharField(max_length=64, required=False, allow_blank=True, default="",
                                     help_text="a product offering's id or code (add; modify to another offering)")
    product = serializers.CharField(max_length=64, required=False, allow_blank=True, default="",
                                    help_text="the customer's product (id) a modify or delete item acts on")
    quantity = serializers.IntegerField(min_value=1, default=1)
    depends_on = serializers.ListField(child=serializers.CharField(max_length=64), required=False, default=list)


class ImpactPreviewSerializer(serializers.Serializer):
    customer = serializers.IntegerField(help_text="customer id")
    items = ImpactItemSerializer(many=True, allow_empty=False)
