from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StepRequest:
    idempotency_key: str
    operation: str            # activate / rollback / test / recover
    element: str              # the network element type (the step's specialty)
    step_code: str
    service_ref: str
    characteristics: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)


@dataclass(frozen=True)
class AdapterResult:
    """``pending``: the element accepted the request and reports the outcome later by callback (the step
    waits in progress for it; http.HttpAdapter with ``async``)."""

    ok: bool
    detail: str = ""
    data: dict = field(default_factory=dict)
    pending: bool = False


class AdapterError(Exception):
    """The element could not be reached or answered badly. ``retryable``: worth another attempt."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


class Adapter(ABC):
    """One network element type: apply one step (activate, roll back, test, recover) for a service, idempotently
    for the request's idempotency key. Implementations: simulated.SimulatedAdapter, http.HttpAdapter."""

    @abstractmethod
    def apply(self, request: StepRequest) -> AdapterResult:
        """Configure (or check) the element; AdapterError when it cannot be reached or refuses."""
