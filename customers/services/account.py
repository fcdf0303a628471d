"""Billing account use cases."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from bss.actors import Actor
from bss.audit.services import UNSET, given, history_record_created, model_update
from bss.errors import BusinessRuleViolation, DomainValidationError
from bss.events import publish
from bss.fsm import fsm_transition
from bss.money import Money
from bss.numbering import next_number
from customers.events import CUSTOMER_ATTRIBUTE_VALUE_CHANGE
from customers.models import (
    Address,
    BillCycle,
    BillingAccount,
    Contact,
    Customer,
)
from customers.validation import account_currency_error


def _account_terms_errors(*, bill_cycle, credit_limit) -> dict:
    errors = {}
    if bill_cycle is None:
        errors["bill_cycle"] = "Choose a bill cycle."
    if isinstance(credit_limit, Money):  # its currency is checked against the account's on create
        credit_limit = credit_limit.amount
    if not isinstance(credit_limit, Decimal) or credit_limit < 0:
        errors["credit_limit"] = "The credit limit is a non-negative amount."
    return errors


def billing_account_check(
    *, customer: Customer, billing_address: Address | None, bill_cycle: BillCycle | None,
    parent: BillingAccount | None = None, credit_limit: Decimal = Decimal("0"), account: BillingAccount | None = None,
    bill_contact: Contact | None = None, currency: str | None = None,
) -> None:
    """The rules a billing account obeys; forms (e.g. admin) call it to show them before saving.
    ``account`` is the account being changed (None for a new one). ``currency`` (the account's, when
    known) must be the parent's, and a parent's must stay its open children's."""
    errors = _account_terms_errors(bill_cycle=bill_cycle, credit_limit=credit_limit)
    if billing_address is None:
        errors["billing_address"] = "A billing account needs a billing address."
    elif billing_address.customer_id not in (None, customer.pk):
        errors["billing_address"] = "The billing address belongs to another customer."
    if bill_contact is not None and bill_contact.customer_id != customer.pk:
        errors["bill_contact"] = "The bill contact belongs to another customer."
    if parent is not None:
        if customer.customer_type != "organization":
            errors["parent"] = "Only business customers have account hierarchies."
        elif parent.customer_id != customer.pk:
            errors["parent"] = "The parent account must belong to the same customer."
        elif account is not None and parent.pk == account.pk:
            errors["parent"] = "An account cannot roll up to itself."
        elif parent.status == BillingAccount.Status.CLOSED:
            errors["parent"] = "The parent account is closed."
        elif error := account_currency_error(currency, parent.currency):
            errors["currency"] = error
    if account is not None and currency:
        other = (account.children.exclude(status=BillingAccount.Status.CLOSED).exclude(currency=currency)
                 .values_list("currency", flat=True).first())
        if other:
            errors["currency"] = f"Its child accounts bill in {other}; a parent bills in its children's currency."
    if account is None and customer.status == Customer.Status.CLOSED:
        raise BusinessRuleViolation("A closed customer cannot get a new billing account.")
    if errors:
        raise DomainValidationError(errors)


def _credit_limit_amount(credit_limit, currency: str):
    """The credit limit as the Decimal the column holds. A Money must be in the account's currency:
    a limit in another currency is refused, never stored as a bare number."""
    if not isinstance(credit_limit, Money):
        return credit_limit
    if credit_limit.currency != currency:
        raise DomainValidationError({"credit_limit": f"The credit limit is in {credit_limit.currency}; "
                                                     f"the account bills in {currency}."})
    return credit_limit.amount


@transaction.atomic
def billing_account_create(
    *, customer: Customer, actor: Actor, billing_address: Address | None, bill_cycle: BillCycle | None,
    name: str = "", parent: BillingAccount | None = None, currency: str = "EUR",
    credit_limit: Decimal | Money = Decimal("0"), payment_method: str = BillingAccount.PaymentMethod.DIRECT_DEBIT,
    payment_reference: str = "", bill_delivery: str = BillingAccount.BillDelivery.EMAIL,
    bill_contact: Contact | None = None,
) -> BillingAccount:
    """``credit_limit``: a Decimal in ``currency``, or a Money (refused unless in ``currency``)."""
    credit_limit = _credit_limit_amount(credit_limit, currency)
    billing_account_check(customer=customer, billing_address=billing_address, bill_cycle=bill_cycle, parent=parent,
                          credit_limit=credit_limit, bill_contact=bill_contact, currency=currency)
    account = BillingAccount.objects.create(
        account_number=next_number("billing_account", prefix="BA"), customer=customer,
        name=name or customer.name, parent=parent, bill_cycle=bill_cycle, currency=currency,
        credit_limit=credit_limit, billing_address=billing_address, payment_method=payment_method,
        payment_reference=payment_reference, bill_delivery=bill_delivery, bill_contact=bill_contact,
    )
    history_record_created(obj=account, actor=actor, action="customers.billing_account.created", root=customer)
    publish(CUSTOMER_ATTRIBUTE_VALUE_CHANGE, customer)
    return account


def _or_current(value, current):
    return current if value is UNSET else value


