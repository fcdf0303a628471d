"""Planned outages: announce (tell the affected customers; history on each customer), begin (hold the jeopardy
clocks of the affected customers' open service orders), end (resume them). ``planned_outages_tick`` (beat) moves
outages as their windows start and end; it is idempotent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from bss.actors import Actor
from bss.audit.services import history_record
from bss.errors import DomainValidationError
from bss.fsm import fsm_transition
from service_activation.models import PlannedOutage, Service, ServiceOrder, ServiceSpecification

CLOCK = "service_activation.service_order"


def _affected_services(outage: PlannedOutage):
    qs = Service.objects.filter(state=Service.State.ACTIVE, specification__in=outage.specifications.all())
    if outage.area_codes:
        qs = qs.filter(place__area_code__in=outage.area_codes)
    return qs


@transaction.atomic
def planned_outage_announce(*, title: str, starts_at: dt.datetime, ends_at: dt.datetime, specification_ids: list,
                            actor: Actor, description: str = "", area_codes: list | None = None) -> PlannedOutage:
    errors = {}
    if not (title or "").strip():
        errors["title"] = "This field is required."
    if not starts_at or not ends_at or ends_at <= starts_at:
        errors["ends_at"] = "The window ends after it starts."
    specs = list(ServiceSpecification.objects.filter(pk__in=specification_ids or []))
    if not specs or len(specs) != len(set(specification_ids)):
        errors["specifications"] = "Name the kinds of service affected."
    if errors:
        raise DomainValidationError(errors)
    outage = PlannedOutage.objects.create(title=title.strip(), description=description, starts_at=starts_at,
                                          ends_at=ends_at, area_codes=area_codes or [],
                                          created_by=actor.user if actor.user_id else None)
    outage.specifications.set(specs)
    customers = sorted(set(_affected_services(outage).exclude(customer__isnull=True)
                           .values_list("customer_id", flat=True)))
    outage.affected_customers = customers
    outage.save(update_fields=["affected_customers"])
    history_record(obj=outage, action="service_activation.planned_outage.announced", actor=actor,
                   changes={"customers": [None, len(customers)]})
    from customers.selectors import customer_visible

    window = f"{timezone.localtime(starts_at):%d %b %H:%M}–{timezone.localtime(ends_at):%d %b %H:%M}"
    for cid in customers:  # the customer is told (the interactions issue adds channels); the record shows why
        customer = customer_visible(user=None, customer_id=cid, system=True)
        history_record(obj=outage, action="service_activation.planned_outage.customer_notified", actor=actor,
                       root=customer, reason=f"{outage.title}, {window}")
    return outage


def _open_orders(outage: PlannedOutage):
    return ServiceOrder.objects.filter(customer_id__in=outage.affected_customers, state__in=ServiceOrder.OPEN)


@transaction.atomic
def planned_outages_tick(*, now: dt.datetime | None = None, actor: Actor | None = None) -> dict:
    """Begin outages whose window started (hold the clocks), end those whose window ended (resume them)."""
    from bss.sla.services import sla_clock_pause, sla_clock_resume

    now = now or timezone.now()
    actor = actor or Actor.system("planned outages")
    begun = ended = 0
    for outage in PlannedOutage.objects.select_for_update(skip_locked=True).filter(
            status=PlannedOutage.Status.SCHEDULED, starts_at__lte=now):
        fsm_transition(outage, "begin", actor=actor, reason="window started",
                       action="service_activation.planned_outage.begin")
        for so in _open_orders(outage):
            sla_clock_pause(obj=so, clock_type=CLOCK, reason=f"planned outage: {outage.title}", actor=actor)
        begun += 1
    for outage in PlannedOutage.objects.select_for_update(skip_locked=True).filter(
            status=PlannedOutage.Status.IN_PROGRESS, ends_at__lte=now):
        fsm_transition(outage, "end", actor=actor, reason="window ended", action="service_activation.planned_outage.end")
        for so in _open_orders(outage):
            sla_clock_resume(obj=so, clock_type=CLOCK, actor=actor)
        ended += 1
    return {"begun": begun, "ended": ended}


def outages_for_customer(*, customer_id: int, now: dt.datetime | None = None) -> list[PlannedOutage]:
    """Scheduled or current outages that affect the customer (shown on their customer page)."""
    now = now or timezone.now()
    return [o for o in PlannedOutage.objects.filter(
        status__in=[PlannedOutage.Status.SCHEDULED, PlannedOutage.Status.IN_PROGRESS], ends_at__gt=now)
        if customer_id in (o.affected_customers or [])]
