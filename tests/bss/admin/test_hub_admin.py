"""A hub listener saved in admin obeys the same callback policy as one registered through /hub."""

import pytest
from django.urls import reverse

from bss.audit.models import HistoryEntry
from bss.events.models import HubSubscription
from tests.admin_forms import form_errors, post_data
from tests.factories import HubSubscriptionFactory

pytestmark = pytest.mark.django_db


def test_private_callback_refused_in_admin_outside_development(admin_client, settings):
    settings.BSS_WEBHOOK_ALLOW_PRIVATE = False
    page = admin_client.get(reverse("admin:bss_hubsubscription_add"))
    response = admin_client.post(reverse("admin:bss_hubsubscription_add"), post_data(
        page, api="customerManagement", callback="https://127.0.0.1/hook", active="on"))
    assert "non-public address" in form_errors(response)
    assert not HubSubscription.objects.exists()


def test_change_to_plain_http_refused_and_nothing_saved(admin_client, settings):
    settings.BSS_WEBHOOK_ALLOW_PRIVATE = False
    sub = HubSubscriptionFactory(api="customerManagement", callback="https://93.184.215.14/hook")
    page = admin_client.get(reverse("admin:bss_hubsubscription_change", args=[sub.pk]))
    response = admin_client.post(reverse("admin:bss_hubsubscription_change", args=[sub.pk]),
                                 post_data(page, callback="http://93.184.215.14/hook"))
    assert "https" in form_errors(response)
    assert HubSubscription.objects.get(pk=sub.pk).callback == "https://93.184.215.14/hook"


def test_admin_change_is_recorded_without_the_secret(admin_client, settings):
    settings.BSS_WEBHOOK_ALLOW_PRIVATE = True
    sub = HubSubscriptionFactory(api="customerManagement", callback="http://127.0.0.1:9/hook")
    page = admin_client.get(reverse("admin:bss_hubsubscription_change", args=[sub.pk]))
    response = admin_client.post(reverse("admin:bss_hubsubscription_change", args=[sub.pk]),
                                 post_data(page, query="eventType=CustomerCreateEvent"))
    assert response.status_code == 302, form_errors(response)
    [entry] = HistoryEntry.objects.filter(action="bss.hub_subscription.updated", object_id=str(sub.pk))
    assert set(entry.changes) == {"query"} and sub.secret not in str(entry.changes)
