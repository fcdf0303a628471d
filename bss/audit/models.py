"""One append-only history for every app: who, when, what changed, through which channel."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from bss.actors import Channel


class HistoryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("history is append-only")

    def delete(self):
        raise PermissionError("history is append-only")

    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))

    def for_root(self, obj):
        """Everything recorded on an aggregate (e.g. a customer and its contacts, accounts)."""
        return self.filter(root_content_type=ContentType.objects.get_for_model(obj), root_object_id=str(obj.pk))


class HistoryEntry(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=200)
    # The aggregate the object belongs to, so one query shows a customer's whole history.
    root_content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", null=True)
    root_object_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=100, help_text="namespaced code, e.g. customers.customer.created")
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [old, new]}")
    from_state = models.CharField(max_length=50, blank=True)
    to_state = models.CharField(max_length=50, blank=True)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    channel = models.CharField(max_length=20, choices=Channel.choices)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "history entries"
        indexes = [
            models.Index(fields=["content_type", "object_id", "-created_at"], name="history_object_idx"),
            models.Index(fields=["root_content_type", "root_object_id", "-created_at"], name="history_root_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("history is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("history is append-only")

    @property
    def summary(self) -> str:
        parts = []
        if self.from_state or self.to_state:
            parts.append(f"{self.from_state or '—'} → {self.to_state}")
        for field, (old, new) in sorted(self.changes.items()):
            if (old, new) == (self.from_state or None, self.to_state) or [old, new] == [self.from_state, self.to_state]:
                continue  # the state change is already shown as "from → to"
            parts.append(f"{field}: {old!s} → {new!s}" if old not in (None, "") else f"{field}: {new!s}")
        return "; ".join(parts)
