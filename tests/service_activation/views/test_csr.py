"""Provisioning pages of the staff portal (/csr/provisioning/): the teams' worklist of manual work orders (complete
a step, record a manual test's result), the fallout queue (retry with what was repaired, give up with why), the
service order page, and the customer 360's services panel. Provisioning engineers work the steps; CSRs and
supervisors only look; other roles get the 403 page."""

from __future__ import annotations

import pytest
from django.test import Client

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.roles import Role
from orders.models import CustomerOrder
from orders.services.ordering import OrderItemInput, customer_order_create
from service_activation.models import ServiceOrder, WorkOrder
from tests.factories import activatable_offering, orderable_customer, staff_user

pytestmark = pytest.mark.django_db


def login(role) -> Client:
    client = Client()
    client.force_login(staff_user(role))
    return client


@pytest.fixture
def engineer():
    return login(Role.PROVISIONING)


def run_order(offering, capture) -> CustomerOrder:
    customer = orderable_customer(name="Ciarán Doyle")
    with capture(execute=True):
        order, _ = customer_order_create(actor=Actor(user=staff_user(), channel=Channel.PORTAL),
                                         customer_ref=str(customer.pk), channel="portal",
                                         items=[OrderItemInput(item_id="1", offering=offering.code)])
    return CustomerOrder.objects.get(pk=order.pk)


@pytest.fixture
def manual(django_capture_on_commit_callbacks):
    """An order whose service order waits for a manual installation step."""
    order = run_order(activatable_offering(name="Fibre install", manual_steps=("install-ont",)),
                      django_capture_on_commit_callbacks)
    wo = WorkOrder.objects.get(code="install-ont", item__service_order__customer_order_id=order.pk)
    assert wo.status == WorkOrder.Status.READY and order.state == CustomerOrder.State.COMMITTED
    return order, wo


@pytest.fixture
def manual_test(django_capture_on_commit_callbacks):
    """An order whose end-to-end test is done by hand."""
    offering = activatable_offering(name="Leased line", tests=())
    spec = offering.specification.service_specifications.get()
    spec.test_plan = [{"code": "site-test", "name": "Site acceptance test", "kind": "manual",
                       "specialty": "field-test"}]
    spec.save(update_fields=["test_plan"])
    order = run_order(offering, django_capture_on_commit_callbacks)
    wo = WorkOrder.objects.get(code="site-test", item__service_order__customer_order_id=order.pk)
    assert wo.status == WorkOrder.Status.READY, wo.status
    return order, wo


@pytest.fixture
def fallout(settings, django_capture_on_commit_callbacks):
    settings.BSS_SIMULATED_NETWORK = {"fail_steps": ("provision-profile",)}
    order = run_order(activatable_offering(name="Fibre 1000"), django_capture_on_commit_callbacks)
    wo = WorkOrder.objects.get(code="provision-profile", item__service_order__customer_order_id=order.pk)
    assert wo.status == WorkOrder.Status.FAILED
    settings.BSS_SIMULATED_NETWORK = {}
    return order, wo


class TestPermissions:
    def test_a_role_without_the_permission_gets_the_403_page(self, manual):
        _, wo = manual
        client = login(Role.BILLING)
        so = wo.item.service_order
        for url in ("/csr/provisioning/worklist/", "/csr/provisioning/fallout/",
                    f"/csr/provisioning/service-orders/{so.pk}/", f"/csr/provisioning/work-orders/{wo.pk}/complete/"):
            response = client.get(url)
            assert response.status_code == 403 and "<header" in response.content.decode(), url

    def test_a_csr_sees_the_work_but_cannot_do_it(self, manual):
        _, wo = manual
        csr = login(Role.CSR)
        html = csr.get("/csr/provisioning/worklist/").content.decode()
        assert wo.item.service_order.order_number in html and "data-work-order-complete" not in html
        assert csr.get(f"/csr/provisioning/work-orders/{wo.pk}/complete/").status_code == 403
        assert csr.post(f"/csr/provisioning/work-orders/{wo.pk}/complete/", {"note": "x"}).status_code == 403
        assert WorkOrder.objects.get(pk=wo.pk).status == WorkOrder.Status.READY


