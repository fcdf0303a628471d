"""Bare DRF endpoints ("twins"): the same single-row read, 20-row read and insert as the TMF
customer paths, with the project's authentication and permission classes and nothing else.
Served by bench/urls.py only; a twin is the floor the shared TMF path is measured against."""

from __future__ import annotations

import uuid

from rest_framework import generics, serializers
from rest_framework.pagination import LimitOffsetPagination

from customers.models import Customer


class TwinCustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "customer_number", "name", "party", "engaged_party_ref", "status", "status_reason",
                  "segment", "credit_class", "valid_from", "valid_to", "characteristics", "related_party_refs",
                  "created_at", "updated_at"]
        read_only_fields = ["customer_number", "status", "party", "created_at", "updated_at"]


class TwinPage(LimitOffsetPagination):
    default_limit = 20


class TwinCustomerList(generics.ListCreateAPIView):
    queryset = Customer.objects.order_by("-created_at", "-pk")
    serializer_class = TwinCustomerSerializer
    pagination_class = TwinPage

    def perform_create(self, serializer):
        serializer.save(customer_number=f"T{uuid.uuid4().hex[:16].upper()}")


class TwinCustomerDetail(generics.RetrieveAPIView):
    queryset = Customer.objects.all()
    serializer_class = TwinCustomerSerializer


# --- customer orders (bench/bench_order_intake.py, bench/bench_order_lists.py) ------------------------------

class TwinOrderSerializer(serializers.ModelSerializer):
    class Meta:
        from orders.models import CustomerOrder

        model = CustomerOrder
        fields = ["id", "order_number", "customer", "billing_account", "channel", "state", "priority", "external_id",
                  "category", "description", "related_party", "requested_start_date", "requested_completion_date",
                  "committed_date", "completion_date", "order_date", "updated_at"]
        read_only_fields = ["order_number", "state", "committed_date", "completion_date", "order_date", "updated_at"]


class TwinOrderList(generics.ListCreateAPIView):
    """The floor of the TMF622 list and POST: one order row read (20 a page, the table counted for paging) or
    inserted, nothing else (no items, prices, history, outbox or task)."""

    serializer_class = TwinOrderSerializer
    pagination_class = TwinPage

    def get_queryset(self):
        from orders.models import CustomerOrder

        return CustomerOrder.objects.order_by("-order_date", "-pk")

    def perform_create(self, serializer):
        serializer.save(order_number=f"T{uuid.uuid4().hex[:16].upper()}")
