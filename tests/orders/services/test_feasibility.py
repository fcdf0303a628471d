"""Feasibility services on the database: loading, bounded queries, storing, rule tester, rule save."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bss.actors import Actor
from bss.audit.models import HistoryEntry
from bss.errors import DomainValidationError
from orders.models import FeasibilityRule, OfferingQualification
from orders.services.feasibility import (
    ItemInput,
    feasibility_evaluate,
    feasibility_rule_save,
    feasibility_rule_test,
    offerings_available_to,
    qualification_create,
)
from tests.factories import AddressFactory, CustomerFactory, FeasibilityRuleFactory, ProductFactory

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
