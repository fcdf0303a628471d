"""The product lifecycle (TMF637 ProductStatusType): every transition through product_transition with its
history row and ProductStateChangeEvent, forbidden moves (409, nothing recorded), and the writes outside an
order (the data-migration services): marked created_outside_order, walked to their status through the
lifecycle, references resolved or kept, one event per use case."""

from datetime import UTC, datetime

import pytest

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError, BusinessRuleViolation, DomainValidationError
from bss.events import one_event
from bss.events.models import Event
from customers import services
from customers.models import Product
from customers.services import product as product_services
from tests.factories import AddressFactory, BillingAccountFactory, CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db
S = Product.Status
MIGRATED_START = datetime(2019, 5, 1, 9, 30, tzinfo=UTC)
MIGRATED_END = datetime(2024, 2, 29, 18, 0, tzinfo=UTC)


def product_in(actor, status: str, **kw) -> Product:
    """A product moved to ``status`` through the services (the migration paths are the shortest ones)."""
    product = ProductFactory(**kw)
    for transition in product_services.MIGRATION_PATHS[status]:
        services.product_transition(product_id=product.pk, transition=transition, actor=actor)
    product.refresh_from_db()
    assert product.status == status
    return product


def events_for(product) -> list[str]:
    return list(Event.objects.filter(resource_type="product", resource_id=str(product.pk)).order_by("pk")
                .values_list("event_type", flat=True))


# every allowed move: (from, transition, to)
ALLOWED = [
    (S.CREATED, "pend_activate", S.PENDING_ACTIVE),
    (S.CREATED, "activate", S.ACTIVE),
    (S.PENDING_ACTIVE, "activate", S.ACTIVE),
    (S.CREATED, "cancel", S.CANCELLED),
    (S.PENDING_ACTIVE, "cancel", S.CANCELLED),
    (S.PENDING_ACTIVE, "abort", S.ABORTED),
    (S.ACTIVE, "suspend", S.SUSPENDED),
    (S.SUSPENDED, "resume", S.ACTIVE),
    (S.ACTIVE, "pend_terminate", S.PENDING_TERMINATE),
    (S.SUSPENDED, "pend_terminate", S.PENDING_TERMINATE),
    (S.PENDING_TERMINATE, "cancel_termination", S.ACTIVE),
    (S.PENDING_TERMINATE, "terminate", S.TERMINATED),
    (S.CREATED, "terminate", S.TERMINATED),
    (S.ACTIVE, "terminate", S.TERMINATED),
    (S.SUSPENDED, "terminate", S.TERMINATED),
]


def test_the_states_are_the_spec_s():
    assert set(S.values) == {"created", "pendingActive", "cancelled", "active", "pendingTerminate", "suspended",
                             "aborted", "terminated"}
    names = sorted({t.name for t in Product._meta.get_field("status").get_all_transitions(Product)})
    assert names == sorted(product_services.PRODUCT_TRANSITIONS)
    assert {t for _, t, _ in ALLOWED} == set(product_services.PRODUCT_TRANSITIONS)  # each one tested below


@pytest.mark.parametrize("start, transition, target", ALLOWED, ids=lambda v: str(v))
def test_every_transition_moves_records_and_announces(actor, start, transition, target):
    product = product_in(actor, start)
    before = events_for(product)
    services.product_transition(product_id=product.pk, transition=transition, actor=actor, reason="why not")
    product.refresh_from_db()
    assert product.status == target
    entry = HistoryEntry.objects.for_object(product).order_by("-pk").first()
    assert (entry.action, entry.from_state, entry.to_state, entry.reason) == (
        f"customers.product.{transition}", start, target, "why not")
    assert entry.actor == actor.user
    assert events_for(product) == [*before, "ProductStateChangeEvent"]
    body = Event.objects.filter(resource_id=str(product.pk)).latest("pk").payload
    assert body["event"]["product"]["status"] == target


