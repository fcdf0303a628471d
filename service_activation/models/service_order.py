"""Service orders (TMF641), their work orders and test runs, and the service inventory (TMF638).

A service order comes from a customer order item (``customer_order_ref`` / ``customer_order_item_id``: references,
since ``orders`` sits above this app) or stands alone (problem recovery, performance, a partner request). It
reports upward by event (ServiceOrderStateChangeEvent), never by import. docs/service_activation.md has the
lifecycle and how each state shows in TMF641 v4 and v3.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition


class ServiceOrder(FSMModelMixin, models.Model):
    CUSTOMER_PATH = "customer"

    class State(models.TextChoices):
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        IN_PROGRESS = "inProgress", "In progress"
        HELD = "held", "Held"
        PENDING = "pending", "Pending"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        PARTIAL = "partial", "Partial"
        ASSESSING_CANCELLATION = "assessingCancellation", "Assessing cancellation"
        PENDING_CANCELLATION = "pendingCancellation", "Cancelling (rolling back)"
        CANCELLED = "cancelled", "Cancelled"
        REJECTED = "rejected", "Rejected"
        CLOSED = "closed", "Closed"

    OPEN = (State.ACKNOWLEDGED, State.IN_PROGRESS, State.HELD, State.PENDING)
    TERMINAL = (State.COMPLETED, State.FAILED, State.PARTIAL, State.CANCELLED, State.REJECTED)

    class Origin(models.TextChoices):
        CUSTOMER_ORDER = "customer_order", "Customer order"
        PROBLEM_RECOVERY = "problem_recovery", "Problem recovery"
        PERFORMANCE = "performance", "Performance"
        PARTNER = "partner", "Partner request"
        RECOVERY = "recovery", "Service recovery (1.1.2.2.10)"
        API = "api", "API"

    order_number = models.CharField(max_length=20, unique=True)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.CUSTOMER_ORDER)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="service_orders")
    customer_order_ref = models.CharField(max_length=40, blank=True, db_index=True,
                                          help_text="the customer order's number (orders app)")
    customer_order_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    state = FSMField(max_length=24, choices=State.choices, default=State.ACKNOWLEDGED, protected=True)
    closed_from = models.CharField(max_length=24, blank=True)
    priority = models.PositiveSmallIntegerField(default=2)
    external_id = models.CharField(max_length=100, blank=True)
    category = models.CharField(max_length=60, blank=True)
    description = models.CharField(max_length=500, blank=True)
    related_party = models.JSONField(default=list, blank=True)
    requested_start_date = models.DateTimeField(null=True, blank=True)
    requested_completion_date = models.DateTimeField(null=True, blank=True)
    expected_completion_date = models.DateTimeField(null=True, blank=True)
    start_date = models.DateTimeField(null=True, blank=True)
    completion_date = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.CharField(max_length=500, blank=True)
    rejection_reasons = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    order_date = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    tmf_extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-order_date", "-id"]
        indexes = [models.Index(fields=["state", "order_date"], name="so_state_date_idx")]

    def __str__(self):
        return self.order_number

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN

    @transition(field=state, source=[State.ACKNOWLEDGED, State.HELD, State.PENDING], target=State.IN_PROGRESS)
    def start(self):
        pass

    @transition(field=state, source=[State.ACKNOWLEDGED, State.IN_PROGRESS], target=State.HELD)
    def hold(self):
        pass

    @transition(field=state, source=[State.ACKNOWLEDGED, State.IN_PROGRESS], target=State.PENDING)
    def wait(self):
        pass

    @transition(field=state, source=State.ACKNOWLEDGED, target=State.REJECTED)
    def reject(self):
        pass

    @transition(field=state, source=State.IN_PROGRESS, target=State.COMPLETED)
    def complete(self):
        pass

    @transition(field=state, source=State.IN_PROGRESS, target=State.FAILED)
    def fail(self):
        pass

    @transition(field=state, source=State.IN_PROGRESS, target=State.PARTIAL)
    def complete_partially(self):
        pass

    @transition(field=state, source=State.FAILED, target=State.IN_PROGRESS)
    def retry(self):
        pass

    @transition(field=state, source=list(OPEN), target=State.ASSESSING_CANCELLATION)
    def assess_cancellation(self):
        pass

    @transition(field=state, source=State.ASSESSING_CANCELLATION, target=State.PENDING_CANCELLATION)
    def start_cancellation(self):
        pass

    @transition(field=state, source=[State.ASSESSING_CANCELLATION, State.PENDING_CANCELLATION],
                target=State.CANCELLED)
    def cancel(self):
        pass

    @transition(field=state, source=State.ASSESSING_CANCELLATION, target=State.IN_PROGRESS)
    def refuse_cancellation(self):
        pass

    @transition(field=state, source=list(TERMINAL), target=State.CLOSED)
    def close(self):
        self.closed_from = self.state


class Service(FSMModelMixin, models.Model):
    """A service instance in the inventory (TMF638). Activation leaves it ``inactive`` (configured); only a
    passed end-to-end test makes it ``active`` (seed 001 1.1.2.2.5)."""

    CUSTOMER_PATH = "customer"

    class State(models.TextChoices):
        FEASIBILITY_CHECKED = "feasibilityChecked", "Feasibility checked"
        DESIGNED = "designed", "Designed"
        RESERVED = "reserved", "Reserved"
        INACTIVE = "inactive", "Inactive (configured)"
        ACTIVE = "active", "Active"
        TERMINATED = "terminated", "Terminated"

    name = models.CharField(max_length=200)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="services")
    specification = models.ForeignKey("service_activation.ServiceSpecification", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="services")
    state = FSMField(max_length=20, choices=State.choices, default=State.RESERVED, protected=True)
    characteristics = models.JSONField(default=dict, blank=True)
    product = models.ForeignKey("customers.Product", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="services", help_text="the customer product it realizes")
    customer_order_item_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    place = models.ForeignKey("customers.Address", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateTimeField(null=True, blank=True)
    end_date = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    tmf_extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    @transition(field=state, source=[State.FEASIBILITY_CHECKED, State.DESIGNED], target=State.RESERVED)
    def reserve(self):
        pass

    @transition(field=state, source=[State.FEASIBILITY_CHECKED, State.DESIGNED, State.RESERVED, State.ACTIVE],
                target=State.INACTIVE)
    def configure(self):
        pass

    @transition(field=state, source=State.INACTIVE, target=State.ACTIVE)
    def activate(self):
        pass

    @transition(field=state, source=State.ACTIVE, target=State.INACTIVE)
    def deactivate(self):
        pass

    @transition(field=state, source=[State.FEASIBILITY_CHECKED, State.DESIGNED, State.RESERVED, State.INACTIVE,
                                     State.ACTIVE], target=State.TERMINATED)
    def terminate(self):
        pass


class ServiceOrderItem(FSMModelMixin, models.Model):
    class Action(models.TextChoices):
        ADD = "add", "Add"
        MODIFY = "modify", "Modify"
        DELETE = "delete", "Delete"
        NO_CHANGE = "noChange", "No change"

    class State(models.TextChoices):
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        IN_PROGRESS = "inProgress", "In progress"
        HELD = "held", "Held"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        REJECTED = "rejected", "Rejected"

    service_order = models.ForeignKey(ServiceOrder, on_delete=models.CASCADE, related_name="items")
    item_id = models.CharField(max_length=64)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.ADD)
    state = FSMField(max_length=14, choices=State.choices, default=State.ACKNOWLEDGED, protected=True)
    specification = models.ForeignKey("service_activation.ServiceSpecification", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="order_items")
    specification_ref = models.JSONField(default=dict, blank=True)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT, related_name="order_items")
    characteristics = models.JSONField(default=dict, blank=True)
    customer_order_item_id = models.PositiveBigIntegerField(null=True, blank=True)
    product = models.ForeignKey("customers.Product", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    place = models.ForeignKey("customers.Address", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    item_extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["service_order", "id"]
        constraints = [models.UniqueConstraint(fields=["service_order", "item_id"], name="so_item_id_uniq")]

    def __str__(self):
        return f"{self.service_order.order_number}/{self.item_id}"

    @transition(field=state, source=[State.ACKNOWLEDGED, State.HELD, State.FAILED], target=State.IN_PROGRESS)
    def start(self):
        pass

    @transition(field=state, source=[State.ACKNOWLEDGED, State.IN_PROGRESS], target=State.HELD)
    def hold(self):
        pass

    @transition(field=state, source=[State.IN_PROGRESS], target=State.COMPLETED)
    def complete(self):
        pass

    @transition(field=state, source=[State.IN_PROGRESS], target=State.FAILED)
    def fail(self):
        pass

    @transition(field=state, source=[State.ACKNOWLEDGED, State.IN_PROGRESS, State.HELD, State.FAILED],
                target=State.CANCELLED)
    def cancel(self):
        pass

    @transition(field=state, source=[State.ACKNOWLEDGED], target=State.REJECTED)
    def reject(self):
        pass


class WorkOrder(FSMModelMixin, models.Model):
    """One step of a service order item, by specialty: automatic ones run through an adapter (idempotent
    Celery task), manual ones sit in a team's worklist, with an appointment where the step needs one."""

    class Kind(models.TextChoices):
        ACTIVATION = "activation", "Activation"
        TEST = "test", "End-to-end test"
        ROLLBACK = "rollback", "Roll back"
        RECOVERY = "recovery", "Recovery"

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for earlier steps"
        READY = "ready", "Ready"
        IN_PROGRESS = "inProgress", "In progress"
        DONE = "done", "Done"
        FAILED = "failed", "Failed (fallout)"
        CANCELLED = "cancelled", "Cancelled"
        ROLLED_BACK = "rolledBack", "Rolled back"

    item = models.ForeignKey(ServiceOrderItem, on_delete=models.CASCADE, related_name="work_orders")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ACTIVATION)
    sequence = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    manual = models.BooleanField(default=False)
    specialty = models.CharField(max_length=60, blank=True)
    adapter = models.CharField(max_length=30, blank=True)
    adapter_config = models.JSONField(default=dict, blank=True)
    depends_on = models.JSONField(default=list, blank=True)
    status = FSMField(max_length=12, choices=Status.choices, default=Status.WAITING, protected=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="work_orders")
    appointment_start = models.DateTimeField(null=True, blank=True)
    appointment_end = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True,
                                      help_text="when a worker last took it; another may take it after the lease")
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "kind", "sequence"]
        constraints = [models.UniqueConstraint(fields=["item", "kind", "code"], name="work_order_code_uniq")]
        indexes = [models.Index(fields=["specialty", "status"], name="work_order_team_status_idx")]

    def __str__(self):
        return f"{self.item}: {self.name}"

    @property
    def idempotency_key(self) -> str:
        """What the adapter is told, so a step retried after a worker died is configured once."""
        return f"wo-{self.pk}"

    @transition(field=status, source=Status.WAITING, target=Status.READY)
    def make_ready(self):
        pass

    @transition(field=status, source=[Status.READY, Status.IN_PROGRESS], target=Status.IN_PROGRESS)
    def start(self):
        pass

    @transition(field=status, source=[Status.READY, Status.IN_PROGRESS], target=Status.DONE)
    def finish(self):
        pass

    @transition(field=status, source=[Status.READY, Status.IN_PROGRESS], target=Status.FAILED)
    def fail(self):
        pass

    @transition(field=status, source=Status.FAILED, target=Status.READY)
    def retry(self):
        pass

    @transition(field=status, source=[Status.WAITING, Status.READY, Status.FAILED], target=Status.CANCELLED)
    def cancel(self):
        pass

    @transition(field=status, source=Status.DONE, target=Status.ROLLED_BACK)
    def roll_back(self):
        pass


class TestRun(models.Model):
    """One run of a specification's end-to-end test plan on a service order item (1.1.2.2.5); kept for
    comparison with earlier runs."""

    item = models.ForeignKey(ServiceOrderItem, on_delete=models.CASCADE, related_name="test_runs")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT, related_name="test_runs")
    passed = models.BooleanField()
    results = models.JSONField(default=list, help_text='[{"code", "name", "passed", "detail", "manual"}]')
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    run_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-run_at", "-id"]

    def __str__(self):
        return f"Test run {self.pk}: {'passed' if self.passed else 'failed'}"


class NetworkConfiguration(models.Model):
    """The simulated network's own record of what is configured (adapters.simulated): one row per idempotency
    key, so a step retried after a worker died is configured once and tests can check it."""

    idempotency_key = models.CharField(max_length=80, unique=True)
    element = models.CharField(max_length=60)
    operation = models.CharField(max_length=20)
    service_ref = models.CharField(max_length=60)
    config = models.JSONField(default=dict)
    applied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["applied_at", "id"]

    def __str__(self):
        return f"{self.element} {self.operation} {self.service_ref}"
