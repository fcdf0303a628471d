"""Decomposition is driven only by catalog data: an operator sets up a new service specification (activation plan,
test plan), a product specification realized by it and an offering, all in admin, and an order for the offering
is fulfilled end to end with no code change."""

import pytest
from django.urls import reverse

from bss.actors import Actor, Channel
from orders.models import CustomerOrder, ProductOffering, ProductSpecification
from orders.services.ordering import OrderItemInput, customer_order_create
from service_activation.models import NetworkConfiguration, ServiceOrder, ServiceSpecification
from tests.admin_forms import form_errors, post_data
from tests.factories import orderable_customer, staff_user

pytestmark = pytest.mark.django_db


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_an_offering_set_up_in_admin_is_fulfilled(admin_client, django_capture_on_commit_callbacks):
    page = admin_client.get(url(ServiceSpecification, "add"))
    data = post_data(page, code="iptv-stream", name="IPTV stream", required_resources="[]",
                     characteristics='[{"name": "channels", "valueType": "integer", "default": 80}]',
                     test_plan='[{"code": "stream-check", "name": "Stream check", "kind": "automatic"}]',
                     recovery_plan="[]", **{
                         "activation_steps-TOTAL_FORMS": "2",
                         "activation_steps-0-sequence": "1", "activation_steps-0-code": "provision-stb",
                         "activation_steps-0-name": "Provision the set-top box", "activation_steps-0-kind": "automatic",
                         "activation_steps-0-specialty": "middleware", "activation_steps-0-adapter": "simulated",
                         "activation_steps-0-adapter_config": "{}", "activation_steps-0-depends_on": "[]",
                         "activation_steps-1-sequence": "2", "activation_steps-1-code": "entitle",
                         "activation_steps-1-name": "Entitle the channels", "activation_steps-1-kind": "automatic",
                         "activation_steps-1-specialty": "conditional-access", "activation_steps-1-adapter": "simulated",
                         "activation_steps-1-adapter_config": "{}", "activation_steps-1-depends_on": '["provision-stb"]'})
    response = admin_client.post(url(ServiceSpecification, "add"), data)
    assert response.status_code == 302, form_errors(response)
    svc = ServiceSpecification.objects.get(code="iptv-stream")
    assert [s.code for s in svc.activation_steps.all()] == ["provision-stb", "entitle"]
    assert svc.test_plan[0]["code"] == "stream-check"

    page = admin_client.get(url(ProductSpecification, "add"))
    response = admin_client.post(url(ProductSpecification, "add"), post_data(
        page, code="iptv", name="IPTV", lifecycle_status="active", service_specifications=[svc.pk]))
    assert response.status_code == 302, form_errors(response)
    spec = ProductSpecification.objects.get(code="iptv")

    page = admin_client.get(url(ProductOffering, "add"))
    response = admin_client.post(url(ProductOffering, "add"), post_data(page, code="tv-80", name="TV 80 channels",
                                 specification=spec.pk, **{
        "prices-TOTAL_FORMS": "1", "prices-0-name": "Monthly fee", "prices-0-price_type": "recurring",
        "prices-0-amount": "15.00", "prices-0-currency": "EUR", "prices-0-recurring_period": "month",
        "prices-0-tax_category": "standard", "prices-0-lifecycle_status": "active"}))
    assert response.status_code == 302, form_errors(response)
    offering = ProductOffering.objects.get(code="tv-80")
    response = admin_client.post(url(ProductOffering, "changelist"), {
        "action": "launch", "_selected_action": [offering.pk], "apply": "1", "reason": "new TV product"})
    offering.refresh_from_db()
    assert offering.lifecycle_status == "active", response.content[:500]

    customer = orderable_customer()
    with django_capture_on_commit_callbacks(execute=True):
        order, _ = customer_order_create(actor=Actor(user=staff_user(), channel=Channel.PORTAL),
                                         customer_ref=str(customer.pk),
                                         items=[OrderItemInput(item_id="1", offering="tv-80")])
    order.refresh_from_db()
    assert order.state == CustomerOrder.State.COMPLETED, order.rejection_reasons
    so = ServiceOrder.objects.get(customer_order_id=order.pk)
    service = so.items.get().service
    assert service.characteristics["channels"] == 80  # the spec's default
    assert list(NetworkConfiguration.objects.filter(service_ref=f"service:{service.pk}").order_by("pk")
                .values_list("element", flat=True)) == ["middleware", "conditional-access", "test"]
    assert customer.products.get().offering_code == "tv-80"
