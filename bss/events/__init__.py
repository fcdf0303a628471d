"""Transactional outbox: publish() in the caller's transaction, dispatch after commit.

Event types are declared by the app that publishes them (its events.py); publishers and
subscribers import the declaration, never the name as a string (docs/events.md)::

    # customers/events.py
    CUSTOMER_CREATE = declare_event("CustomerCreateEvent", api="customerManagement", resource="customer",
                                    spec="TMF629-Customer-v4.0.0.swagger.json")

    publish(CUSTOMER_CREATE, customer)                 # in a service, inside its transaction

    @subscriber(SERVICE_ORDER_STATE_CHANGE)            # in the reacting app's receivers.py
    def on_service_order(event): ...
"""

from .registry import (  # noqa: F401
    EventType,
    cached_exists,
    declare_event,
    declared_event_types,
    register_resource,
    subscriber,
)
from .services import one_event, publish  # noqa: F401
