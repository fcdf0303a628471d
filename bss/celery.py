import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bss.settings")

# DjangoTask gives every task .delay_on_commit() / .apply_async_on_commit().
app = Celery("bss", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
