"""The concurrency guarantee of resource_reserve on PostgreSQL (docs/resources.md): 50 parallel connections make
1,000 "next free" reservations over 1,200 numbers; every one gets a different number (SELECT ... FOR UPDATE SKIP
LOCKED), none fails, none waits on another's row. And 50 callers choosing the same number: exactly one gets it."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from bss.actors import Actor
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError
from service_activation.models import Resource
from service_activation.services import resource_reserve
from tests.factories import number_pool

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only (SQLite serializes)"),
]
THREADS, PER_THREAD, POOL_SIZE = 50, 20, 1_200
SYSTEM = Actor.system("concurrency-test")


def _in_parallel(work, n=THREADS):
    """Run work(i) in n threads, each with its own database connection, all released at the same moment."""
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as e:  # collected: the test shows every failure
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a reservation thread hung"
    return results, errors


def test_1000_parallel_next_free_reservations_never_share_a_number():
    pool = number_pool(POOL_SIZE)

    def reserve_many(t):
        return [resource_reserve(pool=pool, holder=f"conc{t}:{i}", actor=SYSTEM).pk for i in range(PER_THREAD)]

    results, errors = _in_parallel(reserve_many)
    assert errors == []
    taken = [pk for per_thread in results for pk in per_thread]
    assert len(taken) == THREADS * PER_THREAD == 1_000
    assert len(set(taken)) == 1_000, "a number was handed out twice"
    reserved = Resource.objects.filter(pool=pool, state="reserved")
    assert reserved.count() == 1_000 and Resource.objects.filter(pool=pool, state="free").count() == 200
    holders = Counter(reserved.values_list("holder", flat=True))
    assert len(holders) == 1_000 and set(holders.values()) == {1}  # one holder per number, one number per holder
    assert set(reserved.values_list("pk", flat=True)) == set(taken)
    assert HistoryEntry.objects.filter(action="service_activation.resource.reserved").count() == 1_000


def test_50_callers_choosing_the_same_number_one_gets_it():
    pool = number_pool(5)
    wanted = "0872000003"

    def choose(t):
        try:
            return resource_reserve(pool=pool, value=wanted, holder=f"order:C{t}", actor=SYSTEM).holder
        except ApplicationError as e:
            assert e.status_code == 409 and e.code == "resource_not_free"
            return None

    results, errors = _in_parallel(choose)
    assert errors == []
    winners = [h for h in results if h]
    assert len(winners) == 1
    assert Resource.objects.get(value=wanted).holder == winners[0]
    assert Resource.objects.filter(pool=pool, state="reserved").count() == 1
