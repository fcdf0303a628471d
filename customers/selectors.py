"""Reads used by more than one caller (portal, native API, TMF API)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet, Value, prefetch_related_objects
from django.db.models.functions import Replace, Upper

from .models import Address, BillingAccount, Contact, ContactMedium, Customer, Party, Product, phone_match_key
from .scoping import visible_to


def _contacts_prefetch() -> Prefetch:
    return Prefetch("contacts", queryset=Contact.objects.prefetch_related("media").select_related("postal_address"))


def _customer_relations() -> tuple[Prefetch, ...]:
    """What a customer's representation (TMF629, native API) reads besides its party."""
    return (_contacts_prefetch(), Prefetch("billing_accounts", queryset=BillingAccount.objects.only(
        "id", "account_number", "name", "customer_id", "status")))


def customer_queryset(user) -> QuerySet[Customer]:
    qs = Customer.objects.select_related("party").prefetch_related(*_customer_relations())
    return visible_to(qs, user)


def customer_with_relations(customer: Customer) -> Customer:
    """Load the relations customer_queryset prefetches onto an instance the caller already holds
    (e.g. the one a service has just saved): no second read of the row itself."""
    prefetch_related_objects([customer], *_customer_relations())
    return customer


def party_queryset(user) -> QuerySet[Party]:
    return visible_to(Party.objects.prefetch_related("customers"), user)


def billing_account_queryset(user) -> QuerySet[BillingAccount]:
    return visible_to(
        BillingAccount.objects.select_related("customer", "bill_cycle", "billing_address", "parent", "bill_contact"),
        user,
    )


def contact_queryset(user) -> QuerySet[Contact]:
    return visible_to(Contact.objects.select_related("customer", "postal_address").prefetch_related("media"), user)


def address_queryset(user) -> QuerySet[Address]:
    return visible_to(Address.objects.select_related("customer"), user)


def product_queryset(user) -> QuerySet[Product]:
    return visible_to(Product.objects.select_related("customer", "billing_account", "place"), user)


def customer_detail(*, user, customer_id) -> Customer:
    # Its own prefetches: the full billing accounts replace customer_queryset's slim ones
    # (the same lookup twice with different querysets is an error).
    qs = Customer.objects.select_related("party").prefetch_related(
        _contacts_prefetch(),
        "addresses",
        Prefetch("products", queryset=Product.objects.select_related("billing_account", "place")),
        Prefetch("billing_accounts", queryset=BillingAccount.objects.select_related(
            "bill_cycle", "billing_address", "parent")),
        "notes__author",
    )
    return visible_to(qs, user).get(pk=customer_id)


# --- Identify contact (seed 002, 1.1.1.18.9.1) ------------------------------------------------

@dataclass
class SearchHit:
    customer: Customer
    score: int
    matched: list[str] = field(default_factory=list)


# Scores: exact identifiers first, then exact contact channels, then names, then addresses.
SCORE_NUMBER, SCORE_CHANNEL, SCORE_NAME_PREFIX, SCORE_NAME, SCORE_ADDRESS = 100, 90, 70, 50, 30
SEARCH_MIN_LENGTH = 2  # characters; a shorter query matches too much to be an answer
PHONE_CHARS = re.compile(r"[\d\s+()./-]+")


