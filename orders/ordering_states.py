"""How an internal customer order state shows in TMF622 v4, and back (docs/orders.md#states).

Every internal state has one TMF622 state; every TMF622 state that can happen has internal ones. A closed
order (seed 000 1.1.1.5.8; TMF622 has no closed) shows the terminal state it was closed from."""

from __future__ import annotations

TMF622_STATES = ("acknowledged", "rejected", "pending", "held", "inProgress", "cancelled", "completed", "failed",
                 "partial", "assessingCancellation", "pendingCancellation")

TO_TMF622 = {
    "pending": "acknowledged",            # issued, not preauthorized: received, validation to come
    "acknowledged": "acknowledged",       # validated
    "awaitingPrerequisite": "pending",    # waits on a linked case or missing information
    "held": "held",                       # special handling, or a credit referral waiting for review
    "committed": "inProgress",            # feasible after impact analysis; being fulfilled
    "completed": "completed",
    "failed": "failed",                   # its service orders failed and nothing was delivered
    "partial": "partial",                 # some items delivered, others failed
    "assessingCancellation": "assessingCancellation",
    "pendingCancellation": "pendingCancellation",  # service orders rolling back
    "cancelled": "cancelled",
    "rejected": "rejected",
    "closed": None,                       # the state it was closed from
}

FROM_TMF622 = {tmf: tuple(s for s, t in TO_TMF622.items() if t == tmf) for tmf in TMF622_STATES}


def tmf622_state(state: str, *, closed_from: str = "") -> str:
    if state == "closed":
        return TO_TMF622.get(closed_from) or "completed"
    return TO_TMF622[state]


def internal_states(tmf_state: str) -> tuple[str, ...]:
    """The internal states a TMF622 ``state`` filter matches (closed orders match by the state they closed from,
    which the caller filters on ``closed_from``)."""
    return FROM_TMF622.get(tmf_state, ())
