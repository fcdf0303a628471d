"""Claim, complete, release and purge idempotency keys (the only writers of IdempotencyKey).

These rows are a replay cache, not business records: no history rows and no events.
"""

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import IdempotencyKey

State = IdempotencyKey.State


class Outcome(enum.Enum):
    CLAIMED = "claimed"  # this request runs; complete or release the record afterwards
    REPLAY = "replay"  # the same request completed before: answer with the stored response
    IN_PROGRESS = "in_progress"  # the same request is running now: 409
    MISMATCH = "mismatch"  # the key was used for another method, path or body: 422


@dataclass(frozen=True)
class Claim:
    outcome: Outcome
    record: IdempotencyKey | None = None


def ttl() -> timedelta:
    return timedelta(hours=settings.BSS_IDEMPOTENCY_TTL_HOURS)


def idempotency_key_claim(*, scope: str, key: str, method: str, path: str, fingerprint: str,
                          now: datetime | None = None) -> Claim:
    """Claim ``key`` for this request, or say why not.

    The insert runs in its own transaction (committed at once in autocommit), so a concurrent
    duplicate blocks on the unique index until it commits and then finds the row. An expired
    row is removed and the key claimed afresh; an in-progress row older than
    ``BSS_IDEMPOTENCY_STALE_SECONDS`` (its worker died) is taken over.
    """
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.BSS_IDEMPOTENCY_STALE_SECONDS)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    scope=scope, key=key, method=method, path=path, fingerprint=fingerprint,
                    state=State.IN_PROGRESS, claimed_at=now, created_at=now, expires_at=now + ttl())
            return Claim(Outcome.CLAIMED, record)
        except IntegrityError:
            pass
        record = IdempotencyKey.objects.filter(scope=scope, key=key).first()
        if record is None:  # released between our insert and this read
            continue
        if record.expires_at <= now:
            IdempotencyKey.objects.filter(pk=record.pk, expires_at__lte=now).delete()
            continue
        if (record.method, record.path, record.fingerprint) != (method, path, fingerprint):
            return Claim(Outcome.MISMATCH, record)
        if record.state == State.COMPLETED:
            return Claim(Outcome.REPLAY, record)
        if record.claimed_at <= stale_before:
            token = uuid.uuid4()
            taken = IdempotencyKey.objects.filter(pk=record.pk, state=State.IN_PROGRESS, claim=record.claim) \
                .update(claim=token, claimed_at=now)
            if taken:
                record.claim, record.claimed_at = token, now
                return Claim(Outcome.CLAIMED, record)
            continue
        return Claim(Outcome.IN_PROGRESS, record)
    return Claim(Outcome.IN_PROGRESS)  # the key keeps changing hands: the client retries


def idempotency_key_complete(*, record: IdempotencyKey, status: int, headers: dict[str, str],
                             body: bytes) -> bool:
    """Store the response to replay; False when this request no longer holds the claim."""
    return IdempotencyKey.objects.filter(pk=record.pk, claim=record.claim, state=State.IN_PROGRESS).update(
        state=State.COMPLETED, response_status=status, response_headers=headers, response_body=bytes(body),
        completed_at=timezone.now()) == 1


def idempotency_key_release(*, record: IdempotencyKey) -> None:
    """Forget the claim so that a retry with the same key runs again."""
    IdempotencyKey.objects.filter(pk=record.pk, claim=record.claim, state=State.IN_PROGRESS).delete()


def idempotency_keys_purge(*, now: datetime | None = None, batch_size: int = 5000) -> int:
    """Delete expired keys in batches; returns how many. Run by Celery beat (bss.idempotency.purge)."""
    now = now or timezone.now()
    deleted = 0
    while True:
        pks = list(IdempotencyKey.objects.filter(expires_at__lte=now).values_list("pk", flat=True)[:batch_size])
        if not pks:
            return deleted
        deleted += IdempotencyKey.objects.filter(pk__in=pks).delete()[0]
