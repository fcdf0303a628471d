"""Contacts of a customer and their contact media."""

import re

from django.conf import settings
from django.db import models

from .address import Address
from .base import ScopedQuerySet
from .customer import Customer


class Contact(models.Model):
    class Role(models.TextChoices):
        PRIMARY = "primary", "Primary"
        BILLING = "billing", "Billing"
        TECHNICAL = "technical", "Technical"
        AUTHORIZED = "authorized", "Authorized representative"
        OTHER = "other", "Other"

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        PHONE = "phone", "Phone"
        SMS = "sms", "SMS"
        POST = "post", "Post"

    CUSTOMER_PATH = "customer"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contacts")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRIMARY)
    is_primary = models.BooleanField(default=False)
    title = models.CharField(max_length=30, blank=True)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100)
    job_title = models.CharField(max_length=100, blank=True)
    postal_address = models.ForeignKey(Address, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    preferred_channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    preferred_language = models.CharField(max_length=10, choices=settings.BSS_LANGUAGES, default="en")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-is_primary", "family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=models.Q(is_primary=True),
                                    name="one_primary_contact_per_customer"),
        ]
        indexes = [models.Index(fields=["family_name", "given_name"], name="contact_name_idx")]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


def normalize_phone(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def phone_match_key(value: str) -> str:
    """The last 9 digits: matches +353 87 123 4567, 00353871234567 and 087 123 4567 alike."""
    return normalize_phone(value)[-9:]


class ContactMedium(models.Model):
    class Kind(models.TextChoices):
        MOBILE = "mobile", "Mobile"
        PHONE = "phone", "Phone"
        EMAIL = "email", "E-mail"
        FAX = "fax", "Fax"

    CUSTOMER_PATH = "contact__customer"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=254)
    match_key = models.CharField(max_length=254, db_index=True, editable=False,
                                 help_text="last 9 digits of a number, or the lower-cased e-mail")
    preferred = models.BooleanField(default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-preferred", "kind", "id"]
        verbose_name_plural = "contact media"

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"

    def save(self, *args, **kwargs):
        self.set_match_key()
        super().save(*args, **kwargs)

    def set_match_key(self) -> None:
        """What search matches on; save() sets it, and so must anything that bypasses save()."""
        self.match_key = self.value.strip().lower() if self.is_email else phone_match_key(self.value)

    @property
    def is_email(self) -> bool:
        return self.kind == self.Kind.EMAIL
