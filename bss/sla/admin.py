"""Admin for SLA configuration (saved through bss.sla.services) and read-only clocks."""

from django.contrib import admin

from bss.admin_mixins import ReadOnlyAdmin, ServiceSavedAdmin

from . import services
from .models import (
    BusinessCalendar,
    Escalation,
    EscalationStep,
    Holiday,
    SlaClock,
    SlaPause,
    SlaTarget,
    WorkingHours,
)


def _kept_forms(formset):
    return [f for f in formset.forms
            if f.cleaned_data and not formset._should_delete_form(f)]


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    fields = ("weekday", "start", "end")
    extra = 0


class CalendarHolidayInline(admin.TabularInline):
    model = Holiday
    fk_name = "calendar"
    fields = ("date", "name")
    extra = 0
    verbose_name_plural = "holidays of this calendar (shared regional holidays: Holidays admin)"


CALENDAR_FIELDS = ("name", "time_zone", "region", "always_open", "description")


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(ServiceSavedAdmin):
    list_display = ("name", "time_zone", "region", "always_open", "updated_at")
    list_filter = ("always_open", "time_zone", "region")
    search_fields = ("name", "region", "description")
    fields = CALENDAR_FIELDS
    inlines = [WorkingHoursInline, CalendarHolidayInline]
    service_fields = CALENDAR_FIELDS

    def create(self, request, data):
        return services.business_calendar_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        return services.business_calendar_update(calendar=obj, actor=self.actor(request), **data)

    def save_formset(self, request, form, formset, change):
        self._no_change_message(formset)
        if not formset.has_changed():
            return
        calendar = BusinessCalendar.objects.get(pk=form.instance.pk)
        if formset.model is WorkingHours:
            services.business_calendar_set_hours(
                calendar=calendar, actor=self.actor(request),
                hours=[services.HoursInput(weekday=int(f.cleaned_data["weekday"]), start=f.cleaned_data["start"],
                                           end=f.cleaned_data["end"]) for f in _kept_forms(formset)])
        elif formset.model is Holiday:
            services.business_calendar_set_holidays(
                calendar=calendar, actor=self.actor(request),
                holidays=[services.HolidayInput(date=f.cleaned_data["date"], name=f.cleaned_data["name"])
                          for f in _kept_forms(formset)])


HOLIDAY_FIELDS = ("date", "name", "region")


@admin.register(Holiday)
class HolidayAdmin(ServiceSavedAdmin):
    """Shared holidays (nationwide or of a region); a calendar's own holidays are on its page."""

    list_display = ("date", "name", "region", "calendar")
    list_filter = ("region", "calendar")
    search_fields = ("name", "region")
    date_hierarchy = "date"
    fields = HOLIDAY_FIELDS
    service_fields = HOLIDAY_FIELDS

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.calendar_id:
            return False  # edited on its calendar's page
        return super().has_change_permission(request, obj)

    def create(self, request, data):
        return services.holiday_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        return services.holiday_update(holiday=obj, actor=self.actor(request), **data)


class EscalationStepInline(admin.TabularInline):
    model = EscalationStep
    fields = ("level", "trigger", "delay_minutes", "action", "role", "message")
    extra = 0


TARGET_FIELDS = ("name", "clock_type", "step", "type_code", "priority", "segment", "time_basis", "calendar",
                 "duration_minutes", "jeopardy_margin_minutes", "active", "description")


@admin.register(SlaTarget)
class SlaTargetAdmin(ServiceSavedAdmin):
    list_display = ("name", "clock_type", "step", "type_code", "priority", "segment", "duration_minutes",
                    "time_basis", "calendar", "jeopardy_margin_minutes", "active")
    list_filter = ("active", "clock_type", "time_basis", "calendar")
    search_fields = ("name", "clock_type", "step", "type_code", "description")
    fields = TARGET_FIELDS
    inlines = [EscalationStepInline]
    service_fields = TARGET_FIELDS

    def create(self, request, data):
        return services.sla_target_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        return services.sla_target_update(target=obj, actor=self.actor(request), **data)

    def save_formset(self, request, form, formset, change):
        self._no_change_message(formset)
        if formset.model is not EscalationStep or not formset.has_changed():
            return
        target = SlaTarget.objects.get(pk=form.instance.pk)
        services.sla_target_set_escalation_steps(
            target=target, actor=self.actor(request),
            steps=[services.EscalationStepInput(**{k: f.cleaned_data.get(k) for k in (
                "level", "trigger", "delay_minutes", "action", "role", "message")}) for f in _kept_forms(formset)])


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PauseInline(ReadOnlyInline):
    model = SlaPause
    fields = ("paused_at", "resumed_at", "reason", "paused_by", "resumed_by")
    readonly_fields = fields


class EscalationInline(ReadOnlyInline):
    model = Escalation
    fields = ("level", "trigger", "action", "role", "message", "fired_at", "due_at", "projected_at")
    readonly_fields = fields


@admin.register(SlaClock)
class SlaClockAdmin(ReadOnlyAdmin):
    """Clocks are started, paused and stopped by the owning app's services; here they are watched."""

    list_display = ("__str__", "clock_type", "step", "state", "jeopardy_status", "escalation_level", "started_at",
                    "due_at", "projected_at")
    list_filter = ("state", "jeopardy_status", "clock_type", "escalation_level")
    search_fields = ("object_repr", "object_id", "clock_type")
    date_hierarchy = "due_at"
    readonly_fields = [f.name for f in SlaClock._meta.fields]
    inlines = [PauseInline, EscalationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("content_type", "target")


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ("clock", "level", "trigger", "action", "role", "fired_at")
    list_filter = ("level", "trigger", "action", "role")
    search_fields = ("clock__object_repr", "clock__clock_type", "message")
    date_hierarchy = "fired_at"
    readonly_fields = [f.name for f in Escalation._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("clock")
