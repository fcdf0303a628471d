"""Order tasks scheduled against the committed availability date (orders.services.order_config.order_tasks_schedule):
back-scheduled from the committed date by the expected durations of the later steps, set when the order is
committed and again when the committed date moves; shown in the worklists, overdue tasks flagged."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from bss.actors import Actor, Channel
from bss.roles import Role
from orders.models import CustomerOrder, OrderTask, OrderTypeStep
from orders.services import ordering
from orders.services.order_config import order_tasks_schedule
from orders.services.ordering import OrderItemInput, customer_order_create
from tests.factories import (
    OrderTypeFactory,
    OrderTypeStepFactory,
    activatable_offering,
    orderable_customer,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def csr():
    return Actor(user=staff_user(), channel=Channel.PORTAL)


@pytest.fixture
def order_type():
    ot = OrderTypeFactory(code="provide-scheduled", kind="provide", is_default=True)
    OrderTypeStepFactory(order_type=ot, sequence=1, code="survey", kind=OrderTypeStep.Kind.MANUAL, team="field",
                         expected_minutes=24 * 60)
    OrderTypeStepFactory(order_type=ot, sequence=2, code="install", kind=OrderTypeStep.Kind.MANUAL, team="field",
                         expected_minutes=8 * 60)
    OrderTypeStepFactory(order_type=ot, sequence=3, code="activate", kind=OrderTypeStep.Kind.ACTIVATION,
                         expected_minutes=60)
    return ot


def _committed(csr, committed):
    order, _ = customer_order_create(actor=csr, customer_ref=str(orderable_customer().pk),
                                     requested_completion_date=committed,
                                     items=[OrderItemInput(item_id="1", offering=activatable_offering().code)])
    ordering.customer_order_process(order_id=order.pk, actor=csr)
    order.refresh_from_db()
    assert order.state == CustomerOrder.State.COMMITTED, order.rejection_reasons
    return order


def _due(order):
    return dict(order.tasks.values_list("step__code", "due_at"))


def test_tasks_are_back_scheduled_from_the_committed_date_at_commit(csr, order_type):
    committed = (timezone.now() + dt.timedelta(days=10)).replace(microsecond=0)
    order = _committed(csr, committed)
    assert order.committed_date == committed
    assert _due(order) == {"activate": committed,
                           "install": committed - dt.timedelta(minutes=60),
                           "survey": committed - dt.timedelta(minutes=60 + 8 * 60)}


def test_a_new_committed_date_moves_the_due_dates(csr, order_type):
    order = _committed(csr, timezone.now() + dt.timedelta(days=10))
    later = (timezone.now() + dt.timedelta(days=20)).replace(microsecond=0)
    ordering.customer_order_update(order_id=order.pk, actor=csr, requested_completion_date=later)
    assert _due(order)["activate"] == later and _due(order)["survey"] == later - dt.timedelta(minutes=540)


def test_done_tasks_keep_their_dates_and_an_order_without_a_committed_date_is_not_scheduled(csr, order_type):
    order = _committed(csr, timezone.now() + dt.timedelta(days=10))
    survey = order.tasks.get(step__code="survey")
    ordering.order_task_complete(task_id=survey.pk, actor=csr)
    before = OrderTask.objects.get(pk=survey.pk).due_at
    order.committed_date = order.committed_date + dt.timedelta(days=5)
    order_tasks_schedule(order)
    assert OrderTask.objects.get(pk=survey.pk).due_at == before
    order.committed_date = None
    assert order_tasks_schedule(order) == 0


def test_the_worklist_shows_due_dates_and_flags_overdue_tasks(csr, order_type):
    order = _committed(csr, timezone.now() + dt.timedelta(hours=2))  # survey was due 7 hours ago
    survey = order.tasks.get(step__code="survey")
    assert survey.is_overdue() and not order.tasks.get(step__code="activate").is_overdue()
    client = Client()
    client.force_login(staff_user(Role.PROVISIONING))
    page = client.get("/csr/orders/tasks/").content.decode()
    assert "Due (UTC)" in page
    assert page.count("data-overdue") == 1 and "overdue" in page


def test_the_order_page_shows_each_tasks_due_date_and_flags_the_overdue_one(csr, order_type):
    order = _committed(csr, timezone.now() + dt.timedelta(hours=2))  # survey was due 7 hours ago
    client = Client()
    client.force_login(staff_user(Role.CSR))
    page = client.get(f"/csr/orders/{order.pk}/").content.decode()
    assert "Due (UTC)" in page
    survey = order.tasks.get(step__code="survey")
    row = page[page.index('data-task="survey"'):]
    row = row[:row.index("</tr>")]
    assert f'{survey.due_at:%-d %b %Y, %H:%M}' in row and "data-overdue" in row
    assert page.count("data-overdue") == 1
