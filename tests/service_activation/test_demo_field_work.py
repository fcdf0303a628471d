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
