"""Authorize credit (eTOM 1.1.1.5.2): policy, checks with their outcome, manual review."""

from django.conf import settings
from django.db import models
from django_fsm import FSMField, transition

from bss.money import Money, MoneyPair, currency_field, money_field


class CreditPolicy(models.Model):
    """The active policy (one row is active at a time): internal checks and the bureau call."""

    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    check_credit_limit = models.BooleanField(default=True, help_text="order total must fit the account's limit")
    decline_credit_classes = models.JSONField(default=list, blank=True, help_text='e.g. ["D"]')
    refer_credit_classes = models.JSONField(default=list, blank=True, help_text='e.g. ["C"]: manual review')
    max_outstanding_balance = money_field(null=True, blank=True, help_text="once billing exists")
    use_bureau = models.BooleanField(default=True)
    bureau_min_amount = money_field(default=0, help_text="call the bureau for orders from this amount")
    deposit_percent_when_referred = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "credit policies"
        constraints = [models.UniqueConstraint(fields=["is_active"], condition=models.Q(is_active=True),
                                               name="one_active_credit_policy")]

    def __str__(self):
        return self.name

    # Policy amounts carry no currency of their own: a check reads them in its own currency
    # (there is no conversion), as Money, so they only ever meet amounts of that currency.
    def bureau_min(self, currency: str) -> Money:
        return Money(self.bureau_min_amount, currency)

    def max_outstanding(self, currency: str) -> Money | None:
        return None if self.max_outstanding_balance is None else Money(self.max_outstanding_balance, currency)


class BureauSimulationRule(models.Model):
    """Configures the simulated credit bureau: first matching rule (by priority) decides."""

    class Outcome(models.TextChoices):
        APPROVE = "approve", "Approve"
        DECLINE = "decline", "Decline"
        REFER = "refer", "Refer"
        TIMEOUT = "timeout", "Time out"

    priority = models.PositiveSmallIntegerField(default=100)
    name = models.CharField(max_length=100)
    credit_classes = models.JSONField(default=list, blank=True)
    name_contains = models.CharField(max_length=100, blank=True)
    min_amount = money_field(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    score = models.PositiveSmallIntegerField(default=600)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["priority", "id"]

    def __str__(self):
        return f"{self.name} → {self.outcome}"


class CreditCheck(models.Model):
    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        REFERRED = "referred", "Referred"

    class Status(models.TextChoices):
        DECIDED = "decided", "Decided"
        PENDING_REVIEW = "pending_review", "Pending manual review"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="credit_checks")
    billing_account = models.ForeignKey("customers.BillingAccount", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="credit_checks")
    amount = money_field(help_text="one-time plus first-month recurring total of the order")
    currency = currency_field()
    amount_money = MoneyPair("amount", "currency")
    order_reference = models.CharField(max_length=64, blank=True)
    status = FSMField(max_length=15, choices=Status.choices, default=Status.DECIDED, protected=True)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=500)
    terms = models.JSONField(default=dict, blank=True, help_text="e.g. {deposit: '50.00', credit_limit: '300.00'}")
    findings = models.JSONField(default=list, blank=True, help_text="what each internal check found")
    bureau = models.CharField(max_length=60, blank=True)
    bureau_reference = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    review_reason = models.CharField(max_length=500, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("review_creditcheck", "Can approve or decline referred credit checks")]

    def __str__(self):
        return f"Credit check {self.pk}: {self.get_status_display()} ({self.decision})"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED or (
            self.status == self.Status.DECIDED and self.decision == self.Decision.APPROVED)

    @transition(field=status, source=Status.PENDING_REVIEW, target=Status.APPROVED)
    def approve(self):
        pass

    @transition(field=status, source=Status.PENDING_REVIEW, target=Status.DECLINED)
    def decline(self):
        pass
