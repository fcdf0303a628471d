"""Outbox services: publish, fan out to targets, deliver with retries, re-dispatch."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import threading
import time
import uuid
from datetime import timedelta
from urllib.parse import urlparse

import requests
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from bss.audit.services import UNSET
from bss.tmf.filtering import AttributeFilter, comparable_or_none, parse_filters, representation_matches
from bss.tmf.renderers import tmf_datetime

from .models import DeliveryAttempt, Event, EventDelivery, ExactJSONDecoder, ExactJSONEncoder, HubSubscription
from .registry import (
    EventType,
    cached_exists,
    declared,
    handler_by_path,
    handler_path,
    resource_info,
    subscribers_for,
    wanted,
    wanted_by,
)

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
REDISPATCH_GRACE = timedelta(seconds=30)


# --- one use case, one event ------------------------------------------------------------------
# A use case that composes other services (TMF629 POST with contact media, a PATCH of attributes,
# status and media) runs them inside ``one_event()``: the events they publish for the same
# resource are collapsed into the single event that says the most (Create, then Delete, then
# StateChange, then AttributeValueChange), rendered once, at the end, from the final state.
_KIND_RANK = ("CreateEvent", "DeleteEvent", "StateChangeEvent", "AttributeValueChangeEvent")
_local = threading.local()


def _rank(event_type: EventType) -> int:
    for i, suffix in enumerate(_KIND_RANK):
        if event_type.name.endswith(suffix):
            return i
    return len(_KIND_RANK)


class one_event:
    """Context manager (use inside the use case's transaction)::

        with transaction.atomic(), one_event():
            customer = customer_create(...)          # would publish CustomerCreateEvent
            customer_contact_media_set(...)          # would publish an AttributeValueChange
        # -> exactly one CustomerCreateEvent, with the media in it
    """

    def __enter__(self):
        stack = getattr(_local, "stack", None)
        if stack is None:
            stack = _local.stack = []
        stack.append({})
        return self

    def __exit__(self, exc_type, exc, tb):
        buffer = _local.stack.pop()
        if exc_type is not None:
            return False
        for (event_type, obj, payload) in buffer.values():
            publish(event_type, obj, payload=payload)  # into the enclosing one_event(), if any
        return False


def _buffered(event_type: EventType, obj, payload) -> bool:
    stack = getattr(_local, "stack", None)
    if not stack:
        return False
    key = (event_type.api, event_type.resource, str(obj.pk))
    if _rank(event_type) == len(_KIND_RANK):  # e.g. InformationRequired: its own news, never merged away
        key = (*key, event_type.name)
    current = stack[-1].get(key)
    if current is None or _rank(event_type) < _rank(current[0]):
        stack[-1][key] = (event_type, obj, payload)
    return True


def publish(event_type: EventType, obj, *, payload: dict | None = None) -> Event | None:
    """Write an outbox row in the caller's transaction; it is dispatched after commit.

    ``event_type`` is a declaration (bss.events.declare_event, imported from the publishing app's
    events.py); a name string or an undeclared type is refused, and so is an object registered
    under another API or resource than the declaration names."""
    declared(event_type)
    info = resource_info(obj)
    resource_type = info.resource_type(obj) if callable(info.resource_type) else info.resource_type
    if (info.api, resource_type) != (event_type.api, event_type.resource):
        raise ValueError(f"{event_type.name} announces {event_type.api}/{event_type.resource}, but "
                         f"{type(obj).__name__} {obj.pk} is registered as {info.api}/{resource_type}")
    if _buffered(event_type, obj, payload):
        return None  # published when the enclosing one_event() ends
    event_uuid = uuid.uuid4()
    body = {
        "eventId": str(event_uuid),
        "eventTime": tmf_datetime(timezone.now()),
        "eventType": event_type.name,
        "event": {resource_type: payload if payload is not None else info.render(obj)},
    }
    # Round-trip through JSON so the body is stored as the listener will see it: dates as text,
    # Decimals (money) as exact JSON numbers, as the TMF API renders them (never through float).
    body = json.loads(ExactJSONEncoder().encode(body), cls=ExactJSONDecoder)
    handlers = wanted_by(event_type, obj)
    listened = bool(handlers) or _hub_listened(api=event_type.api)
    event = Event.objects.create(
        event_id=event_uuid, event_type=event_type.name, api=event_type.api, resource_type=resource_type,
        resource_id=str(obj.pk), payload=body, fanned_out_at=None if listened else timezone.now(),
    )
    if listened:
        transaction.on_commit(lambda: _enqueue_fan_out(event.pk, handlers))
    return event


def publish_many(events: list[tuple], *, sample, chunk: int = 500, json_ready: bool = False) -> list[int]:
    """publish() for many events about objects of one registered model, from a set-based job (the SLA scan):
    ``events`` as (event type, object id, rendered representation). The same outbox rows in one INSERT (on
    PostgreSQL; elsewhere bulk_create), dispatched after commit in messages of ``chunk`` events when anyone
    listens (every subscriber of the types: there is no object to ask ``when``), else recorded as fanned out.
    ``sample``: an instance of the model, for its registration; ``json_ready``: the representations hold JSON
    values only (text, numbers without Decimal, None), so the bodies skip publish()'s JSON round trip. Returns
    the events' ids."""
    if not events:
        return []
    info = resource_info(sample)
    resource_type = info.resource_type(sample) if callable(info.resource_type) else info.resource_type
    types = {e[0] for e in events}
    for event_type in types:
        declared(event_type)
        if (info.api, resource_type) != (event_type.api, event_type.resource):
            raise ValueError(f"{event_type.name} announces {event_type.api}/{event_type.resource}, but "
                             f"{type(sample).__name__} is registered as {info.api}/{resource_type}")
    listened = {et.name: listening(et) for et in types}
    now = timezone.now()
    event_time = tmf_datetime(now)
    rows = []
    for event_type, obj_id, payload in events:
        event_uuid = uuid.uuid4()
        body = {"eventId": str(event_uuid), "eventTime": event_time, "eventType": event_type.name,
                "event": {resource_type: payload}}
        if not json_ready:
            body = json.loads(ExactJSONEncoder().encode(body), cls=ExactJSONDecoder)
        rows.append({"event_id": event_uuid, "event_type": event_type.name, "api": event_type.api,
                     "resource_type": resource_type, "resource_id": str(obj_id), "payload": body,
                     "fanned_out_at": None if listened[event_type.name] else now})
    if connection.vendor == "postgresql":
        from bss.pg import insert_many

        ids = insert_many(Event, rows, returning=True)
    else:
        ids = [e.pk for e in Event.objects.bulk_create([Event(**row) for row in rows])]
    to_dispatch = [pk for pk, row in zip(ids, rows, strict=True) if row["fanned_out_at"] is None]
    if to_dispatch:
        transaction.on_commit(lambda: _enqueue_fan_outs(to_dispatch, chunk))
    return ids


def _enqueue_fan_outs(event_ids: list[int], chunk: int) -> None:
    """After commit, as for one event: a broker outage must not fail the committed job; the outbox keeps the
    events and the periodic re-dispatch sends them."""
    from bss.dispatch import attempt

    from .tasks import fan_out_task

    attempt(fan_out_task, lambda: fan_out_task.chunks([(pk,) for pk in event_ids], chunk).apply_async(
        queue="events", retry=False), f"the fan-out of {len(event_ids)} events")


def listening(event_type: EventType, obj=None) -> bool:
    """Whether anyone may receive an event of this type: an in-process subscriber, or an active /hub
    listener of its API. An event nobody listens to is still written to the outbox (the record of what
    happened, with its body), already fanned out: no task, no deliveries. A listener receives the events
    published after its registration committed; one registered while this event's transaction is still
    open does not get it, as it would not if it had registered a moment later."""
    return wanted(event_type, obj) or _hub_listened(api=event_type.api)


# whether an API has an active /hub listener: asked at most every BSS_HUB_LISTENER_CACHE_SECONDS per process (a
# publishing worker does not ask for every event); a registration or change in this process is seen at once
_hub_listened = cached_exists(HubSubscription, active=True)


def _enqueue_fan_out(event_id: int, handlers: list[str] | None = None) -> None:
    """After commit. A broker outage must not fail the caller's (committed) request: the event
    is safe in the outbox and the periodic re-dispatch sends it once the broker is back (then to every
    subscriber of its type, each deciding for itself). ``handlers``: the in-process subscribers that wanted
    it at publish time."""
    from bss.dispatch import send

    from .tasks import fan_out_task

    send(fan_out_task, event_id, handlers)


def hub_query_parse(query: str) -> tuple[list[set[str]], list[AttributeFilter]]:
    """A hub query is a query string: eventType=A,B (each such parameter must name the event's
    type) and attribute filters on the event body with the TMF list filters' syntax and semantics
    (bss.tmf.filtering): exact match, dotted paths, and .gt/.gte/.lt/.lte on dates and numbers."""
    params = QueryDict(query or "", mutable=True)
    event_types = [{v.strip() for v in raw.split(",")} for raw in params.pop("eventType", [])]
    return event_types, parse_filters(params)


def hub_query_problem(query: str) -> str | None:
    """Why a hub query can never be answered (None when it can): a comparison needs a date,
    date-time or number, as on the TMF list endpoints."""
    _, filters = hub_query_parse(query)
    for f in filters:
        if f.op != "eq" and comparable_or_none(f.value) is None:
            return f"'{f.value}' is not a date, date-time or number for {f.path}.{f.op}"
    return None


def subscription_matches(subscription: HubSubscription, event: Event) -> bool:
    event_types, filters = hub_query_parse(subscription.query)
    if any(event.event_type not in names for names in event_types):
        return False
    return representation_matches(event.payload, filters)


def event_fan_out(*, event_id: int, handlers: list[str] | None = None) -> list[int]:
    """Create one delivery per matching listener and subscriber (idempotent); return pending ids.
    ``handlers``: only these in-process subscribers (those that wanted it when published); None: all."""
    return [pk for pk, _ in event_fan_out_deliveries(event_id=event_id, handlers=handlers)]


def event_fan_out_deliveries(*, event_id: int, handlers: list[str] | None = None) -> list[tuple[int, bool]]:
    """As event_fan_out, each pending delivery with whether it goes to an in-process subscriber (which
    the fan-out task attempts at once, rather than through one more task) or to a /hub listener."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event_id)
        if event.fanned_out_at is None:
            # one INSERT for every target; ON CONFLICT DO NOTHING keeps a re-run idempotent (unique per target)
            targets = [EventDelivery(event=event, subscription=sub)
                       for sub in HubSubscription.objects.filter(api=event.api, active=True)
                       if subscription_matches(sub, event)]
            targets += [EventDelivery(event=event, subscriber=handler_path(fn))
                        for fn in subscribers_for(event.event_type)
                        if handlers is None or handler_path(fn) in handlers]
            EventDelivery.objects.bulk_create(targets, ignore_conflicts=True)
            event.fanned_out_at = timezone.now()
            event.save(update_fields=["fanned_out_at"])
        return [(pk, subscription_id is None) for pk, subscription_id in
                event.deliveries.filter(status=EventDelivery.Status.PENDING).values_list("pk", "subscription_id")]


def _claim(delivery_id: int) -> bool:
    now = timezone.now()
    return bool(
        EventDelivery.objects.filter(pk=delivery_id, status=EventDelivery.Status.PENDING)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(locked_until=now + LEASE)
    )


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _post_webhook(delivery: EventDelivery) -> int:
    problem = callback_problem(delivery.subscription.callback)  # again: DNS may have changed
    if problem:
        raise DeliveryFailed(problem)
    body = ExactJSONEncoder(separators=(",", ":")).encode(delivery.event.payload).encode()
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-BSS-Event-Id": str(delivery.event.event_id),
        "X-BSS-Event-Type": delivery.event.event_type,
        "X-BSS-Delivery-Attempt": str(delivery.attempts + 1),
        "X-BSS-Timestamp": ts,
        "X-BSS-Signature": sign(delivery.subscription.secret, ts, body),
    }
    resp = requests.post(delivery.subscription.callback, data=body, headers=headers,
                         timeout=settings.BSS_WEBHOOK_TIMEOUT, allow_redirects=False)
    if not 200 <= resp.status_code < 300:
        raise DeliveryFailed(f"listener answered HTTP {resp.status_code}", status_code=resp.status_code)
    return resp.status_code


class DeliveryFailed(Exception):
    def __init__(self, message, status_code=None):
        super().__init__(message)
        self.status_code = status_code


def backoff_seconds(attempts: int) -> float:
    return min(settings.BSS_WEBHOOK_BACKOFF_MAX, settings.BSS_WEBHOOK_BACKOFF_BASE ** attempts)


def event_delivery_attempt(*, delivery_id: int) -> float | None:
    """Attempt one delivery; never holds a DB transaction across the network call.

    Returns the delay in seconds before the next attempt, or None when nothing is left to do.
    """
    if not _claim(delivery_id):
        return None  # delivered, given up, not yet due, or another worker holds it
    delivery = EventDelivery.objects.select_related("event", "subscription").get(pk=delivery_id)
    started = timezone.now()
    t0 = time.monotonic()
    status_code, error = None, ""
    try:
        if delivery.subscription_id:
            status_code = _post_webhook(delivery)
        else:
            handler = handler_by_path(delivery.subscriber)
            if handler is None:
                raise DeliveryFailed(f"no subscriber {delivery.subscriber} is registered")
            handler(delivery.event)
    except Exception as exc:  # every failure is recorded on the attempt, then retried
        error = f"{type(exc).__name__}: {exc}"[:2000]
        status_code = getattr(exc, "status_code", None)
        log.warning("event delivery %s failed: %s", delivery_id, error)
    duration_ms = int((time.monotonic() - t0) * 1000)

    with transaction.atomic():
        delivery = EventDelivery.objects.select_for_update().get(pk=delivery_id)
        delivery.attempts += 1
        DeliveryAttempt.objects.create(
            delivery=delivery, number=delivery.attempts, started_at=started, duration_ms=duration_ms,
            success=not error, status_code=status_code, error=error,
        )
        delivery.locked_until = None
        delay = None
        if not error:
            delivery.status = EventDelivery.Status.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.last_error = ""
        elif delivery.attempts >= settings.BSS_WEBHOOK_MAX_ATTEMPTS:
            delivery.status = EventDelivery.Status.FAILED
            delivery.last_error = error
        else:
            delay = backoff_seconds(delivery.attempts)
            delivery.next_attempt_at = timezone.now() + timedelta(seconds=delay)
            delivery.last_error = error
        delivery.save()
    return delay


def event_delivery_retry(*, delivery_id: int) -> EventDelivery:
    """Admin action: give a failed delivery a fresh set of attempts."""
    with transaction.atomic():
        d = EventDelivery.objects.select_for_update().get(pk=delivery_id)
        if d.status == EventDelivery.Status.FAILED:
            d.status = EventDelivery.Status.PENDING
            d.attempts = 0
            d.next_attempt_at = None
            d.save()
    from .tasks import deliver_task

    deliver_task.delay_on_commit(d.pk)
    return d


def events_redispatch() -> dict:
    """Periodic safety net: whatever a lost broker message left behind is sent again."""
    from .tasks import deliver_task, fan_out_task

    now = timezone.now()
    stale = now - REDISPATCH_GRACE
    events = list(
        Event.objects.filter(fanned_out_at__isnull=True, created_at__lt=stale).values_list("pk", flat=True)[:1000]
    )
    for pk in events:
        fan_out_task.delay(pk)
    deliveries = list(
        EventDelivery.objects.filter(status=EventDelivery.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True, event__fanned_out_at__lt=stale) | Q(next_attempt_at__lt=stale))
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .values_list("pk", flat=True)[:1000]
    )
    for pk in deliveries:
        deliver_task.delay(pk)
    return {"events": len(events), "deliveries": len(deliveries)}


def callback_problem(url: str) -> str | None:
    """Why a listener URL may not be called (None when it may). Outside development, only https
    to public addresses: a callback must not reach the operator's internal network (SSRF)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return "The callback must be an http(s) URL."
    if settings.BSS_WEBHOOK_ALLOW_PRIVATE:
        return None
    if parsed.scheme != "https":
        return "The callback must use https."
    try:
        infos = socket.getaddrinfo(parsed.hostname, parsed.port or 443, proto=socket.IPPROTO_TCP)
    except OSError:
        return f"The callback host {parsed.hostname} does not resolve."
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if not ip.is_global:
            return f"The callback host {parsed.hostname} resolves to a non-public address."
    return None


@transaction.atomic
def hub_subscribe(*, api: str, callback: str, query: str, actor) -> HubSubscription:
    from bss.audit.services import history_record_created
    from bss.errors import DomainValidationError

    problem = callback_problem(callback)
    if problem:
        raise DomainValidationError({"callback": problem})
    problem = hub_query_problem(query)
    if problem:
        raise DomainValidationError({"query": problem})
    sub = HubSubscription.objects.create(api=api, callback=callback, query=query, created_by=actor.user)
    history_record_created(obj=sub, actor=actor, action="bss.hub_subscription.created")
    return sub


@transaction.atomic
def hub_unsubscribe(*, subscription_id: int, actor) -> None:
    from bss.audit.services import track_changes

    sub = HubSubscription.objects.select_for_update().get(pk=subscription_id)
    with track_changes(sub, action="bss.hub_subscription.deleted", actor=actor):
        sub.active = False
        sub.save(update_fields=["active"])


HUB_SUBSCRIPTION_FIELDS = ("callback", "query", "active")


@transaction.atomic
def hub_subscription_update(*, subscription: HubSubscription, actor, callback: str = UNSET, query: str = UNSET,
                            active: bool = UNSET) -> HubSubscription:
    """Change a listener (admin): the same callback policy and query checks as registration
    through /hub. Only the arguments given change."""
    from bss.audit.services import given, model_update
    from bss.errors import DomainValidationError

    changes = given(callback=callback, query=query, active=active)

    errors = {}
    if "callback" in changes and (problem := callback_problem(changes["callback"])):
        errors["callback"] = problem
    if "query" in changes and (problem := hub_query_problem(changes["query"] or "")):
        errors["query"] = problem
    if errors:
        raise DomainValidationError(errors)
    sub = HubSubscription.objects.select_for_update().get(pk=subscription.pk)
    model_update(instance=sub, fields=HUB_SUBSCRIPTION_FIELDS, data=changes, actor=actor,
                 action="bss.hub_subscription.updated")
    return sub
