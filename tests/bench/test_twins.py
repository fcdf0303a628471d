"""The bare DRF twins exist only under the bench settings' URLconf, never in the product."""

import pytest
from django.urls import Resolver404, resolve

from tests.factories import CustomerFactory

TWIN = "/bench/twin/customer"


def test_the_product_does_not_serve_the_twins():
    with pytest.raises(Resolver404):
        resolve(TWIN)


@pytest.mark.django_db
@pytest.mark.urls("bench.urls")
def test_the_twins_read_and_insert_under_the_same_permissions(integrator_client, api_client):
    customer = CustomerFactory()
    assert integrator_client.get(f"{TWIN}/{customer.pk}").json()["customer_number"] == customer.customer_number
    page = integrator_client.get(f"{TWIN}?limit=20").json()
    assert page["count"] == 1 and len(page["results"]) == 1
    created = integrator_client.post(TWIN, {"name": "Bench 1"}, format="json")
    assert created.status_code == 201 and created.json()["customer_number"].startswith("T")
    assert api_client.get(f"{TWIN}/{customer.pk}").status_code in (401, 403)
    # the product's own paths are all there too
    assert integrator_client.get(f"/tmf-api/customerManagement/v4/customer/{customer.pk}").status_code == 200
