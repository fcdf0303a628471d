"""Product inventory use cases."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from bss.actors import Actor
from bss.audit.services import history_record_created
from bss.errors import DomainValidationError
from bss.fsm import fsm_transition
from customers.models import (
    BillingAccount,
    Customer,
    Product,
)


@transaction.atomic
def product_create(*, customer: Customer, actor: Actor, name: str, offering_id: str, offering_name: str,
                   billing_account: BillingAccount | None = None, **data) -> Product:
    if billing_account is not None and billing_account.customer_id != customer.pk:
        raise DomainValidationError({"billing_account": "The billing account belongs to another customer."})
    product = Product.objects.create(customer=customer, name=name, offering_id=offering_id,
                                     offering_name=offering_name, billing_account=billing_account, **data)
    history_record_created(obj=product, actor=actor, action="customers.product.created", root=customer)
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