class TestWorklist:
    def test_complete_a_manual_step_and_the_order_goes_on(self, engineer, manual,
                                                         django_capture_on_commit_callbacks):
        order, wo = manual
        html = engineer.get("/csr/provisioning/worklist/?specialty=field-install").content.decode()
        assert f'data-work-order-complete="{wo.pk}"' in html and "1 work order" in html
        assert "No manual step" in engineer.get("/csr/provisioning/worklist/?kind=test").content.decode()
        page = engineer.get(f"/csr/provisioning/work-orders/{wo.pk}/complete/").content.decode()
        assert "Complete “install ont”" in page and 'name="result"' not in page  # not a test: no result
        with django_capture_on_commit_callbacks(execute=True):
            response = engineer.post(f"/csr/provisioning/work-orders/{wo.pk}/complete/",
                                     {"note": "ONT fitted", "next": "/csr/provisioning/worklist/"})
        assert response.status_code == 302 and response["Location"] == "/csr/provisioning/worklist/"
        order.refresh_from_db()
        assert WorkOrder.objects.get(pk=wo.pk).status == WorkOrder.Status.DONE
        assert order.state == CustomerOrder.State.COMPLETED
        after = engineer.get("/csr/provisioning/worklist/").content.decode()  # (the message names it once)
        assert f'data-work-order-complete="{wo.pk}"' not in after and "No manual step waits" in after

    def test_a_step_already_done_is_refused_in_words(self, engineer, manual, django_capture_on_commit_callbacks):
        _, wo = manual
        with django_capture_on_commit_callbacks(execute=True):
            engineer.post(f"/csr/provisioning/work-orders/{wo.pk}/complete/", {"note": "done"})
        response = engineer.get(f"/csr/provisioning/work-orders/{wo.pk}/complete/")
        assert response.status_code == 409 and "nothing to complete by hand" in response.content.decode()

    def test_an_automatic_step_cannot_be_completed_by_hand(self, engineer, fallout):
        _, wo = fallout
        assert engineer.get(f"/csr/provisioning/work-orders/{wo.pk}/complete/").status_code == 409

    def test_record_a_manual_test_result(self, engineer, manual_test, django_capture_on_commit_callbacks):
        order, wo = manual_test
        url = f"/csr/provisioning/work-orders/{wo.pk}/complete/"
        assert "Record the result" in engineer.get(url).content.decode()
        response = engineer.post(url, {"result": "failed", "note": ""})
        assert response.status_code == 400 and "Say what failed" in response.content.decode()
        assert engineer.post(url, {"note": "x"}).status_code == 400  # passed or failed must be said
        assert WorkOrder.objects.get(pk=wo.pk).status == WorkOrder.Status.READY and not wo.item.test_runs.exists()
        with django_capture_on_commit_callbacks(execute=True):
            engineer.post(url, {"result": "failed", "note": "loss too high on the far end"})
        wo.refresh_from_db()
        assert wo.status == WorkOrder.Status.FAILED and not wo.item.test_runs.get().passed
        assert wo.item.service_order.order_number in engineer.get("/csr/provisioning/fallout/").content.decode()