def customer_search(*, user, q: str, limit: int = 25, include_closed: bool = True) -> list[SearchHit]:
    """Find a customer by customer number, account number, phone, e-mail, name or a fragment of
    an address. Each criterion is one indexed query (trigram GIN indexes on PostgreSQL serve
    the 'contains' lookups); hits are merged and ranked by their best match."""
    q = " ".join((q or "").split())
    if len(q) < SEARCH_MIN_LENGTH:
        return []
    base = visible_to(Customer.objects.all(), user)
    if not include_closed:
        base = base.exclude(status=Customer.Status.CLOSED)
    hits: dict[int, SearchHit] = {}

    def add(ids, score, label):
        for cid in ids:
            hit = hits.setdefault(cid, SearchHit(customer=None, score=0))
            hit.score = max(hit.score, score)
            if label not in hit.matched:
                hit.matched.append(label)

    def ids(qs):
        # distinct: a join (contacts, addresses, media) gives one row per match, and one customer
        # with many matching rows must not fill the window and hide the others.
        return list(qs.order_by().values_list("pk", flat=True).distinct()[: limit * 2])

    upper = q.upper()
    add(ids(base.filter(customer_number=upper)), SCORE_NUMBER, "customer number")
    add(ids(base.filter(billing_accounts__account_number=upper)), SCORE_NUMBER, "account number")
    add(ids(base.filter(products__product_serial=q)), SCORE_NUMBER, "product serial")

    if "@" in q:  # an e-mail address is neither a name nor an address: nothing else to try
        add(ids(base.filter(contacts__media__kind=ContactMedium.Kind.EMAIL,
                            contacts__media__match_key=q.lower())), SCORE_CHANNEL, "e-mail")
        return _ranked(hits, limit)
    digits = "".join(ch for ch in q if ch.isdigit())
    # A phone number as people write it: digits with spaces, +, dashes, dots, slashes, brackets.
    looks_like_phone = PHONE_CHARS.fullmatch(q) is not None
    if looks_like_phone and len(digits) >= 6:
        # The national significant number: without 00 / + country code (353) or the trunk 0.
        national = digits.removeprefix("00")
        national = national[3:] if national.startswith("353") and len(national) > 6 else national
        national = national.lstrip("0")
        if len(national) >= 9:
            add(ids(base.filter(contacts__media__match_key=phone_match_key(national))), SCORE_CHANNEL, "phone")
        else:  # a fragment of a number
            add(ids(base.filter(contacts__media__match_key__contains=national)), SCORE_CHANNEL - 10, "phone")

    if not digits or len(digits) < len(q) / 2:
        add(ids(base.filter(name__istartswith=q)), SCORE_NAME_PREFIX, "name")
        add(ids(base.filter(name__icontains=q)), SCORE_NAME, "name")
        add(ids(base.filter(pk__in=_contacts_named(q, limit * 4))), SCORE_NAME, "contact name")
    add(ids(base.filter(Q(addresses__street1__icontains=q) | Q(addresses__postcode__iexact=q)
                        | Q(addresses__city__iexact=q))), SCORE_ADDRESS, "address")

    return _ranked(hits, limit)


def _contacts_named(q: str, cap: int) -> list[int]:
    """Customers with a contact whose given or family name holds every word of q, looked up on
    the contact table alone (no join through customers), de-duplicated in the database."""
    condition = Q()
    for w in q.split():
        condition &= Q(given_name__icontains=w) | Q(family_name__icontains=w)
    return list(Contact.objects.filter(condition).order_by().values_list("customer_id", flat=True).distinct()[:cap])


def _ranked(hits: dict[int, SearchHit], limit: int) -> list[SearchHit]:
    if not hits:
        return []
    customers = Customer.objects.select_related("party").prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.filter(is_primary=True).prefetch_related("media")),
        "billing_accounts", Prefetch("addresses", queryset=Address.objects.order_by("pk")),
    ).in_bulk(list(hits))
    ranked = []
    for cid, hit in hits.items():
        hit.customer = customers[cid]
        ranked.append(hit)
    # Best score first (a customer matching on several criteria gains a point per extra one);
    # among equals, open customers before closed, then by name.
    ranked.sort(key=lambda h: (-(h.score + len(h.matched) - 1), h.customer.status == Customer.Status.CLOSED,
                               h.customer.name))
    return ranked[:limit]


def credit_classes() -> list[str]:
    """The credit classes a customer can have (for apps configuring policies on them)."""
    return list(Customer.CreditClass.values)


def customer_segments() -> list[tuple[str, str]]:
    """The market segments a customer can be in, as (value, label) pairs (for apps that sell,
    qualify or configure by segment)."""
    return list(Customer.Segment.choices)


# --- single rows for other apps, within what the user may see (customers.scoping) ---------------
# ``system=True`` is a trusted caller with no user (a Celery task acting for the operator): every
# row. Any other caller sees what customers.scoping.visible_to lets ``user`` see (nothing for None).

def _visible(qs: QuerySet, user, system: bool) -> QuerySet:
    return qs if system else visible_to(qs, user)


def customer_visible(*, user, customer_id: int | None, system: bool = False) -> Customer | None:
    if customer_id is None:
        return None
    return _visible(Customer.objects.select_related("party"), user, system).filter(pk=customer_id).first()


def customer_by_number(*, user, customer_number: str, system: bool = False) -> Customer | None:
    return _visible(Customer.objects.select_related("party"), user, system).filter(
        customer_number=customer_number).first()


def address_visible(*, user, address_id: int | None, system: bool = False) -> Address | None:
    if address_id is None:
        return None
    return _visible(Address.objects.all(), user, system).filter(pk=address_id).first()


def billing_account_visible(*, user, account_id: int | None, system: bool = False) -> BillingAccount | None:
    if account_id is None:
        return None
    return _visible(BillingAccount.objects.all(), user, system).filter(pk=account_id).first()


