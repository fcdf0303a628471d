"""Resource pools (eTOM 1.1.2.2.2 Allocate Specific Service Parameters to Services).

A pool holds the specific service parameters a service order needs: MSISDN numbers, SIMs (ICCID/IMSI
pairs), IPv4 addresses, access-node ports and VLAN ids. Each resource moves through

    free --reserve--> reserved --confirm--> allocated --release--> quarantined --release_quarantine--> free
                         \\--release / expire--> free

(seed 001, 1.1.2.2.2: a reservation "will be kept for a limited period, and then the status will be reset";
a confirmed customer order marks previously reserved parameters allocated). A released number rests in
quarantine for the pool's ``quarantine_days`` before anyone else gets it. docs/resources.md has the rules.

Transitions live here and are called from service_activation.services.resources only; the two sweeps
(expiry, end of quarantine) are set-based UPDATEs there, with the same source and target states.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, transition


class ResourceKind(models.TextChoices):
    MSISDN = "msisdn", "MSISDN (number range)"
    SIM = "sim", "SIM (ICCID/IMSI)"
    IPV4 = "ipv4", "IPv4 address"
    PORT = "port", "Access-node port"
    VLAN = "vlan", "VLAN id"


class ResourcePool(models.Model):
    """A range of one kind of resource with its own reservation and quarantine periods."""

    Kind = ResourceKind

    kind = models.CharField(max_length=10, choices=ResourceKind.choices)
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    reservation_minutes = models.PositiveIntegerField(
        default=30, help_text="how long a reservation holds when the caller does not say")
    quarantine_days = models.PositiveSmallIntegerField(
        default=90, help_text="days a released (previously allocated) resource rests before it is free again")
    golden_pattern = models.CharField(
        max_length=200, blank=True,
        help_text="numbers: a regular expression a golden number matches (searched in the number); "
                  "blank: the default rule (a digit repeated 4 times, or 4 ascending/descending digits at the end)")
    access_node = models.CharField(max_length=100, blank=True, help_text="ports and VLANs: the access node")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "code"]

    def __str__(self):
        return f"{self.code} ({self.get_kind_display()})"


class Resource(FSMModelMixin, models.Model):
    """One specific service parameter. ``value`` is unique per kind (a number, an ICCID, an address, a port
    name); ``holder`` says what holds a reserved or allocated resource, as a reference string such as
    ``serviceOrderItem:12`` or ``order:CO0000001``."""

    Kind = ResourceKind

    class State(models.TextChoices):
        FREE = "free", "Free"
        RESERVED = "reserved", "Reserved"
        ALLOCATED = "allocated", "Allocated"
        QUARANTINED = "quarantined", "Quarantined"

    class Category(models.TextChoices):
        GOLDEN = "golden", "Golden"
        REGULAR = "regular", "Regular"

    pool = models.ForeignKey(ResourcePool, on_delete=models.PROTECT, related_name="resources")
    kind = models.CharField(max_length=10, choices=ResourceKind.choices, help_text="the pool's kind, kept for uniqueness")
    value = models.CharField(max_length=64)
    category = models.CharField(max_length=10, choices=Category.choices, default=Category.REGULAR)
    iccid = models.CharField(max_length=22, blank=True)
    imsi = models.CharField(max_length=15, blank=True)
    state = FSMField(max_length=12, choices=State.choices, default=State.FREE, protected=True)
    holder = models.CharField(max_length=100, blank=True,
                              help_text="what holds it, e.g. serviceOrderItem:12 or order:CO0000001")
    reserved_until = models.DateTimeField(null=True, blank=True)
    allocated_at = models.DateTimeField(null=True, blank=True)
    quarantined_until = models.DateTimeField(null=True, blank=True)
    attributes = models.JSONField(default=dict, blank=True, help_text="kind-specific details, e.g. a port's speed")
    loaded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pool", "id"]
        indexes = [
            models.Index(fields=["pool", "state", "category"], name="resource_pool_state_idx"),
            models.Index(fields=["reserved_until"], condition=Q(state="reserved"), name="resource_reserved_until_idx"),
            models.Index(fields=["quarantined_until"], condition=Q(state="quarantined"),
                         name="resource_quarantine_until_idx"),
            models.Index(fields=["holder"], condition=~Q(holder=""), name="resource_holder_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="resource_value_per_kind_uniq"),
            models.UniqueConstraint(fields=["imsi"], condition=~Q(imsi=""), name="resource_imsi_uniq"),
            models.CheckConstraint(condition=~Q(state="reserved") | (Q(reserved_until__isnull=False) & ~Q(holder="")),
                                   name="resource_reserved_has_until_and_holder"),
            models.CheckConstraint(condition=~Q(state="allocated") | ~Q(holder=""),
                                   name="resource_allocated_has_holder"),
            models.CheckConstraint(condition=~Q(state="quarantined") | Q(quarantined_until__isnull=False),
                                   name="resource_quarantined_has_until"),
            models.CheckConstraint(condition=~Q(state="free") | Q(holder=""), name="resource_free_has_no_holder"),
        ]

    def __str__(self):
        return self.value

    @property
    def is_golden(self) -> bool:
        return self.category == self.Category.GOLDEN

    # --- transitions (pure: the service sets the dates and the holder) -----------------------------------
    @transition(field=state, source=State.FREE, target=State.RESERVED)
    def reserve(self):
        pass

    @transition(field=state, source=State.RESERVED, target=State.ALLOCATED)
    def confirm(self):
        pass

    @transition(field=state, source=State.RESERVED, target=State.FREE)
    def release(self):
        pass

    @transition(field=state, source=State.ALLOCATED, target=State.QUARANTINED)
    def quarantine(self):
        pass

    @transition(field=state, source=State.RESERVED, target=State.FREE)
    def expire(self):
        """The reservation period ended (the sweep does this set-based, services.resources)."""

    @transition(field=state, source=State.QUARANTINED, target=State.FREE)
    def release_quarantine(self):
        """The quarantine ended (the sweep does this set-based, services.resources)."""
