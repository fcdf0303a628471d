"""Service recovery (eTOM 1.1.2.2.10, Recover Service): ending a service no longer needed through its
specification's recovery plan.

- ``RecoveryPlan``: a recovery plan drafted (from the activation plan and the required resources) for a
  specification that has none, kept for an engineer to review, edit and approve; approved, it becomes the
  specification's ``recovery_plan``.
- ``ServiceRecovery``: one service being recovered by a ``delete`` item of a service order: held while it waits
  for its plan's approval or for the authorization asked when it impacts other services (bss.approvals), then
  running, then ended; it records who is affected and when they were told.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition


class RecoveryPlan(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Drafted, waiting for review"
        APPROVED = "approved", "Approved"
        DISCARDED = "discarded", "Discarded"

    specification = models.ForeignKey("service_activation.ServiceSpecification", on_delete=models.PROTECT,
                                      related_name="recovery_drafts")
    status = FSMField(max_length=10, choices=Status.choices, default=Status.DRAFT, protected=True)
    steps = models.JSONField(default=list, blank=True,
                             help_text='[{"code", "name", "kind": automatic|manual, "adapter", "specialty"}]')
    drafted_from = models.JSONField(default=dict, blank=True,
                                    help_text="what the draft was made from: activation steps, required resources")
    review_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["specification"], condition=models.Q(status="draft"),
                                               name="recovery_plan_one_draft_per_spec")]

    def __str__(self):
        return f"Recovery plan for {self.specification}"

    @transition(field=status, source=Status.DRAFT, target=Status.APPROVED)
    def approve(self):
        pass

    @transition(field=status, source=Status.DRAFT, target=Status.DISCARDED)
    def discard(self):
        pass


class ServiceRecovery(FSMModelMixin, models.Model):
    CUSTOMER_PATH = "service__customer"

    class Status(models.TextChoices):
        HELD = "held", "Held (waiting for the plan or an authorization)"
        RUNNING = "running", "Recovering"
        COMPLETED = "completed", "Recovered"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class Authorization(models.TextChoices):
        NOT_NEEDED = "notNeeded", "Not needed (no other service impacted)"
        PENDING = "pending", "Waiting for authorization"
        APPROVED = "approved", "Authorized"
        REJECTED = "rejected", "Refused"

    item = models.OneToOneField("service_activation.ServiceOrderItem", on_delete=models.CASCADE,
                                related_name="recovery")
    service = models.ForeignKey("service_activation.Service", on_delete=models.PROTECT, related_name="recoveries")
    plan = models.ForeignKey(RecoveryPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="recoveries",
                             help_text="the drafted plan this recovery waits for")
    status = FSMField(max_length=10, choices=Status.choices, default=Status.HELD, protected=True)
    authorization = models.CharField(max_length=10, choices=Authorization.choices,
                                     default=Authorization.NOT_NEEDED)
    impacts = models.JSONField(default=list, blank=True,
                               help_text='other services it impacts: [{"service", "name", "customer", "reason"}]')
    outcome_reason = models.CharField(max_length=500, blank=True)
    started_notified_at = models.DateTimeField(null=True, blank=True)
    ended_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "service recoveries"

    def __str__(self):
        return f"Recovery of {self.service} ({self.item})"

    @property
    def waits_for_plan(self) -> bool:
        return self.plan_id is not None and self.plan.status == RecoveryPlan.Status.DRAFT

    @transition(field=status, source=Status.HELD, target=Status.RUNNING)
    def start(self):
        pass

    @transition(field=status, source=Status.RUNNING, target=Status.COMPLETED)
    def complete(self):
        pass

    @transition(field=status, source=Status.RUNNING, target=Status.FAILED)
    def fail(self):
        pass

    @transition(field=status, source=[Status.HELD, Status.RUNNING], target=Status.CANCELLED)
    def cancel(self):
        pass
