"""Admin building blocks shared by every app: audited saves and the read-only history view."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError, DomainValidationError
from bss.portal import add_service_errors


class FsmSafeFormMixin:
    """For ModelForms over models with protected lifecycle (FSM) fields: the form may show and
    take the lifecycle value, but never assigns it to the instance (django-fsm refuses that);
    the value stays in cleaned_data for the service, which moves it through its transition."""

    def _protected_fsm_names(self) -> set[str]:
        from django_fsm import FSMFieldMixin

        return {f.name for f in self._meta.model._meta.concrete_fields if isinstance(f, FSMFieldMixin) and f.protected}

    def _get_validation_exclusions(self):
        # the model's clean_fields() would re-assign the (protected) value: the service validates it
        return super()._get_validation_exclusions() | self._protected_fsm_names()

    def _post_clean(self):
        protected = [name for name in self._protected_fsm_names() if name in self.cleaned_data]
        kept = {name: self.cleaned_data.pop(name) for name in protected}
        try:
            super()._post_clean()
        finally:
            self.cleaned_data.update(kept)


class ActionReasonForm(forms.Form):
    reason = forms.CharField(max_length=255, label="Reason", help_text="Recorded in the history of each object.",
                             widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class AuditedAdmin(admin.ModelAdmin):
    """The shared admin base: the 'History' page shows the shared history instead of Django's
    LogEntry, service refusals show as form errors, nothing is hard-deleted. It never saves by
    itself: subclasses that add or change rows are ServiceSavedAdmin (through a service); the
    others are read-only."""

    history_root_field: str | None = None  # e.g. "customer": history also shows on the customer

    def actor(self, request) -> Actor:
        return Actor.from_request(request, Channel.ADMIN)

    def _root(self, obj):
        return getattr(obj, self.history_root_field) if self.history_root_field else obj

    def save_model(self, request, obj, form, change):
        # Services are the only writers: an admin that can add or change saves through its
        # service (ServiceSavedAdmin), every other admin is read-only.
        raise TypeError(f"{type(self).__name__} must save through a service (use ServiceSavedAdmin) "
                        f"or be read-only")

    def has_delete_permission(self, request, obj=None):
        return False  # nothing customer-facing is hard-deleted; close it instead

    def service_check(self, request, obj, data: dict, change: bool) -> None:
        """Override to run a service's business rules on the form's cleaned data (raise
        ApplicationError); the admin form then shows them instead of failing on save."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        model_admin = self

        bases = (form_class,) if issubclass(form_class, FsmSafeFormMixin) else (FsmSafeFormMixin, form_class)

        class ServiceCheckedForm(*bases):
            def clean(self):
                data = super().clean()
                failure = getattr(request, "_admin_service_error", None)
                if failure is not None:  # the service refused the save: show why, save nothing
                    _add_service_failure(self, failure)
                    return data
                if not self._errors:
                    try:
                        model_admin.service_check(request, obj, data, change)
                    except ApplicationError as e:
                        _add_service_failure(self, e)
                return data

        ServiceCheckedForm.__name__ = form_class.__name__
        return ServiceCheckedForm

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A service refusing the save (in save_model / save_related) rolls the whole save back
        and shows the form again with the service's errors, instead of a server error."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as e:
            if request.method != "POST" or hasattr(request, "_admin_service_error"):
                raise
            request._admin_service_error = e  # the form's clean() adds it: nothing is saved
            return super().changeform_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        entries = HistoryEntry.objects.for_object(obj).select_related("actor") if obj else []
        if obj is not None and self._root(obj) is obj:
            entries = HistoryEntry.objects.for_root(obj).select_related("actor")
        context = {**self.admin_site.each_context(request), "title": f"History: {obj}", "object": obj,
                   "opts": self.model._meta, "history": entries[:500], **(extra_context or {})}
        return TemplateResponse(request, "admin/bss/history.html", context)

    def confirm_with_reason(self, request, queryset, verb: str, apply, consequences=None):
        """An admin action that changes state asks first: an intermediate page lists the selected objects and
        what will happen (``consequences(queryset)`` -> sentences), and requires a reason, which ``apply(obj,
        reason)`` records through the service. Return its result from the action (a page, or None when done).

            @admin.action(description="Close selected customers (with a reason)")
            def close(self, request, queryset):
                return self.confirm_with_reason(request, queryset, "close", lambda c, reason:
                    services.customer_change_status(customer_id=c.pk, status="closed", reason=reason,
                                                    actor=self.actor(request)))
        """
        form = ActionReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            self.run_service(request, lambda obj: apply(obj, reason), queryset)
            return None
        opts = self.model._meta
        return TemplateResponse(request, "admin/bss/confirm_action.html", {
            **self.admin_site.each_context(request), "title": f"{verb.capitalize()} {opts.verbose_name_plural}",
            "opts": opts, "objects": list(queryset), "form": form, "verb": verb,
            "consequences": consequences(queryset) if consequences else [],
            "action": request.POST.get("action"), "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "changelist_url": f"admin:{opts.app_label}_{opts.model_name}_changelist",
        })

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


def _add_service_failure(form, error: ApplicationError) -> None:
    if isinstance(error, DomainValidationError):
        add_service_errors(form, error)
    else:
        form.add_error(None, error.message)


class ServiceSavedAdmin(AuditedAdmin):
    """Creates and updates through a service: ``service_fields`` are passed on (on change only
    those the form changed); inline formsets are saved by ``save_formset`` overrides. The
    service's errors show as form errors (see AuditedAdmin.changeform_view)."""

    service_fields: tuple[str, ...] = ()

    def create(self, request, data: dict):  # each subclass names its service
        raise TypeError(f"{type(self).__name__} must define create(request, data) calling a service")

    def update(self, request, obj, data: dict):
        raise TypeError(f"{type(self).__name__} must define update(request, obj, data) calling a service")

    def form_data(self, form, change: bool) -> dict:
        names = [f for f in self.service_fields if f in form.cleaned_data]
        if change:
            names = [f for f in names if f in form.changed_data]
        return {f: form.cleaned_data[f] for f in names}

    def save_model(self, request, obj, form, change):
        data = self.form_data(form, change)
        if not change:
            self.adopt(obj, self.create(request, data))
        elif data:
            self.update(request, obj, data)

    @staticmethod
    def adopt(obj, created) -> None:
        """Give the admin's (unsaved) form instance the row the service created, so the admin's
        redirect and messages name it."""
        obj.__dict__.update({f.attname: getattr(created, f.attname) for f in obj._meta.concrete_fields})
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # Many-to-many fields went through the service in save_model (no form.save_m2m()).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        """An inline that can change rows saves them through the parent's service: override this
        (or save_related). Unchanged or read-only inlines have nothing to save."""
        if formset.has_changed():
            raise TypeError(f"{type(self).__name__} must save its {formset.model.__name__} inline through a "
                            f"service (override save_formset)")
        self._no_change_message(formset)

    @staticmethod
    def _no_change_message(formset):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
