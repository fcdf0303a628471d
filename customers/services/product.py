"""Product inventory use cases. A product names its offering by the catalog's stable offering
code (``offering_code``, the TMF620 ``code`` of the ProductOffering): one canonical reference
that feasibility, ordering and billing all use."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from bss.actors import Actor
from bss.audit.services import UNSET, given, history_record_created, model_update
from bss.errors import DomainValidationError
from bss.fsm import fsm_transition
from customers.models import (
    Address,
    BillingAccount,
    Customer,
    Product,
)

PRODUCT_FIELDS = ("name", "offering_code", "offering_name", "billing_account", "product_serial", "place",
                  "characteristics", "start_date", "end_date")


def _ownership_errors(customer_id: int, *, billing_account: BillingAccount | None, place: Address | None) -> dict:
    """A product's account and place must be its own customer's."""
    errors = {}
    if billing_account is not None and billing_account.customer_id != customer_id:
        errors["billing_account"] = "The billing account belongs to another customer."
    if place is not None and place.customer_id not in (None, customer_id):
        errors["place"] = "The address belongs to another customer."
    return errors


@transaction.atomic
def product_create(*, customer: Customer, actor: Actor, name: str, offering_code: str, offering_name: str,
                   billing_account: BillingAccount | None = None, product_serial: str = "",
                   place: Address | None = None, characteristics: dict | None = None,
                   start_date: datetime | None = None, end_date: datetime | None = None) -> Product:
    errors = _ownership_errors(customer.pk, billing_account=billing_account, place=place)
    if not (offering_code or "").strip():
        errors["offering_code"] = "This field is required."
    if errors:
        raise DomainValidationError(errors)
    product = Product.objects.create(customer=customer, name=name, offering_code=offering_code.strip(),
                                     offering_name=offering_name, billing_account=billing_account,
                                     product_serial=product_serial, place=place,
                                     characteristics=characteristics or {}, start_date=start_date,
                                     end_date=end_date)
    history_record_created(obj=product, actor=actor, action="customers.product.created", root=customer)
    return product


@transaction.atomic
def product_update(
    *, product: Product, actor: Actor, name: str = UNSET, offering_code: str = UNSET, offering_name: str = UNSET,
    billing_account: BillingAccount | None = UNSET, product_serial: str = UNSET, place: Address | None = UNSET,
    characteristics: dict = UNSET, start_date: datetime | None = UNSET, end_date: datetime | None = UNSET,
) -> Product:
    """Only the arguments given change (PRODUCT_FIELDS); a product stays with its customer and its
    status moves through product_transition."""
    changes = given(name=name, offering_code=offering_code, offering_name=offering_name,
                    billing_account=billing_account, product_serial=product_serial, place=place,
                    characteristics=characteristics, start_date=start_date, end_date=end_date)
    product = Product.objects.select_for_update().select_related("customer").get(pk=product.pk)
    errors = _ownership_errors(product.customer_id, billing_account=changes.get("billing_account"),
                               place=changes.get("place"))
    if errors:
        raise DomainValidationError(errors)
    model_update(instance=product, fields=PRODUCT_FIELDS, data=changes, actor=actor,
                 action="customers.product.updated", root=product.customer)
    return product


@transaction.atomic
def product_transition(*, product_id: int, transition: str, actor: Actor, reason: str = "") -> Product:
    product = Product.objects.select_for_update().select_related("customer").get(pk=product_id)
    fsm_transition(product, transition, actor=actor, reason=reason, root=product.customer,
                   action=f"customers.product.{transition}")
    if transition == "activate" and product.start_date is None:
        product.start_date = timezone.now()
        product.save(update_fields=["start_date", "updated_at"])
    if transition == "terminate":
        product.end_date = timezone.now()
        product.save(update_fields=["end_date", "updated_at"])
    return product
