"""Native API views of order handling (credit checks): thin, they call orders.services."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from bss.actors import Actor
from customers import selectors as customer_selectors
from orders.api.serializers import CreditCheckRequestSerializer, CreditCheckSerializer, CreditReviewSerializer
from orders.services import credit as services


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
        check = services.credit_check_queryset(request.user).get(pk=check.pk)  # with its approval request
        return Response(CreditCheckSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=CreditCheckSerializer(many=True))
    @action(detail=False, methods=["get"])
    def queue(self, request):
        """The manual review queue: checks pending review, oldest first.

        Returns: a page of credit checks pending review, oldest first."""
        qs = self.filter_queryset(services.credit_review_queue(request.user))
        page = self.paginate_queryset(qs)
        if page is not None:
            return self.get_paginated_response(CreditCheckSerializer(page, many=True).data)
        return Response(CreditCheckSerializer(qs, many=True).data)

    @extend_schema(request=CreditReviewSerializer, responses=CreditCheckSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Approve or decline a check pending review, with a reason (needs orders.review_creditcheck).

        Returns: the credit check after the review."""
        check = self.get_object()
        data = CreditReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = services.credit_check_review(check_id=check.pk, actor=Actor.from_request(request),
                                             **data.validated_data)
        return Response(CreditCheckSerializer(services.credit_check_queryset(request.user).get(pk=check.pk)).data)


class OrderReportView(viewsets.ViewSet):
    """Order handling reports (eTOM 1.1.1.5.7): ``?since=&until=`` (ISO dates, default the last 30 days),
    ``?customer=<id>`` for one customer (their account manager's view), ``?export=csv`` for a CSV file (``format`` is DRF's renderer switch). Needs
    orders.view_customerorder."""

    action_permissions = {"list": ["orders.view_customerorder"]}

    @extend_schema(responses={200: dict})
    def list(self, request):
        import dataclasses

        from django.http import HttpResponse
        from django.utils.dateparse import parse_datetime

        from orders.services.reports import order_report, order_report_csv

        def when(name):
            raw = request.query_params.get(name)
            if not raw:
                return None
            value = parse_datetime(raw) if "T" in raw else parse_datetime(raw + "T00:00:00+00:00")
            if value is None:
                raise serializers.ValidationError({name: ["An ISO date or date-time."]})
            return value

        customer_id = None
        if request.query_params.get("customer"):
            customer = customer_selectors.customer_queryset(request.user).filter(
                pk=request.query_params["customer"] if request.query_params["customer"].isdigit() else None).first()
            if customer is None:
                raise serializers.ValidationError({"customer": ["No such customer."]})
            customer_id = customer.pk
        report = order_report(since=when("since"), until=when("until"), customer_id=customer_id)
        if request.query_params.get("export") == "csv":
            response = HttpResponse(order_report_csv(report), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="order-report.csv"'
            return response
        return Response(dataclasses.asdict(report))
