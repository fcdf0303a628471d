"""Party status is a protected FSM field: it moves only through party_change_status / party_update."""

import pytest

from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError
from bss.events.models import Event
from customers import services
from customers.models import Party
from tests.factories import IndividualFactory

pytestmark = pytest.mark.django_db


def test_status_cannot_be_assigned():
    party = IndividualFactory()
    with pytest.raises(AttributeError):
        party.status = Party.Status.CLOSED


def test_transition_records_history_and_one_state_change_event(actor):
    party = IndividualFactory()
    services.party_change_status(party_id=party.pk, status=Party.Status.VALIDATED, actor=actor, reason="ID seen")
    party = Party.objects.get(pk=party.pk)  # protected FSM fields cannot be refreshed in place
    assert party.status == Party.Status.VALIDATED
    entry = HistoryEntry.objects.get(action="customers.party.validate", object_id=str(party.pk))
    assert (entry.from_state, entry.to_state, entry.reason) == ("initialized", "validated", "ID seen")
    assert Event.objects.filter(event_type="IndividualStateChangeEvent", resource_id=str(party.pk)).count() == 1


def test_forbidden_move_is_409_and_changes_nothing(actor):
    party = IndividualFactory()
    services.party_change_status(party_id=party.pk, status=Party.Status.VALIDATED, actor=actor)
    with pytest.raises(ApplicationError) as e:
        services.party_change_status(party_id=party.pk, status=Party.Status.INITIALIZED, actor=actor)
    assert e.value.status_code == 409
    party = Party.objects.get(pk=party.pk)  # protected FSM fields cannot be refreshed in place
    assert party.status == Party.Status.VALIDATED


def test_update_with_attributes_and_status_is_one_use_case_with_one_event(actor):
    party = IndividualFactory()
    before = Event.objects.count()
    services.party_update(party=party, actor=actor, given_name="Maire", status=Party.Status.VALIDATED)
    party = Party.objects.get(pk=party.pk)  # protected FSM fields cannot be refreshed in place
    assert (party.given_name, party.status) == ("Maire", Party.Status.VALIDATED)
    assert list(Event.objects.order_by("pk").values_list("event_type", flat=True)[before:]) == [
        "IndividualStateChangeEvent"]


def test_update_refuses_fields_it_does_not_own(actor):
    party = IndividualFactory()
    with pytest.raises(TypeError):
        services.party_update(party=party, actor=actor, kind=Party.Kind.ORGANIZATION)


def test_created_in_another_status_through_the_lifecycle_with_one_create_event(actor):
    party = services.party_create(kind=Party.Kind.INDIVIDUAL, actor=actor, given_name="Ada", family_name="Byron",
                                  status=Party.Status.VALIDATED)
    assert Party.objects.get(pk=party.pk).status == Party.Status.VALIDATED
    entry = HistoryEntry.objects.get(action="customers.party.validate", object_id=str(party.pk))
    assert (entry.from_state, entry.to_state) == ("initialized", "validated")
    assert list(Event.objects.filter(resource_id=str(party.pk)).values_list("event_type", flat=True)) == [
        "IndividualCreateEvent"]
