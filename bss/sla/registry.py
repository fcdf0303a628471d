"""Clock types, registered by the apps that own them in their AppConfig.ready():

    from bss.sla.registry import register_clock_type

    register_clock_type(
        "orders.customer_order", label="Customer order", referred_type="ProductOrder",
        projection=lambda order, clock: order.expected_completion_date,   # optional
        history_root=lambda order: order,                                   # optional
    )

``types()`` (optional) gives the codes the ``type`` qualifier takes (e.g. the order types' codes): a target
naming another type is refused.
``projection(obj, clock)`` returns the projected completion (aware datetime) or None when unknown;
the scan calls it for running clocks of the type (at most every ``recheck_minutes`` per clock).
An app without a provider passes projections in with ``sla_clock_update_projection``. bss never
imports the app: the app hands its callables in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bss.errors import DomainValidationError


@dataclass(frozen=True)
class ClockType:
    key: str
    label: str = ""
    referred_type: str = ""  # @referredType of the tracked object in events, e.g. ProductOrder
    steps: tuple[str, ...] = ()  # the steps targets may name (empty: any)
    # what a clock may be qualified by, and SlaTarget names: type (e.g. the order type's code), priority, segment
    qualifiers: tuple[str, ...] = ("type", "priority", "segment")
    projection: Callable | None = field(default=None, compare=False)
    history_root: Callable | None = field(default=None, compare=False)
    href: Callable | None = field(default=None, compare=False)
    recheck_minutes: int = 15
    types: Callable | None = field(default=None, compare=False)  # () -> the codes a target's type may name

    def known_types(self) -> set[str] | None:
        return {str(t) for t in self.types()} if self.types else None

    def root_of(self, obj):
        return self.history_root(obj) if self.history_root and obj is not None else obj


_types: dict[str, ClockType] = {}


def register_clock_type(key: str, *, label: str = "", referred_type: str = "", steps=(),
                        projection: Callable | None = None, history_root: Callable | None = None,
                        href: Callable | None = None, recheck_minutes: int = 15,
                        types: Callable | None = None) -> ClockType:
    if not key or "." not in key:
        raise ValueError("a clock type is named '<app>.<thing>', e.g. orders.customer_order")
    _types[key] = ClockType(key=key, label=label or key, referred_type=referred_type, steps=tuple(steps),
                            projection=projection, history_root=history_root, href=href,
                            recheck_minutes=recheck_minutes, types=types)
    return _types[key]


def unregister_clock_type(key: str) -> None:
    _types.pop(key, None)


def clock_types() -> dict[str, ClockType]:
    return dict(_types)


def clock_type(key: str) -> ClockType:
    try:
        return _types[key]
    except KeyError:
        known = ", ".join(sorted(_types)) or "none yet"
        raise DomainValidationError(
            {"clock_type": f"Unknown clock type '{key}' (registered: {known})."}) from None