BILLING_ACCOUNT_FIELDS = ("name", "parent", "bill_cycle", "currency", "payment_method", "payment_reference",
                          "credit_limit", "bill_delivery", "billing_address", "bill_contact")


@transaction.atomic
def billing_account_update(
    *, account: BillingAccount, actor: Actor, name: str = UNSET, parent: BillingAccount | None = UNSET,
    bill_cycle: BillCycle = UNSET, currency: str = UNSET, payment_method: str = UNSET,
    payment_reference: str = UNSET, credit_limit: Decimal | Money = UNSET, bill_delivery: str = UNSET,
    billing_address: Address = UNSET, bill_contact: Contact | None = UNSET,
) -> BillingAccount:
    """Only the arguments given change (``BILLING_ACCOUNT_FIELDS``); an account stays with its
    customer and its status moves through billing_account_transition. A Money ``credit_limit``
    must be in the account's (new, if given) currency."""
    account = BillingAccount.objects.select_for_update().select_related("customer").get(pk=account.pk)
    if credit_limit is not UNSET:
        credit_limit = _credit_limit_amount(credit_limit, account.currency if currency is UNSET else currency)
        if not isinstance(credit_limit, Decimal) or credit_limit < 0:
            raise DomainValidationError({"credit_limit": "The credit limit is a non-negative amount."})
    if billing_address is None:
        raise DomainValidationError({"billing_address": "A billing account needs a billing address."})
    address, up, contact = (_or_current(billing_address, account.billing_address),
                            _or_current(parent, account.parent), _or_current(bill_contact, account.bill_contact))
    money = _or_current(currency, account.currency)
    if (address.pk, up.pk if up else None, contact.pk if contact else None, money) != (
            account.billing_address_id, account.parent_id, account.bill_contact_id, account.currency):
        billing_account_check(customer=account.customer, billing_address=address,
                              bill_cycle=_or_current(bill_cycle, account.bill_cycle), parent=up,
                              credit_limit=_or_current(credit_limit, account.credit_limit), account=account,
                              bill_contact=contact, currency=money)
    model_update(
        instance=account, fields=BILLING_ACCOUNT_FIELDS, actor=actor, action="customers.billing_account.updated",
        root=account.customer,
        data=dict(name=name, parent=parent, bill_cycle=bill_cycle, currency=currency, payment_method=payment_method,
                  payment_reference=payment_reference, credit_limit=credit_limit, bill_delivery=bill_delivery,
                  billing_address=billing_address, bill_contact=bill_contact))
    return account


@transaction.atomic
def billing_account_transition(*, account_id: int, transition: str, actor: Actor, reason: str = "") -> BillingAccount:
    account = BillingAccount.objects.select_for_update().select_related("customer").get(pk=account_id)
    return fsm_transition(account, transition, actor=actor, reason=reason, root=account.customer,
                          action=f"customers.billing_account.{transition}")


# --- bill cycles ----------------------------------------------------------------------------
BILL_CYCLE_FIELDS = ("code", "name", "day_of_month", "payment_terms_days", "active")


def _bill_cycle_errors(*, day_of_month: int | None, payment_terms_days: int | None) -> dict:
    errors = {}
    if day_of_month is not None and not 1 <= day_of_month <= 28:
        errors["day_of_month"] = "A bill cycle closes on a day between 1 and 28 (every month has it)."
    if payment_terms_days is not None and not 0 <= payment_terms_days <= 120:
        errors["payment_terms_days"] = "Payment terms are between 0 and 120 days."
    return errors


@transaction.atomic
def bill_cycle_create(*, code: str, name: str, day_of_month: int, actor: Actor, payment_terms_days: int = 14,
                      active: bool = True) -> BillCycle:
    errors = _bill_cycle_errors(day_of_month=day_of_month, payment_terms_days=payment_terms_days)
    if not (code or "").strip():
        errors["code"] = "This field is required."
    elif BillCycle.objects.filter(code=code).exists():
        errors["code"] = f"A bill cycle {code} exists."
    if errors:
        raise DomainValidationError(errors)
    cycle = BillCycle.objects.create(code=code.strip(), name=name, day_of_month=day_of_month,
                                     payment_terms_days=payment_terms_days, active=active)
    history_record_created(obj=cycle, actor=actor, action="customers.bill_cycle.created")
    return cycle


@transaction.atomic
def bill_cycle_update(*, bill_cycle: BillCycle, actor: Actor, code: str = UNSET, name: str = UNSET,
                      day_of_month: int = UNSET, payment_terms_days: int = UNSET, active: bool = UNSET) -> BillCycle:
    """Only the arguments given change (BILL_CYCLE_FIELDS)."""
    changes = given(code=code, name=name, day_of_month=day_of_month, payment_terms_days=payment_terms_days,
                    active=active)
    cycle = BillCycle.objects.select_for_update().get(pk=bill_cycle.pk)
    errors = _bill_cycle_errors(day_of_month=changes.get("day_of_month"),
                                payment_terms_days=changes.get("payment_terms_days"))
    if errors:
        raise DomainValidationError(errors)
    model_update(instance=cycle, fields=BILL_CYCLE_FIELDS, data=changes, actor=actor,
                 action="customers.bill_cycle.updated")
    return cycle
