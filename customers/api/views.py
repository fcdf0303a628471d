"""Native REST API for the customer inventory: thin viewsets over selectors and services."""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from bss.actors import Actor
from bss.api.serializers import HistoryEntrySerializer
from bss.audit.models import HistoryEntry

from .. import selectors, services
from ..models import BillCycle
from . import serializers as s


def _actor(request):
    return Actor.from_request(request)


def _only_visible(user, values: dict, **querysets) -> None:
    """References in a request body must be rows the user may see (a customer cannot link
    someone else's address to their contact); answer as if the row did not exist."""
    for field, queryset in querysets.items():
        obj = values.get(field)
        if obj is not None and not queryset(user).filter(pk=obj.pk).exists():
            raise ValidationError({field: [f'Invalid pk "{obj.pk}" - object does not exist.']})


class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Customers: a party we sell to, with its segment, credit class and status (prospect, active,
    suspended, closed)."""

    serializer_class = s.CustomerSerializer
    action_permissions = {
        "search": ["customers.view_customer"],
        "change_status": ["customers.view_customer", "customers.change_customer_status"],
        "notes": ["customers.view_customer", "customers.add_customernote"],
        "history": ["customers.view_customer", "bss.view_historyentry"],
    }
    filterset_fields = ["status", "segment", "credit_class"]

    def get_queryset(self):
        return selectors.customer_queryset(self.request.user).order_by("-created_at", "-pk")

    def create(self, request):
        data = s.CustomerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = services.customer_create(actor=_actor(request), **data.validated_data)
        return Response(s.CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        customer = self.get_object()
        data = s.CustomerSerializer(customer, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        customer = services.customer_update(customer=customer, actor=_actor(request), **data.validated_data)
        return Response(s.CustomerSerializer(customer).data)

    @extend_schema(parameters=[OpenApiParameter("q", str, description="number, phone, e-mail, name, address")],
                   responses=s.SearchHitSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)  # a bounded list of hits, not paged
    def search(self, request):
        """Find customers by customer number, phone number, e-mail, name or address, best matches first.

        Returns: the matching customers, best first (a bounded list, not paged)."""
        hits = selectors.customer_search(user=request.user, q=request.query_params.get("q", ""))
        return Response(s.SearchHitSerializer(hits, many=True).data)

    @extend_schema(request=s.StatusChangeSerializer, responses=s.CustomerSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        """Move the customer to another status, with a reason; a move its lifecycle does not allow is a 409.

        Returns: the customer in its new status."""
        customer = self.get_object()
        data = s.StatusChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = services.customer_change_status(customer_id=customer.pk, actor=_actor(request),
                                                   **data.validated_data)
        return Response(s.CustomerSerializer(customer).data)

    @extend_schema(request=s.NoteSerializer, responses={201: None})
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        """Add a note to the customer's record (kept in its history)."""
        customer = self.get_object()
        data = s.NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.customer_note_add(customer=customer, actor=_actor(request), **data.validated_data)
        return Response({"id": note.pk, "text": note.text}, status=status.HTTP_201_CREATED)

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # the newest 500 entries, not paged
    def history(self, request, pk=None):
        """The customer's history: every recorded change of the customer and of its contacts, addresses,
        billing accounts and products, newest first (the newest 500, not paged). ``action`` is the
        history code, e.g. ``customers.customer.activate``.

        Returns: the customer's history entries, newest first."""
        customer = self.get_object()
        entries = HistoryEntry.objects.for_root(customer).select_related("actor")[:500]
        return Response(HistoryEntrySerializer(entries, many=True).data)


class ContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A customer's contacts: the people we deal with, with their phone numbers and e-mail addresses (media)."""

    serializer_class = s.ContactSerializer
    filterset_fields = ["customer", "role", "is_primary"]

    def get_queryset(self):
        return selectors.contact_queryset(self.request.user).order_by("-pk")

    def create(self, request):
        data = s.ContactSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        _only_visible(request.user, values, customer=selectors.customer_queryset,
                      postal_address=selectors.address_queryset)
        customer = values.pop("customer")
        contact = services.contact_create(customer=customer, actor=_actor(request),
                                          media=[dict(m) for m in values.pop("media")], **values)
        return Response(s.ContactSerializer(contact).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        contact = self.get_object()
        data = s.ContactSerializer(contact, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("customer", None)
        _only_visible(request.user, values, postal_address=selectors.address_queryset)
        media = [dict(m) for m in values.pop("media")] if "media" in values else None
        contact = services.contact_update(contact=contact, actor=_actor(request), media=media, **values)
        return Response(s.ContactSerializer(contact).data)


class AddressViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Postal addresses: a customer's, or (without a customer) a site's."""

    serializer_class = s.AddressSerializer
    filterset_fields = ["customer", "postcode", "area_code"]

    def get_queryset(self):
        return selectors.address_queryset(self.request.user).order_by("-pk")

    def create(self, request):
        data = s.AddressSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        _only_visible(request.user, values, customer=selectors.customer_queryset)
        customer = values.pop("customer", None)
        address = services.address_create(customer=customer, actor=_actor(request), **values)
        return Response(s.AddressSerializer(address).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        address = self.get_object()
        data = s.AddressSerializer(address, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("customer", None)
        address = services.address_update(address=address, actor=_actor(request), **values)
        return Response(s.AddressSerializer(address).data)


class BillingAccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Billing accounts: what a customer is billed on, with its currency, bill cycle, payment method and
    credit limit."""

    serializer_class = s.BillingAccountSerializer
    action_permissions = {"transition": ["customers.view_billingaccount", "customers.change_billingaccount"]}
    filterset_fields = ["customer", "status", "bill_cycle", "currency"]

    def get_queryset(self):
        return selectors.billing_account_queryset(self.request.user).order_by("-pk")

    def create(self, request):
        data = s.BillingAccountSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        _only_visible(request.user, values, customer=selectors.customer_queryset)
        customer = values.pop("customer")
        _only_visible(request.user, values, billing_address=selectors.address_queryset,
                      parent=selectors.billing_account_queryset, bill_contact=selectors.contact_queryset)
        account = services.billing_account_create(
            customer=customer, actor=_actor(request), billing_address=values.pop("billing_address", None),
            bill_cycle=values.pop("bill_cycle", None), **values)
        return Response(s.BillingAccountSerializer(account).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        account = self.get_object()
        data = s.BillingAccountSerializer(account, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("customer", None)
        _only_visible(request.user, values, billing_address=selectors.address_queryset,
                      parent=selectors.billing_account_queryset, bill_contact=selectors.contact_queryset)
        account = services.billing_account_update(account=account, actor=_actor(request), **values)
        return Response(s.BillingAccountSerializer(account).data)

    @extend_schema(request=s.TransitionSerializer, responses=s.BillingAccountSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Suspend, resume or close the billing account, with a reason; a move its lifecycle does not
        allow is a 409.

        Returns: the billing account after the transition."""
        account = self.get_object()
        data = s.TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            account = services.billing_account_transition(account_id=account.pk, actor=_actor(request),
                                                          **data.validated_data)
        return Response(s.BillingAccountSerializer(account).data)


class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    """The products customers have, with their status and billing account (read-only in this API)."""

    serializer_class = s.ProductSerializer
    filterset_fields = ["customer", "billing_account", "status", "offering_code"]

    def get_queryset(self):
        return selectors.product_queryset(self.request.user).order_by("-created_at", "-pk")


class BillCycleViewSet(viewsets.ReadOnlyModelViewSet):
    """Bill cycles: the day of the month an account's bill closes, and its payment terms."""

    serializer_class = s.BillCycleSerializer
    queryset = BillCycle.objects.all()
