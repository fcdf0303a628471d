"""Order feasibility (eTOM 1.1.1.5.1): rules configured without code, coverage, qualifications."""

from django.conf import settings
from django.db import models
from django_fsm import FSMField, FSMModelMixin


class FeasibilityRule(models.Model):
    class RuleType(models.TextChoices):
        ELIGIBILITY = "eligibility", "Eligibility"
        PREREQUISITE = "prerequisite", "Prerequisite"
        EXCLUSION = "exclusion", "Exclusion"
        TRANSITION = "transition", "Transition"
        SERVICEABILITY = "serviceability", "Serviceability"
        COMPATIBILITY = "compatibility", "Compatibility"

    name = models.CharField(max_length=200)
    rule_type = models.CharField(max_length=20, choices=RuleType.choices)
    is_active = models.BooleanField(default=True)
    priority = models.PositiveSmallIntegerField(default=100, help_text="lower runs first")
    # Application range: which orders the rule applies to (empty = no restriction).
    offerings = models.ManyToManyField("orders.ProductOffering", blank=True, related_name="feasibility_rules",
                                       help_text="offerings the rule applies to; empty: every offering")
    segments = models.JSONField(default=list, blank=True)
    channels = models.JSONField(default=list, blank=True)
    customer_types = models.JSONField(default=list, blank=True, help_text="individual / organization")
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_to = models.DateTimeField(null=True, blank=True)
    # What the rule checks; the keys depend on the rule type (see orders.feasibility).
    params = models.JSONField(default=dict, blank=True)
    staff_message = models.CharField(max_length=300)
    customer_message = models.CharField(max_length=300, blank=True)
    alternatives = models.ManyToManyField("orders.ProductOffering", blank=True, related_name="alternative_in_rules",
                                          help_text="offerings proposed instead when this rule refuses")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "id"]

    def __str__(self):
        return f"[{self.rule_type}] {self.name}"


class CoverageArea(models.Model):
    """Serviceability: where a technology is available, by geographic area code or postcode prefix."""

    technology = models.CharField(max_length=30)
    area_code = models.CharField(max_length=20, blank=True, db_index=True)
    postcode_prefix = models.CharField(max_length=10, blank=True, db_index=True)
    max_bandwidth_mbps = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["technology", "area_code", "postcode_prefix"]

    def __str__(self):
        where = self.area_code or f"{self.postcode_prefix}*"
        return f"{self.technology} @ {where}" + (f" ≤{self.max_bandwidth_mbps} Mb/s" if self.max_bandwidth_mbps else "")


class OfferingQualification(FSMModelMixin, models.Model):
    """A stored TMF679 productOfferingQualification: the request and its evaluated result. It is
    evaluated synchronously, so it is stored in its final state (done, or terminatedWithError);
    the state is a protected FSM field like every lifecycle, and has no transitions yet (an
    asynchronous qualification would add acknowledged -> inProgress -> done)."""

    CUSTOMER_PATH = "customer"

    class State(models.TextChoices):
        DONE = "done", "Done"
        TERMINATED_WITH_ERROR = "terminatedWithError", "Terminated with error"

    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="qualifications")
    channel = models.CharField(max_length=20, blank=True)
    state = FSMField(max_length=20, choices=State.choices, default=State.DONE, protected=True)
    qualification_result = models.CharField(max_length=20, help_text="qualified / unqualified")
    request = models.JSONField()
    result = models.JSONField(help_text="per item: feasible, reasons, alternatives, fired rules")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"POQ {self.pk} {self.qualification_result}"
