"""The beat schedule runs the jeopardy scan every minute; the task wraps sla_scan."""

import pytest
from django.conf import settings

from bss.celery import app
from bss.sla.models import Escalation, SlaClock
from bss.sla.services import EscalationStepInput, sla_target_set_escalation_steps

from .conftest import SYSTEM, berlin


def test_the_scan_is_in_the_beat_schedule_every_minute():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "bss.sla.scan")
    assert entry["schedule"] == 60.0
    app.loader.import_default_modules()  # what a worker does at start: autodiscovery finds bss.sla.tasks
    assert "bss.sla.scan" in app.tasks
    assert app.tasks["bss.sla.scan"].acks_late


@pytest.mark.django_db
def test_the_task_runs_the_scan_and_is_idempotent(target, start, now):
    from bss.sla.tasks import sla_scan_task

    sla_target_set_escalation_steps(target=target, actor=SYSTEM, steps=[
        EscalationStepInput(level=1, trigger="breached", role="Supervisor")])
    start()
    now.set(berlin(2025, 3, 5, 9, 0))
    assert sla_scan_task.delay().get()["escalations"] == 1
    assert sla_scan_task.delay().get()["escalations"] == 0
    assert SlaClock.objects.get().jeopardy_status == "in_jeopardy" and Escalation.objects.count() == 1
