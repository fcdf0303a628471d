"""Services are the only writers: walk every registered ModelAdmin (every app, now and later)
and check that each one either saves through a service or cannot add or change anything."""

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.test import RequestFactory

from bss.admin_mixins import AuditedAdmin, ServiceSavedAdmin

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_request(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    return request


def _defined_below(cls, name: str, base) -> bool:
    """cls (or a class between it and base) overrides base's ``name``."""
    return getattr(cls, name) is not getattr(base, name)


def _editable_inlines(model_admin, request, obj=None):
    for inline in model_admin.get_inline_instances(request, obj):
        fields = set(inline.get_fields(request, obj)) - set(inline.get_readonly_fields(request, obj))
        can_write = inline.has_add_permission(request, obj) or (
            fields and inline.has_change_permission(request, obj)) or (
            inline.can_delete and inline.has_delete_permission(request, obj))
        if can_write:
            yield inline


def registered():
    return sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label)


def test_there_are_admins_to_walk():
    labels = {m._meta.label for m, _ in registered()}
    assert {"customers.Customer", "orders.ProductOffering", "bss.HubSubscription",
            "service_activation.ServiceSpecification"} <= labels


@pytest.mark.parametrize("model,model_admin", registered(), ids=lambda v: getattr(v, "__name__", ""))
def test_every_admin_saves_through_a_service_or_is_read_only(model, model_admin, superuser_request):
    can_add = model_admin.has_add_permission(superuser_request)
    can_change = model_admin.has_change_permission(superuser_request, None)
    if not (can_add or can_change):
        return  # read-only: nothing to save
    cls = type(model_admin)
    if getattr(cls, "saves_through", None):  # e.g. the user admin: Django's forms, our service
        assert _defined_below(cls, "save_model", ModelAdmin), f"{cls.__name__} names a service but saves itself"
        return
    assert isinstance(model_admin, ServiceSavedAdmin), (
        f"{cls.__name__} ({model._meta.label}) can add or change but is no ServiceSavedAdmin")
    writes_itself = _defined_below(cls, "save_model", ServiceSavedAdmin)
    if can_add and not writes_itself:
        assert _defined_below(cls, "create", ServiceSavedAdmin), f"{cls.__name__} has no create() service call"
    if can_change and not writes_itself:
        assert _defined_below(cls, "update", ServiceSavedAdmin) or not model_admin.service_fields, (
            f"{cls.__name__} has no update() service call")
    for inline in _editable_inlines(model_admin, superuser_request):
        assert (_defined_below(cls, "save_formset", ServiceSavedAdmin)
                or _defined_below(cls, "save_related", ServiceSavedAdmin)), (
            f"{cls.__name__}'s {type(inline).__name__} can change rows but nothing saves them through a service")


def test_the_base_admin_refuses_to_save_by_itself(superuser_request):
    class Plain(AuditedAdmin):
        pass

    from customers.models import BillCycle

    with pytest.raises(TypeError, match="must save through a service"):
        Plain(BillCycle, admin.site).save_model(superuser_request, BillCycle(code="X"), None, False)
