"""Customer orders (eTOM 1.1.1.5.4 to 1.1.1.5.8, TMF622 Product Ordering).

The lifecycle follows seed 000 1.1.1.5.4.3 (docs/orders.md has the diagram and the TMF622 mapping):

    pending --validate--> acknowledged --commit--> committed --complete--> completed
       |                      |  \\--hold--> held --commit--> committed
       +--reject--> rejected  +--await_prerequisite--> awaitingPrerequisite --commit--> committed
    open --assess_cancellation--> assessingCancellation --> pendingCancellation --> cancelled
    committed --fail / complete_partially--> failed / partial
    completed | cancelled | rejected | failed | partial --close--> closed

Order types are configured data (seed 000 2.1.1.5.5.2.2, the workflow template): ordered steps, each
automatic, a manual task for a team, an external wait or the network activation, each of which may set an
operator-configured milestone status. Transitions live here and are called from orders.services only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition

from bss.money import currency_field

from .catalog import SalesChannel


class MilestoneStatus(models.Model):
    """An operator-configured status value (seed 000: "awaiting supervisor approval", "customer trained"),
    with a description per language. Attached to workflow steps; shown in the portal, self-service and APIs."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    descriptions = models.JSONField(default=dict, blank=True, help_text='per language, e.g. {"en": "...", "ga": "..."}')
    customer_visible = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "milestone statuses"

    def __str__(self):
        return self.name

    def description(self, language: str = "en") -> str:
        return self.descriptions.get(language) or self.descriptions.get("en") or self.name


class OrderType(models.Model):
    """A workflow template for customer orders (configured data)."""

    class Kind(models.TextChoices):
        PROVIDE = "provide", "New provision"
        CHANGE = "change", "Change of products"
        TERMINATE = "terminate", "Termination"
        ACCOUNT = "account", "Account-level change"
        LIFECYCLE = "lifecycle", "Suspend / resume"

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PROVIDE)
    description = models.TextField(blank=True)
    expected_minutes = models.PositiveIntegerField(default=7 * 24 * 60, help_text="expected duration (jeopardy)")
    is_default = models.BooleanField(default=False, help_text="used for orders that name no type, per kind")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class OrderTypeStep(models.Model):
    class Kind(models.TextChoices):
        AUTOMATIC = "automatic", "Automatic"
        MANUAL = "manual", "Manual task for a team"
        EXTERNAL = "external", "External wait"
        ACTIVATION = "activation", "Network activation (service orders)"

    order_type = models.ForeignKey(OrderType, on_delete=models.CASCADE, related_name="steps")
    sequence = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    team = models.CharField(max_length=60, blank=True, help_text="manual steps: the team whose worklist gets it")
    mandatory = models.BooleanField(default=True, help_text="the order completes only when this step is done")
    milestone = models.ForeignKey(MilestoneStatus, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  help_text="set on the order when the step is done")
    expected_minutes = models.PositiveIntegerField(null=True, blank=True)
    point_of_no_return = models.BooleanField(
        default=False, help_text="after this step starts, modify and self-service cancel are refused")

    class Meta:
        ordering = ["order_type", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["order_type", "code"], name="order_type_step_code_uniq"),
            models.UniqueConstraint(fields=["order_type", "sequence"], name="order_type_step_seq_uniq"),
        ]

    def __str__(self):
        return f"{self.order_type.code}.{self.code}"


class LifecycleAction(models.TextChoices):
    SUSPEND = "suspend", "Suspend"
    RESUME = "resume", "Resume"


class LifecycleReason(models.TextChoices):
    NON_PAYMENT = "non_payment", "Non-payment"
    LOST_STOLEN = "lost_stolen", "Lost or stolen"
    FRAUD = "fraud", "Fraud"
    CUSTOMER_REQUEST = "customer_request", "Customer request"


class InvestigationClass(models.TextChoices):
    """The order investigation unit's classes for rejected orders (seed 000 1.1.1.5.6.1)."""

    ENTRY_ERROR = "entry_error", "Entry error"
    CUSTOMER_DATA = "customer_data", "Customer data"
    CONFIGURATION_DEFECT = "configuration_defect", "Configuration defect"
    UNSUPPORTED_OFFERING = "unsupported_offering", "Unsupported offering (feature request)"


