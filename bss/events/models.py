import json
import secrets
import uuid
from decimal import Decimal

import simplejson
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class ExactJSONEncoder(DjangoJSONEncoder):
    """A Decimal (money) is written as an exact JSON number (``39.9900``), never as a string or
    through float, as the TMF renderer writes API bodies; everything else as DjangoJSONEncoder."""

    def encode(self, o):
        return simplejson.dumps(o, default=self.default, use_decimal=True, namedtuple_as_object=False,
                                ensure_ascii=self.ensure_ascii, separators=(self.item_separator, self.key_separator))


class ExactJSONDecoder(json.JSONDecoder):
    """JSON numbers with a fraction are read back as Decimal: nothing in an event body goes through float."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("parse_float", Decimal)
        super().__init__(*args, **kwargs)


class Event(models.Model):
    """An outbox row: written in the same transaction as the change it announces."""

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(max_length=100, db_index=True)  # e.g. CustomerCreateEvent
    api = models.CharField(max_length=60, db_index=True)  # e.g. customerManagement
    resource_type = models.CharField(max_length=60)  # e.g. customer
    resource_id = models.CharField(max_length=64)
    payload = models.JSONField(encoder=ExactJSONEncoder, decoder=ExactJSONDecoder,
                               help_text="the TMF event body sent to listeners")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    fanned_out_at = models.DateTimeField(null=True, blank=True, help_text="deliveries created")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["fanned_out_at", "created_at"], name="event_pending_idx")]

    def __str__(self):
        return f"{self.event_type} {self.resource_type}/{self.resource_id}"


class HubSubscription(models.Model):
    """A listener registered through a TMF /hub endpoint."""

    api = models.CharField(max_length=60, db_index=True)
    callback = models.URLField(max_length=500)
    query = models.CharField(max_length=500, blank=True)
    secret = models.CharField(max_length=64, default=secrets.token_hex, help_text="HMAC-SHA256 signing key")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.api} → {self.callback}"


class EventDelivery(models.Model):
    """One event to one target: a hub listener (webhook) or an in-process subscriber."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"  # gave up after the last attempt

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="deliveries")
    subscription = models.ForeignKey(
        HubSubscription, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    subscriber = models.CharField(max_length=200, blank=True, help_text="dotted path of an in-process handler")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True, help_text="lease held by a worker attempting it")
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "subscription"], condition=models.Q(subscription__isnull=False),
                name="delivery_event_subscription_uniq",
            ),
            models.UniqueConstraint(
                fields=["event", "subscriber"], condition=~models.Q(subscriber=""),
                name="delivery_event_subscriber_uniq",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]
        verbose_name_plural = "event deliveries"

    def __str__(self):
        return f"{self.event} → {self.subscription or self.subscriber} ({self.status})"

    @property
    def target(self) -> str:
        return self.subscription.callback if self.subscription_id else self.subscriber


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(EventDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    success = models.BooleanField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self):
        return f"attempt {self.number} {'ok' if self.success else 'failed'}"
