"""Native REST API for credit authorization (eTOM 1.1.1.5.2): /api/v1/credit-checks/.

GET lists (newest first, filterable) and retrieves checks; ``queue/`` lists the manual review
queue (oldest first). POST runs a check for a customer; a referred check comes back with status
``pending_review``. POST ``{id}/review/`` approves or declines a pending check (Supervisors).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.fields import empty
from rest_framework.response import Response

from bss.actors import Actor
from bss.money import CURRENCIES
from customers import selectors as customer_selectors

from ..models import CreditCheck
from ..services import credit as services


class CreditCheckSerializer(serializers.ModelSerializer):
    customer_number = serializers.CharField(source="customer.customer_number", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    account_number = serializers.CharField(source="billing_account.account_number", read_only=True, default=None)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, default=None)
    reviewed_by = serializers.CharField(source="reviewed_by.username", read_only=True, default=None)

    class Meta:
        model = CreditCheck
        fields = ["id", "customer", "customer_number", "customer_name", "billing_account", "account_number",
                  "amount", "currency", "order_reference", "status", "decision", "score", "reason", "terms",
                  "findings", "bureau", "bureau_reference", "requested_by", "reviewed_by", "review_reason",
                  "reviewed_at", "created_at"]
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


class CreditCheckViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Credit checks. Reads need orders.view_creditcheck, requesting orders.add_creditcheck, and
    reviewing orders.review_creditcheck (Supervisor)."""

    serializer_class = CreditCheckSerializer
    filterset_fields = ["status", "decision", "customer", "billing_account", "order_reference"]
    action_permissions = {"queue": ["orders.view_creditcheck"],
                          "review": ["orders.view_creditcheck"]}  # the service checks review_creditcheck

    def get_queryset(self):
        return services.credit_check_queryset(self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=CreditCheckRequestSerializer, responses={201: CreditCheckSerializer})
    def create(self, request):
        data = CreditCheckRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        customer = customer_selectors.customer_queryset(request.user).filter(pk=values["customer"]).first()
        if customer is None:
            raise serializers.ValidationError({"customer": ["No such customer."]})
        account = None
        if values.get("billing_account") is not None:
            account = customer_selectors.billing_account_queryset(request.user).filter(
                pk=values["billing_account"], customer=customer).first()
            if account is None:
                raise serializers.ValidationError({"billing_account": ["No such billing account for this customer."]})
        check = services.credit_check_request(
            customer=customer, amount=values["amount"], currency=values.get("currency"), billing_account=account,
            order_reference=values["order_reference"], actor=Actor.from_request(request))
        return Response(CreditCheckSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=CreditCheckSerializer(many=True))
    @action(detail=False, methods=["get"])
    def queue(self, request):
        """The manual review queue: checks pending review, oldest first."""
        qs = self.filter_queryset(services.credit_review_queue(request.user))
        page = self.paginate_queryset(qs)
        if page is not None:
            return self.get_paginated_response(CreditCheckSerializer(page, many=True).data)
        return Response(CreditCheckSerializer(qs, many=True).data)

    @extend_schema(request=CreditReviewSerializer, responses=CreditCheckSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        check = self.get_object()
        data = CreditReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = services.credit_check_review(check_id=check.pk, actor=Actor.from_request(request),
                                             **data.validated_data)
        return Response(CreditCheckSerializer(services.credit_check_queryset(request.user).get(pk=check.pk)).data)
