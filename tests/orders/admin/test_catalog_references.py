"""Catalog admin and the TMF620 references the catalog keeps (to things we do not hold): the
admin form cannot show them, so changing a relation in the admin keeps them, and a bundle's
kept members still count as members."""

import pytest
from django.urls import reverse

from bss.actors import Actor
from orders.models import Catalog, ProductOffering, ProductSpecification
from orders.services import catalog as services
from tests.admin_forms import post_data
from tests.factories import CategoryFactory, ProductOfferingFactory, ServiceSpecificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def system():
    return Actor.system("test")


def change(admin_client, obj, **overrides):
    path = reverse(f"admin:orders_{obj._meta.model_name}_change", args=[obj.pk])
    response = admin_client.post(path, post_data(admin_client.get(path), **overrides))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    return type(obj).objects.get(pk=obj.pk)


def test_changing_an_offering_relation_keeps_the_references_kept(admin_client, system):
    a, b, cat = ProductOfferingFactory(), ProductOfferingFactory(), CategoryFactory()
    o = services.offering_create(actor=system, name="Duo", categories=[{"id": "partner-cat"}],
                                 bundled_offerings=[a, {"id": "partner-box"}])
    o = change(admin_client, o, categories=[cat.pk], bundled_offerings=[b.pk])
    assert list(o.categories.all()) == [cat] and list(o.bundled_offerings.all()) == [b]
    assert o.tmf_extra == {"category": [{"id": "partner-cat"}], "bundledProductOffering": [{"id": "partner-box"}]}
    assert isinstance(o, ProductOffering) and o.is_bundle  # one member of ours and one kept: a bundle


def test_specification_and_catalog_relations(admin_client, system):
    svc = ServiceSpecificationFactory()
    spec = services.specification_create(actor=system, name="S", service_specifications=[{"id": "svc-x"}])
    spec = change(admin_client, spec, service_specifications=[svc.pk])
    assert isinstance(spec, ProductSpecification) and list(spec.service_specifications.all()) == [svc]
    assert spec.tmf_extra == {"serviceSpecification": [{"id": "svc-x"}]}
    cat = CategoryFactory()
    catalog = services.catalog_create(actor=system, name="K", categories=[{"id": "cat-x"}])
    catalog = change(admin_client, catalog, categories=[cat.pk])
    assert isinstance(catalog, Catalog) and list(catalog.categories.all()) == [cat]
    assert catalog.tmf_extra == {"category": [{"id": "cat-x"}]}
