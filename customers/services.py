"""Customer inventory use cases. Every write in every front door (portal, self-service, native
API, TMF API, admin, tasks) goes through these functions; each is one transaction, records
history and publishes its event."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bss.actors import Actor
from bss.audit.services import diff, history_record, history_record_created, snapshot, track_changes
from bss.errors import ApplicationError, BusinessRuleViolation, DomainValidationError
from bss.events import publish
from bss.fsm import fsm_transition
from bss.numbering import next_number

from .models import (
    Address,
    BillCycle,
    BillingAccount,
    Contact,
    ContactMedium,
    Customer,
    CustomerNote,
    Party,
    Product,
    SelfServiceAccess,
)

REACHABLE = {ContactMedium.Kind.MOBILE, ContactMedium.Kind.PHONE, ContactMedium.Kind.EMAIL}
MEDIUM_MAX_LENGTH = ContactMedium._meta.get_field("value").max_length  # 254, as RFC 5321 allows


# --- Party ---------------------------------------------------------------------------------

def _party_validate(kind: str, data: dict) -> None:
    if kind == Party.Kind.INDIVIDUAL:
        errors = {f: "This field is required." for f in ("given_name", "family_name") if not data.get(f)}
    elif kind == Party.Kind.ORGANIZATION:
        errors = {} if data.get("trading_name") else {"trading_name": "This field is required."}
    else:
        errors = {"kind": f"Unknown party kind '{kind}'."}
    if errors:
        raise DomainValidationError(errors)


@transaction.atomic
def party_create(*, kind: str, actor: Actor, **data) -> Party:
    _party_validate(kind, data)
    party = Party.objects.create(kind=kind, **data)
    history_record_created(obj=party, actor=actor, action="customers.party.created")
    publish("IndividualCreateEvent" if kind == Party.Kind.INDIVIDUAL else "OrganizationCreateEvent", party)
    return party


@transaction.atomic
def party_update(*, party: Party, actor: Actor, **data) -> Party:
    party = Party.objects.select_for_update().get(pk=party.pk)
    with track_changes(party, action="customers.party.updated", actor=actor) as t:
        for key, value in data.items():
            setattr(party, key, value)
        _party_validate(party.kind, party.__dict__)
        party.save()
    if t.entry:
        prefix = "Individual" if party.kind == Party.Kind.INDIVIDUAL else "Organization"
        kind = "StateChange" if "status" in t.entry.changes else "AttributeValueChange"
        publish(f"{prefix}{kind}Event", party)
    return party


# --- Customer ------------------------------------------------------------------------------

@transaction.atomic
def customer_create(
    *, actor: Actor, name: str, party: Party | None = None, engaged_party_ref: dict | None = None,
    segment: str | None = Customer.Segment.RESIDENTIAL, credit_class: str = Customer.CreditClass.B,
    status: str = Customer.Status.PROSPECT, **extra,
) -> Customer:
    """segment=None derives it from the party: residential for an individual, SME otherwise."""
    if segment is None:
        kind = party.kind if party else (engaged_party_ref or {}).get("@referredType", "").lower()
        segment = Customer.Segment.RESIDENTIAL if kind == Party.Kind.INDIVIDUAL else Customer.Segment.SME
    extra.setdefault("valid_from", timezone.now().replace(microsecond=0))
    if not name or not name.strip():
        raise DomainValidationError({"name": "A customer needs a name."})
    if status not in (Customer.Status.PROSPECT, Customer.Status.ACTIVE):
        raise DomainValidationError({"status": "A new customer starts as prospect or active."})
    customer = Customer(
        customer_number=next_number("customer", prefix="CU"), name=name.strip(), party=party,
        engaged_party_ref=engaged_party_ref, segment=segment, credit_class=credit_class, **extra,
    )
    customer.save()
    history_record_created(obj=customer, actor=actor, action="customers.customer.created")
    if status == Customer.Status.ACTIVE:
        fsm_transition(customer, "activate", actor=actor, action="customers.customer.activate")
    publish("CustomerCreateEvent", customer)
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, actor: Actor, **data) -> Customer:
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    with track_changes(customer, action="customers.customer.updated", actor=actor) as t:
        merge = data.pop("tmf_extra_merge", None)
        if merge:  # merged on the locked row, so concurrent updates do not lose each other's keys
            data["tmf_extra"] = {**customer.tmf_extra, **merge}
        for key, value in data.items():
            setattr(customer, key, value)
        if not customer.name.strip():
            raise DomainValidationError({"name": "A customer needs a name."})
        customer.save()
    if t.entry:
        publish("CustomerAttributeValueChangeEvent", customer)
    return customer


# The transition that reaches a requested status from the current one.
CUSTOMER_TRANSITIONS = {
    (Customer.Status.PROSPECT, Customer.Status.ACTIVE): "activate",
    (Customer.Status.SUSPENDED, Customer.Status.ACTIVE): "resume",
    (Customer.Status.CLOSED, Customer.Status.ACTIVE): "reopen",
    (Customer.Status.ACTIVE, Customer.Status.SUSPENDED): "suspend",
    (Customer.Status.PROSPECT, Customer.Status.CLOSED): "close",
    (Customer.Status.ACTIVE, Customer.Status.CLOSED): "close",
    (Customer.Status.SUSPENDED, Customer.Status.CLOSED): "close",
}


@transaction.atomic
def customer_change_status(*, customer_id: int, status: str, actor: Actor, reason: str = "") -> Customer:
    """Move a customer to a status through its lifecycle; 409 if the lifecycle does not allow it."""
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    if status not in Customer.Status.values:
        raise DomainValidationError({"status": f"'{status}' is not one of {', '.join(Customer.Status.values)}."})
    if customer.status == status:
        return customer
    name = CUSTOMER_TRANSITIONS.get((customer.status, status), status)
    if (customer.status, status) not in CUSTOMER_TRANSITIONS:
        raise ApplicationError(f"A {customer.status} customer cannot become {status}.",
                               extra={"state": customer.status})
    if status == Customer.Status.CLOSED:
        open_products = customer.products.exclude(status=Product.Status.TERMINATED).count()
        if open_products:
            raise BusinessRuleViolation(
                f"Customer still has {open_products} product(s) that are not terminated.", code="open_products")
    fsm_transition(customer, name, actor=actor, reason=reason, action=f"customers.customer.{name}")
    if reason:
        customer.status_reason = reason[:255]
        customer.save(update_fields=["status_reason", "updated_at"])
    publish("CustomerStateChangeEvent", customer)
    return customer


# --- Addresses and contacts ------------------------------------------------------------------

ADDRESS_REQUIRED = ("street1", "city", "postcode", "country")


def _address_validate(data: dict) -> None:
    errors = {f: "This field is required." for f in ADDRESS_REQUIRED if not (data.get(f) or "").strip()}
    if data.get("country") and len(data["country"]) != 2:
        errors["country"] = "Use the two-letter ISO 3166 country code."
    if errors:
        raise DomainValidationError(errors)


@transaction.atomic
def address_create(*, customer: Customer | None, actor: Actor, **data) -> Address:
    _address_validate(data)
    data["country"] = data["country"].upper()
    address = Address.objects.create(customer=customer, **data)
    history_record_created(obj=address, actor=actor, action="customers.address.created", root=customer or address)
    return address


@transaction.atomic
def address_update(*, address: Address, actor: Actor, **data) -> Address:
    address = Address.objects.select_for_update().get(pk=address.pk)
    with track_changes(address, action="customers.address.updated", actor=actor,
                       root=address.customer or address):
        for key, value in data.items():
            setattr(address, key, value)
        _address_validate(address.__dict__)
        address.country = address.country.upper()
        address.save()
    return address


def _media_validate(media: list[dict], *, require_reachable: bool, postal: bool) -> list[dict]:
    errors, cleaned = {}, []
    from django.core.validators import validate_email
    from django.forms import ValidationError

    for i, m in enumerate(media):
        kind, value = m.get("kind"), (m.get("value") or "").strip()
        if not value:
            continue
        if len(value) > MEDIUM_MAX_LENGTH:  # the column's size: longer would fail in the database
            what = "An e-mail address" if kind == ContactMedium.Kind.EMAIL else "A contact medium"
            errors[f"media[{i}].value"] = (f"{what} can have at most {MEDIUM_MAX_LENGTH} characters "
                                           f"(this one has {len(value)}).")
        elif kind not in ContactMedium.Kind.values:
            errors[f"media[{i}].kind"] = f"Unknown medium '{kind}'."
        elif kind == ContactMedium.Kind.EMAIL:
            try:
                validate_email(value)
            except ValidationError:
                errors[f"media[{i}].value"] = f"'{value}' is not a valid e-mail address."
        elif sum(ch.isdigit() for ch in value) < 7 or any(ch.isalpha() for ch in value):
            errors[f"media[{i}].value"] = f"'{value}' is not a valid phone number."
        cleaned.append({"kind": kind, "value": value, "preferred": bool(m.get("preferred"))})
    if errors:
        raise DomainValidationError(errors)
    if require_reachable and not postal and not any(m["kind"] in REACHABLE for m in cleaned):
        raise DomainValidationError(
            {"media": "Give at least one way to reach the contact: a phone number, a mobile or an e-mail."})
    return cleaned


def _media_replace(contact: Contact, media: list[dict]) -> None:
    contact.media.all().delete()
    ContactMedium.objects.bulk_create([ContactMedium(contact=contact, **m) for m in media])
    for m in contact.media.all():  # bulk_create bypasses save(): set match keys
        m.save()


def _media_text(contact: Contact) -> str:
    return ", ".join(f"{m.kind}:{m.value}" for m in contact.media.order_by("kind", "value"))


def _postal_address_check(customer_id: int, address: Address | None) -> None:
    if address is not None and address.customer_id not in (None, customer_id):
        raise DomainValidationError({"postal_address": "The address belongs to another customer."})


@transaction.atomic
def contact_create(*, customer: Customer, actor: Actor, media: list[dict], is_primary: bool = False,
                   **data) -> Contact:
    """Develop contact: mandatory details validated, at least one reachable channel."""
    if not data.get("family_name"):
        raise DomainValidationError({"family_name": "This field is required."})
    _postal_address_check(customer.pk, data.get("postal_address"))
    media = _media_validate(media, require_reachable=True, postal=bool(data.get("postal_address")))
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    has_primary = customer.contacts.filter(is_primary=True).exists()
    if is_primary and has_primary:
        for other in customer.contacts.filter(is_primary=True):
            with track_changes(other, action="customers.contact.updated", actor=actor, root=customer):
                other.is_primary = False
                other.save()
    contact = Contact.objects.create(customer=customer, is_primary=is_primary or not has_primary, **data)
    _media_replace(contact, media)
    history_record(obj=contact, action="customers.contact.created", actor=actor, root=customer,
                   changes={**diff({}, snapshot(contact)), "media": [None, _media_text(contact)]})
    publish("CustomerAttributeValueChangeEvent", customer)
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, actor: Actor, media: list[dict] | None = None, **data) -> Contact:
    contact = Contact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
    before_media = _media_text(contact)
    with track_changes(contact, action="customers.contact.updated", actor=actor, root=contact.customer) as t:
        for key, value in data.items():
            setattr(contact, key, value)
        if not contact.family_name:
            raise DomainValidationError({"family_name": "This field is required."})
        if "postal_address" in data:
            _postal_address_check(contact.customer_id, contact.postal_address)
        if media is None and "postal_address" in data:
            # dropping the postal address must not leave the contact unreachable
            _media_validate([{"kind": m.kind, "value": m.value} for m in contact.media.all()],
                            require_reachable=True, postal=bool(contact.postal_address_id))
        if media is not None:
            media = _media_validate(media, require_reachable=True, postal=bool(contact.postal_address_id))
        contact.save()
    if media is not None:
        _media_replace(contact, media)
        after_media = _media_text(contact)
        if after_media != before_media:
            history_record(obj=contact, action="customers.contact.media_changed", actor=actor,
                           changes={"media": [before_media, after_media]}, root=contact.customer)
    if t.entry or media is not None:
        publish("CustomerAttributeValueChangeEvent", contact.customer)
    return contact


@transaction.atomic
def contact_make_primary(*, contact: Contact, actor: Actor) -> Contact:
    contact = Contact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
    if contact.is_primary:
        return contact
    Customer.objects.select_for_update().get(pk=contact.customer_id)
    for other in contact.customer.contacts.filter(is_primary=True):
        with track_changes(other, action="customers.contact.updated", actor=actor, root=contact.customer):
            other.is_primary = False
            other.save()
    with track_changes(contact, action="customers.contact.made_primary", actor=actor, root=contact.customer):
        contact.is_primary = True
        contact.save()
    return contact


@transaction.atomic
def customer_contact_media_set(*, customer: Customer, actor: Actor, media_and_postal: tuple[list[dict], dict | None]
                               ) -> Contact:
    """Set the customer's own contact media (as TMF629 contactMedium gives them): they belong to
    the primary contact, created from the party when there is none yet; a postal address
    updates the primary contact's address or creates it."""
    media, postal = media_and_postal
    customer = Customer.objects.select_for_update(of=("self",)).select_related("party").get(pk=customer.pk)
    primary = customer.contacts.filter(is_primary=True).select_related("postal_address").first()
    address = None
    if postal:
        if primary and primary.postal_address_id:
            address = address_update(address=primary.postal_address, actor=actor, **postal)
        else:
            address = address_create(customer=customer, actor=actor, **postal)
    if primary is None:
        party = customer.party
        return contact_create(
            customer=customer, actor=actor, media=media, is_primary=True, postal_address=address,
            given_name=party.given_name if party else "",
            family_name=(party.family_name if party and party.family_name else customer.name),
        )
    extra = {"postal_address": address} if address else {}
    return contact_update(contact=primary, actor=actor, media=media, **extra)


