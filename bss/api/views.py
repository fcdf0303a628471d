from rest_framework import viewsets

from bss.events.models import EventDelivery, HubSubscription

from .serializers import EventDeliverySerializer, HubSubscriptionSerializer


class HubSubscriptionViewSet(viewsets.ReadOnlyModelViewSet):
    """Listeners registered via the TMF /hub endpoints, with their signing secrets."""

    serializer_class = HubSubscriptionSerializer
    filterset_fields = ["api", "active"]

    queryset = HubSubscription.objects.none()  # for the schema; get_queryset() scopes per user

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return HubSubscription.objects.none()
        qs = HubSubscription.objects.all()
        user = self.request.user
        return qs if user.has_perm("bss.change_hubsubscription") else qs.filter(created_by=user)


class EventDeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    """Deliveries of events to their listeners (hub webhooks and in-process subscribers): status,
    attempts and the next attempt."""

    serializer_class = EventDeliverySerializer
    queryset = EventDelivery.objects.select_related("event", "subscription")
    filterset_fields = ["status"]
