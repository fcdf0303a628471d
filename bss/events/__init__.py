"""Transactional outbox: publish() in the caller's transaction, dispatch after commit.

    from bss.events import publish, subscriber
    publish("CustomerCreateEvent", customer)          # in a service, inside its transaction

    @subscriber("ServiceOrderStateChangeEvent")        # in the reacting app's receivers.py
    def on_service_order(event): ...
"""

from .registry import register_resource, subscriber  # noqa: F401
from .services import publish  # noqa: F401