# --- Billing accounts ------------------------------------------------------------------------

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
    publish("CustomerAttributeValueChangeEvent", customer)
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


# --- Product inventory -----------------------------------------------------------------------

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


# --- Notes and self-service ------------------------------------------------------------------

@transaction.atomic
def customer_note_add(*, customer: Customer, actor: Actor, text: str) -> CustomerNote:
    if not text.strip():
        raise DomainValidationError({"text": "A note cannot be empty."})
    note = CustomerNote.objects.create(customer=customer, text=text.strip(), author=actor.user, channel=actor.channel)
    history_record(obj=note, action="customers.note.added", actor=actor, root=customer,
                   changes={"text": [None, note.text[:200]]})
    return note


@transaction.atomic
def self_service_grant(*, customer: Customer, user, actor: Actor) -> SelfServiceAccess:
    from django.contrib.auth.models import Group

    from bss.roles import Role, is_staff_user

    if is_staff_user(user):
        raise BusinessRuleViolation("A staff login cannot also be a self-service login.")
    access, created = SelfServiceAccess.objects.get_or_create(user=user, defaults={"customer": customer})
    if not created and access.customer_id != customer.pk:
        raise BusinessRuleViolation("This login is already linked to another customer.")
    user.groups.add(Group.objects.get(name=Role.CUSTOMER))
    if created:
        history_record_created(obj=access, actor=actor, action="customers.self_service.granted", root=customer)
    return access


