"""Change of owner: a billing account and the live products it bills move to another customer (an account-level
customer order's "owner" change applies it when the order completes: orders.services.order_kinds)."""

from __future__ import annotations

from django.db import transaction

from bss.actors import Actor
from bss.audit.services import history_record
from bss.errors import BusinessRuleViolation, DomainValidationError
from bss.events import publish
from customers.events import CUSTOMER_ATTRIBUTE_VALUE_CHANGE, PRODUCT_ATTRIBUTE_VALUE_CHANGE
from customers.models import Address, BillingAccount, Customer, Product

from .address import ADDRESS_FIELDS

ENDED = Product.ENDED


def billing_account_transfer_problems(*, account: BillingAccount, new_owner: Customer | None,
                                      billing_address: Address | None = None) -> dict[str, str]:
    """Why the account cannot move to ``new_owner`` ({} when it can); read by the order before it is issued."""
    errors: dict[str, str] = {}
    if new_owner is None:
        return {"owner": "No such customer."}
    if new_owner.pk == account.customer_id:
        errors["owner"] = "The account already belongs to this customer."
    elif new_owner.status not in (Customer.Status.ACTIVE, Customer.Status.PROSPECT):
        errors["owner"] = f"{new_owner.name} is {new_owner.status}: a new owner must be active."
    if account.status == BillingAccount.Status.CLOSED:
        errors["billing_account"] = "The account is closed."
    if account.children.exclude(status=BillingAccount.Status.CLOSED).exists():
        errors["billing_account"] = "The account has open child accounts: move or close them first."
    if billing_address is not None and billing_address.customer_id != new_owner.pk:
        errors["billing_address"] = "The billing address is not one of the new owner's."
    if billing_address is None and not new_owner.addresses.exists():
        errors["billing_address"] = f"{new_owner.name} has no address to bill to: add one first."
    return errors


@transaction.atomic
def billing_account_transfer(*, account: BillingAccount, new_owner: Customer, actor: Actor,
                             billing_address: Address | None = None, reason: str = "") -> BillingAccount:
    """Move ``account`` and the products it bills (not those terminated) to ``new_owner``. The account bills to
    ``billing_address`` (the new owner's; default: their first address); it leaves its parent and bill contact
    behind (they are the old owner's). A product's install address moves with it as a copy owned by the new
    owner. One history row on each customer; both customers announce the change."""
    account = BillingAccount.objects.select_for_update().select_related("customer").get(pk=account.pk)
    new_owner = Customer.objects.select_for_update().get(pk=new_owner.pk)
    errors = billing_account_transfer_problems(account=account, new_owner=new_owner, billing_address=billing_address)
    if errors:
        if set(errors) == {"owner"} and "already belongs" in errors["owner"]:
            raise BusinessRuleViolation(errors["owner"], code="same_owner")
        raise DomainValidationError(errors)
    old_owner = account.customer
    address = billing_address or new_owner.addresses.order_by("pk").first()
    copies: dict[int, Address] = {}
    moved = []
    for product in Product.objects.select_for_update().filter(billing_account=account).exclude(status__in=ENDED):
        if product.place_id and product.place.customer_id == old_owner.pk:
            if product.place_id not in copies:
                copies[product.place_id] = Address.objects.create(
                    customer=new_owner, **{f: getattr(product.place, f) for f in ADDRESS_FIELDS})
            product.place = copies[product.place_id]
        product.customer = new_owner
        product.save(update_fields=["customer", "place"])
        publish(PRODUCT_ATTRIBUTE_VALUE_CHANGE, product)
        moved.append(product.product_serial or str(product.pk))
    before = {"customer": old_owner.customer_number, "billing_address": account.billing_address_id,
              "parent": account.parent_id, "bill_contact": account.bill_contact_id}
    account.customer, account.billing_address, account.parent, account.bill_contact = new_owner, address, None, None
    account.save(update_fields=["customer", "billing_address", "parent", "bill_contact"])
    changes = {"owner": [old_owner.customer_number, new_owner.customer_number],
               "billing_address": [before["billing_address"], address.pk], "products": [None, moved]}
    if before["parent"]:
        changes["parent"] = [before["parent"], None]
    if before["bill_contact"]:
        changes["bill_contact"] = [before["bill_contact"], None]
    for root in (old_owner, new_owner):
        history_record(obj=account, action="customers.billing_account.owner_changed", actor=actor, root=root,
                       reason=reason, changes=changes)
        publish(CUSTOMER_ATTRIBUTE_VALUE_CHANGE, root)
    return account
