"""The demo's field work: assignment rules route the manual steps of the demo catalog to their teams, and the
field team has visit slots to book; seeding again adds nothing."""

import pytest

from bss.actors import Actor
from service_activation.demo import seed_field_work
from service_activation.models import AppointmentSlot, WorkOrderAssignmentRule

pytestmark = pytest.mark.django_db


def test_rules_and_slots_are_seeded_once():
    actor = Actor.system("demo")
    rules, slots = seed_field_work(actor)
    assert rules == 2 and slots > 0
    assert dict(WorkOrderAssignmentRule.objects.values_list("specialty", "team")) == {
        "field-install": "field", "cpe-delivery": "logistics"}
    assert set(AppointmentSlot.objects.values_list("team", flat=True)) == {"field"}
    assert AppointmentSlot.objects.count() == slots
    assert seed_field_work(actor) == (0, 0)


def test_the_demo_orders_field_visits_can_be_booked():
    """The rules come with the demo catalog, before the demo orders issue their work orders: the demo's manual
    installation steps land with the field team, which has free slots."""
    from django.core.management import call_command

    from service_activation.models import WorkOrder
    from service_activation.services.appointments import free_slots
    from service_activation.services.assignment import work_order_team

    call_command("seed_demo", customers=40, stdout=open("/dev/null", "w"))
    installs = WorkOrder.objects.filter(specialty="field-install")
    assert installs.exists() and {work_order_team(wo) for wo in installs} == {"field"}
    assert free_slots(team="field").exists()
