"""A test approval type whose decision handler records what it saw, and helpers."""

from decimal import Decimal

import pytest
from django.db import connection

from bss.actors import Actor, Channel
from bss.approvals.registry import register_approval_type, unregister_approval_type
from bss.approvals.services import approval_request_create
from bss.models import NumberSequence
from bss.roles import Role

TYPE, PAID = "test.thing", "test.payment"


class Recorder:
    def __init__(self):
        self.calls, self.fail, self.sleep = [], None, 0

    def __call__(self, request, *, actor):
        import time

        self.calls.append((request.pk, request.state, actor.user, connection.in_atomic_block))
        if self.sleep:
            time.sleep(self.sleep)
        if self.fail:
            raise self.fail


@pytest.fixture
def recorder():
    rec = Recorder()
    register_approval_type(TYPE, label="Test thing", approver_roles=[Role.SUPERVISOR], on_decision=rec)
    register_approval_type(PAID, label="Test payment", approver_roles=[Role.SUPERVISOR], amount_applies=True,
                           escalation_role=Role.ADMIN, on_decision=rec)
    yield rec
    unregister_approval_type(TYPE)
    unregister_approval_type(PAID)


def as_actor(user, channel=Channel.PORTAL) -> Actor:
    return Actor(user=user, channel=channel, label=user.username)


_n = iter(range(1, 10**6))


def subject() -> NumberSequence:
    return NumberSequence.objects.create(series=f"T{next(_n)}", prefix="T")


@pytest.fixture
def ask(recorder, csr):
    """ask(amount=None, type=TYPE, by=csr) -> a new pending request about a new subject."""

    def make(amount=None, approval_type=None, by=None, currency="EUR"):
        approval_type = approval_type or (PAID if amount is not None else TYPE)
        return approval_request_create(
            approval_type=approval_type, subject=subject(), reason="please", actor=as_actor(by or csr),
            amount=None if amount is None else Decimal(amount), currency=currency if amount is not None else None)

    return make
