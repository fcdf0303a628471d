"""Billing account use cases."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from bss.actors import Actor
from bss.audit.services import history_record_created, model_update, track_changes
from bss.errors import BusinessRuleViolation, DomainValidationError
from bss.events import publish
from bss.fsm import fsm_transition
from bss.numbering import next_number
from customers.events import CUSTOMER_ATTRIBUTE_VALUE_CHANGE
from customers.models import (
    Address,
    BillCycle,
    BillingAccount,
    Contact,
    Customer,
)


def _account_terms_errors(*, bill_cycle, credit_limit) -> dict:
    errors = {}
    if bill_cycle is None:
        errors["bill_cycle"] = "Choose a bill cycle."
    if not isinstance(credit_limit, Decimal) or credit_limit < 0:
        errors["credit_limit"] = "The credit limit is a non-negative amount."
    return errors


def billing_account_check(
    *, customer: Customer, billing_address: Address | None, bill_cycle: BillCycle | None,
    parent: BillingAccount | None = None, credit_limit: Decimal = Decimal("0"), account: BillingAccount | None = None,
    bill_contact: Contact | None = None,
) -> None:
    """The rules a billing account obeys; forms (e.g. admin) call it to show them before saving.
    ``account`` is the account being changed (None for a new one)."""
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
    if account is None and customer.status == Customer.Status.CLOSED:
        raise BusinessRuleViolation("A closed customer cannot get a new billing account.")
    if errors:
        raise DomainValidationError(errors)


@transaction.atomic
def billing_account_create(
    *, customer: Customer, actor: Actor, billing_address: Address | None, bill_cycle: BillCycle | None,
    name: str = "", parent: BillingAccount | None = None, currency: str = "EUR",
    credit_limit: Decimal = Decimal("0"), **data,
) -> BillingAccount:
    billing_account_check(customer=customer, billing_address=billing_address, bill_cycle=bill_cycle, parent=parent,
                          credit_limit=credit_limit, bill_contact=data.get("bill_contact"))
    account = BillingAccount.objects.create(
        account_number=next_number("billing_account", prefix="BA"), customer=customer,
        name=name or customer.name, parent=parent, bill_cycle=bill_cycle, currency=currency,
        credit_limit=credit_limit, billing_address=billing_address, **data,
    )
    history_record_created(obj=account, actor=actor, action="customers.billing_account.created", root=customer)
    publish(CUSTOMER_ATTRIBUTE_VALUE_CHANGE, customer)
    return account


@transaction.atomic
def billing_account_update(*, account: BillingAccount, actor: Actor, **data) -> BillingAccount:
    account = BillingAccount.objects.select_for_update().select_related("customer").get(pk=account.pk)
    if "credit_limit" in data and (not isinstance(data["credit_limit"], Decimal) or data["credit_limit"] < 0):
        raise DomainValidationError({"credit_limit": "The credit limit is a non-negative amount."})
    with track_changes(account, action="customers.billing_account.updated", actor=actor, root=account.customer):
        before = (account.billing_address_id, account.parent_id, account.bill_contact_id)
        for key, value in data.items():
            setattr(account, key, value)
        if account.billing_address_id is None:
            raise DomainValidationError({"billing_address": "A billing account needs a billing address."})
        if (account.billing_address_id, account.parent_id, account.bill_contact_id) != before:
            billing_account_check(customer=account.customer, billing_address=account.billing_address,
                                  bill_cycle=account.bill_cycle, parent=account.parent,
                                  credit_limit=account.credit_limit, account=account,
                                  bill_contact=account.bill_contact)
        account.save()
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
def bill_cycle_update(*, bill_cycle: BillCycle, actor: Actor, **changes) -> BillCycle:
    """``changes``: any of BILL_CYCLE_FIELDS (others are refused)."""
    cycle = BillCycle.objects.select_for_update().get(pk=bill_cycle.pk)
    errors = _bill_cycle_errors(day_of_month=changes.get("day_of_month"),
                                payment_terms_days=changes.get("payment_terms_days"))
    if errors:
        raise DomainValidationError(errors)
    model_update(instance=cycle, fields=BILL_CYCLE_FIELDS, data=changes, actor=actor,
                 action="customers.bill_cycle.updated")
    return cycle
