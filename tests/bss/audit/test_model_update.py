"""model_update and UNSET: an update service's keyword arguments default to UNSET ("not given");
only what is given changes, None is a value, and one history row records it."""

import pytest

from bss.actors import Actor
from bss.audit.models import HistoryEntry
from bss.audit.services import UNSET, given, model_update
from orders.services.coverage import coverage_area_update
from tests.factories import CoverageAreaFactory

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def test_given_drops_only_unset():
    assert given(a=UNSET, b=None, c=0, d="") == {"b": None, "c": 0, "d": ""}
    assert not UNSET and repr(UNSET) == "UNSET"


def test_model_update_ignores_unset_values():
    area = CoverageAreaFactory(max_bandwidth_mbps=500, area_code="DUB01")
    changes = model_update(instance=area, fields=("area_code", "max_bandwidth_mbps"),
                           data={"area_code": UNSET, "max_bandwidth_mbps": 100}, actor=SYSTEM)
    area.refresh_from_db()
    assert changes == {"max_bandwidth_mbps": [500, 100]}
    assert (area.area_code, area.max_bandwidth_mbps) == ("DUB01", 100)


def test_an_update_service_changes_what_is_given_and_none_clears():
    area = CoverageAreaFactory(max_bandwidth_mbps=500, is_active=True, area_code="DUB01")
    coverage_area_update(area=area, actor=SYSTEM, max_bandwidth_mbps=None)
    area.refresh_from_db()
    assert (area.max_bandwidth_mbps, area.is_active, area.area_code) == (None, True, "DUB01")
    row = HistoryEntry.objects.get(action="orders.coverage_area.updated")
    assert row.changes == {"max_bandwidth_mbps": [500, None]}


def test_an_update_service_refuses_an_argument_it_does_not_name():
    with pytest.raises(TypeError):
        coverage_area_update(area=CoverageAreaFactory(), actor=SYSTEM, technology_typo="dsl")
