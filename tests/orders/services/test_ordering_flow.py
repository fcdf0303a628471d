"""A customer order from issue to completion (eTOM 1.1.1.5.4 - 1.1.1.5.6), with its service orders
(1.1.2.2): preauthorized portal orders skip pending, committed orders decompose into service orders driven by
catalog data, activation leaves services inactive, a passed test makes them active, and completion updates the
customer's product inventory in the same transaction."""

from decimal import Decimal

import pytest

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from orders.models import CustomerOrder
from orders.services.ordering import OrderItemInput, customer_order_create
from service_activation.models import NetworkConfiguration, Service, ServiceOrder
from tests.factories import CreditPolicyFactory, activatable_offering, orderable_customer, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def csr():
    return Actor(user=staff_user(), channel=Channel.PORTAL)


def _order(actor, customer, offering, **kw):
    order, created = customer_order_create(actor=actor, customer_ref=str(customer.pk),
                                           items=[OrderItemInput(item_id="1", offering=offering.code)], **kw)
    assert created
    return order


def test_portal_order_runs_to_completion_and_creates_the_product(csr, django_capture_on_commit_callbacks):
    CreditPolicyFactory(is_active=True)
    customer = orderable_customer()
    offering = activatable_offering()
    with django_capture_on_commit_callbacks(execute=True):
        order = _order(csr, customer, offering)
    order.refresh_from_db()
    assert order.state == CustomerOrder.State.COMPLETED, order.rejection_reasons
    assert order.tmf_state == "completed"
    so = ServiceOrder.objects.get(customer_order_id=order.pk)
    assert so.state == ServiceOrder.State.COMPLETED
    service = Service.objects.get(customer_order_item_id=order.items.get().pk)
    assert service.state == Service.State.ACTIVE
    product = customer.products.get()
    assert product.status == "active" and product.offering_code == offering.code
    assert service.product_id == product.pk
    # each automatic step configured once in the simulated network, the test run recorded
    assert NetworkConfiguration.objects.filter(service_ref=f"service:{service.pk}").count() == 3
    assert so.items.get().test_runs.get().passed
    moves = list(HistoryEntry.objects.filter(action__startswith="orders.customer_order.").values_list(
        "action", flat=True).order_by("pk"))
    assert moves[:3] == ["orders.customer_order.created", "orders.customer_order.validate",
                         "orders.customer_order.commit"]
    assert moves[-1] == "orders.customer_order.complete"


def test_prices_are_agreed_at_order_time(csr, django_capture_on_commit_callbacks):
    customer = orderable_customer()
    offering = activatable_offering(price=Decimal("30.0000"), one_time=Decimal("50.0000"))
    order = _order(csr, customer, offering)
    prices = {p.price_type: p for p in order.items.get().prices.all()}
    assert prices["recurring"].duty_free_amount == Decimal("30.0000")
    assert prices["recurring"].tax_included_amount == Decimal("36.9000")  # 23 % standard rate
    offering.prices.filter(price_type="recurring").update(amount=Decimal("99"))
    assert order.items.get().prices.get(price_type="recurring").duty_free_amount == Decimal("30.0000")


def test_api_order_waits_pending_until_processed(django_capture_on_commit_callbacks):
    customer = orderable_customer()
    offering = activatable_offering()
    api = Actor(user=staff_user(), channel=Channel.API)
    order = _order(api, customer, offering)  # callbacks not run: the task has not run yet
    assert order.state == CustomerOrder.State.PENDING and order.tmf_state == "acknowledged"


def test_unknown_offering_and_party_store_a_rejected_order_with_reasons(csr):
    order, _ = customer_order_create(actor=csr, customer_ref="456-dd-df45",
                                     items=[OrderItemInput(item_id="123", action="add")])
    assert order.state == CustomerOrder.State.REJECTED
    assert {r["code"] for r in order.rejection_reasons} == {"unknown_customer", "unknown_offering"}


def test_failing_activation_goes_to_fallout_and_the_order_waits(csr, settings, django_capture_on_commit_callbacks):
    settings.BSS_SIMULATED_NETWORK = {"fail_steps": ("provision-profile",)}
    customer = orderable_customer()
    with django_capture_on_commit_callbacks(execute=True):
        order = _order(csr, customer, activatable_offering())
    order.refresh_from_db()
    assert order.state == CustomerOrder.State.COMMITTED
    so = ServiceOrder.objects.get(customer_order_id=order.pk)
    failed = so.items.get().work_orders.get(code="provision-profile")
    assert failed.status == "failed" and failed.attempts == 3
    service = so.items.get().service
    assert service.state == Service.State.RESERVED  # never half-activated without a record
    settings.BSS_SIMULATED_NETWORK = {}
    from service_activation.services import work_order_retry

    with django_capture_on_commit_callbacks(execute=True):
        work_order_retry(work_order_id=failed.pk, actor=csr, reason="profile server restarted")
    order.refresh_from_db()
    assert order.state == CustomerOrder.State.COMPLETED


def test_the_customer_is_emailed_when_the_order_completes(csr, mailoutbox, django_capture_on_commit_callbacks):
    from tests.factories import ContactFactory, ContactMediumFactory

    customer = orderable_customer()
    ContactMediumFactory(contact=ContactFactory(customer=customer), kind="email", value="aoife@example.ie")
    with django_capture_on_commit_callbacks(execute=True):
        order = _order(csr, customer, activatable_offering())
    (mail,) = mailoutbox
    assert mail.to == ["aoife@example.ie"] and order.order_number in mail.subject and "completed" in mail.subject


@pytest.mark.parametrize("approve, state", [(True, CustomerOrder.State.COMMITTED),
                                            (False, CustomerOrder.State.REJECTED)])
def test_a_credit_referral_holds_the_order_until_the_review_decides(csr, approve, state):
    from bss.roles import Role
    from orders.services.credit import credit_check_review

    CreditPolicyFactory(is_active=True, refer_credit_classes=["C"])
    customer = orderable_customer(credit_class="C")
    order = _order(csr, customer, activatable_offering(one_time=Decimal("50.0000")))
    from orders.services.ordering import customer_order_process

    customer_order_process(order_id=order.pk, actor=csr)
    order.refresh_from_db()
    assert (order.state, order.hold_reason) == ("held", "credit_referral")
    supervisor = Actor(user=staff_user(Role.SUPERVISOR), channel=Channel.PORTAL)
    credit_check_review(check_id=order.credit_check_id, approve=approve, reason="checked with the bureau",
                        actor=supervisor)
    order.refresh_from_db()
    assert order.state == state
