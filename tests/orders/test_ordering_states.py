"""The internal-to-TMF622 state mapping, both ways, and the FSM's transitions (docs/orders.md#states)."""

import json
from pathlib import Path

import pytest

from orders.models import CustomerOrder
from orders.ordering_states import FROM_TMF622, TMF622_STATES, internal_states, tmf622_state

SPEC = Path(__file__).resolve().parents[2] / "bss/tmf/specs/TMF622-ProductOrdering-v4.0.0.swagger.json"


def test_the_mapping_names_the_spec_states():
    spec_states = json.loads(SPEC.read_text())["definitions"]["ProductOrderStateType"]["enum"]
    assert sorted(TMF622_STATES) == sorted(spec_states)


@pytest.mark.parametrize("state", CustomerOrder.State.values)
def test_every_internal_state_has_a_tmf622_state(state):
    shown = tmf622_state(state, closed_from="cancelled")
    assert shown in TMF622_STATES
    if state != "closed":
        assert state in internal_states(shown)


@pytest.mark.parametrize("tmf_state", TMF622_STATES)
def test_every_tmf622_state_that_can_happen_has_an_internal_one(tmf_state):
    assert FROM_TMF622[tmf_state], f"no internal state shows as {tmf_state}"
    for internal in FROM_TMF622[tmf_state]:
        assert internal in CustomerOrder.State.values


@pytest.mark.parametrize("closed_from", CustomerOrder.TERMINAL)
def test_a_closed_order_shows_the_state_it_was_closed_from(closed_from):
    assert tmf622_state("closed", closed_from=closed_from) == tmf622_state(closed_from)


EXPECTED = {  # transition: (sources, target)
    "validate": ({"pending"}, "acknowledged"),
    "reject": ({"pending", "acknowledged", "held", "awaitingPrerequisite"}, "rejected"),
    "hold": ({"acknowledged", "committed"}, "held"),
    "await_prerequisite": ({"acknowledged"}, "awaitingPrerequisite"),
    "commit": ({"acknowledged", "held", "awaitingPrerequisite"}, "committed"),
    "complete": ({"committed"}, "completed"),
    "fail": ({"committed"}, "failed"),
    "complete_partially": ({"committed"}, "partial"),
    "assess_cancellation": (set(CustomerOrder.OPEN), "assessingCancellation"),
    "start_cancellation": ({"assessingCancellation"}, "pendingCancellation"),
    "cancel": ({"assessingCancellation", "pendingCancellation"}, "cancelled"),
    "refuse_cancellation": ({"assessingCancellation"}, "committed"),
    "close": (set(CustomerOrder.TERMINAL), "closed"),
}


def test_the_transitions_are_the_documented_ones():
    field = CustomerOrder._meta.get_field("state")
    found = {}
    for t in field.get_all_transitions(CustomerOrder):
        sources, target = found.setdefault(t.name, (set(), t.target))
        sources.add(t.source)
    assert {k: (v[0], v[1]) for k, v in found.items()} == EXPECTED


@pytest.mark.parametrize("transition", sorted(EXPECTED))
def test_every_forbidden_source_is_refused(transition):
    from django_fsm import can_proceed

    sources, _ = EXPECTED[transition]
    for state in CustomerOrder.State.values:
        order = CustomerOrder(state=state)
        assert can_proceed(getattr(order, transition)) == (state in sources), (transition, state)
