"""Feasibility asks service activation about capacity (issue 9, 1.1.2.2.1): a serviceability rule with
``"resources"`` needs free resources of those kinds in the pools serving the install address. The pure engine is
given the facts (orders.feasibility.Capacity); orders.services.feasibility gathers them from
service_activation.services.capacity (read-only). TMF679 explains a capacity refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bss.errors import DomainValidationError
from orders import feasibility as fe
from orders.models import FeasibilityRule
from orders.services.feasibility import (
    ItemInput,
    feasibility_evaluate,
    feasibility_rule_save,
    feasibility_rule_test,
)
from service_activation.models import Resource, ResourceKind
from service_activation.services.capacity import capacity_at
from tests.factories import AddressFactory, CustomerFactory, FeasibilityRuleFactory, ResourcePoolFactory

pytestmark = pytest.mark.django_db
URL = "/tmf-api/productOfferingQualification/v4/productOfferingQualification"
DUBLIN = fe.Place(area_code="DUB01")
NODES = {"OLT-DUB": {"area_codes": ["DUB01"]}, "OLT-GAL": {"area_codes": ["GAL01"], "postcode_prefixes": ["H91"]}}


def ports(pool, count, *, state=Resource.State.FREE, start=1, **fields):
    now = timezone.now()
    extra = {"free": {}, "allocated": {"holder": "service:1", "allocated_at": now},
             "reserved": {"holder": "service:2", "reserved_until": now + dt.timedelta(minutes=30)}}[state]
    Resource.objects.bulk_create(Resource(pool=pool, kind=pool.kind, value=f"{pool.access_node}/1/{start + n}",
                                          state=state, **{**extra, **fields}) for n in range(count))


@pytest.fixture
def network(settings):
    """Dublin's access node has free ports; Galway's are all taken."""
    settings.BSS_ACCESS_NODE_AREAS = NODES
    dub = ResourcePoolFactory(kind=ResourceKind.PORT, code="ports-olt-dub", access_node="OLT-DUB")
    gal = ResourcePoolFactory(kind=ResourceKind.PORT, code="ports-olt-gal", access_node="OLT-GAL")
    ports(dub, 3)
    ports(dub, 2, state=Resource.State.ALLOCATED, start=10)
    ports(gal, 4, state=Resource.State.ALLOCATED)
    return dub, gal


@pytest.fixture
def capacity_rule(feasibility_catalog):
    offerings, _ = feasibility_catalog
    return FeasibilityRuleFactory(
        name="Fibre needs a free access port", rule_type="serviceability",
        params={"resources": ["port"], "check_coverage": False}, offerings=[offerings["fiber-100"]],
        staff_message="No free access port at the install address",
        customer_message="We cannot connect this address at the moment.")


def body(customer, address, offering="fiber-100"):
    return {"provideUnavailabilityReason": True,
            "relatedParty": [{"id": str(customer.pk), "role": "customer", "@referredType": "Customer"}],
            "place": [{"id": str(address.pk), "role": "installationAddress", "@referredType": "GeographicAddress"}],
            "productOfferingQualificationItem": [{"id": "1", "action": "add", "productOffering": {"id": offering}}]}


def customer_at(area_code, postcode="D01 F5P2"):
    customer = CustomerFactory(status="active")
    return customer, AddressFactory(customer=customer, area_code=area_code, postcode=postcode)


class TestCapacityService:
    def test_free_resources_in_the_pools_serving_the_area(self, network):
        assert capacity_at(kinds=["port"], area_code="DUB01")["port"].free == 3
        gal = capacity_at(kinds=["port"], area_code="GAL01")["port"]
        assert gal.free == 0 and [(p.code, p.free) for p in gal.pools] == [("ports-olt-gal", 0)]
        assert capacity_at(kinds=["port"], area_code="X", postcode="H91 E2K3")["port"].pools[0].code == "ports-olt-gal"
        assert capacity_at(kinds=["port"], area_code="CRK01")["port"].pools == ()  # no node serves Cork

    def test_a_lapsed_reservation_is_free_a_live_one_and_golden_numbers_are_not(self, network):
        dub, _ = network
        ports(dub, 1, state=Resource.State.RESERVED, start=20)
        ports(dub, 1, state=Resource.State.RESERVED, start=21,
              reserved_until=timezone.now() - dt.timedelta(minutes=1))
        ports(dub, 1, start=22, category=Resource.Category.GOLDEN)
        assert capacity_at(kinds=["port"], area_code="DUB01")["port"].free == 4

    def test_pools_without_an_access_node_or_with_an_unmapped_one_serve_everywhere(self, network):
        numbers = ResourcePoolFactory(kind=ResourceKind.MSISDN, code="numbers")
        Resource.objects.create(pool=numbers, kind=numbers.kind, value="0871234567")
        other = ResourcePoolFactory(kind=ResourceKind.PORT, code="ports-olt-new", access_node="OLT-NEW")
        ports(other, 2)
        facts = capacity_at(kinds=["msisdn", "port"], area_code="GAL01")
        assert facts["msisdn"].free == 1 and facts["port"].free == 2
        assert {p.code for p in facts["port"].pools} == {"ports-olt-gal", "ports-olt-new"}

    def test_one_query_and_nothing_written(self, network, django_assert_num_queries):
        before = list(Resource.objects.values_list("pk", "state", "holder").order_by("pk"))
        with django_assert_num_queries(1):
            capacity_at(kinds=["port", "vlan"], area_code="DUB01")
        assert list(Resource.objects.values_list("pk", "state", "holder").order_by("pk")) == before

    def test_an_unknown_kind_is_refused(self, network):
        with pytest.raises(DomainValidationError):
            capacity_at(kinds=["fax-line"], area_code="DUB01")


class TestQualification:
    def test_capacity_available_qualifies(self, network, capacity_rule, integrator_client):
        response = integrator_client.post(URL, body(*customer_at("DUB01")), format="json")
        assert response.status_code == 201, response.content
        data = response.json()
        assert data["qualificationResult"] == "qualified"
        assert data["productOfferingQualificationItem"][0]["qualificationItemResult"] == "qualified"

    def test_pool_exhausted_at_the_address_is_not_qualified_with_the_reason(self, network, capacity_rule,
                                                                            integrator_client):
        response = integrator_client.post(URL, body(*customer_at("GAL01", postcode="H91 E2K3")), format="json")
        assert response.status_code == 201, response.content
        data = response.json()
        assert data["qualificationResult"] == "unqualified"
        [item] = data["productOfferingQualificationItem"]
        assert item["qualificationItemResult"] == "unqualified"
        [reason] = item["eligibilityUnavailabilityReason"]
        assert reason["code"] == "capacity"
        assert reason["label"] == ("No free access port at the install address (no free port in the pools serving "
                                   "area GAL01 (ports-olt-gal: 0 free))")

    def test_the_stored_result_traces_the_rule_either_way(self, network, capacity_rule):
        customer, address = customer_at("DUB01")
        [ok] = feasibility_evaluate(customer=customer, address=address, channel="portal",
                                    items=[ItemInput(id="1", offering="fiber-100")])
        trace = next(t for t in ok.trace if t.rule_id == capacity_rule.pk)
        assert ok.feasible and trace.passed and trace.detail == "capacity at area DUB01: 3 free ports"

    def test_a_customer_reads_the_customer_message(self, network, capacity_rule):
        customer, address = customer_at("GAL01")
        [refused] = feasibility_evaluate(customer=customer, address=address, channel="self_service",
                                         items=[ItemInput(id="1", offering="fiber-100")])
        assert [r.code for r in refused.reasons] == ["capacity"]
        assert refused.reasons[0].customer_message == "We cannot connect this address at the moment."

    def test_coverage_and_capacity_in_one_rule(self, network, feasibility_catalog):
        offerings, rules = feasibility_catalog
        rules["coverage"].params = {"technology": "fiber", "resources": ["port"], "min_free": 4}
        rules["coverage"].save()
        customer, address = customer_at("DUB01")
        [result] = feasibility_evaluate(customer=customer, address=address, channel="portal",
                                        items=[ItemInput(id="1", offering="fiber-100")])
        assert [r.code for r in result.reasons] == ["capacity"]
        assert "only 3 free ports (needs 4) in the pools serving area DUB01" in result.reasons[0].staff_message

    def test_no_pool_query_when_no_rule_checks_capacity(self, network, feasibility_catalog):
        customer, address = customer_at("DUB01")
        with CaptureQueriesContext(connection) as queries:
            feasibility_evaluate(customer=customer, address=address, channel="portal",
                                 items=[ItemInput(id="1", offering="fiber-100")])
        assert not any("service_activation_resource" in q["sql"] for q in queries.captured_queries)


class TestRuleTesterAndSaving:
    def test_the_rule_tester_shows_what_a_capacity_rule_would_refuse(self, network, feasibility_catalog):
        offerings, _ = feasibility_catalog
        customer, address = customer_at("GAL01")
        draft = FeasibilityRule(name="Ports", rule_type="serviceability", is_active=True,
                                params={"resources": ["port"], "check_coverage": False},
                                staff_message="No free port")
        outcome = feasibility_rule_test(candidate=draft, offering_codes=["fiber-100"], alternative_codes=[],
                                        customer=customer, items=[ItemInput(id="1", offering="fiber-100")],
                                        channel="portal", address=address)
        assert outcome.before[0].feasible and not outcome.after[0].feasible
        assert outcome.changed_items() == ["1"] and outcome.after[0].reasons[0].code == "capacity"

    @pytest.mark.parametrize(("params", "key"), [
        ({"resources": ["fax-line"]}, "params.resources"),
        ({"resources": "port"}, "params.resources"),
        ({"resources": ["port"], "min_free": 0}, "params.min_free"),
        ({"check_coverage": False}, "params.resources"),
    ])
    def test_a_bad_capacity_rule_is_not_saved(self, actor, params, key):
        rule = FeasibilityRule(name="Ports", rule_type="serviceability", params=params, staff_message="No port")
        with pytest.raises(DomainValidationError) as e:
            feasibility_rule_save(rule=rule, offerings=[], alternatives=[], actor=actor)
        assert key in e.value.field_errors and not FeasibilityRule.objects.filter(name="Ports").exists()


class TestPureEngine:
    """orders.feasibility is pure: the capacity facts are passed in."""

    def rule(self, **params):
        return fe.Rule(id=1, name="Ports", rule_type="serviceability", priority=1, offering_codes=frozenset(),
                       segments=(), channels=(), customer_types=(), valid_from=None, valid_to=None,
                       params={"check_coverage": False, "resources": ["port", "vlan"], **params},
                       staff_message="No capacity", customer_message="")

    def ctx(self, place=DUBLIN):
        offering = fe.Offering(id=1, code="fiber-100", name="Fiber 100", orderable=True, lifecycle_status="active")
        customer = fe.CustomerFacts(None, "individual", "residential", "prospect", "B", None)
        return fe.Context(customer=customer, channel="portal", place=place, products=[], billing_account_id=None,
                          at=timezone.now(), items=[fe.Item(id="1", action="add", offering=offering)])

    def test_every_kind_must_have_enough(self):
        facts = {"port": fe.Capacity("port", "port", 5, (("p", 5),)), "vlan": fe.Capacity("vlan", "VLAN", 0, (("v", 0),))}
        [r] = fe.evaluate(self.ctx(), [self.rule()], [], facts)
        assert not r.feasible and "no free VLAN in the pools serving area DUB01 (v: 0 free)" in r.reasons[0].staff_message
        facts["vlan"] = fe.Capacity("vlan", "VLAN", 9, (("v", 9),))
        assert fe.evaluate(self.ctx(), [self.rule()], [], facts)[0].feasible

    def test_no_address_or_no_facts_refuse(self):
        [r] = fe.evaluate(self.ctx(place=None), [self.rule()], [], {})
        assert not r.feasible and "no install address given" in r.reasons[0].staff_message
        [r] = fe.evaluate(self.ctx(), [self.rule()], [], {})
        assert "capacity of port unknown" in r.reasons[0].staff_message

    def test_capacity_kinds_tells_the_caller_what_to_gather(self):
        assert fe.capacity_kinds([self.rule()]) == ["port", "vlan"]
        assert fe.capacity_kinds([self.rule(resources=[])]) == []
