"""Expired idempotency keys are purged by a periodic task registered with Celery beat."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from bss.idempotency.models import IdempotencyKey
from bss.idempotency.services import idempotency_keys_purge
from bss.idempotency.tasks import purge_expired_task

pytestmark = pytest.mark.django_db


def key(name, expires_in):
    now = timezone.now()
    return IdempotencyKey.objects.create(scope="user:1", key=name, method="POST", path="/api/v1/x/",
                                         fingerprint="0" * 64, claimed_at=now, created_at=now,
                                         expires_at=now + expires_in)


def test_purge_deletes_only_expired_keys_in_batches():
    for i in range(5):
        key(f"old{i}", timedelta(seconds=-1))
    fresh = key("fresh", timedelta(hours=1))
    assert idempotency_keys_purge(batch_size=2) == 5
    assert list(IdempotencyKey.objects.all()) == [fresh]
    assert idempotency_keys_purge() == 0


def test_the_task_purges_and_beat_runs_it():
    key("old", timedelta(seconds=-1))
    assert purge_expired_task.delay().get() == 1
    assert not IdempotencyKey.objects.exists()
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == purge_expired_task.name)
    assert entry["schedule"] <= 24 * 3600


def test_a_worker_finds_the_task_by_autodiscovery():
    code = ("import django; django.setup(); from bss.celery import app; "
            "app.loader.import_default_modules(); print(sorted(app.tasks))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "DJANGO_SETTINGS_MODULE": "bss.settings"}, check=True).stdout
    assert "bss.idempotency.purge" in out
