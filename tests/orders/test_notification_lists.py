"""Internal notification lists (orders.notifications): configured data says which order events (and states) notify
which users, teams and addresses, per order type and customer segment; the mail goes out from the outbox's
dispatch after commit, never inside the transition; the admin edits the lists through the service."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.errors import DomainValidationError
from bss.roles import Role
from orders.models.ordering import OrderNotificationList
from orders.services import order_config
from orders.services.order_modify import OrderItemChange, customer_order_modify
from orders.services.ordering import OrderItemInput, customer_order_create
from tests.factories import OrderTypeFactory, activatable_offering, orderable_customer, staff_user

pytestmark = pytest.mark.django_db
STATE = OrderNotificationList.EventKind.STATE_CHANGE.value
CHANGE = OrderNotificationList.EventKind.ATTRIBUTE_VALUE_CHANGE.value


@pytest.fixture
def csr():
    return Actor(user=staff_user(), channel=Channel.PORTAL)


def _rejected_order(csr, customer):
    order, _ = customer_order_create(actor=csr, customer_ref=str(customer.pk),
                                     items=[OrderItemInput(item_id="1", offering="no-such-offering")])
    assert order.state == "rejected"
    return order


def test_a_business_customer_s_rejected_order_notifies_the_list_after_commit(csr, on_commit):
    manager = staff_user(email="am@example.com")
    team = Group.objects.create(name="Enterprise desk")
    staff_user(email="desk@example.com").groups.add(team)
    staff_user(email="").groups.add(team)  # no address: left out
    order_config.notification_list_create(
        name="Enterprise rejections", actor=csr, event_types=[STATE], states=["rejected"],
        customer_segment="enterprise", users=[manager], teams=[team], email_addresses="sales-ops@example.com")
    with on_commit(execute=False) as callbacks:
        order = _rejected_order(csr, orderable_customer(segment="enterprise"))
        assert mail.outbox == [], "nothing is sent inside the transaction"
    assert callbacks
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["am@example.com", "desk@example.com", "sales-ops@example.com"]
    assert order.order_number in message.subject and "rejected" in message.subject
    assert "Enterprise rejections" in message.body and f"/csr/orders/{order.pk}/" in message.body


def test_segment_state_and_order_type_narrow_the_lists(csr, on_commit):
    order_config.notification_list_create(name="Enterprise", actor=csr, states=["rejected"],
                                          customer_segment="enterprise", email_addresses="a@example.com")
    order_config.notification_list_create(name="Completions only", actor=csr, states=["completed"],
                                          email_addresses="b@example.com")
    order_config.notification_list_create(name="Another type", actor=csr, email_addresses="c@example.com",
                                          order_type=OrderTypeFactory(code="other-type"))
    order_config.notification_list_create(name="Inactive", actor=csr, email_addresses="d@example.com",
                                          active=False)
    with on_commit(execute=True):
        _rejected_order(csr, orderable_customer(segment="residential"))
    assert mail.outbox == []


def test_a_change_list_hears_of_a_modification(csr, on_commit):
    order_config.notification_list_create(name="Changes", actor=csr, event_types=[CHANGE],
                                          email_addresses="changes@example.com")
    order, _ = customer_order_create(actor=csr, customer_ref=str(orderable_customer().pk),
                                     items=[OrderItemInput(item_id="1", offering=activatable_offering().code)])
    with on_commit(execute=True):
        customer_order_modify(order_id=order.pk, actor=csr, changes=[OrderItemChange(item_id="1", quantity=2)])
    assert [m.to for m in mail.outbox] == [["changes@example.com"]]
    assert "changed" in mail.outbox[0].subject


def test_the_service_validates_and_records_history(csr):
    with pytest.raises(DomainValidationError) as e:
        order_config.notification_list_create(name="", actor=csr, event_types=["Nope"], states=["sideways"],
                                              customer_segment="martian", email_addresses="not-an-address")
    assert set(e.value.field_errors) == {"name", "event_types", "states", "customer_segment", "email_addresses"}
    nl = order_config.notification_list_create(name="Ops", actor=csr, email_addresses="ops@example.com")
    order_config.notification_list_update(notification_list=nl, actor=csr, states=["held", "committed"])
    nl.refresh_from_db()
    assert nl.states == ["held", "committed"] and nl.events == [STATE]
    assert HistoryEntry.objects.filter(action="orders.notification_list.updated").count() == 1


def test_admin_creates_a_list_through_the_service():
    client = Client()
    client.force_login(staff_user(Role.ADMIN, is_superuser=True))
    url = "/admin/orders/ordernotificationlist/add/"
    assert client.get(url).status_code == 200
    resp = client.post(url, {"name": "Account managers", "active": "on", "event_types": [STATE, CHANGE],
                             "states": '["completed", "held"]', "customer_segment": "sme",
                             "email_addresses": "am@example.com"})
    assert resp.status_code == 302, resp.content.decode()[:3000]
    nl = OrderNotificationList.objects.get(name="Account managers")
    assert nl.events == [STATE, CHANGE] and nl.states == ["completed", "held"]
    assert HistoryEntry.objects.filter(action="orders.notification_list.created").exists()
    bad = client.post(url, {"name": "Bad", "active": "on", "states": "[]", "event_types": [STATE],
                            "customer_segment": "", "email_addresses": "nobody"})
    assert bad.status_code == 200 and b"is not an e-mail address" in bad.content


def test_without_an_active_list_order_events_are_not_dispatched_for_it(csr):
    """The subscriber wants an order event only while an active list exists (bss.events cached_exists): order
    intake publishes many events and one nobody wants gets no fan-out task."""
    from bss.events.registry import wanted_by
    from orders.events import PRODUCT_ORDER_STATE_CHANGE

    handler = "orders.notifications.order_event_notify_lists"
    order = _rejected_order(csr, orderable_customer())
    assert handler not in wanted_by(PRODUCT_ORDER_STATE_CHANGE, order)
    nl = order_config.notification_list_create(name="Ops", actor=csr, email_addresses="ops@example.com")
    assert handler in wanted_by(PRODUCT_ORDER_STATE_CHANGE, order)
    order_config.notification_list_update(notification_list=nl, actor=csr, active=False)
    assert handler not in wanted_by(PRODUCT_ORDER_STATE_CHANGE, order)
