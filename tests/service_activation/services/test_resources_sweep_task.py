"""The beat task over the resource pools: in the schedule every minute, acks_late, idempotent."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from bss.actors import Actor
from bss.audit.models import HistoryEntry
from service_activation.models import Resource
from service_activation.resource_tasks import resources_sweep_task
from service_activation.services import resource_confirm, resource_release, resource_reserve
from tests.factories import number_pool

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def test_the_sweep_is_in_the_beat_schedule_every_minute_and_acks_late():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == resources_sweep_task.name)
    assert entry["schedule"] == 60.0 and entry["options"]["expires"] < 60
    assert resources_sweep_task.acks_late is True


def test_the_sweep_frees_what_is_due_and_a_repeat_moves_nothing():
    pool = number_pool(4, quarantine_days=1)
    lapsed = resource_reserve(pool=pool, holder="order:CO1", actor=SYSTEM)
    live = resource_reserve(pool=pool, holder="order:CO2", actor=SYSTEM)
    ended = resource_reserve(pool=pool, holder="order:CO3", actor=SYSTEM)
    resource_confirm(resource_id=ended.pk, holder="order:CO3", actor=SYSTEM)
    resource_release(resource_id=ended.pk, holder="order:CO3", actor=SYSTEM)
    past = timezone.now() - timedelta(seconds=1)
    Resource.objects.filter(pk=lapsed.pk).update(reserved_until=past)
    Resource.objects.filter(pk=ended.pk).update(quarantined_until=past)

    assert resources_sweep_task.delay().get() == {"expired": 1, "quarantine_released": 1}
    states = dict(Resource.objects.filter(pool=pool).values_list("pk", "state"))
    assert (states[lapsed.pk], states[live.pk], states[ended.pk]) == ("free", "reserved", "free")
    rows = HistoryEntry.objects.filter(object_id=str(pool.pk), actor_label="resource-sweep").count()
    assert resources_sweep_task.delay().get() == {"expired": 0, "quarantine_released": 0}
    assert HistoryEntry.objects.filter(object_id=str(pool.pk), actor_label="resource-sweep").count() == rows == 2
