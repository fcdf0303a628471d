"""Registries filled by the apps: which event types exist (declared by the app that publishes them),
how to render a model in an event, and who listens."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ResourceInfo:
    api: str  # TMF API name used for /hub subscriptions, e.g. "customerManagement"
    resource_type: str | Callable  # event body key, e.g. "customer", or a function of the object
    render: Callable  # render(obj) -> dict: the TMF representation (absolute hrefs)


@dataclass(frozen=True)
class EventType:
    """One kind of event, declared once by the app that publishes it (``<app>/events.py``)::

        CUSTOMER_CREATE = declare_event("CustomerCreateEvent", api="customerManagement", resource="customer",
                                        spec="TMF629-Customer-v4.0.0.swagger.json")

    Publishers and subscribers import the constant, never the name as a string.

    - ``name``: the TMF event name, the body's ``eventType`` and what a hub's ``eventType=`` matches;
    - ``api``: the API whose ``/hub`` listeners receive it (the registered resource's api);
    - ``resource``: the key of the resource in the body's ``event`` object (``event.customer``);
    - ``spec``: the official spec file (bss/tmf/specs) that defines the resource, if any;
    - ``spec_event``: the spec also defines the event itself (``<name>``, ``<name>Payload``); False for
      an event we add on a spec resource (e.g. TMF620 defines no CategoryStateChangeEvent).
    """

    name: str
    api: str
    resource: str
    spec: str | None = None
    spec_event: bool = True

    def __str__(self) -> str:
        return self.name

    @property
    def definition(self) -> str | None:
        """The spec's definition of the event body, when the spec has one."""
        return self.name if self.spec and self.spec_event else None

    @property
    def resource_definition(self) -> str | None:
        """The spec's definition of the resource in the body (``customer`` -> ``Customer``)."""
        return self.resource[:1].upper() + self.resource[1:] if self.spec else None


_event_types: dict[str, EventType] = {}
_resources: dict[type, ResourceInfo] = {}
_subscribers: dict[str, list[Callable]] = defaultdict(list)


def declare_event(name: str, *, api: str, resource: str, spec: str | None = None,
                  spec_event: bool = True) -> EventType:
    """Declare an event type (once per name; declaring it again identically returns the same one)."""
    event_type = EventType(name=name, api=api, resource=resource, spec=spec, spec_event=spec_event)
    existing = _event_types.setdefault(name, event_type)
    if existing != event_type:
        raise ValueError(f"{name} is already declared differently: {existing}")
    return existing


def declared_event_types() -> list[EventType]:
    return sorted(_event_types.values(), key=lambda et: (et.api, et.name))


def declared(event_type) -> EventType:
    """The declaration itself, or a TypeError/LookupError that says what to do instead."""
    if not isinstance(event_type, EventType):
        raise TypeError(f"expected an EventType declared with bss.events.declare_event in the publishing "
                        f"app's events.py (import the constant), not {event_type!r}")
    if _event_types.get(event_type.name) != event_type:
        raise LookupError(f"{event_type.name} is not declared (bss.events.declare_event in the publishing "
                          f"app's events.py)")
    return event_type


def register_resource(model, *, api: str, resource_type: str | Callable, render: Callable) -> None:
    _resources[model] = ResourceInfo(api=api, resource_type=resource_type, render=render)


def resource_info(obj) -> ResourceInfo:
    for cls in type(obj).__mro__:
        if cls in _resources:
            return _resources[cls]
    raise LookupError(f"{type(obj).__name__} is not registered with bss.events.register_resource")


_wants: dict[Callable, Callable] = {}  # handler -> when(obj): whether it wants this object's event


def subscriber(*event_types: EventType, when: Callable | None = None):
    """Register an in-process handler for declared event types (import them from the publishing
    app's events.py); it receives the Event row and must be idempotent.

    ``when(obj) -> bool`` (optional): asked at publish time with the object the event is about, whether
    the handler wants it (e.g. only a cancelled service order settles a cancellation request; only while
    notification lists are configured). It must be cheap: no query, or one indexed query, or a cached
    answer (``cached_exists``). An event that no handler wants and no /hub listener could receive is
    recorded without being dispatched; one that some handler wants goes to all of them (each still
    decides for itself)."""
    names = [declared(et).name for et in event_types]

    def deco(fn):
        for name in names:
            if fn not in _subscribers[name]:
                _subscribers[name].append(fn)
        if when is not None:
            _wants[fn] = when
        return fn

    return deco


def wanted_by(event_type: EventType, obj) -> list[str]:
    """The paths of the in-process handlers that want this event (all of them when there is no object to ask
    about); bss.events.services.publish dispatches it to these only."""
    return [handler_path(fn) for fn in _subscribers.get(event_type.name, ())
            if obj is None or (when := _wants.get(fn)) is None or when(obj)]


def wanted(event_type: EventType, obj) -> bool:
    """Whether an in-process handler wants this event (bss.events.services.listening)."""
    return bool(wanted_by(event_type, obj))


class cached_exists:
    """A cheap ``when``: whether rows of ``model`` matching ``filters`` exist, asked at most every
    ``seconds`` per process, and again at once after a save or delete of the model in this process (in
    another process a change is seen within those seconds)::

        lists_configured = cached_exists(OrderNotificationList, active=True)
        @subscriber(PRODUCT_ORDER_STATE_CHANGE, when=lambda order: lists_configured())
    """

    _all: list = []  # every instance, for clear_all()

    def __init__(self, model, *, seconds: float | None = None, **filters):
        self.model, self.filters, self.seconds = model, filters, seconds
        self._answers: dict = {}
        cached_exists._all.append(self)
        from django.db.models.signals import post_delete, post_save

        post_save.connect(self.clear, sender=model, weak=False)
        post_delete.connect(self.clear, sender=model, weak=False)

    def clear(self, **kwargs) -> None:
        self._answers.clear()

    @classmethod
    def clear_all(cls) -> None:
        """Forget every cached answer (a test starts from the database as it is, whatever ran before it: a
        rolled-back row sends no signal)."""
        for instance in cls._all:
            instance.clear()

    def __call__(self, **more) -> bool:
        import time

        from django.conf import settings

        key = tuple(sorted(more.items()))
        now = time.monotonic()
        cached = self._answers.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        answer = self.model._default_manager.filter(**self.filters, **more).exists()
        seconds = self.seconds if self.seconds is not None else settings.BSS_HUB_LISTENER_CACHE_SECONDS
        self._answers[key] = (now + seconds, answer)
        return answer


def subscribers_for(event_type: str) -> list[Callable]:
    """The handlers of an event type, by name (an Event row's ``event_type``)."""
    return list(_subscribers.get(event_type, ()))


def handler_path(fn) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def handler_by_path(path: str) -> Callable | None:
    for handlers in _subscribers.values():
        for fn in handlers:
            if handler_path(fn) == path:
                return fn
    return None