# a move the lifecycle does not have, from each status
FORBIDDEN = [
    (S.CREATED, "resume"), (S.CREATED, "abort"), (S.CREATED, "pend_terminate"),
    (S.PENDING_ACTIVE, "terminate"), (S.PENDING_ACTIVE, "suspend"),
    (S.ACTIVE, "activate"), (S.ACTIVE, "cancel"), (S.ACTIVE, "abort"),
    (S.SUSPENDED, "suspend"), (S.SUSPENDED, "cancel_termination"),
    (S.PENDING_TERMINATE, "suspend"), (S.PENDING_TERMINATE, "pend_terminate"),
    (S.CANCELLED, "activate"), (S.ABORTED, "activate"), (S.TERMINATED, "activate"), (S.TERMINATED, "terminate"),
    (S.TERMINATED, "resume"),
]


@pytest.mark.parametrize("start, transition", FORBIDDEN, ids=lambda v: str(v))
def test_a_forbidden_move_is_a_409_and_changes_nothing(actor, start, transition):
    product = product_in(actor, start)
    history, events = HistoryEntry.objects.count(), Event.objects.count()
    with pytest.raises(ApplicationError) as exc:
        services.product_transition(product_id=product.pk, transition=transition, actor=actor)
    assert type(exc.value) is ApplicationError and exc.value.status_code == 409
    product.refresh_from_db()
    assert product.status == start
    assert (HistoryEntry.objects.count(), Event.objects.count()) == (history, events)


def test_an_unknown_transition_is_invalid_input(actor):
    product = ProductFactory()
    with pytest.raises(DomainValidationError) as exc:
        services.product_transition(product_id=product.pk, transition="delete", actor=actor)
    assert "transition" in exc.value.field_errors
    with pytest.raises(DomainValidationError):  # a model method that is no transition
        services.product_transition(product_id=product.pk, transition="save", actor=actor)


def test_the_status_is_protected(actor):
    product = ProductFactory()
    with pytest.raises(AttributeError):
        product.status = S.ACTIVE


def test_activation_sets_the_start_date_once_and_termination_the_end_date(actor):
    product = product_in(actor, S.PENDING_ACTIVE)
    assert product.start_date is None
    services.product_transition(product_id=product.pk, transition="activate", actor=actor)
    product.refresh_from_db()
    started = product.start_date
    assert started is not None and product.end_date is None
    services.product_transition(product_id=product.pk, transition="pend_terminate", actor=actor)
    services.product_transition(product_id=product.pk, transition="terminate", actor=actor)
    product.refresh_from_db()
    assert product.start_date == started and product.end_date is not None


def test_create_and_update_announce_the_product(actor):
    customer = CustomerFactory()
    product = services.product_create(customer=customer, actor=actor, name="Fiber 500", offering_code="fiber-500",
                                      offering_name="Fiber 500", description="500 Mbit/s")
    assert product.status == S.CREATED and not product.created_outside_order
    assert HistoryEntry.objects.for_object(product).get().action == "customers.product.created"
    services.product_update(product=product, actor=actor, characteristics={"speed": 500})
    services.product_update(product=product, actor=actor, characteristics={"speed": 500})  # nothing changes
    assert events_for(product) == ["ProductCreateEvent", "ProductAttributeValueChangeEvent"]
    body = Event.objects.filter(resource_id=str(product.pk)).latest("pk").payload["event"]["product"]
    assert body["productCharacteristic"] == [{"name": "speed", "value": 500}]
    assert body["description"] == "500 Mbit/s"


def test_an_order_completing_in_one_use_case_publishes_one_create_event(actor):
    """orders completes an order under one_event(): created then activated is one ProductCreateEvent."""
    with one_event():
        product = services.product_create(customer=CustomerFactory(), actor=actor, name="Mobile",
                                          offering_code="mobile-s", offering_name="Mobile S")
        services.product_transition(product_id=product.pk, transition="activate", actor=actor)
    assert events_for(product) == ["ProductCreateEvent"]
    body = Event.objects.get(resource_id=str(product.pk)).payload["event"]["product"]
    assert body["status"] == "active"


# --- outside an order (the data-migration services) -----------------------------------------------------

