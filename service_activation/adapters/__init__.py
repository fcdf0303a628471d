"""Network adapters (eTOM 1.1.2.2.4): one interface per network element type. A work order's automatic step
names an adapter; the activation task calls ``get_adapter(name).apply(...)`` outside any database transaction,
with the work order's idempotency key, so a step retried after a worker died is configured once."""

from __future__ import annotations

from .base import Adapter, AdapterError, AdapterResult, StepRequest  # noqa: F401
from .http import HttpAdapter
from .simulated import SimulatedAdapter

_ADAPTERS: dict[str, Adapter] = {"simulated": SimulatedAdapter(), "http": HttpAdapter()}


def get_adapter(name: str) -> Adapter:
    try:
        return _ADAPTERS[name or "simulated"]
    except KeyError:
        raise AdapterError(f"No adapter '{name}'", retryable=False) from None


def known_adapters() -> list[str]:
    return sorted(_ADAPTERS)


def register_adapter(name: str, adapter: Adapter) -> None:
    _ADAPTERS[name] = adapter
