"""Planned outages: announcing one tells the customers whose active services it affects (recorded on each
customer); during the window their open service orders' jeopardy clocks are held, and resumed after."""

import datetime as dt

import pytest
from django.utils import timezone

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.errors import DomainValidationError
from bss.sla.models import SlaClock
from service_activation.models import Service
from service_activation.services import service_order_issue, service_order_run
from service_activation.services.outage import (
    outages_for_customer,
    planned_outage_announce,
    planned_outages_tick,
)
from service_activation.services.service_orders import ServiceItemInput
from tests.factories import ActivationStepFactory, ServiceSpecificationFactory, orderable_customer, staff_user

pytestmark = pytest.mark.django_db


def test_an_outage_tells_the_affected_customers_and_holds_their_clocks():
    actor = Actor(user=staff_user(), channel=Channel.PORTAL)
    spec = ServiceSpecificationFactory(lifecycle_status="active")
    ActivationStepFactory(specification=spec, kind="manual", specialty="field-install")  # the order stays open
    affected, other = orderable_customer(), orderable_customer()
    Service.objects.create(name="Fibre line", customer=affected, specification=spec, state=Service.State.ACTIVE)
    Service.objects.create(name="Fibre line", customer=other, specification=spec, state=Service.State.TERMINATED)
    so = service_order_issue(actor=actor, customer_id=affected.pk, origin="problem_recovery", start=False,
                             items=[ServiceItemInput(item_id="1", specification_id=spec.pk)])
    service_order_run(service_order_id=so.pk, actor=actor)
    start = timezone.now() + dt.timedelta(hours=1)
    with pytest.raises(DomainValidationError):
        planned_outage_announce(title="OLT upgrade", starts_at=start, ends_at=start, specification_ids=[spec.pk],
                                actor=actor)
    outage = planned_outage_announce(title="OLT upgrade", starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                     specification_ids=[spec.pk], actor=actor)
    assert outage.affected_customers == [affected.pk]
    assert HistoryEntry.objects.for_root(affected).filter(
        action="service_activation.planned_outage.customer_notified").exists()
    assert outages_for_customer(customer_id=affected.pk) == [outage]
    assert outages_for_customer(customer_id=other.pk) == []

    def clock():
        return SlaClock.objects.get(clock_type="service_activation.service_order", object_id=str(so.pk))

    assert clock().state == "running"
    assert planned_outages_tick(now=start - dt.timedelta(minutes=1)) == {"begun": 0, "ended": 0}
    assert planned_outages_tick(now=start + dt.timedelta(minutes=1)) == {"begun": 1, "ended": 0}
    assert clock().state == "paused"
    assert planned_outages_tick(now=start + dt.timedelta(minutes=2)) == {"begun": 0, "ended": 0}  # a rerun
    assert planned_outages_tick(now=start + dt.timedelta(hours=3)) == {"begun": 0, "ended": 1}
    assert clock().state == "running"
    assert outages_for_customer(customer_id=affected.pk, now=start + dt.timedelta(hours=3)) == []


def test_the_outage_flag_shows_on_the_affected_customers_page(client):
    from bss.panels import flags_for

    actor = Actor(user=staff_user(), channel=Channel.PORTAL)
    spec = ServiceSpecificationFactory(lifecycle_status="active")
    affected = orderable_customer()
    Service.objects.create(name="Fibre line", customer=affected, specification=spec, state=Service.State.ACTIVE)
    start = timezone.now() + dt.timedelta(days=1)
    planned_outage_announce(title="Core router swap", starts_at=start, ends_at=start + dt.timedelta(hours=1),
                            specification_ids=[spec.pk], actor=actor)
    assert "planned_outage" in [f.key for f in flags_for("customer", affected, staff_user())]
    assert "planned_outage" not in [f.key for f in flags_for("customer", orderable_customer(), staff_user())]
