"""Admin for feasibility rules (saved through the service, with history), coverage and qualifications (read-only)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from bss.admin_mixins import ReadOnlyAdmin, ServiceSavedAdmin
from orders.forms import FeasibilityRuleForm
from orders.models import CoverageArea, FeasibilityRule, OfferingQualification
from orders.services import coverage
from orders.services.feasibility import feasibility_rule_save


@admin.register(FeasibilityRule)
class FeasibilityRuleAdmin(ServiceSavedAdmin):
    """Saves (the rule, its range and its alternatives) go through feasibility_rule_save, so
    every change, many-to-many ones included, is in the history with channel 'admin'."""

    form = FeasibilityRuleForm
    list_display = ("name", "rule_type", "is_active", "priority", "range", "staff_message", "tester")
    list_filter = ("rule_type", "is_active")
    search_fields = ("name", "staff_message", "customer_message", "offerings__code")
    filter_horizontal = ("offerings", "alternatives")

    def save_model(self, request, obj, form, change):
        # obj carries the form's field values; the many-to-many ones are saved by the service
        # too (ServiceSavedAdmin.save_related does not call form.save_m2m()).
        feasibility_rule_save(rule=obj, offerings=form.cleaned_data.get("offerings") or [],
                              alternatives=form.cleaned_data.get("alternatives") or [],
                              actor=self.actor(request))

    def has_delete_permission(self, request, obj=None):
        return False  # switch a rule off (is_active) so its history stays meaningful

    @admin.display(description="Applies to")
    def range(self, obj):
        codes = [o.code for o in obj.offerings.all()]
        return ", ".join(codes) if codes else "every offering"

    @admin.display(description="Test")
    def tester(self, obj):
        return format_html('<a href="{}?rule={}">rule tester</a>', reverse("feasibility:rule_test"), obj.pk)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("offerings")


@admin.register(CoverageArea)
class CoverageAreaAdmin(ServiceSavedAdmin):
    list_display = ("technology", "area_code", "postcode_prefix", "max_bandwidth_mbps", "is_active")
    list_filter = ("technology", "is_active")
    search_fields = ("area_code", "postcode_prefix")
    service_fields = coverage.COVERAGE_AREA_FIELDS

    def create(self, request, data):
        return coverage.coverage_area_create(actor=self.actor(request), **data)

    def update(self, request, obj, data):
        return coverage.coverage_area_update(area=obj, actor=self.actor(request), **data)


@admin.register(OfferingQualification)
class OfferingQualificationAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "customer", "channel", "qualification_result", "requested_by")
    list_filter = ("qualification_result", "channel")
    search_fields = ("customer__customer_number",)
