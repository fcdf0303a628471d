"""The feasibility engine on plain data: every rule type, feasible and infeasible, reasons,
alternatives, application ranges and the trace."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from orders import feasibility as fe

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def offering(code, **kw):
    defaults = dict(id=hash(code) % 10_000, code=code, name=code.replace("-", " ").title(), orderable=True,
                    lifecycle_status="active")
    return fe.Offering(**{**defaults, **kw})


FIBER_100 = offering("fiber-100", technology="fiber", bandwidth_mbps=100, requires_install_address=True)
FIBER_500 = offering("fiber-500", technology="fiber", bandwidth_mbps=500, requires_install_address=True)
FIBER_1000 = offering("fiber-1000", technology="fiber", bandwidth_mbps=1000, requires_install_address=True)
IPTV = offering("iptv-addon", technology="iptv")
BUNDLE = offering("fiber-500-tv")
VPN = offering("business-vpn")
MOBILE_S, MOBILE_M, MOBILE_L = offering("mobile-s"), offering("mobile-m"), offering("mobile-l")
RETIRED = offering("mobile-classic", orderable=False, lifecycle_status="retired")
CATALOG = {o.code: o for o in (FIBER_100, FIBER_500, FIBER_1000, IPTV, BUNDLE, VPN, MOBILE_S, MOBILE_M, MOBILE_L,
                               RETIRED)}


def customer(**kw):
    defaults = dict(customer_id=1, customer_type="individual", segment="residential", status="active",
                    credit_class="B", since=NOW - timedelta(days=400))
    return fe.CustomerFacts(**{**defaults, **kw})


def rule(rule_type, params, *, id=1, range=(), alternatives=(), **kw):
    defaults = dict(id=id, name=f"{rule_type} rule {id}", rule_type=rule_type, priority=100,
                    offering_codes=frozenset(range), segments=(), channels=(), customer_types=(), valid_from=None,
                    valid_to=None, params=params, staff_message=f"staff says no ({id})",
                    customer_message=f"customer says no ({id})", alternatives=tuple(alternatives))
    return fe.Rule(**{**defaults, **kw})


def ctx(items, *, cust=None, place=None, products=(), channel="portal", account=None):
    return fe.Context(customer=cust or customer(), channel=channel, place=place, items=items,
                      products=list(products), billing_account_id=account, at=NOW, catalog=CATALOG)


def add(o, id="1", **kw):
    return fe.Item(id=id, action="add", offering=o, offering_ref=o.code if o else "x", **kw)


def owned(code, status="active", account=None, start=None, pid=None):
    return fe.OwnedProduct(code, status, account, start, pid)


def run(context, rules, coverage=()):
    return fe.evaluate(context, list(rules), list(coverage))


COVERAGE = [fe.Coverage("fiber", "DUB01", "", 1000), fe.Coverage("fiber", "GAL01", "", 100),
            fe.Coverage("fiber", "", "T12", 500)]


# --- eligibility ---------------------------------------------------------------------------

def test_eligibility_refuses_wrong_customer_type_and_passes_right_one():
    r = rule("eligibility", {"customer_types": ["organization"], "segments": ["sme", "enterprise"]}, range=[VPN.code])
    [res] = run(ctx([add(VPN)]), [r])
    assert not res.feasible
    assert res.reasons[0].rule_id == 1 and res.reasons[0].rule_type == "eligibility"
    assert "customer type individual not in organization" in res.reasons[0].staff_message
    assert res.reasons[0].customer_message == "customer says no (1)"
    [ok] = run(ctx([add(VPN)], cust=customer(customer_type="organization", segment="sme")), [r])
    assert ok.feasible


def test_eligibility_account_age_credit_class_and_status():
    r = rule("eligibility", {"min_account_age_days": 90, "credit_classes": ["A", "B"], "statuses": ["active"]})
    assert run(ctx([add(MOBILE_L)]), [r])[0].feasible
    young = run(ctx([add(MOBILE_L)], cust=customer(since=NOW - timedelta(days=10))), [r])[0]
    assert "customer for 10 days, needs 90" in young.reasons[0].staff_message
    assert not run(ctx([add(MOBILE_L)], cust=customer(credit_class="D")), [r])[0].feasible
    assert not run(ctx([add(MOBILE_L)], cust=customer(status="suspended")), [r])[0].feasible


# --- prerequisite --------------------------------------------------------------------------

def test_prerequisite_satisfied_by_owned_product_or_same_order():
    r = rule("prerequisite", {"requires_any": ["fiber-100", "fiber-500"]}, range=[IPTV.code], alternatives=[BUNDLE])
    missing = run(ctx([add(IPTV)]), [r])[0]
    assert not missing.feasible and missing.reasons[0].code == "prerequisite"
    assert [a.code for a in missing.alternatives] == ["fiber-500-tv"]
    assert run(ctx([add(IPTV)], products=[owned("fiber-500")]), [r])[0].feasible
    both = run(ctx([add(IPTV, id="1"), add(FIBER_100, id="2")], place=fe.Place("DUB01", "D02 X1")), [r])
    assert both[0].feasible


def test_prerequisite_ignores_terminated_products_and_respects_account_scope():
    r = rule("prerequisite", {"requires_any": ["fiber-500"], "scope": "account"}, range=[IPTV.code])
    assert not run(ctx([add(IPTV)], products=[owned("fiber-500", status="terminated")]), [r])[0].feasible
    other_account = run(ctx([add(IPTV)], products=[owned("fiber-500", account=7)], account=8), [r])[0]
    assert not other_account.feasible
    assert run(ctx([add(IPTV)], products=[owned("fiber-500", account=8)], account=8), [r])[0].feasible


# --- exclusion -----------------------------------------------------------------------------

def test_exclusion_by_offering_in_inventory_or_order():
    r = rule("exclusion", {"excludes": ["mobile-l"]}, range=[MOBILE_S.code])
    assert not run(ctx([add(MOBILE_S)], products=[owned("mobile-l")]), [r])[0].feasible
    in_order = run(ctx([add(MOBILE_S, id="1"), add(MOBILE_L, id="2")]), [r])
    assert not in_order[0].feasible and in_order[1].feasible  # the rule's range is mobile-s only
    assert run(ctx([add(MOBILE_S)], products=[owned("mobile-m")]), [r])[0].feasible


def test_exclusion_by_area_and_postcode():
    r = rule("exclusion", {"area_codes": ["SLI01"], "postcode_prefixes": ["F91"]})
    assert not run(ctx([add(MOBILE_S)], place=fe.Place("SLI01", "X")), [r])[0].feasible
    assert not run(ctx([add(MOBILE_S)], place=fe.Place("", "f91 a123")), [r])[0].feasible
    assert run(ctx([add(MOBILE_S)], place=fe.Place("DUB01", "D02 X1")), [r])[0].feasible


# --- serviceability ------------------------------------------------------------------------

def test_serviceability_covered_uncovered_and_bandwidth_with_lower_alternative():
    r = rule("serviceability", {"technology": "fiber"}, range=[FIBER_100.code, FIBER_500.code, FIBER_1000.code])
    assert run(ctx([add(FIBER_1000)], place=fe.Place("DUB01", "D02")), [r], COVERAGE)[0].feasible
    galway = run(ctx([add(FIBER_500)], place=fe.Place("GAL01", "H91")), [r], COVERAGE)[0]
    assert not galway.feasible
    assert "at most 100 Mb/s" in galway.reasons[0].staff_message
    assert [a.code for a in galway.alternatives] == ["fiber-100"]
    nowhere = run(ctx([add(FIBER_100)], place=fe.Place("SLI01", "F91 X")), [r], COVERAGE)[0]
    assert "not available" in nowhere.reasons[0].staff_message and nowhere.alternatives == []
    by_postcode = run(ctx([add(FIBER_500)], place=fe.Place("", "T12 AB12")), [r], COVERAGE)[0]
    assert by_postcode.feasible


def test_missing_install_address_is_an_input_error():
    [res] = run(ctx([add(FIBER_100)]), [])
    assert [r.code for r in res.reasons] == ["install_address_required"]
    assert res.input_errors and res.reasons[0].input_error


# --- compatibility -------------------------------------------------------------------------

def test_compatibility_quantity_limit_counts_inventory_and_order():
    r = rule("compatibility", {"offerings": ["mobile-s", "mobile-m"], "max_quantity": 2, "scope": "account"},
             range=["mobile-s", "mobile-m"])
    assert run(ctx([add(MOBILE_S)], products=[owned("mobile-m", account=1)], account=1), [r])[0].feasible
    over = run(ctx([add(MOBILE_S, quantity=2)], products=[owned("mobile-m", account=1)], account=1), [r])[0]
    assert not over.feasible and "3 of" in over.reasons[0].staff_message


def test_compatibility_not_together():
    r = rule("compatibility", {"offerings": ["fiber-100", "fiber-500"], "mode": "not_together", "scope": "customer"},
             range=["fiber-100", "fiber-500"])
    res = run(ctx([add(FIBER_500)], products=[owned("fiber-100")], place=fe.Place("DUB01", "D")), [r])[0]
    assert not res.feasible and "cannot be combined" in res.reasons[0].staff_message


def test_a_deleted_product_no_longer_counts():
    r = rule("compatibility", {"offerings": ["fiber-100", "fiber-500"], "max_quantity": 1, "scope": "customer"},
             range=["fiber-100", "fiber-500"])
    old = owned("fiber-100", pid=5)
    delete = fe.Item(id="1", action="delete", offering=FIBER_100, offering_ref="fiber-100", product=old)
    res = run(ctx([delete, add(FIBER_500, id="2")], products=[old], place=fe.Place("DUB01", "D")), [r])
    assert res[1].feasible


# --- transition ----------------------------------------------------------------------------

def modify(to, current, start=None):
    return fe.Item(id="1", action="modify", offering=to, offering_ref=to.code,
                   product=owned(current, start=start, pid=9))


def test_transition_allowed_forbidden_and_unconfigured():
    up = rule("transition", {"from": ["mobile-s"], "to": ["mobile-m", "mobile-l"]}, id=1)
    down = rule("transition", {"from": ["mobile-l"], "to": ["mobile-s"], "min_tenure_days": 180}, id=2,
                alternatives=[MOBILE_M])
    products = [owned("mobile-s", pid=9)]
    assert run(ctx([modify(MOBILE_L, "mobile-s")], products=products), [up, down])[0].feasible
    sideways = run(ctx([modify(IPTV, "mobile-s")], products=products), [up, down])[0]
    assert [r.code for r in sideways.reasons] == ["no_transition_path"]
    early = run(ctx([modify(MOBILE_S, "mobile-l", start=NOW - timedelta(days=30))]), [up, down])[0]
    assert not early.feasible and early.reasons[0].rule_id == 2 and [a.code for a in early.alternatives] == ["mobile-m"]
    late = run(ctx([modify(MOBILE_S, "mobile-l", start=NOW - timedelta(days=200))]), [up, down])[0]
    assert late.feasible
    # No rule mentions mobile-m as a source: changes from it are open.
    assert run(ctx([modify(MOBILE_S, "mobile-m")]), [up, down])[0].feasible


def test_transition_explicitly_forbidden():
    no = rule("transition", {"from": ["mobile-l"], "to": ["mobile-s"], "allowed": False})
    res = run(ctx([modify(MOBILE_S, "mobile-l")]), [no])[0]
    assert res.reasons[0].code == "transition"


# --- application range ---------------------------------------------------------------------

@pytest.mark.parametrize("kw,applies", [
    ({}, True),
    ({"range": ["mobile-m"]}, False),
    ({"segments": ("sme",)}, False),
    ({"channels": ("self_service",)}, False),
    ({"channels": ("portal",)}, True),
    ({"customer_types": ("organization",)}, False),
    ({"valid_from": NOW + timedelta(days=1)}, False),
    ({"valid_to": NOW}, False),
    ({"valid_to": NOW + timedelta(seconds=1)}, True),
])
def test_application_range(kw, applies):
    r = rule("eligibility", {"credit_classes": ["A"]}, **kw)  # customer is class B: refused when in range
    res = run(ctx([add(MOBILE_S)]), [r])[0]
    assert res.feasible is not applies
    assert res.trace[0].in_range is applies
    if not applies:
        assert res.trace[0].detail  # says why it was out of range


def test_too_broad_range_refuses_everything_and_narrowing_fixes_it():
    """Seed 000's production failure: an exclusion rule with too broad an application range."""
    broad = rule("exclusion", {"excludes": ["mobile-l"]})  # meant for mobile-s only, range left empty
    order = [add(MOBILE_M, id="1"), add(FIBER_100, id="2")]
    before = run(ctx(order, products=[owned("mobile-l")], place=fe.Place("DUB01", "D")), [broad])
    assert [r.feasible for r in before] == [False, False]
    narrow = rule("exclusion", {"excludes": ["mobile-l"]}, range=["mobile-s"])
    after = run(ctx(order, products=[owned("mobile-l")], place=fe.Place("DUB01", "D")), [narrow])
    assert [r.feasible for r in after] == [True, True]


