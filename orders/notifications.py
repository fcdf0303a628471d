"""Internal notification lists (eTOM 1.1.1.5.7 Report: "to internal notification lists, e.g. the account manager
of a business customer"). Configured data (orders.models.ordering.OrderNotificationList, edited in admin through
orders.services.order_config): which of the order's events, and for state changes which states, notify which staff
users, teams (groups) or e-mail addresses, narrowed by order type and customer segment.

Delivered by e-mail (Django mail) from subscribers on the order's published events: the outbox dispatches the event
after the transaction commits and runs these handlers in its Celery task, retrying a failed delivery (at least once:
a retried delivery may send its mail again). Nothing here runs inside an order transition.

The customers app has no account-manager role (no staff user is linked to a customer), so the account manager is
reached by a list for the business segments (e.g. ``sme``, ``enterprise``) naming the account managers' team."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage

from bss.events import cached_exists, subscriber
from orders.events import (
    PRODUCT_ORDER_ATTRIBUTE_VALUE_CHANGE,
    PRODUCT_ORDER_CREATE,
    PRODUCT_ORDER_INFORMATION_REQUIRED,
    PRODUCT_ORDER_STATE_CHANGE,
)
from orders.models import CustomerOrder
from orders.models.ordering import OrderNotificationList

EVENT_WORDS = {
    PRODUCT_ORDER_CREATE.name: "was issued",
    PRODUCT_ORDER_STATE_CHANGE.name: "is now {state}",
    PRODUCT_ORDER_ATTRIBUTE_VALUE_CHANGE.name: "changed",
    PRODUCT_ORDER_INFORMATION_REQUIRED.name: "needs information",
}


def split_addresses(text: str) -> list[str]:
    return [a for a in (p.strip() for p in re.split(r"[,;\s]+", text or "")) if a]


def state_matches(configured: list[str], tmf_state: str) -> bool:
    """A configured state is a TMF622 state (as the event carries it) or an internal state that shows as it."""
    from orders.ordering_states import TO_TMF622

    return not configured or any(s == tmf_state or TO_TMF622.get(s) == tmf_state for s in configured)


def lists_for(order: CustomerOrder, event_type: str, *, tmf_state: str = "") -> list[OrderNotificationList]:
    segment = order.customer.segment if order.customer_id else ""
    out = []
    for nl in OrderNotificationList.objects.filter(active=True).prefetch_related("users", "teams"):
        if event_type not in nl.events:
            continue
        if nl.order_type_id and nl.order_type_id != order.order_type_id:
            continue
        if nl.customer_segment and nl.customer_segment != segment:
            continue
        if event_type == PRODUCT_ORDER_STATE_CHANGE.name and not state_matches(nl.states, tmf_state):
            continue
        out.append(nl)
    return out


def recipients(nl: OrderNotificationList) -> list[str]:
    """The list's addresses: its users, the active members of its teams (with an e-mail address), and the
    addresses it names; each once, in that order."""
    users = list(nl.users.filter(is_active=True).exclude(email=""))
    users += list(get_user_model().objects.filter(groups__in=nl.teams.all(), is_active=True).exclude(email="")
                  .distinct())
    seen, out = set(), []
    for address in [u.email for u in users] + split_addresses(nl.email_addresses):
        if address.lower() not in seen:
            seen.add(address.lower())
            out.append(address)
    return out


def notify(event) -> int:
    """Send the mails an order event calls for; returns how many lists were told."""
    order = CustomerOrder.objects.select_related("customer", "order_type").filter(pk=event.resource_id).first()
    if order is None:
        return 0
    resource = ((event.payload or {}).get("event") or {}).get("productOrder") or {}
    tmf_state = resource.get("state") or order.tmf_state
    told = 0
    for nl in lists_for(order, event.event_type, tmf_state=tmf_state):
        to = recipients(nl)
        if not to:
            continue
        what = EVENT_WORDS.get(event.event_type, "changed").format(state=tmf_state)
        customer = f" for {order.customer.name} ({order.customer.customer_number})" if order.customer_id else ""
        milestone = resource.get("milestone") or {}
        lines = [f"Order {order.order_number}{customer} {what}.",
                 f"Order type: {order.order_type.name}" if order.order_type_id else "",
                 f"Milestone: {milestone.get('name')}" if milestone.get("name") else "",
                 f"Committed date: {order.committed_date:%d %b %Y %H:%M} UTC" if order.committed_date else "",
                 f"Open it: {getattr(settings, 'BSS_PORTAL_BASE_URL', '')}/csr/orders/{order.pk}/"]
        body = "\n".join(line for line in lines if line) + (
            f"\n\nYou receive this as a member of the notification list '{nl.name}'.")
        EmailMessage(subject=f"Order {order.order_number} {what}", body=body, to=to).send(fail_silently=False)
        told += 1
    return told


# dispatched only while a list is configured (asked at most every few seconds per process: bss.events.cached_exists)
lists_configured = cached_exists(OrderNotificationList, active=True)


@subscriber(PRODUCT_ORDER_CREATE, PRODUCT_ORDER_STATE_CHANGE, PRODUCT_ORDER_ATTRIBUTE_VALUE_CHANGE,
            PRODUCT_ORDER_INFORMATION_REQUIRED, when=lambda order: lists_configured())
def order_event_notify_lists(event) -> None:
    notify(event)
