"""Resource pools (eTOM 1.1.2.2.2): loading, search, reserve / confirm / release, and the set-based sweeps."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bss.actors import Actor
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError, DomainValidationError
from service_activation.models import Resource, ResourceKind, ResourcePool
from service_activation.services import (
    number_category,
    resource_allocate,
    resource_confirm,
    resource_load_ipv4,
    resource_load_number_range,
    resource_load_ports,
    resource_load_sim_file,
    resource_load_vlans,
    resource_pool_create,
    resource_pool_update,
    resource_release,
    resource_reserve,
    resource_search_free,
    resources_demo_seed,
    resources_expire_reservations,
    resources_release_held_by,
    resources_release_quarantine,
)
from service_activation.services.resources import demo_sim_file, luhn_complete
from tests.factories import ResourceFactory, ResourcePoolFactory, number_pool

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")
State = Resource.State


def _state(resource):
    return Resource.objects.get(pk=resource.pk)


# --- pools -------------------------------------------------------------------------------------------

def test_pool_create_checks_its_input_and_records_history():
    pool = resource_pool_create(kind="msisdn", code="mob-1", name="Mobile", quarantine_days=30, actor=SYSTEM)
    assert (pool.reservation_minutes, pool.quarantine_days) == (30, 30)
    assert HistoryEntry.objects.for_object(pool).get().action == "service_activation.resource_pool.created"
    with pytest.raises(DomainValidationError) as e:
        resource_pool_create(kind="fax", code="mob-1", name="", golden_pattern="(", reservation_minutes=0,
                             actor=SYSTEM)
    assert set(e.value.field_errors) == {"kind", "code", "name", "golden_pattern", "reservation_minutes"}
    with pytest.raises(DomainValidationError) as e:
        resource_pool_create(kind="port", code="p", name="Ports", actor=SYSTEM)
    assert "access_node" in e.value.field_errors


def test_pool_update_changes_only_what_is_given_in_one_history_row():
    pool = ResourcePoolFactory(name="Old", quarantine_days=90)
    resource_pool_update(pool=pool, quarantine_days=14, actor=SYSTEM, reason="regulator")
    pool.refresh_from_db()
    assert (pool.name, pool.quarantine_days) == ("Old", 14)
    [row] = HistoryEntry.objects.for_object(pool)
    assert (row.action, row.changes, row.reason) == ("service_activation.resource_pool.updated",
                                                     {"quarantine_days": [90, 14]}, "regulator")
    with pytest.raises(DomainValidationError):
        resource_pool_update(pool=pool, golden_pattern="[", actor=SYSTEM)


# --- loading -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("number, category", [
    ("0871007777", "golden"), ("0871001234", "golden"), ("0871009876", "golden"), ("0871001212", "golden"),
    ("0871003344", "golden"), ("0871005000", "golden"), ("0871001357", "regular"), ("0871001990", "regular"),
])
def test_the_default_golden_rule_reads_the_last_four_digits(number, category):
    assert number_category(number) == category


def test_a_pool_pattern_replaces_the_default_rule():
    assert number_category("0871001357", pattern=r"13") == "golden"
    assert number_category("0871007777", pattern=r"^0899") == "regular"


def test_a_number_range_is_loaded_set_based_with_leading_zeros_and_golden_numbers():
    pool = ResourcePoolFactory(kind="msisdn")
    with CaptureQueriesContext(connection) as ctx:
        result = resource_load_number_range(pool=pool, start="087 100 0000", end="087-100-1999",
                                            golden=["0871001888"], actor=SYSTEM)
    assert (result.added, result.already_loaded) == (2000, 0)
    inserts = [q for q in ctx.captured_queries
               if q["sql"].startswith("INSERT") and 'INTO "service_activation_resource"' in q["sql"]]
    # 2,000 rows in one multi-row INSERT (batches of 5,000); SQLite caps the variables of a statement (never per row)
    assert len(inserts) == 1 if connection.vendor == "postgresql" else 1 <= len(inserts) < 100
    assert len(ctx.captured_queries) < 10 + len(inserts)
    values = set(pool.resources.values_list("value", flat=True))
    assert "0871000000" in values and "0871001999" in values and len(values) == 2000
    golden = set(pool.resources.filter(category="golden").values_list("value", flat=True))
    assert {"0871001888", "0871001234", "0871001111", "0871000000"} <= golden and "0871001357" not in golden
    assert result.golden == len(golden) and 10 < len(golden) < 100
    [row] = HistoryEntry.objects.filter(action="service_activation.resource_pool.numbers_loaded")
    assert row.changes["added"] == [None, 2000]


def test_replaying_a_range_adds_nothing_and_an_overlap_adds_only_the_new_numbers():
    pool = ResourcePoolFactory(kind="msisdn")
    resource_load_number_range(pool=pool, start="0871000000", end="0871000099", actor=SYSTEM)
    again = resource_load_number_range(pool=pool, start="0871000000", end="0871000099", actor=SYSTEM)
    assert (again.added, again.already_loaded) == (0, 100)
    overlap = resource_load_number_range(pool=pool, start="0871000050", end="0871000149", actor=SYSTEM)
    assert (overlap.added, overlap.already_loaded) == (50, 50)
    assert pool.resources.count() == 150
    other = ResourcePoolFactory(kind="msisdn")  # a value is unique per kind, whatever the pool
    assert resource_load_number_range(pool=other, start="0871000000", end="0871000009", actor=SYSTEM).added == 0


@pytest.mark.parametrize("start, end, field", [
    ("0871000100", "0871000000", "end"), ("087100", "08710000", "end"), ("08x1000000", "0871000001", "start"),
    ("0800000000", "0899999999", "end"),
])
def test_a_bad_range_is_refused_whole(start, end, field):
    pool = ResourcePoolFactory(kind="msisdn")
    with pytest.raises(DomainValidationError) as e:
        resource_load_number_range(pool=pool, start=start, end=end, actor=SYSTEM)
    assert field in e.value.field_errors and not pool.resources.exists()


def test_a_load_into_a_pool_of_another_kind_is_refused():
    with pytest.raises(DomainValidationError) as e:
        resource_load_number_range(pool=ResourcePoolFactory(kind="sim"), start="0871000000", end="0871000001",
                                   actor=SYSTEM)
    assert "pool" in e.value.field_errors


def _iccid(i):
    return luhn_complete(f"893530100{i:010d}")


def test_a_sim_file_keeps_good_lines_and_reports_each_bad_one():
    pool = ResourcePoolFactory(kind="sim", code="sims")
    bad_check = _iccid(3)[:-1] + str((int(_iccid(3)[-1]) + 1) % 10)
    content = "\n".join([
        "ICCID,IMSI,PIN1,PUK1",
        f"{_iccid(1)},272010000000001,1234,11111111",
        f"{_iccid(2)},272010000000002",
        "",
        "# a comment",
        f"{bad_check},272010000000003,1234,1",
        f"{_iccid(4)},27201ABC",
        f"{_iccid(5)}",
        f"{_iccid(1)},272010000000009",
        f"{_iccid(6)},272010000000002",
        "1234,272010000000007",
    ])
    result = resource_load_sim_file(pool=pool, content=content.encode(), filename="batch7.csv", actor=SYSTEM)
    assert (result.added, result.already_loaded) == (2, 0)
    assert [(r["line"], r["reason"]) for r in result.rejects] == [
        (6, "ICCID check digit is wrong."),
        (7, "IMSI must be 14 or 15 digits."),
        (8, "Expected ICCID,IMSI[,PIN,PUK]."),
        (9, "ICCID repeated (first on line 2)."),
        (10, "IMSI repeated (first on line 3)."),
        (11, "ICCID must be 19 or 20 digits starting 89."),
    ]
    sim = Resource.objects.get(value=_iccid(1))
    assert (sim.kind, sim.iccid, sim.imsi, sim.state) == ("sim", _iccid(1), "272010000000001", "free")
    assert "1234" not in str(sim.attributes) and "11111111" not in str(sim.attributes)  # PIN/PUK never kept
    [row] = HistoryEntry.objects.filter(action="service_activation.resource_pool.sims_loaded")
    assert row.changes["file"] == [None, "batch7.csv"] and row.changes["rejected"] == [None, 6]


def test_a_replayed_sim_file_adds_nothing_and_a_conflicting_pair_is_rejected():
    pool = ResourcePoolFactory(kind="sim")
    content = demo_sim_file(20)
    assert resource_load_sim_file(pool=pool, content=content, actor=SYSTEM).added == 20
    again = resource_load_sim_file(pool=pool, content=content, actor=SYSTEM)
    assert (again.added, again.already_loaded, again.rejects) == (0, 20, [])
    clash = f"{_iccid(0)},272019999999999\n{_iccid(999)},272010000000001\n"
    result = resource_load_sim_file(pool=pool, content=clash, actor=SYSTEM)
    assert result.added == 0 and [r["reason"] for r in result.rejects] == [
        "ICCID already loaded with IMSI 272010000000000.", f"IMSI already loaded with ICCID {_iccid(1)}."]
    assert pool.resources.count() == 20


def test_an_ipv4_block_loads_its_host_addresses():
    pool = ResourcePoolFactory(kind="ipv4")
    result = resource_load_ipv4(pool=pool, cidr="198.51.100.0/24", exclude=["198.51.100.1"], actor=SYSTEM)
    values = set(pool.resources.values_list("value", flat=True))
    assert result.added == 253 and "198.51.100.0" not in values and "198.51.100.255" not in values
    assert "198.51.100.1" not in values and "198.51.100.254" in values
    assert resource_load_ipv4(pool=pool, cidr="198.51.100.0/24", actor=SYSTEM).added == 1  # the gateway now
    for cidr in ("198.51.100.7/24", "10.0.0.0/8", "nope"):
        with pytest.raises(DomainValidationError):
            resource_load_ipv4(pool=pool, cidr=cidr, actor=SYSTEM)


def test_ports_and_vlans_of_an_access_node():
    ports = ResourcePoolFactory(kind="port", access_node="OLT-DUB-01")
    assert resource_load_ports(pool=ports, slots=2, ports_per_slot=16, actor=SYSTEM).added == 32
    port = ports.resources.get(value="OLT-DUB-01/2/16")
    assert port.attributes == {"access_node": "OLT-DUB-01", "slot": 2, "port": 16}
    vlans = ResourcePoolFactory(kind="vlan", access_node="OLT-DUB-01")
    assert resource_load_vlans(pool=vlans, start=100, end=109, actor=SYSTEM).added == 10
    assert vlans.resources.filter(value="OLT-DUB-01:105").exists()
    with pytest.raises(DomainValidationError):
        resource_load_vlans(pool=vlans, start=4000, end=4095, actor=SYSTEM)


# --- search ------------------------------------------------------------------------------------------

def test_search_shows_available_numbers_by_category_and_pattern():
    pool = ResourcePoolFactory(kind="msisdn")
    resource_load_number_range(pool=pool, start="0871000000", end="0871001999", actor=SYSTEM)
    golden = resource_search_free(pool=pool, category="golden", limit=100)
    assert golden and {r.category for r in golden} == {"golden"}
    hits = resource_search_free(pool=pool, contains="1 77", limit=50)
    assert hits and all("177" in r.value for r in hits)
    assert [r.value for r in resource_search_free(pool=pool, pattern="087100199?")] == [
        f"087100199{d}" for d in range(10)]
    taken = resource_reserve(pool=pool, value="0871001995", holder="order:CO1", actor=SYSTEM)
    assert taken.value not in {r.value for r in resource_search_free(pool=pool, pattern="087100199*")}
    assert len(resource_search_free(kind="msisdn", limit=7)) == 7
    with pytest.raises(DomainValidationError):
        resource_search_free(pool=pool, limit=1000)


# --- reserve / confirm / release ---------------------------------------------------------------------

def test_next_free_is_the_lowest_regular_number_held_for_the_pools_period():
    pool = number_pool(3, reservation_minutes=45)
    ResourceFactory(pool=pool, value="0879997777", category="golden")
    before = timezone.now()
    first = resource_reserve(pool=pool, holder="serviceOrderItem:1", actor=SYSTEM)
    second = resource_reserve(kind="msisdn", holder="serviceOrderItem:2", actor=SYSTEM)
    assert (first.value, second.value) == ("0872000000", "0872000001")
    first = _state(first)
    assert (first.state, first.holder) == ("reserved", "serviceOrderItem:1")
    assert before + timedelta(minutes=45) <= first.reserved_until <= timezone.now() + timedelta(minutes=45)
    [row] = HistoryEntry.objects.for_object(first)
    assert (row.action, row.from_state, row.to_state) == ("service_activation.resource.reserved", "free", "reserved")
    assert row.changes["holder"] == ["", "serviceOrderItem:1"]
    golden = resource_reserve(pool=pool, category="golden", holder="order:CO9", minutes=5, actor=SYSTEM)
    assert golden.value == "0879997777"


def test_a_replayed_next_free_returns_what_the_holder_already_has():
    pool = number_pool(3)
    a = resource_reserve(pool=pool, holder="serviceOrderItem:7", actor=SYSTEM)
    assert resource_reserve(pool=pool, holder="serviceOrderItem:7", actor=SYSTEM).pk == a.pk
    assert pool.resources.filter(state="reserved").count() == 1


def test_no_free_resource_is_409_with_a_plain_message():
    pool = number_pool(1, name="Tiny pool")
    resource_reserve(pool=pool, holder="order:CO1", actor=SYSTEM)
    with pytest.raises(ApplicationError) as e:
        resource_reserve(pool=pool, holder="order:CO2", actor=SYSTEM)
    assert e.value.status_code == 409 and e.value.code == "no_free_resource"
    assert e.value.message == "No free number is left in Tiny pool."


def test_a_chosen_number_is_reserved_or_refused_when_not_free():
    pool = number_pool(5)
    chosen = resource_reserve(pool=pool, value="087 200 0003", holder="order:CO1", actor=SYSTEM)
    assert (chosen.value, chosen.state) == ("0872000003", "reserved")
    assert resource_reserve(pool=pool, value="0872000003", holder="order:CO1", actor=SYSTEM).pk == chosen.pk
    with pytest.raises(ApplicationError) as e:
        resource_reserve(pool=pool, value="0872000003", holder="order:CO2", actor=SYSTEM)
    assert e.value.status_code == 409 and "0872000003 is not available (it is reserved)" in e.value.message
    with pytest.raises(DomainValidationError) as e:
        resource_reserve(pool=pool, value="0879999999", holder="order:CO2", actor=SYSTEM)
    assert "value" in e.value.field_errors
    with pytest.raises(DomainValidationError) as e:
        resource_reserve(pool=pool, holder="just words", actor=SYSTEM)
    assert "holder" in e.value.field_errors


def test_a_lapsed_reservation_is_available_before_the_sweep_runs():
    pool = number_pool(1)
    old = resource_reserve(pool=pool, holder="order:CO1", actor=SYSTEM)
    Resource.objects.filter(pk=old.pk).update(reserved_until=timezone.now() - timedelta(seconds=1))
    assert [r.pk for r in resource_search_free(pool=pool)] == [old.pk]
    new = resource_reserve(pool=pool, value=old.value, holder="order:CO2", actor=SYSTEM)
    assert (new.pk, _state(new).holder) == (old.pk, "order:CO2")
    assert list(HistoryEntry.objects.for_object(old).order_by("id").values_list("action", flat=True)) == [
        "service_activation.resource.reserved", "service_activation.resource.expired",
        "service_activation.resource.reserved"]
    with pytest.raises(ApplicationError):
        resource_confirm(resource_id=old.pk, holder="order:CO1", actor=SYSTEM)


def test_confirm_allocates_the_holders_reservation_only():
    pool = number_pool(2)
    r = resource_reserve(pool=pool, holder="order:CO1", actor=SYSTEM)
    with pytest.raises(ApplicationError) as e:
        resource_confirm(resource_id=r.pk, holder="order:CO2", actor=SYSTEM)
    assert e.value.message == f"{r.value} is not reserved for order:CO2."
    r = resource_confirm(resource_id=r.pk, holder="order:CO1", actor=SYSTEM)
    r = _state(r)
    assert (r.state, r.holder, r.reserved_until) == ("allocated", "order:CO1", None) and r.allocated_at
    assert resource_confirm(resource_id=r.pk, holder="order:CO1", actor=SYSTEM).state == "allocated"  # a replay
    assert HistoryEntry.objects.filter(object_id=str(r.pk), action="service_activation.resource.allocated").count() == 1


def test_confirming_a_lapsed_reservation_is_refused():
    r = resource_reserve(pool=number_pool(1), holder="order:CO1", actor=SYSTEM)
    Resource.objects.filter(pk=r.pk).update(reserved_until=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ApplicationError) as e:
        resource_confirm(resource_id=r.pk, holder="order:CO1", actor=SYSTEM)
    assert e.value.code == "reservation_expired" and "reserve it again" in e.value.message


def test_allocate_reserves_and_confirms_in_one_call_and_a_replay_changes_nothing():
    pool = number_pool(2)
    r = resource_allocate(pool=pool, holder="serviceOrderItem:5", actor=SYSTEM)
    assert (_state(r).state, _state(r).holder) == ("allocated", "serviceOrderItem:5")
    assert resource_allocate(pool=pool, holder="serviceOrderItem:5", actor=SYSTEM).pk == r.pk
    assert list(HistoryEntry.objects.for_object(r).order_by("id").values_list("action", flat=True)) == [
        "service_activation.resource.reserved", "service_activation.resource.allocated"]
    assert pool.resources.filter(state="free").count() == 1


def test_release_frees_a_reservation_and_quarantines_an_allocation():
    pool = number_pool(2, quarantine_days=30)
    reserved = resource_reserve(pool=pool, holder="order:CO1", actor=SYSTEM)
    with pytest.raises(ApplicationError):
        resource_release(resource_id=reserved.pk, holder="order:CO2", actor=SYSTEM)
    freed = _state(resource_release(resource_id=reserved.pk, holder="order:CO1", actor=SYSTEM))
    assert (freed.state, freed.holder, freed.reserved_until) == ("free", "", None)
    with pytest.raises(ApplicationError):
        resource_release(resource_id=freed.pk, holder="order:CO1", actor=SYSTEM)

    taken = resource_reserve(pool=pool, holder="order:CO3", actor=SYSTEM)
    resource_confirm(resource_id=taken.pk, holder="order:CO3", actor=SYSTEM)
    before = timezone.now()
    q = _state(resource_release(resource_id=taken.pk, holder="order:CO3", actor=SYSTEM, reason="ceased"))
    assert (q.state, q.holder) == ("quarantined", "")
    assert before + timedelta(days=30) <= q.quarantined_until <= timezone.now() + timedelta(days=30)
    row = HistoryEntry.objects.for_object(q).first()
    assert (row.action, row.reason, row.changes["holder"]) == (
        "service_activation.resource.quarantined", "ceased", ["order:CO3", ""])
    assert q.pk not in {r.pk for r in resource_search_free(pool=pool)}


def test_release_held_by_gives_back_everything_a_holder_has():
    pool = number_pool(3)
    a = resource_reserve(pool=pool, value="0872000000", holder="order:CO1", actor=SYSTEM)
    b = resource_reserve(pool=pool, value="0872000001", holder="order:CO1", actor=SYSTEM)
    resource_confirm(resource_id=b.pk, holder="order:CO1", actor=SYSTEM)
    released = resources_release_held_by(holder="order:CO1", actor=SYSTEM)
    assert sorted(r.pk for r in released) == [a.pk, b.pk]
    assert (_state(a).state, _state(b).state) == ("free", "quarantined")


def test_the_state_is_protected_and_the_database_guards_the_rules():
    r = ResourceFactory()
    with pytest.raises(AttributeError):
        r.state = State.RESERVED
    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.filter(pk=r.pk).update(state="reserved", holder="order:CO1")  # no reserved_until
    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.filter(pk=r.pk).update(state="reserved", reserved_until=timezone.now())  # no holder
    with pytest.raises(IntegrityError), transaction.atomic():
        ResourceFactory(pool=r.pool, value=r.value)  # unique per kind


# --- the sweeps --------------------------------------------------------------------------------------

def _updates(ctx):
    return [q["sql"] for q in ctx.captured_queries if "UPDATE" in q["sql"] and "service_activation_resource" in q["sql"]]


def test_expiry_is_one_update_with_one_summary_row_per_pool():
    p1, p2 = number_pool(5), number_pool(3, start=873_000_000)
    held = [resource_reserve(pool=p, holder=f"order:CO{p.pk}-{i}", minutes=10, actor=SYSTEM)
            for p in (p1, p2) for i in range(3)]
    keep = resource_reserve(pool=p1, holder="order:KEEP", minutes=60, actor=SYSTEM)
    allocated = resource_reserve(pool=p1, holder="order:ALLOC", minutes=5, actor=SYSTEM)
    resource_confirm(resource_id=allocated.pk, holder="order:ALLOC", actor=SYSTEM)
    later = timezone.now() + timedelta(minutes=30)
    with CaptureQueriesContext(connection) as ctx:
        assert resources_expire_reservations(now=later, actor=SYSTEM) == 6
    assert len(_updates(ctx)) == 1
    assert {_state(r).state for r in held} == {"free"} and all(_state(r).holder == "" for r in held)
    assert (_state(keep).state, _state(allocated).state) == ("reserved", "allocated")
    rows = HistoryEntry.objects.filter(action="service_activation.resource_pool.reservations_expired")
    assert sorted((int(r.object_id), r.changes["expired"][1]) for r in rows) == [(p1.pk, 3), (p2.pk, 3)]
    assert resources_expire_reservations(now=later, actor=SYSTEM) == 0  # idempotent: nothing left, no rows
    assert rows.count() == 2


def test_quarantine_ends_set_based():
    pool = number_pool(2, quarantine_days=10)
    r = resource_reserve(pool=pool, holder="order:CO1", actor=SYSTEM)
    resource_confirm(resource_id=r.pk, holder="order:CO1", actor=SYSTEM)
    resource_release(resource_id=r.pk, holder="order:CO1", actor=SYSTEM)
    assert resources_release_quarantine(now=timezone.now() + timedelta(days=9), actor=SYSTEM) == 0
    with CaptureQueriesContext(connection) as ctx:
        assert resources_release_quarantine(now=timezone.now() + timedelta(days=11), actor=SYSTEM) == 1
    assert len(_updates(ctx)) == 1
    r = _state(r)
    assert (r.state, r.quarantined_until) == ("free", None)
    assert HistoryEntry.objects.filter(action="service_activation.resource_pool.quarantine_released",
                                       object_id=str(pool.pk)).get().changes == {"released": [None, 1]}


def test_a_quarantine_of_zero_days_frees_the_resource_for_the_next_caller():
    pool = number_pool(1, quarantine_days=0)
    r = resource_reserve(pool=pool, holder="order:CO1", actor=SYSTEM)
    resource_confirm(resource_id=r.pk, holder="order:CO1", actor=SYSTEM)
    resource_release(resource_id=r.pk, holder="order:CO1", actor=SYSTEM)
    assert resource_reserve(pool=pool, holder="order:CO2", actor=SYSTEM).pk == r.pk


# --- demo data ---------------------------------------------------------------------------------------

def test_demo_seed_loads_every_kind_once():
    pools = resources_demo_seed(SYSTEM)
    counts = {code: ResourcePool.objects.get(code=code).resources.count() for code in pools}
    assert counts == {"msisdn-087-100": 2000, "sim-demo": 200, "ipv4-198-51-100": 253, "ports-olt-dub-01": 32,
                      "vlans-olt-dub-01": 100}
    numbers = pools["msisdn-087-100"].resources
    assert numbers.filter(value="0871001888", category="golden").exists()
    assert 10 < numbers.filter(category="golden").count() < 100
    assert {p.kind for p in pools.values()} == set(ResourceKind.values)
    resources_demo_seed(SYSTEM)
    assert Resource.objects.count() == sum(counts.values())
