"""Customer order pages of the staff portal (/csr/orders/): order entry from the customer page and from a
qualification, the order page (state in words, agreed prices and totals, service orders, tasks, notes, history,
the live progress part) with only the actions the state and the role allow, the confirm-with-reason pages, the
lists (all orders, my tasks, the teams' worklists, the investigation queue) and the customer 360's orders panel.
Roles (orders/apps.py): CSRs and supervisors enter and change orders, billing and provisioning only view them
(provisioning also works order tasks), supervisors investigate rejected orders."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.errors import DomainValidationError
from bss.roles import Role
from orders.models import CustomerOrder, OfferingQualification, OrderNote, OrderTask
from orders.services.ordering import OrderItemInput, customer_order_create
from tests.factories import (
    AddressFactory,
    CustomerFactory,
    OrderTypeFactory,
    OrderTypeStepFactory,
    SpecCharacteristicFactory,
    activatable_offering,
    orderable_customer,
    staff_user,
)

pytestmark = pytest.mark.django_db

NEW = "/csr/orders/new/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def web():
    return login(staff_user(Role.CSR))


@pytest.fixture
def customer():
    return orderable_customer(name="Aoife Byrne")


@pytest.fixture
def offering():
    return activatable_offering(name="Fibre 500", price=Decimal("30.0000"), one_time=Decimal("50.0000"))


def place(actor_user, customer, offering, *, run=None, **kw) -> CustomerOrder:
    actor = Actor(user=actor_user, channel=Channel.PORTAL)
    order, _ = customer_order_create(actor=actor, customer_ref=str(customer.pk), channel="portal",
                                     items=[OrderItemInput(item_id="1", offering=offering.code)], **kw)
    return CustomerOrder.objects.get(pk=order.pk)


def first_address(customer):
    return customer.addresses.order_by("pk").first()


def set_status(customer, status: str) -> None:
    type(customer).objects.filter(pk=customer.pk).update(status=status)  # a test's shortcut past the lifecycle
    customer.refresh_from_db()


def reject(customer, offering) -> CustomerOrder:
    """An order of a suspended customer: validation (run by the task after commit) rejects it."""
    from orders.services.ordering import customer_order_process

    set_status(customer, "suspended")
    actor = Actor(user=staff_user(), channel=Channel.PORTAL)
    order, _ = customer_order_create(actor=actor, customer_ref=str(customer.pk), channel="portal",
                                     items=[OrderItemInput(item_id="1", offering=offering.code)])
    customer_order_process(order_id=order.pk, actor=actor)  # what the task does after commit
    return CustomerOrder.objects.get(pk=order.pk)


def manual_type(team="install-team"):
    """An order type whose second step is a manual task for ``team`` (the order waits for it)."""
    order_type = OrderTypeFactory(code="provide-with-visit")
    OrderTypeStepFactory(order_type=order_type, sequence=1, code="activate", name="Activate", kind="activation")
    OrderTypeStepFactory(order_type=order_type, sequence=2, code="visit", name="Customer visit", kind="manual",
                         team=team)
    return order_type


@pytest.fixture
def committed(customer, offering, django_capture_on_commit_callbacks):
    """A committed order waiting for a manual task (after its service order completed)."""
    order_type = manual_type()
    with django_capture_on_commit_callbacks(execute=True):
        order = place(staff_user(), customer, offering, order_type=order_type.code)
    order.refresh_from_db()
    assert order.state == CustomerOrder.State.COMMITTED, order.rejection_reasons
    return order


class TestPermissions:
    def test_a_role_without_the_permission_gets_the_403_page(self, committed):
        client = login(staff_user(Role.BILLING))  # billing views orders, never changes them
        task = committed.tasks.get(step__code="visit")
        for url in (NEW, f"/csr/orders/{committed.pk}/cancel/", f"/csr/orders/{committed.pk}/hold/",
                    f"/csr/orders/{committed.pk}/assign/", "/csr/orders/investigation/"):
            response = client.get(url)
            assert response.status_code == 403, url
            assert "<header" in response.content.decode()  # the styled error page, in the layout
        for url in (f"/csr/orders/{committed.pk}/cancel/", f"/csr/orders/{committed.pk}/notes/",
                    f"/csr/orders/tasks/{task.pk}/complete/"):
            assert client.post(url, {"reason": "x", "text": "x"}).status_code == 403, url
        committed.refresh_from_db()
        assert committed.state == CustomerOrder.State.COMMITTED and not committed.notes.exists()
        assert OrderTask.objects.get(pk=task.pk).status != "done"

    def test_viewing_is_not_changing(self, committed):
        viewer = login(staff_user(Role.BILLING))
        html = viewer.get(f"/csr/orders/{committed.pk}/").content.decode()
        assert committed.order_number in html and 'role="group" aria-label="Order actions"' in html
        assert "data-order-action" not in html  # not one action offered
        assert "data-task-complete" not in html and "data-task-take" not in html and 'name="text"' not in html
        assert viewer.get("/csr/orders/").status_code == 200

    def test_a_customer_login_is_refused_the_staff_pages(self, committed):
        from tests.factories import customer_user

        client = login(customer_user(committed.customer))
        assert client.get(f"/csr/orders/{committed.pk}/").status_code == 403


class TestOrderEntry:
    def test_the_page_offers_the_offerings_with_their_prices(self, web, customer, offering):
        html = web.get(f"{NEW}?customer={customer.pk}").content.decode()
        assert "Fibre 500 — €30.00/month + €50.00 once" in html
        assert 'hx-get="/csr/orders/new/options/"' in html and "data-no-options" in html
        assert first_address(customer).one_line in html

    def test_the_customer_number_finds_the_customer(self, web, customer):
        assert f'value="{customer.pk}"' in web.get(f"{NEW}?customer={customer.customer_number}").content.decode()
        response = web.get(f"{NEW}?customer=CU404")
        assert response.status_code == 404 and "No customer CU404." in response.content.decode()

    def test_options_come_from_the_specification_with_the_price(self, web, customer, offering):
        SpecCharacteristicFactory(specification=offering.specification, name="router", mandatory=True,
                                  allowed_values=["basic", "mesh"], description="Router model")
        html = web.get(f"/csr/orders/new/options/?customer={customer.pk}&offerings={offering.code}").content.decode()
        assert "<header" not in html and f'data-options-for="{offering.code}"' in html
        assert "€30.00/month + €50.00 once" in html and "Router model" in html
        assert f'name="qty__{offering.code}"' in html and f'name="char__{offering.code}__router"' in html

    def test_placing_an_order_runs_it_and_shows_its_page(self, web, customer, offering,
                                                          django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = web.post(NEW, {"customer": customer.pk, "offerings": [offering.code],
                                      f"qty__{offering.code}": "2", "address": first_address(customer).pk,
                                      "priority": "1", "notes": "Call before the visit."})
        order = CustomerOrder.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/csr/orders/{order.pk}/"
        assert order.channel == "portal" and order.priority == 1 and order.state == CustomerOrder.State.COMPLETED
        item = order.items.get()
        assert item.quantity == 2 and item.place == first_address(customer)
        assert order.notes.get().text == "Call before the visit."
        assert order.initiating_request["items"][0]["quantity"] == 2
        page = web.get(response["Location"])
        html = page.content.decode()
        assert "Order " + order.order_number in html and 'data-state="completed"' in html
        # agreed prices and the order total (23 % tax), two of them
        assert 'data-total="recurring:month"' in html and "60.00 EUR" in html and "73.80 EUR" in html
        assert 'data-total="one_time"' in html and "100.00 EUR" in html and "123.00 EUR" in html
        assert "data-service-order" in html and 'data-test-run="passed"' in html
        assert "Order completed" in html and "Order issued" in html  # the history timeline, in labels
        assert 'data-order-action="cancel"' not in html and "hx-trigger" not in html  # done: no actions, no polling
        assert f"Order {order.order_number} placed" in html

    def test_bad_input_is_a_form_error_and_nothing_is_saved(self, web, customer, offering):
        SpecCharacteristicFactory(specification=offering.specification, name="router", mandatory=True,
                                  allowed_values=["basic", "mesh"])
        past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
        response = web.post(NEW, {"customer": customer.pk, "offerings": [offering.code],
                                  f"qty__{offering.code}": "0", f"char__{offering.code}__router": "",
                                  "requested_date": past, "priority": "2"})
        html = response.content.decode()
        assert response.status_code == 400 and "data-error-summary" in html and "There are 3 problems" in html
        assert "At least 1." in html and "Required for this offering." in html and "cannot be in the past" in html
        assert not CustomerOrder.objects.exists()

    def test_no_offering_chosen_is_a_form_error(self, web, customer, offering):
        response = web.post(NEW, {"customer": customer.pk, "priority": "2"})
        assert response.status_code == 400 and "Choose at least one offering." in response.content.decode()
        assert not CustomerOrder.objects.exists()

    def test_the_services_input_errors_go_onto_the_fields(self, web, customer, offering, monkeypatch):
        from orders.services import ordering

        def refuse(**kw):
            raise DomainValidationError({"items[0].quantity": "A whole number of at least 1.",
                                         "items[0].depends_on": "No other item 'x' in this order."})

        monkeypatch.setattr(ordering, "customer_order_create", refuse)
        response = web.post(NEW, {"customer": customer.pk, "offerings": [offering.code],
                                  f"qty__{offering.code}": "1", "priority": "2"})
        html = response.content.decode()
        assert response.status_code == 400
        assert f'href="#id_qty__{offering.code}">Quantity: A whole number of at least 1.' in html
        assert "No other item" in html and "items[0]" not in html  # never a raw path
        assert not CustomerOrder.objects.exists()

    def test_a_closed_customer_cannot_order(self, web, offering):
        closed = CustomerFactory(status="closed")
        response = web.get(f"{NEW}?customer={closed.pk}")
        assert response.status_code == 409 and "cannot order" in response.content.decode()
        assert web.post(NEW, {"customer": closed.pk, "offerings": [offering.code]}).status_code == 409
        assert not CustomerOrder.objects.exists()

    def test_order_this_from_a_qualification(self, web, customer, offering, django_capture_on_commit_callbacks):
        poq = OfferingQualification.objects.create(
            customer=customer, channel="portal", qualification_result="qualified",
            request={"address": first_address(customer).one_line}, result=[
                {"itemId": "1", "offering": offering.code, "offeringName": offering.name, "feasible": True,
                 "reasons": [], "alternatives": [], "trace": []}])
        page = web.get(f"/csr/feasibility/qualifications/{poq.pk}/").content.decode()
        link = f"/csr/orders/new/?customer={customer.pk}&amp;qualification={poq.pk}&amp;offering={offering.code}"
        assert link in page and "Order this" in page
        html = web.get(link.replace("&amp;", "&")).content.decode()
        assert "data-from-qualification" in html
        assert re.search(rf'<input[^>]*value="{offering.code}"[^>]*checked', html)
        with django_capture_on_commit_callbacks(execute=True):
            web.post(NEW, {"customer": customer.pk, "qualification": poq.pk, "offerings": [offering.code],
                           f"qty__{offering.code}": "1", "address": first_address(customer).pk, "priority": "2"})
        assert CustomerOrder.objects.get().qualification == poq

    def test_order_this_only_for_a_feasible_offering_of_a_customer(self, web, customer, offering):
        other = activatable_offering(name="Mobile S")
        result = [{"itemId": "1", "offering": offering.code, "offeringName": offering.name, "feasible": True,
                   "reasons": [], "alternatives": [], "trace": []},
                  {"itemId": "2", "offering": other.code, "offeringName": other.name, "feasible": False,
                   "reasons": [], "alternatives": [], "trace": []}]
        poq = OfferingQualification.objects.create(customer=customer, channel="portal", request={}, result=result,
                                                   qualification_result="unqualified")
        html = web.get(f"/csr/feasibility/qualifications/{poq.pk}/").content.decode()
        assert f'data-order-this="{offering.code}"' in html and f'data-order-this="{other.code}"' not in html
        prospect = OfferingQualification.objects.create(customer=None, channel="portal", request={}, result=result,
                                                        qualification_result="unqualified")
        assert "data-order-this" not in web.get(f"/csr/feasibility/qualifications/{prospect.pk}/").content.decode()


class TestOrderPage:
    def test_an_open_order_shows_its_state_milestone_tasks_and_actions(self, web, committed):
        html = web.get(f"/csr/orders/{committed.pk}/").content.decode()
        assert 'data-state="committed"' in html and "Committed" in html and "(TMF622: in progress)" in html
        assert 'data-order-action="cancel"' in html and 'data-order-action="hold"' in html
        assert 'data-order-action="release"' not in html and 'data-order-action="reenter"' not in html
        task = committed.tasks.get(step__code="visit")
        assert f'data-task-complete="{task.pk}"' in html and f'data-task-take="{task.pk}"' in html
        assert 'hx-trigger="every 2s"' in html  # open: the progress part polls

    def test_the_progress_part_polls_and_reloads_the_page_when_the_order_moves(self, web, committed):
        from orders.views.ordering import fingerprint

        url = f"/csr/orders/{committed.pk}/"
        order = CustomerOrder.objects.prefetch_related("items", "tasks", "notes").get(pk=committed.pk)
        shown = fingerprint(order)
        assert f"?shown={shown}" in web.get(url).content.decode()
        fragment = web.get(url, {"shown": shown}, HTTP_HX_REQUEST="true")
        assert fragment.status_code == 200 and "<header" not in fragment.content.decode()
        assert "data-service-order" in fragment.content.decode() and fragment["Cache-Control"] == "no-store"
        stale = web.get(url, {"shown": "0000"}, HTTP_HX_REQUEST="true")
        assert stale.status_code == 204 and stale["HX-Refresh"] == "true"

    def test_a_rejected_order_shows_why_and_may_be_re_entered(self, web, customer, offering):
        rejected = reject(customer, offering)
        assert rejected.state == CustomerOrder.State.REJECTED
        html = web.get(f"/csr/orders/{rejected.pk}/").content.decode()
        assert "data-rejection-reasons" in html and f"Customer {customer.customer_number} is suspended." in html
        assert 'data-order-action="reenter"' in html and 'data-order-action="cancel"' not in html
        form = web.get(f"{NEW}?customer={customer.pk}&corrects={rejected.pk}").content.decode()
        assert "data-corrects" in form and re.search(rf'<input[^>]*value="{offering.code}"[^>]*checked', form)

    def test_the_jeopardy_indicator_shows_the_sla_clock(self, web, committed):
        html = web.get(f"/csr/orders/{committed.pk}/").content.decode()
        assert 'data-jeopardy="on_track"' in html and "On track" in html

    def test_an_order_of_someone_unknown_is_404(self, web):
        assert web.get("/csr/orders/999999/").status_code == 404


class TestConfirmWithReason:
    def test_cancel_says_what_happens_and_needs_a_reason(self, web, committed):
        url = f"/csr/orders/{committed.pk}/cancel/"
        page = web.get(url).content.decode()
        assert "data-consequences" in page and "Numbers, ports and other resources" in page
        response = web.post(url, {"reason": ""})
        assert response.status_code == 400 and "Say why" in response.content.decode()
        committed.refresh_from_db()
        assert committed.state == CustomerOrder.State.COMMITTED
        assert not HistoryEntry.objects.filter(action="orders.customer_order.assess_cancellation").exists()

    def test_cancelling_an_order_whose_activation_is_complete_is_refused_in_words(self, web, committed):
        response = web.post(f"/csr/orders/{committed.pk}/cancel/", {"reason": "customer changed their mind"})
        assert response.status_code == 409
        assert "has been activated: raise a termination order" in response.content.decode()
        committed.refresh_from_db()
        assert committed.state == CustomerOrder.State.COMMITTED

    def test_cancel_before_activation(self, web, customer, offering):
        order = place(staff_user(), customer, offering)  # callbacks not run: validated, nothing activated yet
        assert order.state == CustomerOrder.State.ACKNOWLEDGED
        response = web.post(f"/csr/orders/{order.pk}/cancel/", {"reason": "customer changed their mind"})
        assert response.status_code == 302
        order.refresh_from_db()
        assert order.state == CustomerOrder.State.CANCELLED and order.cancellation_reason == "customer changed their mind"

    def test_a_finished_order_offers_no_cancel_and_refuses_it(self, web, customer, offering,
                                                              django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            order = place(staff_user(), customer, offering)
        order.refresh_from_db()
        assert order.state == CustomerOrder.State.COMPLETED
        for action in ("cancel", "hold", "release"):
            response = web.get(f"/csr/orders/{order.pk}/{action}/")
            assert response.status_code == 409 and "data-refused" in response.content.decode()
        assert web.post(f"/csr/orders/{order.pk}/cancel/", {"reason": "x"}).status_code == 409

    def test_hold_and_release(self, web, committed):
        assert web.post(f"/csr/orders/{committed.pk}/hold/", {"reason": "customer away"}).status_code == 302
        committed.refresh_from_db()
        assert committed.state == CustomerOrder.State.HELD and committed.hold_reason == "manual"
        html = web.get(f"/csr/orders/{committed.pk}/").content.decode()
        assert 'data-order-action="release"' in html and 'data-order-action="hold"' not in html
        assert web.post(f"/csr/orders/{committed.pk}/release/", {"reason": ""}).status_code == 400
        assert web.post(f"/csr/orders/{committed.pk}/release/", {"reason": "customer back"}).status_code == 302
        committed.refresh_from_db()
        assert committed.state == CustomerOrder.State.COMMITTED

    def test_cancel_one_item(self, web, customer, offering):
        other = activatable_offering(name="TV box")
        order, _ = customer_order_create(actor=Actor(user=staff_user(), channel=Channel.PORTAL),
                                         customer_ref=str(customer.pk), channel="portal", items=[
                                             OrderItemInput(item_id="1", offering=offering.code),
                                             OrderItemInput(item_id="2", offering=other.code)])
        html = web.get(f"/csr/orders/{order.pk}/").content.decode()
        assert 'data-item-cancel="1"' in html and 'data-item-cancel="2"' in html
        page = web.get(f"/csr/orders/{order.pk}/items/2/cancel/").content.decode()
        assert "Cancel item 2 (TV box)?" in page
        assert web.post(f"/csr/orders/{order.pk}/items/2/cancel/", {"reason": "not needed"}).status_code == 302
        assert order.items.get(item_id="2").state == "cancelled" and order.items.get(item_id="1").state != "cancelled"
        assert web.get(f"/csr/orders/{order.pk}/items/2/cancel/").status_code == 409
        assert web.get(f"/csr/orders/{order.pk}/items/9/cancel/").status_code == 404


class TestNotesAssignTasks:
    def test_add_a_note_and_an_empty_one_is_refused(self, web, committed):
        url = f"/csr/orders/{committed.pk}/notes/"
        assert web.post(url, {"text": "  "}, follow=True).content.decode().count("A note cannot be empty.") == 1
        assert not OrderNote.objects.filter(order=committed).exists()
        html = web.post(url, {"text": "Customer prefers mornings."}, follow=True).content.decode()
        assert "Customer prefers mornings." in html and "Note added to the order" in html
        assert web.get(url).status_code == 405

    def test_assign_to_a_person_and_a_team(self, web, committed):
        colleague = staff_user(Role.CSR, first_name="Nora", last_name="Quinn")
        url = f"/csr/orders/{committed.pk}/assign/"
        page = web.get(url).content.decode()
        assert "Nora Quinn" in page and "install-team" in page
        response = web.post(url, {"user": "", "team": ""})
        assert response.status_code == 400 and "Choose a person, a team or both." in response.content.decode()
        assert web.post(url, {"user": colleague.pk, "team": "install-team"}).status_code == 302
        committed.refresh_from_db()
        assert committed.assigned_to == colleague and committed.assigned_team == "install-team"

    def test_take_and_complete_a_task_from_the_worklists(self, web, committed, django_capture_on_commit_callbacks):
        task = committed.tasks.get(step__code="visit")
        worklist = web.get("/csr/orders/tasks/?team=install-team").content.decode()
        assert f'data-task-complete="{task.pk}"' in worklist and committed.order_number in worklist
        assert committed.order_number not in web.get("/csr/orders/tasks/mine/").content.decode()
        web.post(f"/csr/orders/tasks/{task.pk}/take/", {"next": "/csr/orders/tasks/mine/"})
        mine = web.get("/csr/orders/tasks/mine/").content.decode()
        assert committed.order_number in mine
        with django_capture_on_commit_callbacks(execute=True):
            response = web.post(f"/csr/orders/tasks/{task.pk}/complete/",
                                {"note": "visited", "next": "/csr/orders/tasks/mine/"})
        assert response.status_code == 302 and response["Location"] == "/csr/orders/tasks/mine/"
        committed.refresh_from_db()
        assert committed.state == CustomerOrder.State.COMPLETED
        assert OrderTask.objects.get(pk=task.pk).status == "done"

    def test_a_task_refused_by_the_service_is_a_message(self, web, committed):
        task = committed.tasks.get(step__code="activate")  # done when the service orders completed
        html = web.post(f"/csr/orders/tasks/{task.pk}/complete/", follow=True).content.decode()
        assert "is done" in html or "activation step" in html
        assert "alert-danger" in html

    def test_working_tasks_needs_the_task_permission(self, committed):
        client = login(staff_user(Role.BILLING))
        task = committed.tasks.get(step__code="visit")
        html = client.get("/csr/orders/tasks/").content.decode()
        assert committed.order_number in html and "data-task-complete" not in html
        assert client.post(f"/csr/orders/tasks/{task.pk}/complete/").status_code == 403
        assert OrderTask.objects.get(pk=task.pk).status != "done"

    def test_provisioning_works_order_tasks_but_does_not_change_orders(self, committed,
                                                                        django_capture_on_commit_callbacks):
        client = login(staff_user(Role.PROVISIONING))
        task = committed.tasks.get(step__code="visit")
        html = client.get(f"/csr/orders/{committed.pk}/").content.decode()
        assert f'data-task-complete="{task.pk}"' in html and 'data-order-action="cancel"' not in html
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/csr/orders/tasks/{task.pk}/complete/", {"note": "installed"})
        assert OrderTask.objects.get(pk=task.pk).status == "done"


class TestLists:
    def test_all_orders_filtered_by_state_channel_and_customer(self, web, committed, offering):
        other = orderable_customer(name="Brian Walsh")
        place(staff_user(), other, offering)
        html = web.get("/csr/orders/").content.decode()
        assert committed.order_number in html and "2 orders" in html
        filtered = web.get(f"/csr/orders/?customer={committed.customer.customer_number}").content.decode()
        assert committed.order_number in filtered and "1 order" in filtered
        assert "No order matches" in web.get("/csr/orders/?channel=api").content.decode()
        assert web.get("/csr/orders/?state=committed", HTTP_HX_REQUEST="true").content.decode().count(
            "<header") == 0

    def test_investigation_queue_lists_rejected_orders_until_re_entered(self, customer, offering,
                                                                         django_capture_on_commit_callbacks):
        supervisor = login(staff_user(Role.SUPERVISOR))
        rejected = reject(customer, offering)
        html = supervisor.get("/csr/orders/investigation/").content.decode()
        assert rejected.order_number in html and "is suspended" in html
        set_status(customer, "active")
        with django_capture_on_commit_callbacks(execute=True):
            supervisor.post(NEW, {"customer": customer.pk, "corrects": rejected.pk, "offerings": [offering.code],
                                  f"qty__{offering.code}": "1", "priority": "2"})
        follow_on = CustomerOrder.objects.exclude(pk=rejected.pk).get()
        assert follow_on.modifies_order == rejected and follow_on.state == CustomerOrder.State.COMPLETED
        assert HistoryEntry.objects.filter(action="orders.customer_order.resubmitted").count() == 1
        assert rejected.order_number not in supervisor.get("/csr/orders/investigation/").content.decode()
        assert login(staff_user(Role.CSR)).get("/csr/orders/investigation/").status_code == 403

    def test_investigate_a_rejected_order(self, customer, offering):
        supervisor = login(staff_user(Role.SUPERVISOR))
        rejected = reject(customer, offering)
        assert 'data-order-action="investigate"' in supervisor.get(f"/csr/orders/{rejected.pk}/").content.decode()
        assert 'data-order-action="investigate"' not in login(staff_user(Role.CSR)).get(
            f"/csr/orders/{rejected.pk}/").content.decode()
        url = f"/csr/orders/{rejected.pk}/investigate/"
        response = supervisor.post(url, {"classification": "customer_data", "note": ""})
        assert response.status_code == 400 and "There is a problem" in response.content.decode()
        assert supervisor.post(url, {"classification": "customer_data", "note": "suspended by mistake"}).status_code \
            == 302
        rejected.refresh_from_db()
        assert rejected.investigation_class == "customer_data"
        html = supervisor.get(f"/csr/orders/{rejected.pk}/").content.decode()
        assert 'data-investigation="customer_data"' in html and "Rejected order investigated" in html

    def test_the_home_page_counts_the_work_queues(self, committed):
        user = staff_user(Role.SUPERVISOR)
        html = login(user).get("/csr/").content.decode()
        assert 'data-queue="order_tasks_team"' in html and 'data-queue="order_investigation"' in html


class TestCustomerPanel:
    def test_the_orders_panel_lists_recent_orders_and_offers_new_order(self, web, committed):
        html = web.get(f"/csr/customers/{committed.customer_id}/").content.decode()
        assert f'data-order="{committed.order_number}"' in html and f"/csr/orders/{committed.pk}/" in html
        assert f"/csr/orders/new/?customer={committed.customer_id}" in html and "data-new-order" in html

    def test_no_new_order_without_the_permission_or_for_a_closed_customer(self, committed):
        html = login(staff_user(Role.BILLING)).get(f"/csr/customers/{committed.customer_id}/").content.decode()
        assert "data-new-order" not in html and committed.order_number in html
        closed = CustomerFactory(status="closed")
        AddressFactory(customer=closed)
        assert "data-new-order" not in login(staff_user(Role.CSR)).get(f"/csr/customers/{closed.pk}/").content.decode()

    def test_the_self_service_profile_shows_the_orders_in_the_customers_words(self, committed):
        from tests.factories import customer_user

        html = login(customer_user(committed.customer)).get("/my/").content.decode()
        assert f"/my/orders/{committed.pk}/" in html and "In progress" in html
        assert committed.items.get().offering.code not in html
