"""Customer inventory (eTOM 1.1.1.x): parties, customers, contacts, addresses, billing accounts,
and the customer's product inventory. Nothing here is hard-deleted; closing is a status."""

import re

from django.conf import settings
from django.db import models
from django_fsm import FSMField, transition

from bss.money import currency_field, money_field


class ScopedQuerySet(models.QuerySet):
    """Every customer-owned model names the path from itself to its Customer (``CUSTOMER_PATH``);
    customers.scoping uses it to restrict what a self-service user can reach."""


class Party(models.Model):
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
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.INITIALIZED)
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

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.ORGANIZATION:
            return self.trading_name or self.legal_name
        return " ".join(p for p in (self.given_name, self.middle_name, self.family_name) if p)


class Customer(models.Model):
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
        self.match_key = self.value.strip().lower() if self.is_email else phone_match_key(self.value)
        super().save(*args, **kwargs)

    @property
    def is_email(self) -> bool:
        return self.kind == self.Kind.EMAIL


class BillCycle(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    day_of_month = models.PositiveSmallIntegerField(help_text="day the cycle closes (1-28)")
    payment_terms_days = models.PositiveSmallIntegerField(default=14)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["day_of_month"]

    def __str__(self):
        return f"{self.name} (day {self.day_of_month})"


class BillingAccount(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        CLOSED = "closed", "Closed"

    class PaymentMethod(models.TextChoices):
        DIRECT_DEBIT = "direct_debit", "Direct debit"
        CREDIT_CARD = "credit_card", "Credit card"
        BANK_TRANSFER = "bank_transfer", "Bank transfer"
        CASH = "cash", "Cash"

    class BillDelivery(models.TextChoices):
        EMAIL = "email", "E-mail"
        PAPER = "paper", "Paper"
        PORTAL = "portal", "Self-service portal only"

    CUSTOMER_PATH = "customer"

    account_number = models.CharField(max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="billing_accounts")
    name = models.CharField(max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               help_text="business hierarchies: the account this one rolls up to")
    bill_cycle = models.ForeignKey(BillCycle, on_delete=models.PROTECT, related_name="accounts")
    currency = currency_field()
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices,
                                      default=PaymentMethod.DIRECT_DEBIT)
    payment_reference = models.CharField(max_length=64, blank=True, help_text="masked IBAN or card reference")
    credit_limit = money_field(default=0)
    bill_delivery = models.CharField(max_length=10, choices=BillDelivery.choices, default=BillDelivery.EMAIL)
    billing_address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="+")
    bill_contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = FSMField(max_length=12, choices=Status.choices, default=Status.ACTIVE, protected=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["account_number"]

    def __str__(self):
        return f"{self.account_number} {self.name}"

    @transition(field=status, source=Status.ACTIVE, target=Status.SUSPENDED)
    def suspend(self):
        pass

    @transition(field=status, source=Status.SUSPENDED, target=Status.ACTIVE)
    def resume(self):
        pass

    @transition(field=status, source=[Status.ACTIVE, Status.SUSPENDED], target=Status.CLOSED)
    def close(self):
        pass


class Product(models.Model):
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
    offering_id = models.CharField(max_length=64, db_index=True)
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
