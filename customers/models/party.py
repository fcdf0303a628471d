"""TMF632 Party: an Individual or an Organization."""


from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition

from .base import ScopedQuerySet


class Party(FSMModelMixin, models.Model):
    """TMF632: an Individual or an Organization."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "Individual"
        ORGANIZATION = "organization", "Organization"

    class Status(models.TextChoices):
        INITIALIZED = "initialized"
        VALIDATED = "validated"
        CLOSED = "closed"

    CUSTOMER_PATH = "customers"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = FSMField(max_length=12, choices=Status.choices, default=Status.INITIALIZED, protected=True)
    # Individual
    title = models.CharField(max_length=30, blank=True)
    given_name = models.CharField(max_length=100, blank=True)
    middle_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=20, blank=True)
    nationality = models.CharField(max_length=2, blank=True)
    # Organization
    trading_name = models.CharField(max_length=200, blank=True)
    legal_name = models.CharField(max_length=200, blank=True)
    organization_type = models.CharField(max_length=50, blank=True)
    registration_number = models.CharField(max_length=50, blank=True)
    is_legal_entity = models.BooleanField(default=True)
    tmf_extra = models.JSONField(default=dict, blank=True, help_text="TMF attributes kept as sent")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "parties"
        indexes = [models.Index(fields=["family_name", "given_name"], name="party_name_idx")]

    def __str__(self):
        return self.display_name

    # Lifecycle (TMF632 status): changed only through customers.services.party_change_status.
    @transition(field=status, source=Status.INITIALIZED, target=Status.VALIDATED)
    def validate(self):
        pass

    @transition(field=status, source=[Status.INITIALIZED, Status.VALIDATED], target=Status.CLOSED)
    def close(self):
        pass

    @transition(field=status, source=Status.CLOSED, target=Status.VALIDATED)
    def reopen(self):
        pass

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.ORGANIZATION:
            return self.trading_name or self.legal_name
        return " ".join(p for p in (self.given_name, self.middle_name, self.family_name) if p)
