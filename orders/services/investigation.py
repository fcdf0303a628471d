"""The order investigation unit (seed 000 1.1.1.5.6.1): rejected orders are classified (entry error, customer
data, configuration defect, unsupported offering), annotated, corrected and resubmitted as a new order that
names the one it corrects; a configuration defect or feature request becomes a tracked record linked to the
rule or offering, followed until the reconfiguration."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from bss.actors import Actor
from bss.audit.services import history_record
from bss.errors import ApplicationError, DomainValidationError
from bss.fsm import fsm_transition
from orders.models import ConfigurationDefect, CustomerOrder, FeasibilityRule, ProductOffering
from orders.models.ordering import InvestigationClass

from .ordering import OrderItemInput, customer_order_create

DEFECT_KIND = {InvestigationClass.CONFIGURATION_DEFECT: ConfigurationDefect.Kind.CONFIGURATION_DEFECT,
               InvestigationClass.UNSUPPORTED_OFFERING: ConfigurationDefect.Kind.FEATURE_REQUEST}


def investigation_queue() -> QuerySet[CustomerOrder]:
    """Rejected orders not yet corrected by a follow-on order, oldest first."""
    return (CustomerOrder.objects.filter(state=CustomerOrder.State.REJECTED, archived=False,
                                         follow_on_orders__isnull=True)
            .select_related("customer").order_by("order_date"))


@transaction.atomic
def customer_order_investigate(*, order_id: int, classification: str, note: str, actor: Actor,
                               offering_id: int | None = None, rule_id: int | None = None) -> CustomerOrder:
    if classification not in InvestigationClass.values:
        raise DomainValidationError({"classification": f"One of {', '.join(InvestigationClass.values)}."})
    if not (note or "").strip():
        raise DomainValidationError({"note": "Say what was found."})
    order = CustomerOrder.objects.select_for_update().get(pk=order_id)
    if order.state != CustomerOrder.State.REJECTED:
        raise ApplicationError(f"Order {order.order_number} is not rejected: nothing to investigate.")
    before = order.investigation_class
    order.investigation_class = classification
    order.investigation_note = note.strip()
    order.save(update_fields=["investigation_class", "investigation_note", "updated_at"])
    history_record(obj=order, action="orders.customer_order.investigated", actor=actor, root=order.customer or order,
                   reason=note, changes={"investigation_class": [before or None, classification]})
    kind = DEFECT_KIND.get(classification)
    if kind is not None:
        offering = ProductOffering.objects.filter(pk=offering_id).first() if offering_id else None
        if offering is None:
            offering = next((i.offering for i in order.items.select_related("offering") if i.offering_id), None)
        rule = FeasibilityRule.objects.filter(pk=rule_id).first() if rule_id else None
        defect = ConfigurationDefect.objects.create(kind=kind, order=order, offering=offering, rule=rule,
                                                    description=note.strip(),
                                                    created_by=actor.user if actor.user_id else None)
        history_record(obj=defect, action="orders.configuration_defect.created", actor=actor, root=defect,
                       changes={"kind": [None, kind], "order": [None, order.order_number]})
    return order


@transaction.atomic
def configuration_defect_resolve(*, defect_id: int, resolution: str, actor: Actor,
                                 decline: bool = False) -> ConfigurationDefect:
    if not (resolution or "").strip():
        raise DomainValidationError({"resolution": "Say what was reconfigured (or why not)."})
    defect = ConfigurationDefect.objects.select_for_update().get(pk=defect_id)
    defect.resolution = resolution.strip()
    defect.resolved_at = timezone.now()
    if decline:
        fsm_transition(defect, "decline", actor=actor, reason=resolution, action="orders.configuration_defect.decline")
    else:
        fsm_transition(defect, "resolve", actor=actor, reason=resolution, action="orders.configuration_defect.resolve")
    return defect


@transaction.atomic
def customer_order_resubmit(*, order_id: int, actor: Actor, items: list[OrderItemInput] | None = None,
                            customer_ref: str | None = None, account_ref: str | None = None) -> CustomerOrder:
    """Correct a rejected order and submit it again: a new order that names the rejected one (modifies_order),
    with the corrected items (default: the same items)."""
    old = CustomerOrder.objects.select_for_update().get(pk=order_id)
    if old.state != CustomerOrder.State.REJECTED:
        raise ApplicationError(f"Order {old.order_number} is not rejected: change it instead.")
    if old.follow_on_orders.exists():
        raise ApplicationError(f"Order {old.order_number} was already resubmitted.")
    if items is None:
        items = [OrderItemInput(item_id=i.item_id, action=i.action, offering=i.offering_code or None,
                                offering_ref=i.offering_ref, quantity=i.quantity, characteristics=i.characteristics,
                                place=str(i.place_id) if i.place_id else None,
                                product=str(i.product_id) if i.product_id else None)
                 for i in old.items.all()]
    new, _ = customer_order_create(
        actor=actor, items=items, customer_ref=customer_ref or (str(old.customer_id) if old.customer_id else None),
        account_ref=account_ref or (str(old.billing_account_id) if old.billing_account_id else None),
        channel=old.channel, description=old.description, category=old.category, priority=old.priority,
        related_party=old.related_party, originating_reference=old.originating_reference, modifies_order=old,
        notes=[f"resubmitted correction of {old.order_number}"])
    history_record(obj=old, action="orders.customer_order.resubmitted", actor=actor, root=old.customer or old,
                   changes={"follow_on_order": [None, new.order_number]})
    return new


def investigation_figures() -> dict[str, int]:
    """Rejected orders (closed ones too) by investigation class ('unclassified' when not classified yet)."""
    rows = CustomerOrder.objects.filter(Q(state=CustomerOrder.State.REJECTED) | Q(
        state=CustomerOrder.State.CLOSED, closed_from=CustomerOrder.State.REJECTED))
    return {r["investigation_class"] or "unclassified": r["n"] for r in
            rows.values("investigation_class").annotate(n=Count("id")).order_by("investigation_class")}
