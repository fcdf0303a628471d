from django.apps import AppConfig


class BssConfig(AppConfig):
    name = "bss"
    verbose_name = "BSS platform"

    def ready(self):
        from django.db.models.signals import post_migrate

        from bss.roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, sender=self, dispatch_uid="bss.sync_roles")

        # TmfViewSet (bss.tmf.views) names DRF's own JSONParser; every TMF API gets the project's
        # strict, depth-limited parsers instead (the same ones REST_FRAMEWORK gives the native API).
        from bss.tmf import parsers
        from bss.tmf.views import TmfViewSet

        TmfViewSet.parser_classes = [parsers.JSONParser, parsers.MergePatchJSONParser]

        # Each app's portal parts (panels, flags, work queues: bss.panels) live in <app>/portal.py.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("portal")
