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
