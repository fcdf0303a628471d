"""Work order assignment (eTOM 1.1.2.2.3, seed 001: "system will provide assign rules based on work order, monitor
can modify these rules"): configured rules that route a new manual work order to a team, and optionally to a
person, by what the step is (specialty, kind), what it is for (service specification), where (the install
address's area) and how urgent (the service order's priority). The first active rule that matches, in
``position`` order, wins (service_activation.services.assignment); without one the work order stays with its
specialty's team."""

from django.conf import settings
from django.db import models


class WorkOrderAssignmentRule(models.Model):
    class Kind(models.TextChoices):  # the work order kinds a person does (WorkOrder.Kind)
        ACTIVATION = "activation", "Activation step"
        TEST = "test", "End-to-end test"
        RECOVERY = "recovery", "Recovery step"

    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=100, help_text="rules are tried in this order (lowest first); "
                                                                  "the first that matches decides")
    active = models.BooleanField(default=True)
    # conditions: blank / empty means "any"
    specialty = models.CharField(max_length=60, blank=True, help_text="the step's specialty, e.g. field-install")
    work_order_kind = models.CharField(max_length=10, choices=Kind.choices, blank=True)
    specification = models.ForeignKey("service_activation.ServiceSpecification", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField(max_length=20, blank=True,
                                 help_text="the install address's area code (customers.Address.area_code)")
    max_priority = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="only service orders of this priority or more urgent (0 is the highest)")
    # outcome
    team = models.CharField(max_length=60, help_text="the team whose worklist gets the work order")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", help_text="optionally, the person it is given to")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class WorkOrderAssignment(models.Model):
    """Where a manual work order was routed when it was created, and by which rule (the why, for the worklist and
    the history). A work order without one belongs to its specialty's team."""

    work_order = models.OneToOneField("service_activation.WorkOrder", on_delete=models.CASCADE,
                                      related_name="assignment")
    team = models.CharField(max_length=60, db_index=True)
    rule = models.ForeignKey(WorkOrderAssignmentRule, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="assignments")
    assigned_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.work_order_id} → {self.team}"
