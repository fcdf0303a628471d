from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "bss.sla"
    label = "sla"
    default_auto_field = "django.db.models.BigAutoField"