class CustomerOrder(FSMModelMixin, models.Model):
    CUSTOMER_PATH = "customer"

    class State(models.TextChoices):
        PENDING = "pending", "Pending validation"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        AWAITING_PREREQUISITE = "awaitingPrerequisite", "Awaiting a prerequisite"
        HELD = "held", "Held"
        COMMITTED = "committed", "Committed"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        PARTIAL = "partial", "Partially completed"
        ASSESSING_CANCELLATION = "assessingCancellation", "Assessing cancellation"
        PENDING_CANCELLATION = "pendingCancellation", "Cancelling"
        CANCELLED = "cancelled", "Cancelled"
        REJECTED = "rejected", "Rejected"
        CLOSED = "closed", "Closed"

    OPEN = (State.PENDING, State.ACKNOWLEDGED, State.AWAITING_PREREQUISITE, State.HELD, State.COMMITTED)
    TERMINAL = (State.COMPLETED, State.FAILED, State.PARTIAL, State.CANCELLED, State.REJECTED)

    class Channel(models.TextChoices):
        PORTAL = SalesChannel.PORTAL.value, "CSR portal"
        SELF_SERVICE = SalesChannel.SELF_SERVICE.value, "Self-service"
        API = SalesChannel.API.value, "API"
        RETAIL = SalesChannel.RETAIL.value, "Store"
        TELESALES = SalesChannel.TELESALES.value, "Telesales"
        DEALER = "dealer", "Dealer"

    class Priority(models.IntegerChoices):  # TMF622 priority: "0" (highest) to "4" (lowest)
        URGENT = 0, "Urgent"
        HIGH = 1, "High"
        NORMAL = 2, "Normal"
        LOW = 3, "Low"
        LOWEST = 4, "Lowest"

    class HoldReason(models.TextChoices):
        NONE = "", "-"
        CREDIT_REFERRAL = "credit_referral", "Credit referral waiting for review"
        SPECIAL_HANDLING = "special_handling", "Special handling: waiting for a design"
        MANUAL = "manual", "Held by staff"

    order_number = models.CharField(max_length=20, unique=True)
    order_type = models.ForeignKey(OrderType, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="orders")
    billing_account = models.ForeignKey("customers.BillingAccount", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="orders")
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.API)
    state = FSMField(max_length=24, choices=State.choices, default=State.PENDING, protected=True)
    closed_from = models.CharField(max_length=24, blank=True, help_text="the terminal state a closed order had")
    hold_reason = models.CharField(max_length=20, choices=HoldReason.choices, blank=True, default="")
    milestone = models.ForeignKey(MilestoneStatus, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    external_id = models.CharField(max_length=100, blank=True)
    category = models.CharField(max_length=60, blank=True)
    description = models.CharField(max_length=500, blank=True)
    related_party = models.JSONField(default=list, blank=True, help_text="TMF RelatedParty references as sent")
    requested_start_date = models.DateTimeField(null=True, blank=True)
    requested_completion_date = models.DateTimeField(null=True, blank=True)
    committed_date = models.DateTimeField(null=True, blank=True, help_text="committed availability date")
    expected_completion_date = models.DateTimeField(null=True, blank=True)
    completion_date = models.DateTimeField(null=True, blank=True)
    cancellation_date = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.CharField(max_length=500, blank=True)
    requires_special_handling = models.BooleanField(default=False)
    originating_reference = models.CharField(max_length=100, blank=True,
                                             help_text="the request or case this order comes from (a reference)")
    prerequisite_reference = models.CharField(max_length=100, blank=True,
                                              help_text="the case it waits on while awaitingPrerequisite")
    modifies_order = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="follow_on_orders",
                                       help_text="the rejected or earlier order this one corrects or changes")
    qualification = models.ForeignKey("orders.OfferingQualification", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="orders")
    credit_check = models.ForeignKey("orders.CreditCheck", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="orders")
    feasibility_result = models.JSONField(default=list, blank=True, help_text="per item, as the engine answered")
    rejection_reasons = models.JSONField(default=list, blank=True,
                                         help_text='[{"code", "message", "path"}]: why the order was rejected')
    investigation_class = models.CharField(max_length=30, choices=InvestigationClass.choices, blank=True)
    investigation_note = models.TextField(blank=True)
    point_of_no_return_passed = models.BooleanField(default=False)
    # lifecycle orders (suspend / resume with a reason) and account-level orders
    lifecycle_action = models.CharField(max_length=10, choices=LifecycleAction.choices, blank=True)
    lifecycle_reason = models.CharField(max_length=20, choices=LifecycleReason.choices, blank=True)
    account_changes = models.JSONField(default=dict, blank=True,
                                       help_text="account-level orders: payment_method, bill_cycle, billing_address")
    initiating_request = models.JSONField(default=dict, blank=True, help_text="the request as received")
    currency = currency_field(default="EUR")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="assigned_orders")
    assigned_team = models.CharField(max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    order_date = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    archived = models.BooleanField(default=False, db_index=True)
    tmf_extra = models.JSONField(default=dict, blank=True, help_text="TMF attributes kept as sent")

    class Meta:
        ordering = ["-order_date", "-id"]
        indexes = [
            models.Index(fields=["state", "order_date"], name="order_state_date_idx"),
            models.Index(fields=["customer", "order_date"], name="order_customer_date_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["created_by", "external_id"], condition=~models.Q(external_id=""),
                                    name="order_external_id_per_client_uniq"),
        ]

    def __str__(self):
        return self.order_number

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN

    @property
    def tmf_state(self) -> str:
        from orders.ordering_states import tmf622_state

        return tmf622_state(self.state, closed_from=self.closed_from)

    # --- transitions (seed 000 1.1.1.5.4.3) --------------------------------------------------------------
    @transition(field=state, source=State.PENDING, target=State.ACKNOWLEDGED)
    def validate(self):
        pass

    @transition(field=state, source=[State.PENDING, State.ACKNOWLEDGED, State.HELD, State.AWAITING_PREREQUISITE],
                target=State.REJECTED)
    def reject(self):
        pass

    @transition(field=state, source=[State.ACKNOWLEDGED, State.COMMITTED], target=State.HELD)
    def hold(self):
        pass

    @transition(field=state, source=State.ACKNOWLEDGED, target=State.AWAITING_PREREQUISITE)
    def await_prerequisite(self):
        pass

    @transition(field=state, source=[State.ACKNOWLEDGED, State.HELD, State.AWAITING_PREREQUISITE],
                target=State.COMMITTED)
    def commit(self):
        pass

    @transition(field=state, source=State.COMMITTED, target=State.COMPLETED)
    def complete(self):
        pass

    @transition(field=state, source=State.COMMITTED, target=State.FAILED)
    def fail(self):
        pass

    @transition(field=state, source=State.COMMITTED, target=State.PARTIAL)
    def complete_partially(self):
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

    @transition(field=state, source=State.ASSESSING_CANCELLATION, target=State.COMMITTED)
    def refuse_cancellation(self):
        pass

    @transition(field=state, source=list(TERMINAL), target=State.CLOSED)
    def close(self):
        self.closed_from = self.state


class OrderItem(FSMModelMixin, models.Model):
    """A productOrderItem. ``offering`` links the catalog entry when we hold it; ``offering_ref`` keeps the
    reference as sent (TMF validation policy). Prices agreed at order time are OrderItemPrice rows."""

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

    order = models.ForeignKey(CustomerOrder, on_delete=models.CASCADE, related_name="items")
    item_id = models.CharField(max_length=64)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.ADD)
    state = FSMField(max_length=14, choices=State.choices, default=State.ACKNOWLEDGED, protected=True)
    offering = models.ForeignKey("orders.ProductOffering", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="order_items")
    offering_ref = models.JSONField(default=dict, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    characteristics = models.JSONField(default=dict, blank=True)
    place = models.ForeignKey("customers.Address", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("customers.Product", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="order_items", help_text="the product it modifies or terminates, or "
                                                                      "the one it created")
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="dependents")
    item_extra = models.JSONField(default=dict, blank=True, help_text="TMF item attributes kept as sent")

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "item_id"], name="order_item_id_uniq")]

    def __str__(self):
        return f"{self.order.order_number}/{self.item_id}"

    @property
    def offering_code(self) -> str:
        return self.offering.code if self.offering_id else str(self.offering_ref.get("id", ""))

    @transition(field=state, source=[State.ACKNOWLEDGED, State.HELD], target=State.IN_PROGRESS)
    def start(self):
        pass

    @transition(field=state, source=[State.ACKNOWLEDGED, State.IN_PROGRESS], target=State.HELD)
    def hold(self):
        pass

    @transition(field=state, source=[State.ACKNOWLEDGED, State.IN_PROGRESS, State.HELD], target=State.COMPLETED)
    def complete(self):
        pass

    @transition(field=state, source=[State.IN_PROGRESS], target=State.FAILED)
    def fail(self):
        pass

    @transition(field=state, source=[State.ACKNOWLEDGED, State.IN_PROGRESS, State.HELD], target=State.CANCELLED)
    def cancel(self):
        pass

    @transition(field=state, source=[State.ACKNOWLEDGED, State.HELD], target=State.REJECTED)
    def reject(self):
        pass

    @transition(field=state, source=[State.IN_PROGRESS, State.HELD], target=State.ACKNOWLEDGED)
    def reopen(self):
        """Modified before the point of no return: its service order items were cancelled and it is decomposed
        again (orders.services.order_modify)."""


