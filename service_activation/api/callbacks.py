"""Callbacks from outside the BSS into service activation (native API, thin: parse, call a service):

- ``POST /api/v1/work-orders/<id>/test-result/``: a partner reports the result of its test plan's step
  (services/partner_tests.py); an integrator token with change_workorder.
- ``POST /api/v1/adapter-callbacks/<token>/``: an asynchronous network element reports a step's outcome
  (services/http_callbacks.py). No user credential: the token, signed by us for that one step, is the
  credential and the correlation; anything else is 400."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from bss.actors import Actor
from service_activation.models import TestRun, WorkOrder
from service_activation.services.http_callbacks import adapter_callback_receive
from service_activation.services.partner_tests import partner_test_result_report

from .serializers import WorkOrderSerializer

WORK_ORDER_CHANGE = ["service_activation.view_workorder", "service_activation.change_workorder"]


class CheckResultSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=60)
    name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    passed = serializers.BooleanField()
    detail = serializers.CharField(max_length=500, required=False, allow_blank=True)
    measurements = serializers.DictField(required=False)


class PartnerTestResultSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    results = CheckResultSerializer(many=True, required=False)
    detail = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    reference = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")


class TestRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = TestRun
        fields = ["id", "passed", "results", "run_at"]
        read_only_fields = fields


class PartnerTestResultViewSet(viewsets.GenericViewSet):
    """A partner's result of one step of its test plan."""

    serializer_class = PartnerTestResultSerializer
    action_permissions = {"test_result": WORK_ORDER_CHANGE}

    def get_queryset(self):
        return WorkOrder.objects.select_related("item__service_order").order_by("-pk")

    @extend_schema(request=PartnerTestResultSerializer, responses=inline_serializer("PartnerTestResultAnswer", {
        "workOrder": WorkOrderSerializer(), "testRun": TestRunSerializer()}))
    @action(detail=True, methods=["post"], url_path="test-result")
    def test_result(self, request, pk=None):
        """Report the partner's test result: passed (the step is done) or failed (fallout), with the checks.
        Returns: the work order and the stored test run (each check beside its earlier result)."""
        wo = self.get_object()
        data = PartnerTestResultSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = partner_test_result_report(work_order_id=wo.pk, actor=Actor.from_request(request), **data.validated_data)
        return Response({"workOrder": WorkOrderSerializer(self.get_queryset().get(pk=wo.pk)).data,
                         "testRun": TestRunSerializer(run).data})


class AdapterCallbackView(APIView):
    """An asynchronous network element reports the outcome of a step it accepted."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=inline_serializer("AdapterCallback", {"id": serializers.CharField(required=False),
                                                                  "status": serializers.CharField(),
                                                                  "detail": serializers.CharField(required=False)}),
                   responses=WorkOrderSerializer)
    def post(self, request, token):
        """The element's outcome (its success field and value are the step's adapter configuration). Returns: the
        work order."""
        wo = adapter_callback_receive(token=token, body=request.data)
        return Response(WorkOrderSerializer(WorkOrder.objects.select_related("item__service_order").get(
            pk=wo.pk)).data)
