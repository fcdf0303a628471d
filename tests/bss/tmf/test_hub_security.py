"""Hub listeners: owner-only access, no internal callbacks outside development, secrets kept
out of the history."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from bss.audit.models import HistoryEntry
from bss.events.models import HubSubscription
from bss.roles import Role
from tests.factories import staff_user

pytestmark = pytest.mark.django_db
HUB = "/tmf-api/customerManagement/v4/hub"


def client_for(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_an_integrator_cannot_see_or_delete_another_integrators_listener():
    a, b = staff_user(Role.INTEGRATOR), staff_user(Role.INTEGRATOR)
    sub = client_for(a).post(HUB, {"callback": "http://127.0.0.1:9/a"}, format="json").json()
    other = client_for(b)
    assert other.get(f"{HUB}/{sub['id']}").status_code == 404
    assert other.delete(f"{HUB}/{sub['id']}").status_code == 404
    assert HubSubscription.objects.get(pk=sub["id"]).active
    assert client_for(a).delete(f"{HUB}/{sub['id']}").status_code == 204
    assert not HubSubscription.objects.get(pk=sub["id"]).active


@override_settings(BSS_WEBHOOK_ALLOW_PRIVATE=False)
@pytest.mark.parametrize("callback", ["http://127.0.0.1:8080/x", "https://127.0.0.1/x", "https://10.1.2.3/x",
                                      "https://169.254.169.254/latest/meta-data", "https://localhost/x",
                                      "http://example.com/x", "ftp://example.com/x"])
def test_internal_or_plain_http_callbacks_are_refused_in_production(callback):
    r = client_for(staff_user(Role.INTEGRATOR)).post(HUB, {"callback": callback}, format="json")
    assert r.status_code == 400 and r.json()["@type"] == "Error"
    assert "callback" in r.json()["message"]
    assert not HubSubscription.objects.exists()


def test_the_signing_secret_never_reaches_the_history():
    user = staff_user(Role.INTEGRATOR)
    sub = client_for(user).post(HUB, {"callback": "http://127.0.0.1:9/a"}, format="json").json()
    secret = HubSubscription.objects.get(pk=sub["id"]).secret
    entry = HistoryEntry.objects.get(action="bss.hub_subscription.created")
    assert secret not in str(entry.changes) and entry.changes["secret"] == [None, "(hidden)"]
