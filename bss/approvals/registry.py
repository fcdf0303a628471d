"""Approval types registered by the apps that own them, in their AppConfig.ready():

    from bss.approvals.registry import register_approval_type

    register_approval_type(
        "orders.credit_referral", label="Credit referral", approver_roles=[Role.SUPERVISOR],
        on_decision=credit_referral_decided,   # runs in the decision's transaction
    )

The registered values are the type's defaults; an ApprovalPolicy row with the same key overrides
them (configured data). ``on_decision(request, *, actor)`` is called after every state change
(escalated, approved, rejected, cancelled) with the locked, already transitioned request; an
exception it raises (e.g. ApplicationError) rolls the whole decision back. bss never imports the
app: the app hands its handler in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ApprovalType:
    key: str
    label: str
    approver_roles: tuple[str, ...]
    amount_applies: bool = False
    escalation_role: str = ""
    on_decision: Callable | None = field(default=None, compare=False)


_types: dict[str, ApprovalType] = {}


def register_approval_type(key: str, *, label: str, approver_roles: Sequence[str], amount_applies: bool = False,
                           escalation_role: str = "", on_decision: Callable | None = None) -> ApprovalType:
    if not approver_roles:
        raise ValueError(f"approval type {key} needs at least one approver role")
    _types[key] = ApprovalType(key=key, label=label, approver_roles=tuple(approver_roles),
                               amount_applies=amount_applies, escalation_role=escalation_role,
                               on_decision=on_decision)
    return _types[key]


def unregister_approval_type(key: str) -> None:
    """For tests."""
    _types.pop(key, None)


def registered_type(key: str) -> ApprovalType | None:
    return _types.get(key)


def registered_types() -> dict[str, ApprovalType]:
    return dict(_types)