def customer_ref(customer) -> dict:
    return {"id": str(customer.pk), "role": "customer", "@referredType": "Customer"}


@pytest.fixture
def migration_actor(db):
    from bss.roles import Role
    from tests.factories import staff_user

    user = staff_user(Role.MIGRATION)
    return Actor(user=user, channel=Channel.API, label=user.username)


@pytest.mark.parametrize("status", list(product_services.MIGRATION_PATHS))
def test_a_migrated_product_is_walked_to_its_status_and_marked(migration_actor, status):
    customer = CustomerFactory()
    product = product_services.product_create_outside_order(
        actor=migration_actor, status=status, related_party=[customer_ref(customer)],
        product_offering={"id": "legacy-dsl", "name": "Legacy DSL"}, product_serial="DSL-001",
        start_date=MIGRATED_START)
    product.refresh_from_db()
    assert product.status == status and product.created_outside_order
    assert (product.customer, product.offering_code, product.offering_name, product.name) == (
        customer, "legacy-dsl", "Legacy DSL", "Legacy DSL")
    entries = list(HistoryEntry.objects.for_object(product).order_by("pk"))
    assert entries[0].action == "customers.product.created_outside_order"
    assert "outside an order" in entries[0].reason
    assert [e.action for e in entries[1:]] == [
        f"customers.product.{t}" for t in product_services.MIGRATION_PATHS[status]]
    assert all(e.actor == migration_actor.user and e.channel == "api" for e in entries)
    assert events_for(product) == ["ProductCreateEvent"]  # one use case, one event, from the final state
    assert Event.objects.get(resource_id=str(product.pk)).payload["event"]["product"]["status"] == status
    if status not in (S.CREATED, S.PENDING_ACTIVE, S.CANCELLED, S.ABORTED):
        assert product.start_date == MIGRATED_START  # the migrated date, not the moment of migration


def test_a_migrated_termination_keeps_its_date(migration_actor):
    product = product_services.product_create_outside_order(
        actor=migration_actor, status=S.TERMINATED, related_party=[customer_ref(CustomerFactory())],
        product_offering={"id": "legacy-dsl"}, start_date=MIGRATED_START, end_date=MIGRATED_END)
    product.refresh_from_db()
    assert (product.start_date, product.end_date) == (MIGRATED_START, MIGRATED_END)
    assert product.name == product.offering_name == "legacy-dsl"


def test_references_are_linked_when_ours_and_kept_otherwise(migration_actor):
    customer = CustomerFactory()
    account = BillingAccountFactory(customer=customer)
    address = AddressFactory(customer=customer)
    partner = {"id": "dealer-7", "role": "seller", "@referredType": "Organization", "colour": "dropped"}
    by_value = {"role": "deliveryAddress", "@type": "GeographicAddress", "city": "Cork"}
    product = product_services.product_create_outside_order(
        actor=migration_actor, status=S.ACTIVE, related_party=[partner, customer_ref(customer)],
        product_offering={"id": "fiber-1g"}, billing_account={"id": str(account.pk)},
        place=[{"id": str(address.pk), "role": "installationAddress"}, by_value])
    assert (product.customer, product.billing_account, product.place) == (customer, account, address)
    assert product.tmf_extra == {"relatedParty": [{"id": "dealer-7", "role": "seller",
                                                   "@referredType": "Organization"}],
                                 "place": [by_value]}
    elsewhere = product_services.product_create_outside_order(
        actor=migration_actor, status=S.ACTIVE, related_party=[customer_ref(customer)],
        product_offering={"id": "fiber-1g"}, billing_account={"id": "legacy-acc-9", "name": "Old"})
    assert elsewhere.billing_account is None
    assert elsewhere.tmf_extra == {"billingAccount": {"id": "legacy-acc-9", "name": "Old"}}


