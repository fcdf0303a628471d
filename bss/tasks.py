# Celery autodiscovery looks for <app>.tasks; the platform's tasks live in sub-packages.
from bss.events.tasks import deliver_task, fan_out_task, redispatch_pending_task  # noqa: F401
