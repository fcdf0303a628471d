"""Admin for the service specifications that product specifications are realized by (the link
itself is kept, and edited, on the product specification in orders). Saves go through
service_activation.services; the lifecycle moves through the actions."""

from django.contrib import admin

from bss.admin_mixins import ServiceSavedAdmin
from bss.lifecycle import LifecycleStatus
from service_activation import services
from service_activation.models import ActivationStep, ServiceSpecification


class ActivationStepInline(admin.TabularInline):
    """The activation plan: ordered steps, automatic through an adapter or manual for a team."""

    model = ActivationStep
    fields = services.STEP_FIELDS
    extra = 1


@admin.register(ServiceSpecification)
class ServiceSpecificationAdmin(ServiceSavedAdmin):
    list_display = ("code", "name", "lifecycle_status", "delivered_by_partner", "updated_at")
    list_filter = ("lifecycle_status", "delivered_by_partner")
    search_fields = ("code", "name", "description")
    readonly_fields = ("lifecycle_status", "created_at", "updated_at")
    service_fields = ("code", "name", "description", "characteristics", "required_resources", "test_plan",
                      "recovery_plan", "delivered_by_partner", "partner_name")
    inlines = [ActivationStepInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is ActivationStep and formset.has_changed():
            steps = [{f: f_form.cleaned_data.get(f) for f in services.STEP_FIELDS} for f_form in formset.forms
                     if f_form.cleaned_data and not formset._should_delete_form(f_form)]
            services.service_specification_update(specification=form.instance, actor=self.actor(request),
                                                  activation_steps=steps)
        self._no_change_message(formset)
    actions = ["launch", "retire", "reinstate"]

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "code") if obj else self.readonly_fields

    def create(self, request, data):
        details = {k: data.pop(k) for k in list(data) if k not in ("code", "name", "description")}
        spec = services.service_specification_create(actor=self.actor(request), **data)
        if details:
            services.service_specification_update(specification=spec, actor=self.actor(request), **details)
        return spec

    def update(self, request, obj, data):
        return services.service_specification_update(specification=obj, actor=self.actor(request), **data)

    def _status(self, request, queryset, status, verb):
        return self.confirm_with_reason(
            request, queryset, verb, lambda s, reason: services.service_specification_change_status(
                specification_id=s.pk, status=status, actor=self.actor(request), reason=reason))

    @admin.action(description="Launch (make active)", permissions=["change"])
    def launch(self, request, queryset):
        return self._status(request, queryset, LifecycleStatus.ACTIVE, "launch")

    @admin.action(description="Retire", permissions=["change"])
    def retire(self, request, queryset):
        return self._status(request, queryset, LifecycleStatus.RETIRED, "retire")

    @admin.action(description="Reinstate (active again)", permissions=["change"])
    def reinstate(self, request, queryset):
        return self._status(request, queryset, LifecycleStatus.ACTIVE, "reinstate")
