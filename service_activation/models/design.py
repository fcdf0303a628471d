"""Service designs (eTOM 1.1.2.2.1 Design Solution): for an order marked for special handling, or a pre-order
feasibility assessment, an engineer records the solution, has it approved through bss.approvals and the detailed
service orders are then issued from it."""

from django.conf import settings
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition

from bss.money import currency_field


class ServiceDesign(FSMModelMixin, models.Model):
    CUSTOMER_PATH = "customer"

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a design"
        SUBMITTED = "submitted", "Submitted for approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected (to be reworked)"
        ISSUED = "issued", "Service orders issued"
        CANCELLED = "cancelled", "Cancelled"

    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="service_designs")
    customer_order_ref = models.CharField(max_length=40, blank=True, db_index=True)
    customer_order_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    requirement = models.TextField(help_text="what is asked for, as the order or the assessment states it")
    status = FSMField(max_length=12, choices=Status.choices, default=Status.OPEN, protected=True)
    cpe = models.TextField(blank=True, help_text="customer premises equipment")
    resource_assignments = models.JSONField(default=dict, blank=True,
                                            help_text="per service: characteristics / resources to use")
    implementation_plan = models.TextField(blank=True)
    schedule = models.TextField(blank=True)
    budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = currency_field(default="EUR")
    risk = models.TextField(blank=True)
    time_to_revenue_days = models.PositiveIntegerField(null=True, blank=True)
    designer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="service_designs")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Design {self.pk}" + (f" for {self.customer_order_ref}" if self.customer_order_ref else "")

    @transition(field=status, source=[Status.OPEN, Status.REJECTED], target=Status.SUBMITTED)
    def submit(self):
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.APPROVED)
    def approve(self):
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.REJECTED)
    def reject(self):
        pass

    @transition(field=status, source=Status.APPROVED, target=Status.ISSUED)
    def issue(self):
        pass

    @transition(field=status, source=[Status.OPEN, Status.SUBMITTED, Status.REJECTED, Status.APPROVED],
                target=Status.CANCELLED)
    def cancel(self):
        pass
