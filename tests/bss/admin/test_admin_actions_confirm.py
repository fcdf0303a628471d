"""Every admin action that changes state irreversibly or destructively asks for confirmation and a reason first
(bss.admin_mixins.AuditedAdmin.confirm_with_reason): none records a made-up reason like "admin action". The
walk covers every registered ModelAdmin, so a new app's actions are checked without being listed."""

from pathlib import Path

import pytest
from django.contrib import admin
from django.test import RequestFactory

pytestmark = pytest.mark.django_db

# Reversible actions that need no reason, each with why.
NO_REASON = {
    ("bss.EventDelivery", "retry"): "re-queues a failed webhook delivery; changes no business state",
    ("customers.Contact", "make_primary"): "a reversible choice among the customer's contacts, with history",
    ("orders.CreditPolicy", "make_active"): "switches the active credit policy; reversible, with history",
}
REASON_TEMPLATES = {"admin/bss/confirm_action.html", "admin/orders/credit_review.html"}


def all_actions():
    for model, model_admin in admin.site._registry.items():
        for name in model_admin.actions or ():
            yield model._meta.label, name, model_admin


def test_every_action_is_known():
    assert list(all_actions())  # the walk sees the actions


@pytest.mark.parametrize("label, name, model_admin", list(all_actions()), ids=lambda v: v if isinstance(v, str) else "")
def test_action_asks_for_a_reason_before_doing_anything(label, name, model_admin, admin_user):
    if (label, name) in NO_REASON:
        pytest.skip(NO_REASON[(label, name)])
    request = RequestFactory().post("/", {"action": name})
    request.user = admin_user
    request._messages = []  # no message framework needed: nothing may run yet
    func, _, _ = model_admin.get_actions(request)[name]
    response = func(model_admin, request, model_admin.model.objects.none())
    assert response is not None, f"{label}.{name} ran without asking"
    assert response.template_name in REASON_TEMPLATES, response.template_name
    html = response.rendered_content
    assert 'name="reason"' in html and 'name="apply"' in html


@pytest.mark.parametrize("label, name, model_admin", list(all_actions()), ids=lambda v: v if isinstance(v, str) else "")
def test_a_post_without_a_reason_changes_nothing(label, name, model_admin, admin_user, monkeypatch):
    """The confirm page's own POST (apply=1) with a blank reason shows the page again with the error and runs no
    service: nothing changes, no history is written."""
    from bss.audit.models import HistoryEntry

    if (label, name) in NO_REASON:
        pytest.skip(NO_REASON[(label, name)])

    def ran(*args, **kwargs):
        raise AssertionError(f"{label}.{name} ran without a reason")

    monkeypatch.setattr(model_admin, "run_service", ran)
    request = RequestFactory().post("/", {"action": name, "apply": "1", "reason": "  "})
    request.user = admin_user
    request._messages = []
    func, _, _ = model_admin.get_actions(request)[name]
    before = HistoryEntry.objects.count()
    response = func(model_admin, request, model_admin.model.objects.all())
    assert response is not None and response.template_name in REASON_TEMPLATES
    assert "This field is required." in response.rendered_content
    assert HistoryEntry.objects.count() == before


def test_no_made_up_reason_left_in_the_code():
    root = Path(__file__).resolve().parents[3]
    hits = [str(p.relative_to(root)) for app in ("bss", "customers", "orders", "service_activation", "billing",
                                                 "bill_inquiry", "interactions")
            for p in (root / app).rglob("*.py") if '"admin action"' in p.read_text()]
    assert hits == []