class TestFallout:
    def test_retry_needs_a_reason_then_the_order_completes(self, engineer, fallout,
                                                           django_capture_on_commit_callbacks):
        order, wo = fallout
        html = engineer.get("/csr/provisioning/fallout/").content.decode()
        assert f'data-retry="{wo.pk}"' in html and "simulated failure" in html
        url = f"/csr/provisioning/work-orders/{wo.pk}/retry/"
        assert "data-consequences" in engineer.get(url).content.decode()
        response = engineer.post(url, {"reason": ""})
        assert response.status_code == 400 and "Say why" in response.content.decode()
        assert WorkOrder.objects.get(pk=wo.pk).status == WorkOrder.Status.FAILED
        with django_capture_on_commit_callbacks(execute=True):
            assert engineer.post(url, {"reason": "profile server restarted"}).status_code == 302
        order.refresh_from_db()
        assert order.state == CustomerOrder.State.COMPLETED
        entry = HistoryEntry.objects.get(action="service_activation.work_order.retry")
        assert entry.reason == "profile server restarted"

    def test_give_up_fails_the_item_and_the_order_follows(self, engineer, fallout,
                                                          django_capture_on_commit_callbacks):
        order, wo = fallout
        with django_capture_on_commit_callbacks(execute=True):
            engineer.post(f"/csr/provisioning/work-orders/{wo.pk}/give-up/", {"reason": "no profile for this area"})
        so = ServiceOrder.objects.get(pk=wo.item.service_order_id)
        assert so.state == ServiceOrder.State.FAILED
        order.refresh_from_db()
        assert order.state == CustomerOrder.State.FAILED
        assert engineer.get(f"/csr/provisioning/work-orders/{wo.pk}/give-up/").status_code == 409
        after = engineer.get("/csr/provisioning/fallout/").content.decode()
        assert f'data-retry="{wo.pk}"' not in after and "No fallout" in after  # dealt with

    def test_a_csr_sees_fallout_without_actions(self, fallout):
        _, wo = fallout
        html = login(Role.CSR).get("/csr/provisioning/fallout/").content.decode()
        assert wo.item.service_order.order_number in html and "data-retry" not in html


class TestServiceOrderPage:
    def test_items_work_orders_tests_and_history(self, engineer, fallout):
        order, wo = fallout
        so = wo.item.service_order
        html = engineer.get(f"/csr/provisioning/service-orders/{so.pk}/").content.decode()
        assert f"Service order {so.order_number}" in html and 'data-work-order="provision-profile"' in html
        assert f"/csr/provisioning/work-orders/{wo.pk}/retry/" in html and "Work order failed (fallout)" in html
        assert f"/csr/orders/{order.pk}/" in html  # its customer order, by link
        # a service order that fulfils a customer order is cancelled with it, not here
        assert 'data-so-action="cancel"' not in html
        response = engineer.get(f"/csr/provisioning/service-orders/{so.pk}/cancel/")
        assert response.status_code == 409 and "cancel the customer order" in response.content.decode()

    def test_a_standalone_service_order_may_be_cancelled_with_a_reason(self, engineer):
        from service_activation.services import ServiceItemInput, service_order_issue

        spec = activatable_offering().specification.service_specifications.get()
        so = service_order_issue(actor=Actor(user=staff_user(Role.PROVISIONING), channel=Channel.PORTAL),
                                 items=[ServiceItemInput(item_id="1", specification_id=spec.pk)],
                                 origin="problem_recovery", start=False)
        html = engineer.get(f"/csr/provisioning/service-orders/{so.pk}/").content.decode()
        assert 'data-so-action="cancel"' in html
        url = f"/csr/provisioning/service-orders/{so.pk}/cancel/"
        assert engineer.post(url, {"reason": ""}).status_code == 400
        assert engineer.post(url, {"reason": "raised in error"}).status_code == 302
        assert ServiceOrder.objects.get(pk=so.pk).state == ServiceOrder.State.CANCELLED
        assert login(Role.CSR).post(url, {"reason": "x"}).status_code == 403


class TestPortalParts:
    def test_the_services_panel_on_the_customer_page(self, manual):
        order, wo = manual
        html = login(Role.CSR).get(f"/csr/customers/{order.customer_id}/").content.decode()
        assert 'data-panel="services"' in html and f'data-open-service-order="{wo.item.service_order.order_number}"' in html
        assert 'data-panel="services"' not in login(Role.BILLING).get(
            f"/csr/customers/{order.customer_id}/").content.decode()

    def test_the_work_queues_on_the_staff_home(self, manual, fallout):
        html = login(Role.PROVISIONING).get("/csr/").content.decode()
        assert 'data-queue="provisioning_worklist"' in html and 'data-queue="provisioning_fallout"' in html
        assert 'data-queue="provisioning_fallout"' not in login(Role.CSR).get("/csr/").content.decode()
