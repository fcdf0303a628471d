"""Idempotency under real concurrency on PostgreSQL: separate threads, separate connections, committed rows."""

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from bss.idempotency.models import IdempotencyKey
from bss.roles import Role
from customers.models import Customer
from tests.bss.idempotency import middlewares
from tests.bss.idempotency.test_replay import TMF_CUSTOMER, tmf_body, with_inner
from tests.factories import TokenFactory, staff_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (row locks, real concurrency)"),
]


@pytest.fixture
def token():
    return TokenFactory(user=staff_user(Role.INTEGRATOR)).key


def send(token_key: str, key: str, results: list, barrier: threading.Barrier | None = None):
    try:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_key}")
        if barrier is not None:
            barrier.wait(timeout=10)
        resp = client.post(TMF_CUSTOMER, tmf_body("Race Ltd"), format="json", headers={"Idempotency-Key": key})
        results.append((resp.status_code, resp.has_header("Idempotent-Replayed"), resp.content))
    finally:
        connections.close_all()


def test_a_duplicate_while_the_first_is_running_gets_409_then_the_replay(settings, token):
    with_inner(settings, "tests.bss.idempotency.middlewares.Hold")
    middlewares.Hold.entered.clear()
    middlewares.Hold.release.clear()
    first: list = []
    runner = threading.Thread(target=send, args=(token, "held", first))
    runner.start()
    try:
        assert middlewares.Hold.entered.wait(timeout=10), "the first request never reached the view"
        assert Customer.objects.count() == 1  # committed by the first request, which has not answered yet
        second: list = []
        send(token, "held", second)
        assert second[0][0] == 409
    finally:
        middlewares.Hold.release.set()
        runner.join(timeout=30)
    assert first[0][:2] == (201, False)
    third: list = []
    send(token, "held", third)
    assert third[0] == (201, True, first[0][2])
    assert Customer.objects.count() == 1


@pytest.mark.parametrize("n", [8])
def test_many_at_once_exactly_one_runs(token, n):
    barrier = threading.Barrier(n)
    results: list = []
    threads = [threading.Thread(target=send, args=(token, "race", results, barrier)) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == n
    ran = [r for r in results if r[0] == 201 and not r[1]]
    assert len(ran) == 1, results
    for status, replayed, content in results:
        assert (status == 409) or (status == 201 and (not replayed or content == ran[0][2])), results
    assert Customer.objects.count() == 1
    assert IdempotencyKey.objects.get().state == IdempotencyKey.State.COMPLETED


def test_distinct_keys_at_once_all_run(token):
    n = 6
    barrier = threading.Barrier(n)
    results: list = []
    threads = [threading.Thread(target=send, args=(token, f"k{i}", results, barrier)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(r[0] for r in results) == [201] * n
    assert Customer.objects.count() == n
