"""orders.services.catalog: an update is one use case, its lifecycle move included (one history
row, one event), with the lifecycle's own checks made on the entity as the call leaves it; and
the references a service takes may be rows or TMF references, resolved in the service (those
that name nothing of ours kept as sent in tmf_extra, never an error)."""

import pytest

from bss.actors import Actor
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError, DomainValidationError
from bss.events.models import Event
from orders.models import ProductOffering
from orders.services import catalog as services
from tests.factories import (
    CategoryFactory,
    ProductOfferingFactory,
    ProductSpecificationFactory,
    ServiceSpecificationFactory,
    bundle,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def system():
    return Actor.system("test")


def history(obj) -> list[HistoryEntry]:
    return list(HistoryEntry.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)
                .order_by("pk"))


def events() -> list[str]:
    return list(Event.objects.order_by("pk").values_list("event_type", flat=True))


class TestOfferingUpdateWithLifecycle:
    def test_attributes_and_launch_are_one_row_and_one_event(self, system):
        o = ProductOfferingFactory(name="Old")
        services.offering_update(offering=o, actor=system, name="New", lifecycle_status="active", reason="go")
        (entry,) = history(o)
        assert entry.changes == {"name": ["Old", "New"], "lifecycle_status": ["draft", "active"]}
        assert (entry.action, entry.reason) == ("orders.product_offering.launched", "go")
        assert events() == ["ProductOfferingStateChangeEvent"]

    def test_same_status_is_no_move(self, system):
        o = ProductOfferingFactory(lifecycle_status="active", name="Old")
        services.offering_update(offering=o, actor=system, name="New", lifecycle_status="active")
        assert history(o)[-1].action == "orders.product_offering.updated"
        assert events() == ["ProductOfferingAttributeValueChangeEvent"]

    @pytest.mark.parametrize("start, target", [("draft", "retired"), ("active", "draft")])
    def test_moves_the_lifecycle_does_not_allow_are_409(self, system, start, target):
        o = ProductOfferingFactory(lifecycle_status=start, name="Old")
        with pytest.raises(ApplicationError) as exc:
            services.offering_update(offering=o, actor=system, name="New", lifecycle_status=target)
        assert exc.value.status_code == 409
        assert (history(o), events()) == ([], [])
        assert ProductOffering.objects.get(pk=o.pk).name == "Old"

    def test_an_unknown_status_is_400(self, system):
        with pytest.raises(DomainValidationError) as exc:
            services.offering_update(offering=ProductOfferingFactory(), actor=system, lifecycle_status="launched")
        assert "'launched' is not one of draft, active, retired" in exc.value.field_errors["lifecycle_status"][0]

    def test_launch_checks_the_offering_as_the_call_leaves_it(self, system):
        a, b = ProductOfferingFactory(lifecycle_status="active"), ProductOfferingFactory(lifecycle_status="active")
        draft = ProductOfferingFactory()
        duo = bundle(a, draft)
        with pytest.raises(ApplicationError) as exc:
            services.offering_update(offering=duo, actor=system, lifecycle_status="active")
        assert exc.value.code == "not_launchable" and draft.code in exc.value.message
        services.offering_update(offering=duo, actor=system, bundled_offerings=[a, b], lifecycle_status="active")
        assert ProductOffering.objects.get(pk=duo.pk).lifecycle_status == "active"
        retired_spec = ProductSpecificationFactory(lifecycle_status="retired")
        o = ProductOfferingFactory()
        ProductOffering.objects.filter(pk=o.pk).update(specification=retired_spec)
        with pytest.raises(ApplicationError):
            services.offering_update(offering=o, actor=system, lifecycle_status="active")
        services.offering_update(offering=o, actor=system, specification=None, lifecycle_status="active")
        assert ProductOffering.objects.get(pk=o.pk).lifecycle_status == "active"

    def test_retirement_checks_active_bundles(self, system):
        a, b = ProductOfferingFactory(lifecycle_status="active"), ProductOfferingFactory(lifecycle_status="active")
        bundle(a, b, lifecycle_status="active")
        with pytest.raises(ApplicationError) as exc:
            services.offering_update(offering=a, actor=system, description="x", lifecycle_status="retired")
        assert exc.value.code == "in_active_bundle"
        assert ProductOffering.objects.get(pk=a.pk).description == ""


