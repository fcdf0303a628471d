"""Design solution (1.1.2.2.1): an order needing special handling is held with a design task; the engineer records
the solution, a supervisor approves it through the shared approvals, and the order's service orders are issued from
the design (its resource assignments become the service characteristics)."""

from decimal import Decimal

import pytest

from bss.actors import Actor, Channel
from bss.approvals.models import ApprovalRequest
from bss.approvals.services import ApproverRoleRequired, approval_approve, approval_reject
from bss.errors import DomainValidationError
from bss.roles import Role
from orders.services.ordering import OrderItemInput, customer_order_create
from service_activation.models import ServiceDesign, ServiceOrder
from service_activation.services import design_queue, service_design_record, service_design_submit
from tests.factories import activatable_offering, orderable_customer, staff_user

pytestmark = pytest.mark.django_db


def test_an_approved_design_releases_the_order_and_its_assignments_reach_the_service(
        django_capture_on_commit_callbacks):
    csr = Actor(user=staff_user(), channel=Channel.PORTAL)
    engineer = Actor(user=staff_user(Role.PROVISIONING), channel=Channel.PORTAL)
    supervisor = Actor(user=staff_user(Role.SUPERVISOR), channel=Channel.PORTAL)
    offering = activatable_offering(requires_special_design=True)
    svc = offering.specification.service_specifications.get()
    with django_capture_on_commit_callbacks(execute=True):
        order, _ = customer_order_create(actor=csr, customer_ref=str(orderable_customer().pk),
                                         items=[OrderItemInput(item_id="1", offering=offering.code)])
    order.refresh_from_db()
    assert (order.state, order.hold_reason) == ("held", "special_handling")
    (design,) = design_queue()
    assert design.customer_order_id == order.pk and design.status == "open"

    with pytest.raises(DomainValidationError) as e:
        service_design_submit(design_id=design.pk, actor=engineer)
    assert "before submitting" in e.value.field_errors["design"][0]
    with pytest.raises(DomainValidationError):
        service_design_record(design_id=design.pk, actor=engineer, cost="lots")
    service_design_record(design_id=design.pk, actor=engineer, cpe="Router X200 with LTE backup",
                          resource_assignments={svc.code: {"vlan_plan": "dedicated"}},
                          implementation_plan="1. survey 2. fibre drop 3. router", schedule="two weeks",
                          budget="2500.00", cost="1800.00", risk="landlord consent", time_to_revenue_days=15)
    service_design_submit(design_id=design.pk, actor=engineer, reason="ready for approval")
    request = ApprovalRequest.objects.get(approval_type="service_activation.design")
    with pytest.raises(ApproverRoleRequired):  # an engineer is no approver (Supervisor or Admin)
        approval_approve(request_id=request.pk, reason="fine", actor=engineer)
    approval_reject(request_id=request.pk, reason="add the survey date", actor=supervisor)
    design.refresh_from_db()
    assert design.status == "rejected"
    service_design_record(design_id=design.pk, actor=engineer, schedule="survey on the 12th, done in two weeks")
    service_design_submit(design_id=design.pk, actor=engineer, reason="survey date added")
    request = ApprovalRequest.objects.filter(approval_type="service_activation.design", state="pending").get()
    with django_capture_on_commit_callbacks(execute=True):
        approval_approve(request_id=request.pk, reason="within budget", actor=supervisor)
    order.refresh_from_db()
    design.refresh_from_db()
    assert design.status == "issued" and design.cost == Decimal("1800.00")
    assert order.state == "completed"
    item = ServiceOrder.objects.get(customer_order_id=order.pk).items.get()
    assert item.characteristics["vlan_plan"] == "dedicated"
    assert list(design_queue()) == []
    assert ServiceDesign.objects.count() == 1