class OrderItemPrice(models.Model):
    """A price agreed at order time (TMF622 itemPrice): what billing charges, not whatever the catalog says later.
    Amounts are Decimal: duty-free and tax-included per period (recurring) or once (one-time)."""

    class PriceType(models.TextChoices):
        RECURRING = "recurring", "Recurring"
        ONE_TIME = "one_time", "One-time"
        USAGE = "usage", "Usage"

    item = models.ForeignKey(OrderItem, on_delete=models.CASCADE, related_name="prices")
    catalog_price = models.ForeignKey("orders.ProductOfferingPrice", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    price_type = models.CharField(max_length=10, choices=PriceType.choices)
    recurring_period = models.CharField(max_length=10, blank=True)
    unit_of_measure = models.CharField(max_length=20, blank=True)
    list_amount = models.DecimalField(max_digits=14, decimal_places=4, help_text="catalog amount, duty free")
    discount_amount = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    discount_name = models.CharField(max_length=200, blank=True)
    discount_periods = models.PositiveSmallIntegerField(null=True, blank=True)
    duty_free_amount = models.DecimalField(max_digits=14, decimal_places=4, help_text="after discount, per unit")
    tax_rate = models.DecimalField(max_digits=6, decimal_places=3, default=0, help_text="percent")
    tax_included_amount = models.DecimalField(max_digits=14, decimal_places=4)
    currency = currency_field()

    class Meta:
        ordering = ["item", "price_type", "id"]

    def __str__(self):
        return f"{self.name}: {self.duty_free_amount} {self.currency}"


def attachment_path(instance, filename):
    return f"orders/{instance.order_id}/{filename}"


class OrderAttachment(models.Model):
    order = models.ForeignKey(CustomerOrder, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    description = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name


class OrderNote(models.Model):
    order = models.ForeignKey(CustomerOrder, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
    author = models.CharField(max_length=200, blank=True)
    author_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:60]


class OrderTask(FSMModelMixin, models.Model):
    """One workflow step of one order (an instance of an OrderTypeStep): done automatically, by a team
    (worklists), or when an outside party reports back. Mandatory tasks gate completion."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for earlier steps"
        READY = "ready", "Ready"
        IN_PROGRESS = "inProgress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    order = models.ForeignKey(CustomerOrder, on_delete=models.CASCADE, related_name="tasks")
    step = models.ForeignKey(OrderTypeStep, on_delete=models.PROTECT, related_name="tasks")
    sequence = models.PositiveSmallIntegerField()
    status = FSMField(max_length=12, choices=Status.choices, default=Status.WAITING, protected=True)
    team = models.CharField(max_length=60, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="order_tasks")
    note = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, help_text="back-scheduled from the order's committed "
                                                                   "availability date (orders.services.order_config)")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "sequence"]
        constraints = [models.UniqueConstraint(fields=["order", "step"], name="order_task_step_uniq")]
        indexes = [models.Index(fields=["team", "status"], name="order_task_team_status_idx")]

    def __str__(self):
        return f"{self.order.order_number}: {self.step.name}"

    @transition(field=status, source=Status.WAITING, target=Status.READY)
    def make_ready(self):
        pass

    @transition(field=status, source=[Status.READY], target=Status.IN_PROGRESS)
    def start(self):
        pass

    @transition(field=status, source=[Status.READY, Status.IN_PROGRESS], target=Status.DONE)
    def finish(self):
        pass

    @transition(field=status, source=[Status.WAITING, Status.READY, Status.IN_PROGRESS], target=Status.CANCELLED)
    def cancel(self):
        pass

    def is_overdue(self, now=None) -> bool:
        """Past its due date and not done (worklists flag it)."""
        from django.utils import timezone

        return (self.due_at is not None and self.status not in (self.Status.DONE, self.Status.CANCELLED)
                and self.due_at < (now or timezone.now()))


class CancelProductOrder(FSMModelMixin, models.Model):
    """A TMF622 cancelProductOrder request: the request is kept (who asked, why, when) with its outcome; the
    order itself moves through customer_order_cancel."""

    CUSTOMER_PATH = "order__customer"

    class State(models.TextChoices):
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        IN_PROGRESS = "inProgress", "In progress"
        DONE = "done", "Done"
        TERMINATED_WITH_ERROR = "terminatedWithError", "Refused"  # TMF TaskStateType has no 'rejected'

    order = models.ForeignKey(CustomerOrder, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="cancellation_requests")
    order_ref = models.JSONField(default=dict, blank=True, help_text="the productOrder reference as sent")
    state = FSMField(max_length=20, choices=State.choices, default=State.ACKNOWLEDGED, protected=True)
    cancellation_reason = models.CharField(max_length=500, blank=True)
    requested_cancellation_date = models.DateTimeField(null=True, blank=True)
    effective_cancellation_date = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    tmf_extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Cancellation {self.pk}"

    @transition(field=state, source=State.ACKNOWLEDGED, target=State.IN_PROGRESS)
    def start(self):
        pass

    @transition(field=state, source=[State.ACKNOWLEDGED, State.IN_PROGRESS], target=State.DONE)
    def finish(self):
        pass

    @transition(field=state, source=[State.ACKNOWLEDGED, State.IN_PROGRESS], target=State.TERMINATED_WITH_ERROR)
    def reject(self):
        pass


class ConfigurationDefect(FSMModelMixin, models.Model):
    """A configuration defect or a feature request found while investigating a rejected order, linked to the rule
    or offering concerned and followed until the reconfiguration (seed 000 1.1.1.5.1.1, 1.1.1.5.6.1)."""

    class Kind(models.TextChoices):
        CONFIGURATION_DEFECT = "configuration_defect", "Configuration defect"
        FEATURE_REQUEST = "feature_request", "Feature request"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Reconfigured"
        DECLINED = "declined", "Declined"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = FSMField(max_length=10, choices=Status.choices, default=Status.OPEN, protected=True)
    order = models.ForeignKey(CustomerOrder, on_delete=models.PROTECT, related_name="configuration_defects")
    offering = models.ForeignKey("orders.ProductOffering", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="configuration_defects")
    rule = models.ForeignKey("orders.FeasibilityRule", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="configuration_defects")
    description = models.TextField()
    resolution = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk}"

    @transition(field=status, source=Status.OPEN, target=Status.RESOLVED)
    def resolve(self):
        pass

    @transition(field=status, source=Status.OPEN, target=Status.DECLINED)
    def decline(self):
        pass


class OrderNotificationList(models.Model):
    """An internal notification list (1.1.1.5.7 Report): which order events (and, for state changes, which
    states) notify which staff users, teams (groups) or e-mail addresses, narrowed by order type and customer
    segment. Delivered by e-mail from a subscriber on the order's published events (orders.notifications),
    never inline in a transition."""

    class EventKind(models.TextChoices):
        CREATE = "ProductOrderCreateEvent", "Order created"
        STATE_CHANGE = "ProductOrderStateChangeEvent", "State changed"
        ATTRIBUTE_VALUE_CHANGE = "ProductOrderAttributeValueChangeEvent", "Changed (milestone, items, notes)"
        INFORMATION_REQUIRED = "ProductOrderInformationRequiredEvent", "Information required"

    name = models.CharField(max_length=120, unique=True)
    active = models.BooleanField(default=True)
    event_types = models.JSONField(default=list, blank=True,
                                   help_text="event names (see EventKind); empty: state changes only")
    states = models.JSONField(default=list, blank=True,
                              help_text="internal order states that notify on a state change; empty: every state")
    order_type = models.ForeignKey(OrderType, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   help_text="blank: every order type")
    customer_segment = models.CharField(max_length=20, blank=True, help_text="a customer segment; blank: any")
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    teams = models.ManyToManyField("auth.Group", blank=True, related_name="+",
                                   help_text="every active member with an e-mail address")
    email_addresses = models.TextField(blank=True, help_text="one or more addresses, comma or line separated")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def events(self) -> list[str]:
        return list(self.event_types or [self.EventKind.STATE_CHANGE.value])