class TestReferences:
    def test_offering_rows_references_and_kept_ones(self, system):
        cat, member = CategoryFactory(), ProductOfferingFactory()
        o = services.offering_create(
            actor=system, name="Mixed", specification={"id": "spec-x", "name": "Partner spec"},
            categories=[cat, {"id": "cat-x"}], bundled_offerings=[{"id": member.code}, {"id": "po-x", "note": "x"}],
            prices=[{"id": "pop-x"}])
        assert o.specification is None and list(o.categories.all()) == [cat]
        assert list(o.bundled_offerings.all()) == [member] and o.is_bundle
        assert o.tmf_extra == {"productSpecification": {"id": "spec-x", "name": "Partner spec"},
                               "category": [{"id": "cat-x"}], "bundledProductOffering": [{"id": "po-x"}],
                               "productOfferingPrice": [{"id": "pop-x"}]}
        assert services.kept_references(o, "categories") == [{"id": "cat-x"}]
        spec = ProductSpecificationFactory()
        services.offering_update(offering=o, actor=system, specification={"id": spec.code}, categories=[])
        o = ProductOffering.objects.get(pk=o.pk)
        assert o.specification == spec and list(o.categories.all()) == []
        assert set(o.tmf_extra) == {"bundledProductOffering", "productOfferingPrice"}
        (update,) = history(o)[1:]
        assert update.changes["categories"] == [[cat.pk], []]
        assert update.changes["tmf_extra"][1] == o.tmf_extra

    def test_kept_attributes_are_a_merge_patch_and_tmf_extra_replaces(self, system):
        o = services.offering_create(actor=system, name="X", kept_attributes={"attachment": [{"id": "a"}],
                                                                               "place": None})
        assert o.tmf_extra == {"attachment": [{"id": "a"}]}
        services.offering_update(offering=o, actor=system, kept_attributes={"attachment": None, "agreement": []})
        assert ProductOffering.objects.get(pk=o.pk).tmf_extra == {"agreement": []}
        services.offering_update(offering=o, actor=system, tmf_extra={"note": "admin"})
        assert ProductOffering.objects.get(pk=o.pk).tmf_extra == {"note": "admin"}

    def test_a_retired_row_a_reference_names_is_still_refused(self, system):
        old = CategoryFactory(lifecycle_status="retired")
        with pytest.raises(DomainValidationError) as exc:
            services.offering_create(actor=system, name="X", categories=[{"id": str(old.pk)}])
        assert "categories" in exc.value.field_errors

    def test_specification_category_catalog_and_price(self, system):
        svc = ServiceSpecificationFactory()
        spec = services.specification_create(actor=system, name="S",
                                             service_specifications=[{"id": svc.code}, {"id": "svc-x"}])
        assert list(spec.service_specifications.all()) == [svc]
        assert spec.tmf_extra == {"serviceSpecification": [{"id": "svc-x"}]}
        category = services.category_create(actor=system, name="C", parent={"id": "cat-root"},
                                            offerings=[{"id": "po-x"}])
        assert (category.parent, category.is_root) == (None, False)
        assert category.tmf_extra == {"parentId": "cat-root", "productOffering": [{"id": "po-x"}]}
        with pytest.raises(DomainValidationError):  # a category with a parent (ours or not) is no root
            services.category_create(actor=system, name="D", parent={"id": "cat-root"}, is_root=True)
        catalog = services.catalog_create(actor=system, name="K", categories=[category, {"id": "cat-y"}])
        assert list(catalog.categories.all()) == [category]
        assert catalog.tmf_extra == {"category": [{"id": "cat-y"}]}
        price = services.price_create(actor=system, offering={"id": "po-z"}, name="Fee", price_type="one_time",
                                      amount="5")
        assert price.offering is None and price.tmf_extra == {"productOffering": {"id": "po-z"}}
        assert history(price)[0].root_object_id == str(price.pk)
        assert services.price_delete(price=price, actor=system) == "deleted"
