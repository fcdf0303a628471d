"""The Customer (TMF629) with its lifecycle, notes and self-service link."""


from django.conf import settings
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition

from .base import ScopedQuerySet
from .party import Party


class Customer(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        PROSPECT = "prospect", "Prospect"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        CLOSED = "closed", "Closed"

    class Segment(models.TextChoices):
        RESIDENTIAL = "residential", "Residential"
        SOHO = "soho", "Small office / home office"
        SME = "sme", "Small and medium enterprise"
        ENTERPRISE = "enterprise", "Enterprise"
        GOVERNMENT = "government", "Government"
        WHOLESALE = "wholesale", "Wholesale"

    class CreditClass(models.TextChoices):
        A = "A", "A (excellent)"
        B = "B", "B (good)"
        C = "C", "C (fair)"
        D = "D", "D (poor)"

    CUSTOMER_PATH = "pk"

    customer_number = models.CharField(max_length=20, unique=True, editable=False)
    name = models.CharField(max_length=200)
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.PROTECT, related_name="customers")
    # TMF validation policy: an engagedParty we do not hold is kept as a reference, not invented.
    engaged_party_ref = models.JSONField(null=True, blank=True)
    status = FSMField(max_length=12, choices=Status.choices, default=Status.PROSPECT, protected=True)
    status_reason = models.CharField(max_length=255, blank=True)
    segment = models.CharField(max_length=20, choices=Segment.choices, default=Segment.RESIDENTIAL)
    credit_class = models.CharField(max_length=1, choices=CreditClass.choices, default=CreditClass.B)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_to = models.DateTimeField(null=True, blank=True)
    characteristics = models.JSONField(default=list, blank=True)
    related_party_refs = models.JSONField(default=list, blank=True)
    tmf_extra = models.JSONField(default=dict, blank=True, help_text="TMF attributes kept as sent")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["status", "segment"], name="customer_status_segment_idx")]
        permissions = [("change_customer_status", "Can activate, suspend, resume and close customers")]

    def __str__(self):
        return f"{self.customer_number} {self.name}"

    @property
    def customer_type(self) -> str:
        return self.party.kind if self.party_id else (self.engaged_party_ref or {}).get("@referredType", "")

    # Lifecycle: transitions check state only; customers.services runs them (with history).
    @transition(field=status, source=Status.PROSPECT, target=Status.ACTIVE)
    def activate(self):
        pass

    @transition(field=status, source=Status.ACTIVE, target=Status.SUSPENDED)
    def suspend(self):
        pass

    @transition(field=status, source=Status.SUSPENDED, target=Status.ACTIVE)
    def resume(self):
        pass

    @transition(field=status, source=[Status.PROSPECT, Status.ACTIVE, Status.SUSPENDED], target=Status.CLOSED)
    def close(self):
        pass

    @transition(field=status, source=Status.CLOSED, target=Status.ACTIVE)
    def reopen(self):
        pass


class CustomerNote(models.Model):
    """Free-form notes on a contact (seed 002, 1.1.1.18.9.1). Append-only."""

    CUSTOMER_PATH = "customer"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="notes")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.text[:60]


class SelfServiceAccess(models.Model):
    """Links a self-service login to exactly one Customer."""

    CUSTOMER_PATH = "customer"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="self_service")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="self_service_users")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "self-service access"

    def __str__(self):
        return f"{self.user} → {self.customer}"
