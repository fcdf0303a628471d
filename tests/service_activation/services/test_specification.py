"""Service specification services: explicit keyword arguments, the attributes and a lifecycle
move in one history row, the transition through the FSM."""

import pytest

from bss.actors import Actor
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError, DomainValidationError
from service_activation.services import (
    service_specification_change_status,
    service_specification_update,
)
from tests.factories import ServiceSpecificationFactory

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def test_attributes_and_lifecycle_are_one_history_row():
    spec = ServiceSpecificationFactory(name="Fiber", description="keep me", lifecycle_status="draft")
    service_specification_update(specification=spec, actor=SYSTEM, name="Fiber access", lifecycle_status="active",
                                 reason="go live")
    spec.refresh_from_db()
    assert (spec.name, spec.description, spec.lifecycle_status) == ("Fiber access", "keep me", "active")
    rows = HistoryEntry.objects.filter(object_id=str(spec.pk), action__startswith="service_activation.")
    assert [(r.action, r.changes, r.reason) for r in rows] == [
        ("service_activation.service_specification.updated",
         {"name": ["Fiber", "Fiber access"], "lifecycle_status": ["draft", "active"]}, "go live")]


def test_a_forbidden_move_changes_nothing():
    spec = ServiceSpecificationFactory(name="Fiber", lifecycle_status="active")
    with pytest.raises(ApplicationError):
        service_specification_update(specification=spec, actor=SYSTEM, name="Renamed", lifecycle_status="draft")
    spec.refresh_from_db()
    assert (spec.name, spec.lifecycle_status) == ("Fiber", "active")


def test_a_blank_name_is_refused():
    spec = ServiceSpecificationFactory(name="Fiber")
    with pytest.raises(DomainValidationError):
        service_specification_update(specification=spec, actor=SYSTEM, name="  ")


def test_change_status_is_its_own_transition_row():
    spec = ServiceSpecificationFactory(lifecycle_status="active")
    service_specification_change_status(specification_id=spec.pk, status="retired", actor=SYSTEM, reason="old")
    spec.refresh_from_db()
    assert spec.lifecycle_status == "retired"
    row = HistoryEntry.objects.filter(object_id=str(spec.pk)).latest("pk")
    assert (row.from_state, row.to_state, row.reason) == ("active", "retired", "old")
