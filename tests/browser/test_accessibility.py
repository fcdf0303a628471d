"""Accessibility checked, not hoped for: every portal and self-service page, opened as the role that uses it, has no
serious or critical axe-core violation (axe-playwright-python injects its bundled axe-core: no CDN, CSP-safe), and
the self-service pages and the login do not scroll sideways on a 390 px phone.

A guard makes sure no page is forgotten: every URL name of the portal namespaces must be listed in PAGES (or in
NOT_PAGES with the reason). A new app adds its pages here (docs/portal.md#accessibility).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.urls import get_resolver, reverse

from bss.roles import Role
from tests.browser.helpers import role_user, sign_in
from tests.factories import (
    AddressFactory,
    BillCycleFactory,
    BillingAccountFactory,
    BureauRuleFactory,
    ContactFactory,
    ContactMediumFactory,
    CreditPolicyFactory,
    CustomerFactory,
    ProductOfferingFactory,
    ProductOfferingPriceFactory,
    customer_user,
)

pytestmark = pytest.mark.browser

NAMESPACES = ("csr", "orders", "feasibility", "my", "my_orders", "provisioning")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class Page:
    url_name: str
    kwargs: object = None  # (data) -> reverse kwargs
    user: str = "csr"  # a key of the users fixture, or "" for anonymous
    query: object = ""  # a string, or (data) -> string
    label: str = ""
    phone: bool = False  # also checked at 390 px (sideways scrolling included)
    submit_empty: bool = False  # also submit the page's main form empty: the error state is checked too
    known: frozenset = field(default_factory=frozenset)  # axe rule ids accepted for now (each with a reason in a comment)

    @property
    def id(self) -> str:
        return self.label or self.url_name


PAGES = [
    Page("login", user="", phone=True),
    Page("login", user="", label="login with errors", submit_empty=True),
    Page("password_change", phone=True),
    Page("password_change", user="customer", label="password change (self-service)", phone=True),
    Page("csr:dashboard", phone=True),
    Page("csr:dashboard", query="?q=Murphy", label="search results"),
    Page("csr:dashboard", user="supervisor", label="supervisor home (work queues)"),
    Page("csr:customer_list", phone=True),
    Page("csr:customer_list", query="?status=active&sort=name", label="customer list filtered"),
    Page("csr:customer", kwargs=lambda d: {"pk": d["customer"].pk}, phone=True),
    Page("csr:customer", kwargs=lambda d: {"pk": d["closed"].pk}, label="closed customer"),
    Page("csr:customer", kwargs=lambda d: {"pk": d["customer"].pk}, user="billing", label="customer as billing"),
    Page("csr:customer_new", submit_empty=True, phone=True),
    Page("csr:contact_new", kwargs=lambda d: {"pk": d["customer"].pk}, submit_empty=True),
    Page("csr:contact_edit", kwargs=lambda d: {"pk": d["contact"].pk}),
    Page("csr:address_new", kwargs=lambda d: {"pk": d["customer"].pk}, submit_empty=True),
    Page("csr:account_new", kwargs=lambda d: {"pk": d["customer"].pk}, submit_empty=True),
    Page("csr:customer_status", kwargs=lambda d: {"pk": d["customer"].pk}, query="?to=closed", user="supervisor",
         label="close customer (confirm)"),
    Page("orders:credit_queue", user="supervisor"),
    Page("orders:credit_check_new", submit_empty=True),
    Page("orders:credit_check_detail", kwargs=lambda d: {"pk": d["check"].pk}, user="supervisor"),
    Page("feasibility:qualify", phone=True),
    Page("feasibility:qualify", query=lambda d: f"?customer={d['customer'].customer_number}",
         label="qualify for a customer (addresses fragment)"),
    Page("feasibility:qualification", kwargs=lambda d: {"pk": d["qualification"].pk}, phone=True),
    Page("feasibility:rule_test", user="supervisor"),
    Page("my:profile", user="customer", phone=True),
    Page("my:contact_new", user="customer", submit_empty=True, phone=True),
    Page("my:contact_edit", kwargs=lambda d: {"pk": d["contact"].pk}, user="customer", phone=True),
    Page("my_orders:offers", user="customer", phone=True),
    # customer orders (orders/views/ordering.py, my_orders.py)
    Page("orders:order_list", phone=True),
    Page("orders:order_list", query="?state=committed&sort=-order_number", label="order list filtered"),
    Page("orders:order_new", label="new order (find the customer)"),
    Page("orders:order_new", query=lambda d: f"?customer={d['customer'].pk}", submit_empty=True, phone=True,
         label="new order for a customer"),
    Page("orders:order_new", query=lambda d: f"?customer={d['customer'].pk}&offering={d['activatable'].code}",
         label="new order with an offering chosen (options and price)"),
    Page("orders:order", kwargs=lambda d: {"pk": d["order"].pk}, phone=True),
    Page("orders:order", kwargs=lambda d: {"pk": d["rejected"].pk}, user="supervisor", label="rejected order"),
    Page("orders:order", kwargs=lambda d: {"pk": d["order"].pk}, user="billing", label="order as billing"),
    Page("orders:order_cancel", kwargs=lambda d: {"pk": d["order"].pk}, submit_empty=True, phone=True),
    Page("orders:order_modify", kwargs=lambda d: {"pk": d["order"].pk}, submit_empty=True, phone=True),
    Page("orders:order_item_cancel", kwargs=lambda d: {"pk": d["order"].pk, "item_id": "1"}),
    Page("orders:order_hold", kwargs=lambda d: {"pk": d["order"].pk}, submit_empty=True),
    Page("orders:order_release", kwargs=lambda d: {"pk": d["held"].pk}),
    Page("orders:order_assign", kwargs=lambda d: {"pk": d["order"].pk}, submit_empty=True),
    Page("orders:order_investigate", kwargs=lambda d: {"pk": d["rejected"].pk}, user="supervisor",
         submit_empty=True),
    Page("orders:investigation_queue", user="supervisor", phone=True),
    Page("orders:task_worklist", phone=True),
    Page("orders:my_tasks", user="supervisor"),
    Page("orders:order_change_new", query=lambda d: f"?customer={d['customer'].pk}", phone=True,
         label="change or terminate products"),
    Page("orders:order_reports", user="supervisor", phone=True),
    Page("orders:order_reports", query=lambda d: f"?customer={d['customer'].customer_number}",
         label="order report of one customer"),
    Page("my_orders:orders", user="customer", phone=True),
    Page("my_orders:order", kwargs=lambda d: {"pk": d["order"].pk}, user="customer", phone=True),
    Page("my_orders:order_new", query=lambda d: f"?offering={d['activatable'].pk}", user="customer",
         submit_empty=True, phone=True),
    Page("my_orders:order_cancel", kwargs=lambda d: {"pk": d["order"].pk}, user="customer", submit_empty=True,
         phone=True),
    # provisioning (service_activation/views/csr.py)
    Page("provisioning:worklist", user="provisioning", phone=True),
    Page("provisioning:fallout", user="provisioning", phone=True),
    Page("provisioning:work_order_complete", kwargs=lambda d: {"pk": d["manual_step"].pk}, user="provisioning",
         phone=True),
    Page("provisioning:work_order_retry", kwargs=lambda d: {"pk": d["failed_step"].pk}, user="provisioning",
         submit_empty=True),
    Page("provisioning:work_order_give_up", kwargs=lambda d: {"pk": d["failed_step"].pk}, user="provisioning"),
    Page("provisioning:service_order", kwargs=lambda d: {"pk": d["manual_step"].item.service_order_id},
         user="provisioning", phone=True),
    Page("provisioning:service_order_cancel", kwargs=lambda d: {"pk": d["standalone"].pk}, user="provisioning",
         submit_empty=True),
    Page("provisioning:monitoring", user="provisioning", phone=True),
    Page("provisioning:recovery_queue", user="provisioning", phone=True),
    Page("provisioning:recovery_plan", kwargs=lambda d: {"pk": d["recovery_plan"].pk}, user="provisioning",
         phone=True),
    Page("provisioning:reports", user="provisioning", phone=True),
    Page("provisioning:assignment_rules", user="supervisor", phone=True),
    Page("provisioning:assignment_rule_create", user="supervisor", submit_empty=True),
    Page("provisioning:assignment_rule", kwargs=lambda d: {"pk": d["rule"].pk}, user="supervisor"),
    Page("provisioning:work_order_appointment", kwargs=lambda d: {"pk": d["manual_step"].pk}, user="provisioning",
         submit_empty=True, phone=True),
    Page("provisioning:appointment_slots", user="supervisor", submit_empty=True, phone=True),
]

# URL names that are not pages a person opens: each with the reason.
NOT_PAGES = {
    "csr:customer_note": "POST only (the note form on the customer page)",
    "orders:credit_review": "POST only (the review form on the credit check page)",
    "feasibility:qualify_addresses": "HTMX fragment; its template is included in feasibility:qualify (checked there)",
    "feasibility:qualify_characteristics": "HTMX fragment; its template is included in feasibility:qualify",
    "orders:order_new_options": "HTMX fragment; its template is included in orders:order_new (checked there)",
    "my_orders:order_new_options": "HTMX fragment; its template is included in my_orders:order_new",
    "orders:order_note": "POST only (the note form on the order page)",
    "orders:task_complete": "POST only (the task forms on the order page and the worklists)",
    "orders:task_take": "POST only (the task forms on the order page and the worklists)",
}


def _portal_url_names() -> set[str]:
    resolver = get_resolver()
    names = set()
    for ns in NAMESPACES:
        sub = resolver.namespace_dict[ns][1]
        names |= {f"{ns}:{n}" for n in sub.reverse_dict if isinstance(n, str)}
    return names | {"login", "password_change"}


def test_every_portal_page_is_checked():
    listed = {p.url_name for p in PAGES} | set(NOT_PAGES)
    missing = sorted(_portal_url_names() - listed)
    assert not missing, f"add these pages to tests/browser/test_accessibility.py PAGES (or NOT_PAGES): {missing}"


@pytest.fixture
def data(transactional_db):
    CreditPolicyFactory(deposit_percent_when_referred=Decimal("10"))
    customer = CustomerFactory(name="Mary Murphy", status="active")
    AddressFactory(customer=customer)
    contact = ContactFactory(customer=customer, given_name="Mary", family_name="Murphy")
    ContactMediumFactory(contact=contact, kind="email", value="mary@example.ie")
    BillingAccountFactory(customer=customer, bill_cycle=BillCycleFactory())
    closed = CustomerFactory(name="Closed Murphy", status="closed")
    offering = ProductOfferingFactory(name="Fibre 500")
    ProductOfferingPriceFactory(offering=offering)
    users = {
        "csr": role_user(Role.CSR, first_name="Cara", last_name="Byrne"),
        "supervisor": role_user(Role.SUPERVISOR, first_name="Seán", last_name="Dunne"),
        "billing": role_user(Role.BILLING, first_name="Bríd", last_name="Keane"),
        "customer": customer_user(customer, first_name="Mary", last_name="Murphy"),
    }
    from bss.actors import Actor, Channel
    from orders.models import BureauSimulationRule
    from orders.services.credit import credit_check_request

    BureauRuleFactory(name="slow", name_contains="Timeout", outcome=BureauSimulationRule.Outcome.TIMEOUT)
    referred = CustomerFactory(name="Rory Timeout", status="active")
    check = credit_check_request(customer=referred, amount=Decimal("80"), currency="EUR",
                                 actor=Actor(user=users["csr"], channel=Channel.PORTAL))
    from orders.models import OfferingQualification

    qualification = OfferingQualification.objects.create(
        customer=customer, channel="portal", qualification_result="unqualified", request={"address": "1 Main St"},
        requested_by=users["csr"], result=[{
            "itemId": "1", "offering": offering.code, "offeringName": offering.name, "feasible": False,
            "reasons": [{"code": "not_covered", "ruleId": None, "ruleType": "serviceability",
                         "staffMessage": "No fibre here", "customerMessage": "Not available", "inputError": False}],
            "alternatives": [], "trace": []}])
    users["provisioning"] = role_user(Role.PROVISIONING, first_name="Pól", last_name="Walsh")
    orders_data = _order_pages_data(customer, closed, users)
    return {"customer": customer, "closed": closed, "contact": contact, "check": check, "users": users,
            "qualification": qualification, **orders_data}


def _order_pages_data(customer, closed, users) -> dict:
    """The order and provisioning pages' rows: an order in progress (a manual order task, a manual step on the
    network), a held one, a rejected one, a step in fallout and a standalone service order."""
    from django.test import override_settings

    from bss.actors import Actor, Channel
    from orders.models import CustomerOrder, OrderType, OrderTypeStep
    from orders.services.ordering import OrderItemInput, customer_order_create, customer_order_hold
    from service_activation.models import WorkOrder
    from service_activation.services import ServiceItemInput, service_order_issue
    from tests.factories import activatable_offering

    actor = Actor(user=users["csr"], channel=Channel.PORTAL)
    visit = OrderType.objects.create(code="provide-visit", name="Provide with a visit")
    OrderTypeStep.objects.create(order_type=visit, sequence=1, code="visit", name="Customer visit",
                                 kind=OrderTypeStep.Kind.MANUAL, team="install-team")
    activatable = activatable_offering(name="Fibre 1000 installed", manual_steps=("install-ont",),
                                       one_time=Decimal("50"))

    def order_for(who, offering=activatable, **kw):
        order, _ = customer_order_create(actor=actor, customer_ref=str(who.pk), channel="portal",
                                         items=[OrderItemInput(item_id="1", offering=offering.code)], **kw)
        return CustomerOrder.objects.get(pk=order.pk)

    order = order_for(customer, order_type=visit.code)
    held = order_for(customer, order_type=visit.code)
    customer_order_hold(order_id=held.pk, reason="customer away until Monday", actor=actor)
    rejected = order_for(closed)
    with override_settings(BSS_SIMULATED_NETWORK={"fail_steps": ("provision-profile",)}):
        failing = order_for(customer, offering=activatable_offering(name="Fibre failing"))
    spec = activatable.specification.service_specifications.get()
    standalone = service_order_issue(actor=actor, items=[ServiceItemInput(item_id="1", specification_id=spec.pk)],
                                     origin="problem_recovery", start=False)
    from datetime import timedelta

    from django.utils import timezone

    from service_activation.services.appointments import appointment_slots_open
    from service_activation.services.assignment import assignment_rule_create

    rule = assignment_rule_create(actor=actor, name="Dublin installs", team="field-install", area_code="DUB01",
                                  specialty="field-install", max_priority=2)
    tomorrow = timezone.localdate() + timedelta(days=1)
    appointment_slots_open(team="field-install", first_day=tomorrow, last_day=tomorrow + timedelta(days=6),
                           windows=["08:00-12:00", "13:00-17:00"], capacity=3, actor=actor)
    from service_activation.models import RecoveryPlan, Service
    from tests.factories import ActivationStepFactory, ServiceSpecificationFactory

    unplanned = ServiceSpecificationFactory(lifecycle_status="active", name="Legacy DSL line")
    ActivationStepFactory(specification=unplanned, code="dslam-port", name="Configure the DSLAM port")
    legacy = Service.objects.create(name="Legacy DSL line", customer=customer, specification=unplanned,
                                    state=Service.State.ACTIVE)
    service_order_issue(actor=actor, customer_id=customer.pk, origin="recovery", start=False,
                        items=[ServiceItemInput(item_id="1", action="delete", service_id=legacy.pk)])
    return {"order": order, "held": held, "rejected": rejected, "activatable": activatable, "rule": rule,
            "recovery_plan": RecoveryPlan.objects.get(specification=unplanned),
            "manual_step": WorkOrder.objects.get(code="install-ont", item__service_order__customer_order_id=order.pk),
            "failed_step": WorkOrder.objects.get(code="provision-profile",
                                                 item__service_order__customer_order_id=failing.pk),
            "standalone": standalone}


# the elements that stick out on the right, outermost first (what to fix when a page scrolls sideways)
WIDEST = """() => [...document.querySelectorAll('body *')].filter(el => el.getBoundingClientRect().right > innerWidth + 1)
  .slice(0, 6).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + [...el.classList].join('.')
  + ' ' + Math.round(el.getBoundingClientRect().right) + 'px')"""


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    out = []
    for v in results.response["violations"]:
        if v.get("impact") in ("serious", "critical"):
            targets = [" ".join(n["target"]) for n in v["nodes"][:3]]
            out.append(f"{v['id']} ({v['impact']}): {v['help']} at {targets}")
    return out


def _rule_id(message: str) -> str:
    return message.split(" ", 1)[0]


@pytest.mark.parametrize("spec", PAGES, ids=lambda p: p.id)
def test_page_is_accessible(spec, live_server, browser, data):
    viewports = [("desktop", DESKTOP)] + ([("phone", PHONE)] if spec.phone else [])
    query = spec.query(data) if callable(spec.query) else spec.query
    url = live_server.url + reverse(spec.url_name, kwargs=spec.kwargs(data) if spec.kwargs else None) + query
    for name, viewport in viewports:
        context = browser.new_context(viewport=viewport)
        try:
            page = context.new_page()
            page.set_default_timeout(15000)
            if spec.user:
                sign_in(page, live_server.url, data["users"][spec.user])
                page.wait_for_load_state()
            response = page.goto(url)
            page.wait_for_load_state("networkidle")
            assert response.status < 400, f"{spec.id}: {response.status} at {url}"
            if name == "phone":
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= viewport["width"], (f"{spec.id} scrolls sideways at 390 px ({wide} px wide): "
                                                   f"{page.evaluate(WIDEST)}")
            problems = [p for p in serious_violations(page) if _rule_id(p) not in spec.known]
            if spec.submit_empty:
                form = page.locator("main form[method=post]").last
                form.locator("[type=submit]").last.evaluate("b => b.form.noValidate = true")
                form.locator("[type=submit]").last.click()
                page.wait_for_load_state("networkidle")
                problems += [f"after an empty submit: {p}" for p in serious_violations(page)
                             if _rule_id(p) not in spec.known]
            assert not problems, f"{spec.id} at {name}:\n" + "\n".join(problems)
        finally:
            context.close()
