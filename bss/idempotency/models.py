"""Models of this building block."""

import uuid

from django.db import models


class IdempotencyKey(models.Model):
    """One ``Idempotency-Key`` a credential sent with a POST, and the response to replay.

    ``scope`` is the credential (``user:<pk>``, the same for that user's session and token).
    The row is inserted (claimed, ``in_progress``) in its own short transaction before the view
    runs, so a concurrent duplicate finds it; it becomes ``completed`` with the response, or is
    deleted (released) when the response is one a retry should run again (5xx, 401, 403, 409,
    429). ``claim`` identifies the request holding an in-progress row: only it may complete or
    release the row, also after a stale claim was taken over.
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.TextField(help_text="path and query string of the first request")
    fingerprint = models.CharField(max_length=64, help_text="sha256 of the request body (hex)")
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    claim = models.UUIDField(default=uuid.uuid4)
    claimed_at = models.DateTimeField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_unique_per_scope")]

    def __str__(self):
        return f"{self.scope} {self.key} ({self.state})"
