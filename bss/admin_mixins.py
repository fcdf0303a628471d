"""Admin building blocks shared by every app: audited saves and the read-only history view."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.audit.services import action_prefix, history_record_created, track_changes
from bss.errors import ApplicationError, DomainValidationError
from bss.portal import add_service_errors


class AuditedAdmin(admin.ModelAdmin):
    """Every admin save is recorded in the shared history (channel 'admin'); the admin
    'History' page shows that history instead of Django's LogEntry."""

    history_root_field: str | None = None  # e.g. "customer": history also shows on the customer

    def actor(self, request) -> Actor:
        return Actor.from_request(request, Channel.ADMIN)

    def _root(self, obj):
        return getattr(obj, self.history_root_field) if self.history_root_field else obj

    def save_model(self, request, obj, form, change):
        code = f"{action_prefix(obj)}.{'updated' if change else 'created'}"
        if change:
            before = type(obj).objects.get(pk=obj.pk)
            with track_changes(before, action=code, actor=self.actor(request), root=self._root(obj)):
                for field in obj._meta.concrete_fields:
                    # Only what the form changed: lifecycle (FSM) fields are protected and are
                    # changed by transitions (admin actions), never by assignment.
                    value = getattr(obj, field.attname)
                    if getattr(before, field.attname) != value:
                        setattr(before, field.attname, value)
                super().save_model(request, before, form, change)
        else:
            super().save_model(request, obj, form, change)
            history_record_created(obj=obj, actor=self.actor(request), action=code, root=self._root(obj))

    def has_delete_permission(self, request, obj=None):
        return False  # nothing customer-facing is hard-deleted; close it instead

    def service_check(self, request, obj, data: dict, change: bool) -> None:
        """Override to run a service's business rules on the form's cleaned data (raise
        ApplicationError); the admin form then shows them instead of failing on save."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        model_admin = self

        class ServiceCheckedForm(form_class):
            def clean(self):
                data = super().clean()
                if not self._errors:
                    try:
                        model_admin.service_check(request, obj, data, change)
                    except DomainValidationError as e:
                        add_service_errors(self, e)
                    except ApplicationError as e:
                        self.add_error(None, e.message)
                return data

        ServiceCheckedForm.__name__ = form_class.__name__
        return ServiceCheckedForm

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        entries = HistoryEntry.objects.for_object(obj).select_related("actor") if obj else []
        if obj is not None and self._root(obj) is obj:
            entries = HistoryEntry.objects.for_root(obj).select_related("actor")
        context = {**self.admin_site.each_context(request), "title": f"History: {obj}", "object": obj,
                   "opts": self.model._meta, "history": entries[:500], **(extra_context or {})}
        return TemplateResponse(request, "admin/bss/history.html", context)

    def run_service(self, request, fn, queryset, **kwargs):
        """Admin actions call services; each object's failure is reported, the others go on."""
        done = 0
        for obj in queryset:
            try:
                fn(obj, **kwargs)
                done += 1
            except ApplicationError as e:
                self.message_user(request, f"{obj}: {e.message}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} done.", messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
