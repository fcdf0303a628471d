"""Registries filled by apps in AppConfig.ready(): how to render a model as an event, and who listens."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ResourceInfo:
    api: str  # TMF API name used for /hub subscriptions, e.g. "customerManagement"
    resource_type: str | Callable  # event body key, e.g. "customer", or a function of the object
    render: Callable  # render(obj) -> dict: the TMF representation (absolute hrefs)


_resources: dict[type, ResourceInfo] = {}
_subscribers: dict[str, list[Callable]] = defaultdict(list)


def register_resource(model, *, api: str, resource_type: str | Callable, render: Callable) -> None:
    _resources[model] = ResourceInfo(api=api, resource_type=resource_type, render=render)


def resource_info(obj) -> ResourceInfo:
    for cls in type(obj).__mro__:
        if cls in _resources:
            return _resources[cls]
    raise LookupError(f"{type(obj).__name__} is not registered with bss.events.register_resource")


def subscriber(*event_types: str):
    """Register an in-process handler; it receives the Event row and must be idempotent."""

    def deco(fn):
        for et in event_types:
            if fn not in _subscribers[et]:
                _subscribers[et].append(fn)
        return fn

    return deco


def subscribers_for(event_type: str) -> list[Callable]:
    return list(_subscribers.get(event_type, ()))


def handler_path(fn) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def handler_by_path(path: str) -> Callable | None:
    for handlers in _subscribers.values():
        for fn in handlers:
            if handler_path(fn) == path:
                return fn
    return None
