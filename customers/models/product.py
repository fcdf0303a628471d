"""The customer's product inventory (TMF637 shape)."""


from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition

from .account import BillingAccount
from .address import Address
from .base import ScopedQuerySet
from .customer import Customer


class Product(FSMModelMixin, models.Model):
    """What the customer owns (TMF637). The offering is a reference: the catalog lives in
    ``orders`` (above us in the dependency direction); orders create these products."""

    class Status(models.TextChoices):
        CREATED = "created", "Created"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        TERMINATED = "terminated", "Terminated"

    CUSTOMER_PATH = "customer"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="products")
    billing_account = models.ForeignKey(BillingAccount, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="products")
    name = models.CharField(max_length=200)
    # The catalog's stable offering code (orders.ProductOffering.code): the one reference form.
    offering_code = models.CharField(max_length=64, db_index=True)
    offering_name = models.CharField(max_length=200)
    product_serial = models.CharField(max_length=64, blank=True, db_index=True, help_text="MSISDN, circuit id…")
    place = models.ForeignKey(Address, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    characteristics = models.JSONField(default=dict, blank=True)
    status = FSMField(max_length=12, choices=Status.choices, default=Status.CREATED, protected=True)
    start_date = models.DateTimeField(null=True, blank=True)
    end_date = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.product_serial})" if self.product_serial else self.name

    @transition(field=status, source=Status.CREATED, target=Status.ACTIVE)
    def activate(self):
        pass

    @transition(field=status, source=Status.ACTIVE, target=Status.SUSPENDED)
    def suspend(self):
        pass

    @transition(field=status, source=Status.SUSPENDED, target=Status.ACTIVE)
    def resume(self):
        pass

    @transition(field=status, source=[Status.CREATED, Status.ACTIVE, Status.SUSPENDED], target=Status.TERMINATED)
    def terminate(self):
        pass
