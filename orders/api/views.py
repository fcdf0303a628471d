"""Native API views of order handling (credit checks): thin, they call orders.services."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from bss.actors import Actor
from bss.roles import is_staff_user
from customers import selectors as customer_selectors
from orders.api.serializers import (
    CreditCheckRequestSerializer,
    CreditCheckSerializer,
    CreditReviewSerializer,
    ImpactPreviewSerializer,
)
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

        if not is_staff_user(request.user):  # operator-wide figures: a self-service login has order access too
            raise PermissionDenied("Order reports are for staff and integrators.")
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


class CustomerOrderImpactViewSet(viewsets.ViewSet):
    """Impact analysis of customer orders (seed 000 1.1.1.5.1.1), read-only: the affected products and their
    services, dependent items and products, the recurring charges that stop and start, one-time fees and
    penalties (orders.services.impact). ``GET customer-orders/<id>/impact/`` for a stored order (its agreed
    prices), ``POST customer-orders/impact-preview/`` for items not yet submitted (the catalog's prices in
    force; nothing is stored). Needs orders.view_customerorder; orders and products are scoped to what the
    caller may see."""

    action_permissions = {"impact": ["orders.view_customerorder"], "impact_preview": ["orders.view_customerorder"]}

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, parameters=[
        OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="the customer order's id")])
    @action(detail=True, methods=["get"])
    def impact(self, request, pk=None):
        """The impact of a stored order.

        Returns: items (with charges_stop, charges_start, one_time, services, dependent_items, term, penalty),
        dependent_products, recurring (per period: stops, starts, net), one_time_total, penalties_total,
        penalties, committed (true once the order is past commitment)."""
        from django.http import Http404

        from orders.services import impact as impact_svc
        from orders.services import ordering as ordering_svc

        order = ordering_svc.order_queryset(request.user).filter(pk=pk if str(pk).isdigit() else None).first()
        if order is None:
            raise Http404("No such order")
        return Response(impact_svc.order_impact(order).as_dict())

    @extend_schema(request=ImpactPreviewSerializer, responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["post"], url_path="impact-preview")
    def impact_preview(self, request):
        """The impact of items not yet submitted, for a customer: nothing is stored.

        Returns: the same shape as the impact of a stored order."""
        from orders.services import impact as impact_svc
        from orders.services.ordering import OrderItemInput

        data = ImpactPreviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        customer = customer_selectors.customer_queryset(request.user).filter(pk=values["customer"]).first()
        if customer is None:
            raise serializers.ValidationError({"customer": ["No such customer."]})
        ids = [i["id"] for i in values["items"]]
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError({"items": ["Item ids must be unique."]})
        items = [OrderItemInput(item_id=i["id"], action=i["action"], offering=i["offering"] or None,
                                product=i["product"] or None, quantity=i["quantity"],
                                depends_on=[d for d in i["depends_on"] if d in ids])
                 for i in values["items"]]
        result = impact_svc.items_impact(customer=customer, items=items, user=request.user)
        return Response(result.as_dict())
