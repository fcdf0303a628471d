"""Postal and installation addresses (area code drives serviceability)."""


from django.db import models

from .base import ScopedQuerySet
from .customer import Customer


class Address(models.Model):
    """A structured postal/installation address. ``area_code`` is the geographic area that
    serviceability rules (coverage) use."""

    CUSTOMER_PATH = "customer"

    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="addresses")
    street1 = models.CharField(max_length=200)
    street2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state_or_province = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=20, db_index=True)
    country = models.CharField(max_length=2, default="IE", help_text="ISO 3166-1 alpha-2")
    area_code = models.CharField(max_length=20, blank=True, db_index=True, help_text="geographic area code")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self):
        return self.one_line

    @property
    def one_line(self) -> str:
        parts = [self.street1, self.street2, f"{self.postcode} {self.city}".strip(), self.country]
        return ", ".join(p for p in parts if p)