def customer_products_for_feasibility(*, customer_id: int) -> QuerySet[Product]:
    """A customer's products, only the columns feasibility rules read (offering, status, account,
    start date): one query."""
    return Product.objects.filter(customer_id=customer_id).only(
        "id", "offering_code", "status", "billing_account_id", "start_date")


def product_count_for_offering(*, offering_code: str) -> int:
    """How many customer products (any status) name an offering code: the catalog does not delete
    an offering that products name."""
    return Product.objects.filter(offering_code=offering_code).count()


# --- Develop contact: is this new customer one we already hold? --------------------------------

@dataclass
class Duplicate:
    customer: Customer
    matched: list[str]  # what besides the name matched: "e-mail", "phone", "address"


def customer_duplicates(*, user, name: str, email: str = "", phone: str | list[str] | tuple = (),
                        postcode: str = "", street: str = "", limit: int = 10) -> list[Duplicate]:
    """Existing customers (that ``user`` may see) who look like the one about to be created: the
    same name (the customer's, or a contact's given and family name) and at least one of the same
    e-mail address, phone number (any of ``phone``; matched on the last 9 digits) or address (the
    same postcode, ignoring spaces and case, or the same street and number). Closed ones too: a
    returning customer is reopened, not created twice."""
    name = " ".join((name or "").split())
    if not name:
        return []
    words = name.split()
    named = Q(name__iexact=name)
    if len(words) >= 2:
        named |= Q(contacts__given_name__iexact=" ".join(words[:-1]), contacts__family_name__iexact=words[-1])
    candidates = list(visible_to(Customer.objects.filter(named), user).order_by().values_list("pk", flat=True)
                      .distinct()[:limit * 5])
    if not candidates:
        return []
    phones = [phone] if isinstance(phone, str) else list(phone)
    keys = {phone_match_key(p) for p in phones if len(phone_match_key(p)) >= 7}
    checks = []
    if (email or "").strip():
        checks.append(("e-mail", Q(contacts__media__kind=ContactMedium.Kind.EMAIL,
                                   contacts__media__match_key=email.strip().lower())))
    if keys:
        checks.append(("phone", Q(contacts__media__match_key__in=keys, contacts__media__kind__in=(
            ContactMedium.Kind.MOBILE, ContactMedium.Kind.PHONE, ContactMedium.Kind.FAX))))
    compact = "".join((postcode or "").split()).upper()
    address = Q()
    if compact:
        address |= Q(pk__in=Address.objects.filter(customer_id__in=candidates).annotate(
            compact=Replace(Upper("postcode"), Value(" "), Value(""))).filter(compact=compact).values("customer_id"))
    if (street or "").strip():
        address |= Q(addresses__street1__iexact=" ".join(street.split()))
    if address:
        checks.append(("address", address))
    matched: dict[int, list[str]] = {}
    for label, condition in checks:
        for pk in Customer.objects.filter(condition, pk__in=candidates).order_by().values_list("pk", flat=True).distinct():
            matched.setdefault(pk, []).append(label)
    if not matched:
        return []
    customers = Customer.objects.in_bulk(list(matched))
    found = [Duplicate(customer=customers[pk], matched=labels) for pk, labels in matched.items()]
    found.sort(key=lambda d: (-len(d.matched), d.customer.status == Customer.Status.CLOSED, d.customer.pk))
    return found[:limit]


def bill_cycle_by_code(*, code: str):
    from .models import BillCycle

    return BillCycle.objects.filter(code=code).first()


def payment_methods() -> list[str]:
    from .models import BillingAccount

    return list(BillingAccount.PaymentMethod.values)


def products_by_ids(*, user, ids, system: bool = False):
    """The products with these ids that ``user`` may see (every one for a system actor)."""
    return list(_visible(Product.objects.select_related("billing_account__bill_cycle"), user, system)
                .filter(pk__in=ids))


def demo_order_customers(*, limit: int, segments=None) -> list:
    """Active customers with an active billing account and an address (the demo orders' customers)."""
    qs = Customer.objects.filter(status="active", billing_accounts__status="active", addresses__isnull=False)
    if segments:
        qs = qs.filter(segment__in=segments)
    return list(qs.distinct().order_by("pk")[:limit])


def customer_email(*, customer_id: int) -> str:
    """Where to e-mail the customer: the primary contact's preferred e-mail (else any of its e-mails), else ''."""
    medium = (ContactMedium.objects.filter(contact__customer_id=customer_id, kind="email")
              .order_by("-contact__is_primary", "-preferred", "pk").values_list("value", flat=True).first())
    return medium or ""
