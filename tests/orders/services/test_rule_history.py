"""Feasibility rules: every change, the many-to-many range (offerings) and alternatives included,
is in the history, whether saved by the rule screens or by the Django admin (channel 'admin')."""

import pytest
from django.urls import reverse

from bss.audit.models import HistoryEntry
from orders.models import FeasibilityRule
from orders.services.feasibility import feasibility_rule_save

pytestmark = pytest.mark.django_db


def url(view, *args):
    return reverse(f"admin:orders_feasibilityrule_{view}", args=args)


def post_data(response, **overrides) -> dict:
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        bound = form[name]
        if bound.field.show_hidden_initial:
            data[bound.html_initial_name] = bound.field.prepare_value(bound.initial)
        value = bound.value()
        if value is None or value is False:
            continue
        data[bound.html_name] = bound.field.prepare_value(value) if name in ("segments", "channels",
                                                                                "customer_types") else value
    data.update(overrides)
    data["_save"] = "Save"
    return data


def updates(rule):
    return list(HistoryEntry.objects.for_object(rule).filter(action="orders.feasibility_rule.updated"))


def test_service_records_alternatives_changes(feasibility_catalog, actor):
    offerings, rules = feasibility_catalog
    rule = rules["iptv"]
    feasibility_rule_save(rule=rule, offerings=[offerings["iptv-addon"]],
                          alternatives=[offerings["fiber-500-tv"], offerings["mobile-s"]], actor=actor)
    [entry] = updates(rule)
    assert entry.changes == {"alternatives": [["fiber-500-tv"], ["fiber-500-tv", "mobile-s"]]}
    assert sorted(rule.alternatives.values_list("code", flat=True)) == ["fiber-500-tv", "mobile-s"]


def test_service_records_no_change_as_nothing(feasibility_catalog, actor):
    offerings, rules = feasibility_catalog
    rule = rules["iptv"]
    feasibility_rule_save(rule=rule, offerings=rule.offerings.all(), alternatives=rule.alternatives.all(),
                          actor=actor)
    assert updates(rule) == []


def test_service_records_range_and_alternatives_of_a_new_rule(feasibility_catalog, actor):
    offerings, _ = feasibility_catalog
    rule = feasibility_rule_save(
        rule=FeasibilityRule(name="mobile needs fiber", rule_type="prerequisite",
                             params={"requires_any": ["fiber-100"]}, staff_message="Needs fiber"),
        offerings=[offerings["mobile-s"]], alternatives=[offerings["fiber-100"]], actor=actor)
    entry = HistoryEntry.objects.for_object(rule).get(action="orders.feasibility_rule.created")
    assert entry.changes["offerings"] == [None, ["mobile-s"]]
    assert entry.changes["alternatives"] == [None, ["fiber-100"]]


def test_admin_change_of_range_and_alternatives_is_recorded(admin_client, admin_user, feasibility_catalog):
    offerings, rules = feasibility_catalog
    rule = rules["iptv"]
    page = admin_client.get(url("change", rule.pk))
    response = admin_client.post(url("change", rule.pk), post_data(
        page, offerings=[offerings["iptv-addon"].pk, offerings["mobile-s"].pk],
        alternatives=[offerings["fiber-500"].pk]))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert sorted(rule.offerings.values_list("code", flat=True)) == ["iptv-addon", "mobile-s"]
    assert list(rule.alternatives.values_list("code", flat=True)) == ["fiber-500"]
    [entry] = updates(rule)
    assert entry.changes == {"offerings": [["iptv-addon"], ["iptv-addon", "mobile-s"]],
                             "alternatives": [["fiber-500-tv"], ["fiber-500"]]}
    assert entry.channel == "admin" and entry.actor == admin_user


def test_admin_field_change_is_recorded_once(admin_client, feasibility_catalog):
    _, rules = feasibility_catalog
    rule = rules["iptv"]
    page = admin_client.get(url("change", rule.pk))
    response = admin_client.post(url("change", rule.pk), post_data(page, priority=5))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    [entry] = updates(rule)
    assert entry.changes == {"priority": [100, 5]} and entry.channel == "admin"


def test_admin_add_is_recorded_with_its_range(admin_client, feasibility_catalog):
    offerings, _ = feasibility_catalog
    page = admin_client.get(url("add"))
    response = admin_client.post(url("add"), post_data(
        page, name="vpn for business", rule_type="exclusion", params='{"area_codes": ["GAL01"]}',
        staff_message="No VPN in Galway", offerings=[offerings["business-vpn"].pk], alternatives=[]))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    rule = FeasibilityRule.objects.get(name="vpn for business")
    assert list(rule.offerings.values_list("code", flat=True)) == ["business-vpn"]
    entry = HistoryEntry.objects.for_object(rule).get(action="orders.feasibility_rule.created")
    assert entry.channel == "admin" and entry.changes["offerings"] == [None, ["business-vpn"]]
