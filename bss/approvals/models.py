"""Approvals: one mechanism for every "someone else must agree" step.

ApprovalPolicy   configured per approval type (e.g. "orders.credit_referral"): who decides, whether an
                 amount (and so a limit) applies, who takes over when the amount is above the limit.
ApproverLimit    per-currency limits of a role or of one user for one approval type: per request and,
                 optionally, cumulative per approver and calendar period (day, week, month).
ApprovalRequest  one request about one subject (any model, by generic reference), with its decision.

The rules live in bss.approvals.services; the owning app reacts through the handler it registered
(bss.approvals.registry) and through the events in bss.approvals.events.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django_fsm import FSMField, transition

from bss.money import CURRENCIES, money_field


class ApprovalPolicy(models.Model):
    """Overrides the defaults an app registered for its approval type (or configures a new type)."""

    approval_type = models.CharField(max_length=100, unique=True, help_text='e.g. "orders.credit_referral"')
    name = models.CharField(max_length=200)
    approver_roles = models.JSONField(default=list, help_text='roles that decide, e.g. ["Supervisor"]')
    amount_applies = models.BooleanField(
        default=False, help_text="requests carry an amount, and approvers need a limit in its currency")
    escalation_role = models.CharField(
        max_length=150, blank=True, help_text="takes over a request above the approver's limit (empty: refused)")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["approval_type"]
        verbose_name_plural = "approval policies"

    def __str__(self):
        return f"{self.name} ({self.approval_type})"


class ApproverLimit(models.Model):
    """The most one approver may approve in one currency: one request, and in total per period.

    Keyed by a role (every holder of the role has this limit, each on their own) or by one user
    (overrides the role's). A user's general ``approval_limit``/``approval_currency`` (bss.User)
    applies where no row names the user for the type and currency."""

    class Period(models.TextChoices):
        DAY = "day", "Day"
        WEEK = "week", "Week (from Monday)"
        MONTH = "month", "Month"

    approval_type = models.CharField(max_length=100)
    role = models.CharField(max_length=150, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="approver_limits")
    currency = models.CharField(max_length=3, choices=CURRENCIES)
    max_amount = money_field(help_text="largest single request this approver may approve")
    period = models.CharField(max_length=10, choices=Period.choices, blank=True)
    period_limit = money_field(null=True, blank=True,
                               help_text="total this approver may approve per period (with a period)")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["approval_type", "role", "user_id", "currency"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role="", user__isnull=False) | (~models.Q(role="") & models.Q(user__isnull=True))),
                name="approver_limit_role_xor_user"),
            models.UniqueConstraint(fields=["approval_type", "role", "currency"], condition=models.Q(user__isnull=True),
                                    name="approver_limit_unique_role"),
            models.UniqueConstraint(fields=["approval_type", "user", "currency"], condition=models.Q(role=""),
                                    name="approver_limit_unique_user"),
        ]

    def __str__(self):
        who = self.role or f"user {self.user}"
        per = f", {self.period_limit} per {self.period}" if self.period else ""
        return f"{self.approval_type}: {who} up to {self.max_amount} {self.currency}{per}"


class ApprovalRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        ESCALATED = "escalated", "Escalated"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"

    OPEN = (State.PENDING, State.ESCALATED)

    approval_type = models.CharField(max_length=100, db_index=True)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.CharField(max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_repr = models.CharField(max_length=200)
    amount = money_field(null=True, blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCIES, blank=True)
    reason = models.CharField(max_length=500, help_text="why approval is asked")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    state = FSMField(max_length=10, choices=State.choices, default=State.PENDING, protected=True)
    escalated_to_role = models.CharField(max_length=150, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["approval_type", "subject_type", "subject_id"],
                                    condition=models.Q(state__in=["pending", "escalated"]),
                                    name="one_open_approval_per_subject"),
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="approval_subject_idx"),
            models.Index(fields=["decided_by", "approval_type", "currency", "decided_at"],
                         name="approval_decided_idx"),
        ]

    def __str__(self):
        return f"Approval {self.pk} ({self.approval_type}): {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN

    @transition(field=state, source=State.PENDING, target=State.ESCALATED)
    def escalate(self):
        pass

    @transition(field=state, source=[State.PENDING, State.ESCALATED], target=State.APPROVED)
    def approve(self):
        pass

    @transition(field=state, source=[State.PENDING, State.ESCALATED], target=State.REJECTED)
    def reject(self):
        pass

    @transition(field=state, source=[State.PENDING, State.ESCALATED], target=State.CANCELLED)
    def cancel(self):
        pass
