"""The customer's product inventory (TMF637 shape)."""


from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition

from .account import BillingAccount
from .address import Address
from .base import ScopedQuerySet
from .customer import Customer


class Product(FSMModelMixin, models.Model):
    """What the customer owns (TMF637). The offering is a reference: the catalog lives in
    ``orders`` (above us in the dependency direction); orders create these products.

    The lifecycle is TMF637's ProductStatusType (docs/product_inventory.md)::

        created --pend_activate--> pendingActive --activate--> active <--suspend/resume--> suspended
        created --activate--> active                   (an order completing in one step)
        created | pendingActive --cancel--> cancelled  (its order was cancelled)
        pendingActive --abort--> aborted               (its activation failed for good)
        active | suspended --pend_terminate--> pendingTerminate --terminate--> terminated
        pendingTerminate --cancel_termination--> active (the delete order was cancelled)
        created | active | suspended --terminate--> terminated
    """

    class Status(models.TextChoices):
        CREATED = "created", "Created"
        PENDING_ACTIVE = "pendingActive", "Pending active"
        CANCELLED = "cancelled", "Cancelled"
        ACTIVE = "active", "Active"
        PENDING_TERMINATE = "pendingTerminate", "Pending terminate"
        SUSPENDED = "suspended", "Suspended"
        ABORTED = "aborted", "Aborted"
        TERMINATED = "terminated", "Terminated"

    # States a product never leaves: it no longer counts as the customer's.
    ENDED = (Status.CANCELLED, Status.ABORTED, Status.TERMINATED)

    CUSTOMER_PATH = "customer"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="products")
    billing_account = models.ForeignKey(BillingAccount, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="products")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # The catalog's stable offering code (orders.ProductOffering.code): the one reference form.
    offering_code = models.CharField(max_length=64, db_index=True)
    offering_name = models.CharField(max_length=200)
    product_serial = models.CharField(max_length=64, blank=True, db_index=True, help_text="MSISDN, circuit id…")
    place = models.ForeignKey(Address, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    characteristics = models.JSONField(default=dict, blank=True)
    status = FSMField(max_length=20, choices=Status.choices, default=Status.CREATED, protected=True)
    start_date = models.DateTimeField(null=True, blank=True)
    end_date = models.DateTimeField(null=True, blank=True)
    # Written directly (TMF637 POST by the data-migration role), not by a customer order completing.
    created_outside_order = models.BooleanField(default=False)
    # TMF637 attributes we do not model (agreement, productPrice, realizingService, ...), kept as sent.
    tmf_extra = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("migrate_product", "Can create, change and terminate products outside an order "
                                           "(data migration)")]

    def __str__(self):
        return f"{self.name} ({self.product_serial})" if self.product_serial else self.name

    @transition(field=status, source=Status.CREATED, target=Status.PENDING_ACTIVE)
    def pend_activate(self):
        pass

    @transition(field=status, source=[Status.CREATED, Status.PENDING_ACTIVE], target=Status.ACTIVE)
    def activate(self):
        pass

    @transition(field=status, source=[Status.CREATED, Status.PENDING_ACTIVE], target=Status.CANCELLED)
    def cancel(self):
        pass

    @transition(field=status, source=Status.PENDING_ACTIVE, target=Status.ABORTED)
    def abort(self):
        pass

    @transition(field=status, source=Status.ACTIVE, target=Status.SUSPENDED)
    def suspend(self):
        pass

    @transition(field=status, source=Status.SUSPENDED, target=Status.ACTIVE)
    def resume(self):
        pass

    @transition(field=status, source=[Status.ACTIVE, Status.SUSPENDED], target=Status.PENDING_TERMINATE)
    def pend_terminate(self):
        pass

    @transition(field=status, source=Status.PENDING_TERMINATE, target=Status.ACTIVE)
    def cancel_termination(self):
        pass

    @transition(field=status, source=[Status.CREATED, Status.ACTIVE, Status.SUSPENDED, Status.PENDING_TERMINATE],
                target=Status.TERMINATED)
    def terminate(self):
        pass
