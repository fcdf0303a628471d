"""Feasibility services on the database: loading, bounded queries, storing, rule tester, rule save."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.errors import DomainValidationError
from bss.events.models import Event
from orders.models import FeasibilityRule, OfferingQualification
from orders.services.feasibility import (
    ItemInput,
    feasibility_evaluate,
    feasibility_rule_save,
    feasibility_rule_test,
    offering_qualification_request,
    offerings_available_to,
    qualification_create,
)
from tests.factories import (
    AddressFactory,
    BillingAccountFactory,
    CustomerFactory,
    FeasibilityRuleFactory,
    ProductFactory,
    customer_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dublin_customer(feasibility_catalog):
    c = CustomerFactory(status="active")
    return c, AddressFactory(customer=c, area_code="DUB01")


def test_evaluate_uses_database_rules_coverage_and_inventory(feasibility_catalog, dublin_customer):
    customer, address = dublin_customer
    results = feasibility_evaluate(customer=customer, address=address, channel="portal", items=[
        ItemInput(id="1", offering="fiber-500"), ItemInput(id="2", offering="iptv-addon")])
    assert [r.feasible for r in results] == [True, True]  # iptv satisfied by fiber in the same order
    alone = feasibility_evaluate(customer=customer, address=address, channel="portal",
                                 items=[ItemInput(id="1", offering="iptv-addon")])[0]
    assert not alone.feasible and [a.code for a in alone.alternatives] == ["fiber-500-tv"]
    ProductFactory(customer=customer, offering_code="fiber-100", status="active")
    owned = feasibility_evaluate(customer=customer, address=address, channel="portal",
                                 items=[ItemInput(id="1", offering="iptv-addon")])[0]
    assert owned.feasible


def test_offering_can_be_named_by_id_or_code(feasibility_catalog, dublin_customer):
    customer, address = dublin_customer
    pk = str(feasibility_catalog[0]["fiber-100"].pk)
    [r] = feasibility_evaluate(customer=customer, address=address, channel="portal",
                               items=[ItemInput(id="1", offering=pk)])
    assert r.feasible and r.offering_code == "fiber-100"


def test_query_count_is_bounded_by_neither_rules_nor_items(feasibility_catalog, dublin_customer):
    customer, address = dublin_customer
    offerings, _ = feasibility_catalog

    def count(items):
        with CaptureQueriesContext(connection) as ctx:
            feasibility_evaluate(customer=customer, address=address, channel="portal", items=items)
        return len(ctx.captured_queries)

    few = count([ItemInput(id="1", offering="fiber-500")])
    for n in range(200):
        FeasibilityRuleFactory(rule_type="eligibility", params={"credit_classes": ["A", "B", "C"]},
                               offerings=[offerings["mobile-s"]], name=f"r{n}")
    many = count([ItemInput(id=str(n), offering=code) for n, code in
                  enumerate(["fiber-500", "iptv-addon", "mobile-s"] * 3 + ["business-vpn"])])
    assert many == few, (few, many)
    assert few < 15


def test_qualification_create_stores_result_and_history(feasibility_catalog, dublin_customer, actor):
    customer, address = dublin_customer
    poq, results = qualification_create(actor=actor, request_body={"x": 1}, customer=customer, address=address,
                                        channel="portal", items=[ItemInput(id="a", offering="iptv-addon")])
    assert poq.qualification_result == "unqualified"
    assert poq.result[0]["reasons"][0]["code"] == "prerequisite"
    assert HistoryEntry.objects.for_object(poq).get().actor == actor.user


@pytest.mark.parametrize("item,code", [
    (ItemInput(id="1", offering="no-such"), "unknown_offering"),
    (ItemInput(id="1", offering="mobile-classic"), "offering_not_orderable"),
    (ItemInput(id="1", offering="draft-plan"), "offering_not_orderable"),
    (ItemInput(id="1", offering="fiber-100", characteristics={"install_type": "drone"}), "invalid_characteristic"),
])
def test_bad_input_raises_and_stores_nothing(feasibility_catalog, dublin_customer, actor, item, code):
    customer, address = dublin_customer
    with pytest.raises(DomainValidationError) as e:
        qualification_create(actor=actor, request_body={}, customer=customer, address=address, channel="portal",
                             items=[item])
    assert e.value.field_errors
    assert OfferingQualification.objects.count() == 0


def test_missing_address_for_offering_that_needs_one_is_rejected(feasibility_catalog, actor):
    with pytest.raises(DomainValidationError) as e:
        qualification_create(actor=actor, request_body={}, customer=CustomerFactory(), channel="portal",
                             items=[ItemInput(id="1", offering="fiber-100")])
    assert "install address" in str(e.value.field_errors)
    assert OfferingQualification.objects.count() == 0


def test_rule_tester_shows_before_and_after_without_saving(feasibility_catalog, dublin_customer):
    customer, address = dublin_customer
    offerings, rules = feasibility_catalog
    # Draft an exclusion rule with a too-broad range: it would refuse fiber for everyone in DUB01.
    draft = FeasibilityRule(name="no fiber in Dublin", rule_type="exclusion", params={"area_codes": ["DUB01"]},
                            staff_message="Dublin closed")
    outcome = feasibility_rule_test(candidate=draft, offering_codes=[], alternative_codes=[], customer=customer,
                                    address=address, channel="portal",
                                    items=[ItemInput(id="1", offering="fiber-500")])
    assert outcome.before[0].feasible and not outcome.after[0].feasible
    assert outcome.changed_items() == ["1"]
    assert FeasibilityRule.objects.filter(name="no fiber in Dublin").count() == 0
    # Editing an existing rule: narrowing the coverage rule's range to fiber-100 lets GAL01 order 500.
    galway = AddressFactory(customer=customer, area_code="GAL01")
    coverage = rules["coverage"]
    outcome = feasibility_rule_test(candidate=coverage, offering_codes=["fiber-100"], alternative_codes=[],
                                    customer=customer, address=galway, channel="portal",
                                    items=[ItemInput(id="1", offering="fiber-500")])
    assert not outcome.before[0].feasible and outcome.after[0].feasible
    traced = {t.rule_id: t for t in outcome.after[0].trace}
    assert traced[coverage.pk].in_range is False
    assert sorted(coverage.offerings.values_list("code", flat=True)) == ["fiber-100", "fiber-500"]  # unchanged


def test_rule_tester_refuses_invalid_parameters(feasibility_catalog, dublin_customer):
    customer, address = dublin_customer
    with pytest.raises(DomainValidationError):
        feasibility_rule_test(candidate=FeasibilityRule(rule_type="prerequisite", params={}, name="x",
                                                        staff_message="x"),
                              offering_codes=[], alternative_codes=[], customer=customer, address=address,
                              channel="portal", items=[ItemInput(id="1", offering="mobile-s")])


def test_rule_save_validates_and_records_range_changes(feasibility_catalog, actor):
    offerings, rules = feasibility_catalog
    with pytest.raises(DomainValidationError):
        feasibility_rule_save(rule=FeasibilityRule(name="bad", rule_type="compatibility", params={"mode": "x"},
                                                   staff_message="m"), offerings=[], alternatives=[], actor=actor)
    rule = rules["iptv"]
    rule.params = {"requires_any": ["fiber-500"]}
    feasibility_rule_save(rule=rule, offerings=[offerings["iptv-addon"], offerings["mobile-s"]], alternatives=[],
                          actor=actor)
    entry = HistoryEntry.objects.for_object(rule).get(action="orders.feasibility_rule.updated")
    assert entry.changes["offerings"] == [["iptv-addon"], ["iptv-addon", "mobile-s"]]
    assert entry.changes["params"][1] == {"requires_any": ["fiber-500"]}


def test_self_service_sees_only_offerings_it_qualifies_for(feasibility_catalog, dublin_customer):
    customer, address = dublin_customer
    codes = {o["code"] for o in offerings_available_to(customer=customer, channel="self_service", address=address)}
    assert {"fiber-100", "fiber-500", "mobile-s", "fiber-500-tv"} <= codes
    assert "iptv-addon" not in codes  # needs broadband first
    assert "business-vpn" not in codes  # residential customer
    assert "mobile-classic" not in codes and "draft-plan" not in codes
    galway = AddressFactory(customer=customer, area_code="GAL01")
    codes = {o["code"] for o in offerings_available_to(customer=customer, channel="self_service", address=galway)}
    assert "fiber-100" in codes and "fiber-500" not in codes


def test_actor_is_system_when_no_user(feasibility_catalog):
    poq, _ = qualification_create(actor=Actor.system(), request_body={}, customer=None, channel="api",
                                  items=[ItemInput(id="1", offering="mobile-s")])
    assert poq.requested_by is None and poq.qualification_result == "qualified"


# --- offering_qualification_request: the one use case behind TMF679 POST and the staff screen ---

def _request(actor, **kw):
    kw.setdefault("items", [ItemInput(id="1", offering="fiber-500"), ItemInput(id="2", offering="mobile-s")])
    return offering_qualification_request(actor=actor, request_body={"sent": "as is"}, **kw)


def test_request_resolves_references_stores_one_row_and_publishes_one_event(dublin_customer, actor):
    customer, address = dublin_customer
    poq, results = _request(actor, customer_ref=str(customer.pk), place_ref=f" {address.pk} ", channel="retail")
    assert (poq.customer, poq.channel, poq.qualification_result) == (customer, "retail", "qualified")
    assert [r.feasible for r in results] == [True, True]  # fiber-500 is covered in the address's area
    assert poq.request == {"sent": "as is"} and poq.requested_by == actor.user
    assert OfferingQualification.objects.count() == 1
    [event] = Event.objects.all()
    assert (event.event_type, event.api, event.resource_id) == (
        "ProductOfferingQualificationCreateEvent", "productOfferingQualification", str(poq.pk))
    body = event.payload["event"]["productOfferingQualification"]
    assert body["id"] == str(poq.pk) and body["qualificationResult"] == "qualified"
    assert HistoryEntry.objects.for_object(poq).get().action == "orders.offering_qualification.created"


@pytest.mark.parametrize("ref", ["999999", "ext-42", "²", ""])
def test_references_naming_nothing_of_ours_are_answered_without_them(feasibility_catalog, actor, ref):
    """Kept as sent (in the stored request), never an error: an item that needs an install address is
    answered unqualified with the reason, the others are answered."""
    poq, results = _request(actor, customer_ref=ref, place_ref=ref, account_ref=ref)
    assert poq.customer is None and poq.request == {"sent": "as is"}
    fiber, mobile = results
    assert not fiber.feasible and [e.code for e in fiber.input_errors] == ["install_address_required"]
    assert mobile.feasible
    assert OfferingQualification.objects.count() == 1 and Event.objects.count() == 1


def test_the_billing_account_reference_scopes_account_prerequisites(dublin_customer, actor):
    customer, address = dublin_customer
    rule = FeasibilityRule.objects.get(rule_type="prerequisite")
    rule.params = {**rule.params, "scope": "account"}
    rule.save()
    with_fiber, without = BillingAccountFactory(customer=customer), BillingAccountFactory(customer=customer)
    ProductFactory(customer=customer, billing_account=with_fiber, offering_code="fiber-500", status="active")
    tv = [ItemInput(id="1", offering="iptv-addon")]
    assert _request(actor, customer_ref=str(customer.pk), account_ref=str(with_fiber.pk), items=tv)[1][0].feasible
    assert not _request(actor, customer_ref=str(customer.pk), account_ref=str(without.pk), items=tv)[1][0].feasible


def test_a_self_service_actor_qualifies_for_themself_only(dublin_customer):
    customer, own_address = dublin_customer
    other = CustomerFactory(status="active")
    other_address, other_account = AddressFactory(customer=other, area_code="DUB01"), BillingAccountFactory(
        customer=other)
    me = Actor(user=customer_user(customer), channel=Channel.API)
    poq, results = _request(me, customer_ref=str(other.pk), place_ref=str(other_address.pk),
                            account_ref=str(other_account.pk), channel="retail")
    assert (poq.customer, poq.channel) == (customer, "self_service")
    assert [e.code for e in results[0].input_errors] == ["install_address_required"]  # not their address
    poq, results = _request(me, place_ref=str(own_address.pk))
    assert poq.customer == customer and results[0].feasible


def test_a_system_actor_sees_every_customer_an_anonymous_one_none(dublin_customer):
    customer, address = dublin_customer
    poq, results = _request(Actor.system("celery"), customer_ref=str(customer.pk), place_ref=str(address.pk))
    assert poq.customer == customer and poq.requested_by is None and results[0].feasible
    poq, results = _request(Actor(user=None, channel=Channel.API), customer_ref=str(customer.pk),
                            place_ref=str(address.pk))
    assert poq.customer is None and not results[0].feasible


def test_the_channel_defaults_to_the_actors_front_door_and_must_be_a_sales_channel(feasibility_catalog, actor):
    items = [ItemInput(id="1", offering="mobile-s")]
    assert _request(actor, items=items)[0].channel == "portal"
    assert _request(Actor.system(), items=items)[0].channel == "api"
    with pytest.raises(DomainValidationError) as e:
        _request(actor, items=items, channel="carrier-pigeon")
    assert "channel" in e.value.field_errors


def test_rejected_input_stores_nothing_and_publishes_nothing(feasibility_catalog, actor):
    with pytest.raises(DomainValidationError):
        _request(actor, items=[ItemInput(id="1", offering="mobile-classic")])
    assert not OfferingQualification.objects.exists() and not Event.objects.exists()
