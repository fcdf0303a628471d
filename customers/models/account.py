"""Bill cycles and billing accounts (TMF666 shape)."""


from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition

from bss.money import MoneyPair, currency_field, money_field

from .address import Address
from .base import ScopedQuerySet
from .contact import Contact
from .customer import Customer


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


class BillingAccount(FSMModelMixin, models.Model):
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
    credit_limit = money_field(default=0)  # in the account's currency; 0: no limit set
    bill_delivery = models.CharField(max_length=10, choices=BillDelivery.choices, default=BillDelivery.EMAIL)
    billing_address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="+")
    bill_contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = FSMField(max_length=12, choices=Status.choices, default=Status.ACTIVE, protected=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The limit as Money in the account's currency: a Money in another currency is refused.
    credit_limit_money = MoneyPair("credit_limit", "currency", sets_currency=False)

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
