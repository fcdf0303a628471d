"""Admin of the resource pools: pools save through the services (history with channel admin, the service's
rules as form errors); resources are a read-only list with filters, released through an action with a reason."""

import pytest
from django.urls import reverse

from bss.audit.models import HistoryEntry
from service_activation.models import Resource, ResourcePool
from service_activation.services import resource_confirm, resource_reserve
from tests.admin_forms import form_errors, post_data
from tests.factories import number_pool
from tests.factories import staff_user as _staff_user

pytestmark = pytest.mark.django_db


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_a_pool_is_added_and_changed_through_the_service(admin_client):
    page = admin_client.get(url(ResourcePool, "add"))
    data = post_data(page, kind="msisdn", code="mob-9", name="Mobile 9", reservation_minutes="20",
                     quarantine_days="60")
    response = admin_client.post(url(ResourcePool, "add"), data)
    assert response.status_code == 302, form_errors(response)
    pool = ResourcePool.objects.get(code="mob-9")
    assert HistoryEntry.objects.for_object(pool).get().channel == "admin"
    page = admin_client.get(url(ResourcePool, "change", pool.pk))
    response = admin_client.post(url(ResourcePool, "change", pool.pk), post_data(page, quarantine_days="30"))
    assert response.status_code == 302
    [row] = HistoryEntry.objects.filter(object_id=str(pool.pk), action="service_activation.resource_pool.updated")
    assert row.changes == {"quarantine_days": [60, 30]} and row.channel == "admin"


def test_the_services_rules_show_as_form_errors(admin_client):
    page = admin_client.get(url(ResourcePool, "add"))
    response = admin_client.post(url(ResourcePool, "add"), post_data(page, kind="port", code="p1", name="Ports"))
    assert "Port and VLAN pools belong to an access node." in form_errors(response)
    assert not ResourcePool.objects.exists()


def test_resources_are_a_read_only_filtered_list(admin_client):
    pool = number_pool(5)
    resource_reserve(pool=pool, holder="order:CO1", actor=_actor())
    listing = admin_client.get(url(Resource, "changelist"), {"state__exact": "reserved"})
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list.values_list("holder", flat=True)) == ["order:CO1"]
    assert admin_client.get(url(Resource, "add")).status_code == 403
    r = pool.resources.first()
    page = admin_client.get(url(Resource, "change", r.pk))
    assert page.status_code == 200 and not page.context["has_change_permission"]


def _actor():
    from bss.actors import Actor

    return Actor.system("test")


def test_release_asks_for_a_reason_then_quarantines_the_allocation(admin_client):
    pool = number_pool(2, code="rel", quarantine_days=10)
    r = resource_reserve(pool=pool, holder="order:CO1", actor=_actor())
    resource_confirm(resource_id=r.pk, holder="order:CO1", actor=_actor())
    changelist = url(Resource, "changelist")
    asked = admin_client.post(changelist, {"action": "release", "_selected_action": [r.pk]})
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    assert Resource.objects.get(pk=r.pk).state == "allocated"
    done = admin_client.post(changelist, {"action": "release", "_selected_action": [r.pk], "apply": "1",
                                          "reason": "customer left"})
    assert done.status_code == 302
    r = Resource.objects.get(pk=r.pk)
    assert r.state == "quarantined"
    assert HistoryEntry.objects.for_object(r).first().reason == "customer left"


def test_release_is_offered_only_to_who_may_change_resources(client):
    from bss.roles import Role

    viewer = _staff_user(Role.SUPERVISOR)  # service_activation.view_* only
    client.force_login(viewer)
    number_pool(1)
    page = client.get(url(Resource, "changelist"))
    assert page.status_code == 200 and "release" not in page.context["cl"].model_admin.get_actions(page.wsgi_request)
