from rest_framework import serializers

from bss.audit.models import HistoryEntry
from bss.events.models import EventDelivery, HubSubscription


class HistoryEntrySerializer(serializers.ModelSerializer):
    object_type = serializers.CharField(source="content_type.model", read_only=True)

    class Meta:
        model = HistoryEntry
        fields = ["id", "created_at", "object_type", "object_id", "object_repr", "action", "changes", "from_state",
                  "to_state", "reason", "actor_label", "channel"]


class HubSubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = HubSubscription
        fields = ["id", "api", "callback", "query", "secret", "active", "created_at"]
        read_only_fields = fields


class EventDeliverySerializer(serializers.ModelSerializer):
    event_type = serializers.CharField(source="event.event_type", read_only=True)
    target = serializers.CharField(read_only=True)

    class Meta:
        model = EventDelivery
        fields = ["id", "event", "event_type", "target", "status", "attempts", "next_attempt_at", "delivered_at",
                  "last_error"]
        read_only_fields = fields
