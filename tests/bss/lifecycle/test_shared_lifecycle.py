"""One lifecycle for catalog-like entities (bss.lifecycle): protected, moved only by transitions."""

import pytest

from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError, DomainValidationError
from bss.lifecycle import LifecycleStatus
from orders.models import Catalog, Category, ProductOfferingPrice, ProductSpecification
from orders.services import catalog as services
from service_activation import services as sa_services
from service_activation.models import ServiceSpecification
from tests.factories import CategoryFactory, ProductSpecificationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Category, Catalog, ProductSpecification, ProductOfferingPrice,
                                   ServiceSpecification])
def test_every_catalog_lifecycle_is_the_shared_protected_field(model):
    field = model._meta.get_field("lifecycle_status")
    assert field.protected and dict(field.choices) == dict(LifecycleStatus.choices)


def test_status_cannot_be_assigned():
    category = CategoryFactory()
    with pytest.raises(AttributeError):
        category.lifecycle_status = LifecycleStatus.RETIRED


def test_update_moves_the_lifecycle_through_its_transition_in_one_history_row(actor):
    spec = ProductSpecificationFactory()
    services.specification_update(specification=spec, actor=actor, name="Renamed",
                                  lifecycle_status=LifecycleStatus.RETIRED, reason="superseded")
    spec = ProductSpecification.objects.get(pk=spec.pk)
    assert (spec.name, spec.lifecycle_status) == ("Renamed", LifecycleStatus.RETIRED)
    [entry] = HistoryEntry.objects.filter(object_id=str(spec.pk), action="orders.product_specification.updated")
    assert entry.changes["lifecycle_status"] == ["active", "retired"] and entry.changes["name"][1] == "Renamed"


def test_a_move_the_lifecycle_forbids_is_409_and_changes_nothing(actor):
    category = CategoryFactory()
    services.category_update(category=category, actor=actor, lifecycle_status=LifecycleStatus.RETIRED)
    with pytest.raises(ApplicationError) as e:
        services.category_update(category=category, actor=actor, name="Back", lifecycle_status="draft")
    assert e.value.status_code == 409
    category = Category.objects.get(pk=category.pk)
    assert category.lifecycle_status == LifecycleStatus.RETIRED and category.name != "Back"


def test_unknown_status_is_400(actor):
    with pytest.raises(DomainValidationError):
        services.category_update(category=CategoryFactory(), actor=actor, lifecycle_status="gone")


def test_service_specification_lifecycle(actor):
    spec = sa_services.service_specification_create(code="fiber-access", name="Fiber access", actor=actor,
                                                    lifecycle_status=LifecycleStatus.DRAFT)
    sa_services.service_specification_change_status(specification_id=spec.pk, status="active", actor=actor)
    assert ServiceSpecification.objects.get(pk=spec.pk).lifecycle_status == "active"
    assert HistoryEntry.objects.filter(action="service_activation.service_specification.launch",
                                       object_id=str(spec.pk)).exists()
    with pytest.raises(ApplicationError):
        sa_services.service_specification_change_status(specification_id=spec.pk, status="draft", actor=actor)


def test_every_state_or_status_field_of_a_domain_model_is_a_protected_fsm_field():
    """Lifecycles change only through bss.fsm.fsm_transition. Technical bookkeeping states of the
    platform (outbox delivery, idempotency keys, SLA jeopardy classification) are not lifecycles."""
    from django.apps import apps
    from django_fsm import FSMField

    not_lifecycles = {("bss", "EventDelivery", "status"), ("idempotency", "IdempotencyKey", "state"),
                      ("sla", "SlaClock", "jeopardy_status")}
    plain = []
    for model in apps.get_models():
        if model._meta.app_label in {"admin", "auth", "contenttypes", "sessions", "axes", "authtoken"}:
            continue
        for f in model._meta.concrete_fields:
            if (f.name in {"state", "status", "lifecycle_status"} and
                    (model._meta.app_label, model.__name__, f.name) not in not_lifecycles):
                if not (isinstance(f, FSMField) and f.protected):
                    plain.append(f"{model._meta.label}.{f.name}")
    assert plain == []