# --- offering and characteristics ----------------------------------------------------------

def test_unknown_and_retired_offering_are_input_errors():
    res = run(ctx([fe.Item(id="1", action="add", offering=None, offering_ref="nope"), add(RETIRED, id="2")]), [])
    assert res[0].reasons[0].code == "unknown_offering" and res[0].input_errors
    assert res[1].reasons[0].code == "offering_not_orderable" and res[1].input_errors


def test_channel_and_segment_of_the_offering():
    shop_only = offering("shop-phone", sales_channels=("retail",), customer_segments=("residential",))
    assert run(ctx([add(shop_only)], channel="retail"), [])[0].feasible
    assert run(ctx([add(shop_only)], channel="self_service"), [])[0].reasons[0].code == "channel"
    assert run(ctx([add(shop_only)], channel="retail", cust=customer(segment="sme")), [])[0].reasons[0].code == "segment"


def test_characteristics_validated_against_the_specification():
    spec = (fe.CharacteristicSpec("bandwidth", "integer", True, (100, 500)),
            fe.CharacteristicSpec("roaming", "boolean", False, ()),
            fe.CharacteristicSpec("quota", "decimal", False, (), Decimal("1"), Decimal("10")))
    o = offering("spec-o", characteristics=spec)
    assert run(ctx([add(o, characteristics={"bandwidth": "500", "roaming": True, "quota": "2.5"})]), [])[0].feasible
    bad = run(ctx([add(o, characteristics={"bandwidth": 200, "roaming": "maybe", "quota": 11, "colour": "red"})]),
              [])[0]
    messages = " | ".join(r.staff_message for r in bad.reasons)
    assert "bandwidth must be one of 100, 500" in messages
    assert "roaming must be true or false" in messages
    assert "quota must be at most 10" in messages
    assert "no characteristic 'colour'" in messages
    assert all(r.input_error for r in bad.reasons)
    missing = run(ctx([add(o)]), [])[0]
    assert [r.code for r in missing.reasons] == ["missing_characteristic"]


