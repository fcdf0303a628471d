"""Order fulfilment through real Celery workers on Redis (issue 9): an order posted on TMF622 is validated,
decomposed, activated through the simulated network, tested and completed by the worker; a worker killed
(SIGKILL) mid-activation is replaced and the order still completes, with every step configured exactly once."""

import time

import pytest
from django.db.models import Count
from rest_framework.test import APIClient

from bss.roles import Role
from orders.models import CustomerOrder
from service_activation.models import NetworkConfiguration, WorkOrder
from tests.factories import activatable_offering, orderable_customer, staff_user

pytestmark = pytest.mark.celery_worker


def _wait(predicate, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def _post_order(customer, offering):
    client = APIClient()
    client.force_authenticate(staff_user(Role.INTEGRATOR))
    r = client.post("/tmf-api/productOrderingManagement/v4/productOrder", {
        "productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": offering.code}}],
        "relatedParty": [{"id": str(customer.pk), "@referredType": "Customer", "role": "customer"}]}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["state"] == "acknowledged"
    return CustomerOrder.objects.get(pk=r.json()["id"])


def test_a_worker_fulfils_an_api_order(celery_worker_process):
    customer = orderable_customer()
    order = _post_order(customer, activatable_offering())
    assert _wait(lambda: CustomerOrder.objects.get(pk=order.pk).state == "completed"), \
        CustomerOrder.objects.get(pk=order.pk).state
    assert customer.products.get().status == "active"
    assert NetworkConfiguration.objects.count() == 3  # two activation steps and the test, once each


@pytest.fixture
def worker_env(worker_env):
    # each element answers after 4 s; a claim lasts 3 s (the lease after which another worker may take a step)
    return {**worker_env, "BSS_SIMULATED_LATENCY_MS": "4000", "BSS_WORK_ORDER_CLAIM_LEASE_SECONDS": "3"}


def test_a_worker_killed_mid_activation_is_replaced_and_configures_once(celery_worker_process, worker_env,
                                                                       settings):
    settings.BSS_WORK_ORDER_CLAIM_LEASE_SECONDS = 3
    customer = orderable_customer()
    order = _post_order(customer, activatable_offering())
    # the first step is configured in the network, the worker is waiting for the element's answer: kill it
    assert _wait(lambda: NetworkConfiguration.objects.exists() and WorkOrder.objects.filter(
        status="inProgress").exists(), timeout=60)
    celery_worker_process.kill()
    stuck = WorkOrder.objects.get(status="inProgress")
    assert NetworkConfiguration.objects.filter(idempotency_key=stuck.idempotency_key).count() == 1

    celery_worker_process.start()
    from service_activation.services.service_orders import work_orders_resume_stalled

    # the beat sweep, once the claim's lease ran out: the step runs again on the new worker
    time.sleep(3.5)
    assert work_orders_resume_stalled() >= 1
    assert _wait(lambda: CustomerOrder.objects.get(pk=order.pk).state == "completed", timeout=90), \
        list(WorkOrder.objects.values_list("code", "status", "attempts"))
    duplicates = NetworkConfiguration.objects.values("idempotency_key").annotate(n=Count("id")).filter(n__gt=1)
    assert not duplicates.exists()
    assert NetworkConfiguration.objects.count() == 3
    stuck.refresh_from_db()
    assert stuck.status == "done" and stuck.attempts == 2
