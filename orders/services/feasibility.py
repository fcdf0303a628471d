"""Feasibility use cases: load a context in a fixed number of queries, evaluate, store.

Callers: TMF679 POST productOfferingQualification and the staff qualification screen (both through
offering_qualification_request), the rule tester, self-service offering lists, and (later) customer
order validation and Celery tasks.

Customer data is read through customers.selectors, within what the actor may see (customers.scoping).
Capacity at the install address (a serviceability rule with ``"resources"``) is asked of service activation
(service_activation.services.capacity, read-only), only when a rule needs it: one query then, none otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from bss.actors import Actor, Channel
from bss.audit.services import history_record
from bss.errors import DomainValidationError
from bss.events import publish
from bss.tmf.ids import local_id
from customers import selectors as customer_selectors
from customers.scoping import self_service_customer_id

from .. import feasibility as fe
from ..events import PRODUCT_OFFERING_QUALIFICATION_CREATE
from ..models import CoverageArea, FeasibilityRule, OfferingQualification, ProductOffering, SpecCharacteristic
from ..models.catalog import SalesChannel

if TYPE_CHECKING:  # the rows customers.selectors hands out
    from customers.selectors import Address, BillingAccount, Customer

# --- loading ---------------------------------------------------------------------------------

def _offering_fact(o: ProductOffering, at) -> fe.Offering:
    chars = ()
    if o.specification_id:
        chars = tuple(fe.CharacteristicSpec(c.name, c.value_type, c.mandatory, tuple(c.allowed_values or ()),
                                            c.min_value, c.max_value, c.default_value)
                      for c in o.specification.characteristics.all())
    return fe.Offering(id=o.pk, code=o.code, name=o.name, orderable=o.is_orderable(at),
                       lifecycle_status=o.lifecycle_status, sales_channels=tuple(o.sales_channels or ()),
                       customer_segments=tuple(o.customer_segments or ()), technology=o.technology,
                       bandwidth_mbps=o.bandwidth_mbps, requires_install_address=o.requires_install_address,
                       characteristics=chars)


def load_catalog(at=None) -> dict[str, fe.Offering]:
    """Every offering, by code and by id (string), with characteristics: 3 queries."""
    at = at or timezone.now()
    qs = ProductOffering.objects.select_related("specification").prefetch_related(
        Prefetch("specification__characteristics", queryset=SpecCharacteristic.objects.order_by("name")))
    catalog = {}
    for o in qs:
        fact = _offering_fact(o, at)
        catalog[o.code] = fact
        catalog[str(o.pk)] = fact
    return catalog


def load_rules(catalog: dict[str, fe.Offering], *, include_inactive_ids=()) -> list[fe.Rule]:
    """Active rules with their range and alternatives: 3 queries however many rules there are."""
    qs = FeasibilityRule.objects.prefetch_related(
        Prefetch("offerings", queryset=ProductOffering.objects.only("id", "code")),
        Prefetch("alternatives", queryset=ProductOffering.objects.only("id", "code")))
    if include_inactive_ids:
        from django.db.models import Q

        qs = qs.filter(Q(is_active=True) | Q(pk__in=include_inactive_ids))
    else:
        qs = qs.filter(is_active=True)
    return [rule_fact(r, catalog) for r in qs]


def rule_fact(r: FeasibilityRule, catalog: dict[str, fe.Offering], *, offering_codes=None,
              alternative_codes=None) -> fe.Rule:
    codes = offering_codes if offering_codes is not None else [o.code for o in r.offerings.all()]
    alt = alternative_codes if alternative_codes is not None else [o.code for o in r.alternatives.all()]
    return fe.Rule(id=r.pk or 0, name=r.name, rule_type=r.rule_type, priority=r.priority,
                   offering_codes=frozenset(codes), segments=tuple(r.segments or ()),
                   channels=tuple(r.channels or ()), customer_types=tuple(r.customer_types or ()),
                   valid_from=r.valid_from, valid_to=r.valid_to, params=r.params or {},
                   staff_message=r.staff_message, customer_message=r.customer_message,
                   alternatives=tuple(catalog[c] for c in alt if c in catalog))


def load_coverage() -> list[fe.Coverage]:
    return [fe.Coverage(c.technology, c.area_code, c.postcode_prefix, c.max_bandwidth_mbps)
            for c in CoverageArea.objects.filter(is_active=True)]


def load_capacity(place: fe.Place | None, rules: list[fe.Rule]) -> dict[str, fe.Capacity]:
    """The free capacity at the place for the resource kinds the rules check (service activation's pools serving
    the address): the facts the pure engine is given. Nothing is asked when no rule checks capacity or there is no
    place (the engine then refuses for the missing address)."""
    kinds = fe.capacity_kinds(rules)
    if not kinds or place is None:
        return {}
    from service_activation.services.capacity import RESOURCE_KINDS, capacity_at

    facts = capacity_at(kinds=[k for k in kinds if k in RESOURCE_KINDS], area_code=place.area_code,
                        postcode=place.postcode)
    return {k: fe.Capacity(kind=k, label=f.label, free=f.free, pools=tuple((p.code, p.free) for p in f.pools))
            for k, f in facts.items()}


def capacity_param_errors(rule_type: str, params: dict) -> dict[str, str]:
    """Resource kinds service activation does not know (the pure engine cannot tell)."""
    if rule_type != "serviceability" or not isinstance(params, dict) or not isinstance(params.get("resources"), list):
        return {}
    from service_activation.services.capacity import RESOURCE_KINDS

    unknown = [k for k in params["resources"] if k not in RESOURCE_KINDS]
    return {"resources": f"Unknown resource kind {', '.join(map(str, unknown))}; use {', '.join(RESOURCE_KINDS)}."
            } if unknown else {}


def customer_facts(customer: Customer | None, prospect: dict | None = None) -> fe.CustomerFacts:
    if customer is not None:
        return fe.CustomerFacts(customer_id=customer.pk, customer_type=customer.customer_type or "individual",
                                segment=customer.segment, status=customer.status,
                                credit_class=customer.credit_class, since=customer.created_at)
    p = prospect or {}
    return fe.CustomerFacts(customer_id=None, customer_type=p.get("customer_type", "individual"),
                            segment=p.get("segment", "residential"), status="prospect",
                            credit_class=p.get("credit_class", "B"), since=None)


def owned_products(customer: Customer | None, catalog: dict[str, fe.Offering]) -> list[fe.OwnedProduct]:
    if customer is None:
        return []
    out = []
    for p in customer_selectors.customer_products_for_feasibility(customer_id=customer.pk):
        out.append(fe.OwnedProduct(p.offering_code, p.status, p.billing_account_id, p.start_date, p.pk))
    return out


@dataclass
class ItemInput:
    """One requested item, as the front doors hand it in (offering by code or id)."""

    id: str
    offering: str
    action: str = "add"
    characteristics: dict[str, Any] | None = None
    quantity: int = 1
    product_id: int | None = None


def build_context(*, customer: Customer | None, items: list[ItemInput], channel: str,
                  address: Address | None = None, place: fe.Place | None = None,
                  billing_account: BillingAccount | None = None, prospect: dict | None = None,
                  catalog: dict[str, fe.Offering] | None = None, at=None) -> fe.Context:
    at = at or timezone.now()
    catalog = catalog if catalog is not None else load_catalog(at)
    products = owned_products(customer, catalog)
    by_id = {p.product_id: p for p in products}
    if address is not None:
        place = fe.Place(area_code=address.area_code, postcode=address.postcode)
    fe_items = []
    for i in items:
        if i.action not in ("add", "modify", "delete", "no_change"):
            raise DomainValidationError({f"items[{i.id}].action": f"Unknown action '{i.action}'."})
        fe_items.append(fe.Item(id=str(i.id), action=i.action, offering=catalog.get(str(i.offering)),
                                offering_ref=str(i.offering), characteristics=dict(i.characteristics or {}),
                                quantity=max(1, int(i.quantity or 1)),
                                product=by_id.get(i.product_id) if i.product_id else None))
    return fe.Context(customer=customer_facts(customer, prospect), channel=channel, place=place, items=fe_items,
                      products=products, billing_account_id=billing_account.pk if billing_account else None,
                      at=at, catalog={o.code: o for o in catalog.values()})


def feasibility_evaluate(**kwargs) -> list[fe.ItemResult]:
    """Evaluate items for a customer (or prospect): a fixed number of queries."""
    ctx = build_context(**kwargs)
    rules = load_rules({o.code: o for o in ctx.catalog.values()})
    return fe.evaluate(ctx, rules, load_coverage(), load_capacity(ctx.place, rules))


# --- storing a qualification (TMF679, staff screen) -------------------------------------------

# Input problems TMF679 answers per item (unqualified, with the reason) rather than refusing the request.
ANSWERED_UNQUALIFIED = frozenset({"unknown_offering", "install_address_required"})


@transaction.atomic
def qualification_create(*, actor: Actor, request_body: dict, customer: Customer | None, items: list[ItemInput],
                         channel: str, address: Address | None = None, place: fe.Place | None = None,
                         billing_account: BillingAccount | None = None, prospect: dict | None = None,
                         reject_input_errors: bool = True, answer_unqualified: frozenset[str] = frozenset()
                         ) -> tuple[OfferingQualification, list[fe.ItemResult]]:
    """Evaluate and store. Bad input (unknown/retired offering, invalid characteristic, missing
    install address) raises DomainValidationError and stores nothing when reject_input_errors,
    except the problems named in ``answer_unqualified`` (e.g. ANSWERED_UNQUALIFIED for TMF679: an
    offering we do not know, or an install address the request lacks, is a well-formed question
    whose item is answered unqualified with the reason). A closed customer is refused (nothing is
    stored): reopen it first, as for a credit check."""
    if customer is not None and customer.status == "closed":
        raise DomainValidationError({"customer": f"Customer {customer.customer_number} is closed: a closed customer "
                                                 "cannot be qualified. Reopen it first."})
    results = feasibility_evaluate(customer=customer, items=items, channel=channel, address=address,
                                   place=place, billing_account=billing_account, prospect=prospect)
    if reject_input_errors:
        errors = {f"item {r.item_id}": [e.staff_message for e in r.input_errors if e.code not in answer_unqualified]
                  for r in results}
        errors = {k: v for k, v in errors.items() if v}
        if errors:
            raise DomainValidationError(errors, message="The qualification request has invalid items")
    overall = "qualified" if all(r.feasible for r in results) else "unqualified"
    poq = OfferingQualification.objects.create(
        customer=customer, channel=channel, qualification_result=overall, request=request_body,
        result=[r.as_dict() for r in results], requested_by=actor.user if actor.user_id else None)
    history_record(obj=poq, action="orders.offering_qualification.created", actor=actor,
                   changes={"qualification_result": [None, overall]}, root=customer or poq)
    publish(PRODUCT_OFFERING_QUALIFICATION_CREATE, poq)
    return poq, results


@transaction.atomic
def offering_qualification_request(*, actor: Actor, items: list[ItemInput], request_body: dict,
                                   customer_ref: str | None = None, prospect: dict | None = None,
                                   place_ref: str | None = None, place: fe.Place | None = None,
                                   account_ref: str | None = None, channel: str | None = None,
                                   reject_input_errors: bool = True,
                                   answer_unqualified: frozenset[str] = ANSWERED_UNQUALIFIED,
                                   ) -> tuple[OfferingQualification, list[fe.ItemResult]]:
    """Qualify offerings for a customer (or a prospect), store the answer, publish one
    ProductOfferingQualificationCreateEvent: the one use case behind TMF679 POST, the staff
    qualification screen and tasks.

    References are ids as the caller received them: ``customer_ref`` (a customer), ``place_ref`` (an
    install address; ``place`` is one given by value instead), ``account_ref`` (a billing account).
    Each is resolved within what the actor may see (customers.scoping); one that names nothing the
    actor may see is not an error: it stays as sent in ``request_body`` and the question is answered
    without it (an item that needs an install address is then unqualified, with the reason). A
    self-service actor qualifies for their own customer only, through the self-service channel. A
    system actor without a user (a task acting for the operator) sees every customer.

    ``channel``: the sales channel asked about (SalesChannel); by default the actor's front door
    when it is one, else the API. Input problems are raised (DomainValidationError, nothing stored)
    when ``reject_input_errors``, except those in ``answer_unqualified`` (see qualification_create)."""
    user = actor.user
    system = user is None and actor.channel == Channel.SYSTEM
    own = None if system else self_service_customer_id(user)

    def ref_id(ref) -> int | None:
        return local_id(str(ref).strip()) if ref is not None else None

    customer = customer_selectors.customer_visible(user=user, customer_id=ref_id(customer_ref), system=system)
    if own is not None and (customer is None or customer.pk != own):
        customer = customer_selectors.customer_visible(user=user, customer_id=own)  # themself only
    if own is not None:
        channel = SalesChannel.SELF_SERVICE
    elif channel is None:
        channel = actor.channel if actor.channel in SalesChannel.values else SalesChannel.API
    elif channel not in SalesChannel.values:
        raise DomainValidationError({"channel": [f"Unknown sales channel '{channel}'."]})
    address = customer_selectors.address_visible(user=user, address_id=ref_id(place_ref), system=system)
    account = customer_selectors.billing_account_visible(user=user, account_id=ref_id(account_ref), system=system)
    return qualification_create(actor=actor, request_body=request_body, customer=customer, items=items,
                                channel=channel, address=address, place=place, billing_account=account,
                                prospect=prospect, reject_input_errors=reject_input_errors,
                                answer_unqualified=answer_unqualified)


def offerings_available_to(*, customer: Customer, channel: str, address: Address | None = None) -> list[dict]:
    """Self-service: the sellable offerings this customer qualifies for, with customer-facing text.
    One evaluation for all offerings (each as a separate 'add' item), so still a fixed query count."""
    catalog = load_catalog()
    candidates = [o for code, o in catalog.items() if code == o.code and o.orderable]
    sellable = set(ProductOffering.objects.filter(is_sellable=True).values_list("code", flat=True))
    items = [ItemInput(id=o.code, offering=o.code) for o in candidates if o.code in sellable]
    ctx = build_context(customer=customer, items=items, channel=channel, address=address, catalog=catalog)
    # Each offering is judged on its own, not as if all were ordered together.
    rules, coverage, out = load_rules(catalog), load_coverage(), []
    capacity = load_capacity(ctx.place, rules)
    for item in ctx.items:
        single = fe.Context(**{**ctx.__dict__, "items": [item]})
        result = fe.evaluate(single, rules, coverage, capacity)[0]
        # Options still to be chosen do not hide an offer; a rule that refuses does.
        blocking = [r for r in result.reasons if r.code not in ("missing_characteristic",)]
        if not blocking:
            out.append({"code": item.offering.code, "name": item.offering.name, "description": "",
                        "needs_address": item.offering.requires_install_address, "prices": []})
    from ..models import ProductOfferingPrice

    by_code = {o["code"]: o for o in out}
    active = ProductOfferingPrice.objects.filter(lifecycle_status="active").order_by("price_type", "name")
    for offering in ProductOffering.objects.filter(code__in=by_code).prefetch_related(
            Prefetch("prices", queryset=active)).only("code", "description"):
        by_code[offering.code].update(description=offering.description, prices=list(offering.prices.all()))
    return out


# --- rule tester (seed 000: misconfigured application ranges) ---------------------------------

@dataclass
class RuleTestOutcome:
    before: list[fe.ItemResult]
    after: list[fe.ItemResult]
    rule_id: int | None

    def changed_items(self) -> list[str]:
        return [b.item_id for b, a in zip(self.before, self.after, strict=True) if b.feasible != a.feasible
                or [r.code for r in b.reasons] != [r.code for r in a.reasons]]


def feasibility_rule_test(*, candidate: FeasibilityRule | None, offering_codes: list[str] | None,
                          alternative_codes: list[str] | None, customer: Customer | None, items: list[ItemInput],
                          channel: str, address: Address | None = None, place: fe.Place | None = None,
                          prospect: dict | None = None) -> RuleTestOutcome:
    """Evaluate the same order with the rules as saved ("before") and with one rule replaced by
    an edited, unsaved version ("after"); nothing is stored. A candidate without a pk is a new
    rule being drafted; an inactive candidate shows what switching the rule off would do."""
    if candidate is not None:
        errors = fe.validate_params(candidate.rule_type, candidate.params) or capacity_param_errors(
            candidate.rule_type, candidate.params)
        if errors:
            raise DomainValidationError({f"params.{k}": v for k, v in errors.items()})
    ctx = build_context(customer=customer, items=items, channel=channel, address=address, place=place,
                        prospect=prospect)
    catalog = ctx.catalog
    saved = load_rules(catalog)
    coverage = load_coverage()
    edited = [r for r in saved if candidate is None or r.id != candidate.pk]
    if candidate is not None and candidate.is_active:
        edited.append(rule_fact(candidate, catalog, offering_codes=offering_codes or [],
                                alternative_codes=alternative_codes or []))
    capacity = load_capacity(ctx.place, saved + edited)  # one look at the pools for both runs
    before = fe.evaluate(ctx, saved, coverage, capacity)
    after = fe.evaluate(ctx, edited, coverage, capacity)
    return RuleTestOutcome(before=before, after=after, rule_id=candidate.pk if candidate else None)


@transaction.atomic
def feasibility_rule_save(*, rule: FeasibilityRule, offerings, alternatives, actor: Actor) -> FeasibilityRule:
    """Create or update a rule after validating its parameters; history either way."""
    from bss.audit.services import diff, initial_values, snapshot

    errors = fe.validate_params(rule.rule_type, rule.params) or capacity_param_errors(rule.rule_type, rule.params)
    if errors:
        raise DomainValidationError({f"params.{k}": v for k, v in errors.items()})
    if not rule.staff_message.strip():
        raise DomainValidationError({"staff_message": "Staff need an explanation when this rule refuses."})
    offerings, alternatives = list(offerings), list(alternatives)
    if rule.pk:
        saved = FeasibilityRule.objects.select_for_update().get(pk=rule.pk)
        before = snapshot(saved)
        # the range (offerings) and the alternatives offered instead: their codes, before and after
        before_m2m = {name: sorted(getattr(saved, name).values_list("code", flat=True))
                      for name in ("offerings", "alternatives")}
        rule.save()
        rule.offerings.set(offerings)
        rule.alternatives.set(alternatives)
        changes = diff(before, snapshot(rule))
        for name, after in (("offerings", offerings), ("alternatives", alternatives)):
            after_codes = sorted(o.code for o in after)
            if before_m2m[name] != after_codes:
                changes[name] = [before_m2m[name], after_codes]
        if changes:
            history_record(obj=rule, action="orders.feasibility_rule.updated", actor=actor, changes=changes)
    else:
        rule.save()
        rule.offerings.set(offerings)
        rule.alternatives.set(alternatives)
        changes = initial_values(rule)
        for name, codes in (("offerings", offerings), ("alternatives", alternatives)):
            if codes:
                changes[name] = [None, sorted(o.code for o in codes)]
        history_record(obj=rule, actor=actor, action="orders.feasibility_rule.created", changes=changes)
    return rule
