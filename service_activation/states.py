"""How an internal service order state shows in TMF641 v4 and v3 (docs/service_activation.md#states).

v4 has every internal state but ``closed`` (1.1.2.2.9), which shows the terminal state it was closed from. v3
has neither the cancellation states nor closed: assessing a cancellation and rolling back show as
``inProgress`` (work is still being done on the order), and cancelled shows as cancelled."""

from __future__ import annotations

V4_STATES = ("acknowledged", "rejected", "pending", "held", "inProgress", "cancelled", "completed", "failed",
             "partial", "assessingCancellation", "pendingCancellation")
V3_STATES = ("acknowledged", "rejected", "pending", "held", "inProgress", "cancelled", "completed", "failed",
             "partial")

_V3_ONLY = {"assessingCancellation": "inProgress", "pendingCancellation": "inProgress"}


def tmf641_state(state: str, *, closed_from: str = "", version: int = 4) -> str:
    if state == "closed":
        state = closed_from or "completed"
    if version == 3:
        return _V3_ONLY.get(state, state)
    return state


def internal_states(tmf_state: str, *, version: int = 4) -> tuple[str, ...]:
    internal = ("acknowledged", "inProgress", "held", "pending", "completed", "failed", "partial",
                "assessingCancellation", "pendingCancellation", "cancelled", "rejected")
    return tuple(s for s in internal if tmf641_state(s, version=version) == tmf_state)