def test_rules_run_in_priority_order_and_every_failure_is_reported():
    a = rule("eligibility", {"credit_classes": ["A"]}, id=2, priority=50)
    b = rule("exclusion", {"excludes": ["mobile-m"]}, id=1, priority=10)
    res = run(ctx([add(MOBILE_S)], products=[owned("mobile-m")]), [a, b])[0]
    assert [r.rule_id for r in res.reasons] == [1, 2]
    assert [t.rule_id for t in res.trace] == [1, 2]


# --- parameter validation ------------------------------------------------------------------

def test_validate_params():
    assert fe.validate_params("prerequisite", {"requires_any": ["x"]}) == {}
    assert "requires_any" in fe.validate_params("prerequisite", {})
    assert "colour" in fe.validate_params("eligibility", {"colour": 1})
    assert "min_account_age_days" in fe.validate_params("eligibility", {"min_account_age_days": -1})
    assert "excludes" in fe.validate_params("exclusion", {})
    assert "scope" in fe.validate_params("compatibility", {"offerings": ["a"], "scope": "galaxy"})
    assert "rule_type" in fe.validate_params("nonsense", {})


def test_prerequisite_met_only_by_an_infeasible_item_of_the_same_order_fails():
    coverage = rule("serviceability", {"technology": "fiber"}, id=1, range=[FIBER_500.code])
    needs_fiber = rule("prerequisite", {"requires_any": ["fiber-500"]}, id=2, range=[IPTV.code])
    order = [add(FIBER_500, id="f"), add(IPTV, id="tv")]
    covered = run(ctx(order, place=fe.Place("DUB01", "D")), [coverage, needs_fiber], COVERAGE)
    assert [r.feasible for r in covered] == [True, True]
    uncovered = run(ctx(order, place=fe.Place("SLI01", "F91")), [coverage, needs_fiber], COVERAGE)
    assert [r.feasible for r in uncovered] == [False, False]
    assert "prerequisite in this order is not feasible" in uncovered[1].reasons[0].staff_message


def test_mandatory_characteristic_with_a_default_needs_no_value():
    o = offering("with-default", characteristics=(fe.CharacteristicSpec("colour", "string", True, ("black",),
                                                                          default="black"),))
    assert run(ctx([add(o)]), [])[0].feasible
