"""Partner-delivered services become partner requisitions (1.1.1.5.4.1): one step the partner reports back on by
callback (the native API) or staff entry; the customer order waits on it like on any service order."""

import pytest
from rest_framework.test import APIClient

from bss.actors import Actor, Channel
from bss.roles import Role
from orders.services import ordering
from orders.services.ordering import OrderItemInput, customer_order_create
from service_activation.models import ServiceOrder, WorkOrder
from service_activation.services import service_orders
from tests.factories import activatable_offering, orderable_customer, staff_user

pytestmark = pytest.mark.django_db


def test_a_partner_requisition_waits_for_the_partners_callback():
    csr = Actor(user=staff_user(), channel=Channel.PORTAL)
    offering = activatable_offering(tests=())
    svc = offering.specification.service_specifications.get()
    svc.delivered_by_partner, svc.partner_name = True, "Emerald Devices Ltd"
    svc.save()
    order, _ = customer_order_create(actor=csr, customer_ref=str(orderable_customer().pk),
                                     items=[OrderItemInput(item_id="1", offering=offering.code)])
    ordering.customer_order_process(order_id=order.pk, actor=csr)
    so = ServiceOrder.objects.get(customer_order_id=order.pk)
    service_orders.service_order_run(service_order_id=so.pk, actor=csr)
    (wo,) = WorkOrder.objects.filter(item__service_order=so)
    assert (wo.code, wo.manual, wo.specialty, wo.status) == ("partner-requisition", True,
                                                             "partner:Emerald Devices Ltd", "ready")

    partner = APIClient()
    partner.force_authenticate(staff_user(Role.INTEGRATOR))
    url = f"/api/v1/work-orders/{wo.pk}/report/"
    assert partner.post(url, {"status": "shipped"}, format="json").status_code == 400
    r = partner.post(url, {"status": "done", "detail": "delivered, signed by J. Murphy", "reference": "EM-991"},
                     format="json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "done" and r.json()["result"]["reference"] == "EM-991"
    assert partner.post(url, {"status": "done"}, format="json").status_code == 200  # a replay changes nothing
    ordering.customer_order_try_complete(order_id=order.pk, actor=csr)
    order.refresh_from_db()
    assert order.state == "completed"
    assert APIClient().post(url, {"status": "done"}, format="json").status_code in (401, 403)