def test_a_migrated_product_needs_one_of_our_customers(migration_actor):
    before = Product.objects.count()
    with pytest.raises(DomainValidationError) as exc:
        product_services.product_create_outside_order(
            actor=migration_actor, status=S.ACTIVE, related_party=[{"id": "p-1", "@referredType": "Individual"}],
            product_offering={"id": "x"})
    assert "customer" in exc.value.field_errors
    with pytest.raises(BusinessRuleViolation):
        product_services.product_create_outside_order(
            actor=migration_actor, status=S.ACTIVE, related_party=[
                {"id": "999999", "role": "customer", "@referredType": "Customer"}], product_offering={"id": "x"})
    with pytest.raises(DomainValidationError) as exc:
        product_services.product_create_outside_order(
            actor=migration_actor, status=S.ACTIVE, related_party=[customer_ref(CustomerFactory())],
            product_offering=None)
    assert "offering_code" in exc.value.field_errors
    other_account = BillingAccountFactory()
    with pytest.raises(DomainValidationError) as exc:
        product_services.product_create_outside_order(
            actor=migration_actor, status=S.ACTIVE, related_party=[customer_ref(CustomerFactory())],
            product_offering={"id": "x"}, billing_account={"id": str(other_account.pk)})
    assert "billing_account" in exc.value.field_errors
    with pytest.raises(DomainValidationError):
        product_services.product_create_outside_order(
            actor=migration_actor, status="deleted", related_party=[customer_ref(CustomerFactory())],
            product_offering={"id": "x"})
    assert Product.objects.count() == before


def test_a_direct_change_is_one_history_row_one_move_and_one_event(migration_actor):
    product = product_in(migration_actor, S.ACTIVE)
    since = Event.objects.latest("pk").pk
    product_services.product_update_outside_order(
        product_id=product.pk, actor=migration_actor, name="Fiber 1G (legacy)", status=S.SUSPENDED,
        characteristics={"speed": 1000}, tmf_extra={"isCustomerVisible": False})
    product.refresh_from_db()
    assert (product.name, product.status, product.characteristics) == ("Fiber 1G (legacy)", S.SUSPENDED,
                                                                       {"speed": 1000})
    assert product.tmf_extra == {"isCustomerVisible": False}
    actions = list(HistoryEntry.objects.for_object(product).order_by("-pk").values_list("action", flat=True)[:2])
    assert actions == ["customers.product.suspend", "customers.product.changed_outside_order"]
    assert list(Event.objects.filter(pk__gt=since).values_list("event_type", flat=True)) == [
        "ProductStateChangeEvent"]


def test_a_direct_change_stays_with_the_customer_and_moves_only_as_the_lifecycle_allows(migration_actor):
    product = product_in(migration_actor, S.ACTIVE)
    with pytest.raises(DomainValidationError) as exc:
        product_services.product_update_outside_order(
            product_id=product.pk, actor=migration_actor, related_party=[customer_ref(CustomerFactory())])
    assert "customer" in exc.value.field_errors
    with pytest.raises(ApplicationError) as exc:
        product_services.product_update_outside_order(product_id=product.pk, actor=migration_actor,
                                                      name="Renamed", status=S.PENDING_ACTIVE)
    assert exc.value.status_code == 409
    product.refresh_from_db()
    assert (product.status, product.name) == (S.ACTIVE, "Mobile 20GB")  # rolled back, the name too
    product_services.product_update_outside_order(product_id=product.pk, actor=migration_actor, status=S.ACTIVE)
    assert not HistoryEntry.objects.filter(action="customers.product.changed_outside_order").exists()


def test_terminating_outside_an_order_never_erases(migration_actor):
    product = product_in(migration_actor, S.SUSPENDED)
    product_services.product_terminate_outside_order(product_id=product.pk, actor=migration_actor, reason="cleanup")
    product.refresh_from_db()
    assert product.status == S.TERMINATED and product.end_date is not None
    assert HistoryEntry.objects.for_object(product).latest("pk").reason == "cleanup"
    assert events_for(product)[-1] == "ProductDeleteEvent"
    assert events_for(product).count("ProductDeleteEvent") == 1
    assert "ProductStateChangeEvent" not in events_for(product)[-1:]
    with pytest.raises(ApplicationError):  # terminated already: a conflict, not a second termination
        product_services.product_terminate_outside_order(product_id=product.pk, actor=migration_actor)
