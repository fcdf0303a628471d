"""/hub: listener registration (TMF630 REST guidelines, part 'notifications')."""

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response

from bss.actors import Actor
from bss.events.models import HubSubscription
from bss.events.services import hub_subscribe, hub_unsubscribe

from .views import TmfViewSet


class EventSubscriptionSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    callback = serializers.URLField(max_length=500)
    query = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=500)

    tmf_type = "EventSubscription"

    def to_representation(self, instance):
        return {"id": str(instance.pk), "callback": instance.callback, "query": instance.query or None}


@extend_schema_view(list=extend_schema(exclude=True))  # GET /hub is no listing (404): not in the schema
class HubViewSet(TmfViewSet):
    """Register a listener for this API's events (POST /hub with a callback URL and an optional query),
    or remove it (DELETE /hub/{id}). Events are delivered to the callback by the outbox, signed."""

    api: str = ""
    serializer_class = EventSubscriptionSerializer
    http_method_names = ["get", "post", "delete", "options"]

    def get_queryset(self):
        """An integrator sees and removes only its own listeners (admins: all of them)."""
        qs = HubSubscription.objects.filter(api=self.api, active=True)
        user = self.request.user
        return qs if user.has_perm("bss.change_hubsubscription") else qs.filter(created_by=user.pk)

    def list(self, request, *args, **kwargs):
        raise Http404("Listeners are registered with POST /hub and removed with DELETE /hub/{id}")

    def create(self, request, *args, **kwargs):
        data = self._validated(partial=False, forbidden=set())
        with transaction.atomic():
            sub = hub_subscribe(api=self.api, callback=data["callback"], query=data.get("query") or "",
                                actor=Actor.from_request(request))
        body = self.render(sub)
        location = request.build_absolute_uri(request.path.rstrip("/") + f"/{sub.pk}")
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})

    def perform_destroy(self, obj, actor):
        hub_unsubscribe(subscription_id=obj.pk, actor=actor)


def hub_viewset(api_name: str) -> type[HubViewSet]:
    return type(f"{api_name[0].upper()}{api_name[1:]}HubViewSet", (HubViewSet,), {"api": api_name})