# --- Onboarding: develop contact in one go ------------------------------------------------------

@transaction.atomic
def customer_onboard(*, actor: Actor, party: dict, customer: dict, contact: dict, media: list[dict],
                     address: dict, account: dict | None = None) -> Customer:
    """New customer acquisition: party, customer, primary contact, address and (optionally) a
    billing account, all or nothing. Collects the field errors of every part before failing."""
    errors: dict = {}
    kind = party.pop("kind", Party.Kind.INDIVIDUAL)
    for prefix, check in (
        ("party", lambda: _party_validate(kind, party)),
        ("address", lambda: _address_validate(address)),
        ("contact", lambda: _media_validate(media, require_reachable=True, postal=False)),
    ):
        try:
            check()
        except DomainValidationError as e:
            errors.update({f"{prefix}.{k}": v for k, v in e.field_errors.items()})
    for f in ("given_name", "family_name"):
        if not contact.get(f):
            errors[f"contact.{f}"] = ["This field is required."]
    if account is not None:
        terms = _account_terms_errors(bill_cycle=account.get("bill_cycle"),
                                      credit_limit=account.get("credit_limit", Decimal("0")))
        errors.update({f"account.{k}": v for k, v in terms.items()})
    if errors:
        raise DomainValidationError(errors)
    p = party_create(kind=kind, actor=actor, **party)
    c = customer_create(actor=actor, name=customer.pop("name", "") or p.display_name, party=p, **customer)
    addr = address_create(customer=c, actor=actor, **address)
    contact_create(customer=c, actor=actor, media=media, is_primary=True, postal_address=addr, **contact)
    if account is not None:
        try:
            billing_account_create(customer=c, actor=actor, billing_address=addr, **account)
        except DomainValidationError as e:
            raise DomainValidationError({f"account.{k}": v for k, v in e.field_errors.items()})
    return c
