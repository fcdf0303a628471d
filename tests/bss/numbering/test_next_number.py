"""bss.numbering.next_number: one statement per number, gapless, undone on rollback, safe under concurrency."""

import threading

import pytest
from django.db import connection, connections, transaction

from bss.models import NumberSequence
from bss.numbering import next_number


@pytest.mark.django_db
def test_first_number_creates_the_series_then_counts_on():
    assert next_number("t-new", prefix="TN", width=4) == "TN0001"
    assert next_number("t-new", prefix="ignored once the series exists") == "TN0002"
    assert NumberSequence.objects.get(series="t-new").last_value == 2


@pytest.mark.django_db
def test_prefix_defaults_to_the_series_name():
    assert next_number("inv", width=3) == "inv001"


@pytest.mark.django_db
def test_an_existing_series_costs_one_statement(django_assert_num_queries):
    next_number("t-one", prefix="T")
    with django_assert_num_queries(1):
        assert next_number("t-one", prefix="T") == "T00000002"


@pytest.mark.django_db
def test_a_rolled_back_caller_gives_its_number_back():
    next_number("t-rb", prefix="R")
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_number("t-rb", prefix="R") == "R00000002"
        raise RuntimeError
    assert next_number("t-rb", prefix="R") == "R00000002"


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_get_distinct_consecutive_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency: PostgreSQL")
    next_number("t-conc", prefix="C", width=3)
    got, errors = [], []
    barrier = threading.Barrier(6)

    def take():
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    got.append(next_number("t-conc", prefix="C", width=3))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(got) == [f"C{i:03d}" for i in range(2, 32)]


# --- gapless=False: a database sequence (PostgreSQL) that never makes concurrent callers wait -------------------

def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("sequences: PostgreSQL (elsewhere the gapless counter serves)")


@pytest.mark.django_db
def test_an_ungapless_series_continues_after_the_counter_and_costs_one_statement(django_assert_num_queries):
    _postgresql_only()
    NumberSequence.objects.create(series="t-seq", prefix="Q", width=5, last_value=41)
    assert next_number("t-seq", gapless=False) == "Q00042"  # after what the counter already handed out
    with django_assert_num_queries(1):
        assert next_number("t-seq", gapless=False) == "Q00043"


def _second_caller_while_first_is_open(series: str, *, gapless: bool) -> tuple[list, list]:
    """A first caller takes a number and keeps its transaction open; a second caller, with a 500 ms lock
    timeout, takes one meanwhile."""
    next_number(series, prefix="W", gapless=gapless)
    got, errors = [], []
    first_holds, second_done = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                got.append(next_number(series, prefix="W", gapless=gapless))
                first_holds.set()
                second_done.wait(10)
        finally:
            connections.close_all()

    def second():
        try:
            first_holds.wait(10)
            with transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL lock_timeout = '500ms'")
                got.append(next_number(series, prefix="W", gapless=gapless))
        except Exception as e:
            errors.append(e)
        finally:
            second_done.set()
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    return got, errors


@pytest.mark.django_db(transaction=True)
def test_an_ungapless_series_does_not_wait_for_an_open_transaction():
    _postgresql_only()
    got, errors = _second_caller_while_first_is_open("t-nowait", gapless=False)
    assert not errors
    assert sorted(got) == ["W00000002", "W00000003"]


@pytest.mark.django_db(transaction=True)
def test_the_gapless_counter_makes_the_second_caller_wait():
    """The contrast that makes the test above meaningful: the gapless counter row stays locked."""
    _postgresql_only()
    got, errors = _second_caller_while_first_is_open("t-wait", gapless=True)
    assert got == ["W00000002"]
    assert len(errors) == 1 and "lock timeout" in str(errors[0])
