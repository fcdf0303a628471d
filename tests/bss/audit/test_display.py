"""The readable history timeline (bss.audit.display): labels for every history code in use, field
labels, related objects by name, people by full name, formatted values, folded details, bounded
queries; rendered on the customer page and the admin history page; the API keeps the codes."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client

from bss.actors import Actor, Channel
from bss.audit.display import SYSTEM, action_label, labels, readable_code, timeline
from bss.audit.models import HistoryEntry
from bss.audit.services import history_record
from bss.lifecycle import LIFECYCLE_TRANSITIONS
from customers import services
from customers.models import BillingAccount, Customer
from tests.factories import BillCycleFactory, UserFactory, staff_user

ROOT = Path(__file__).resolve().parents[3]
SOURCE_DIRS = [p for p in ROOT.iterdir() if p.is_dir() and (p / "apps.py").exists()]
ACTION_LITERAL = re.compile(r"""(?<![\w])action\s*=\s*(f?)"([a-z_]+\.[^"]+)\"""")
# A code spelled out as a value, e.g. OFFERING_MOVES = {...: "orders.product_offering.launched"}.
CODE_LITERAL = re.compile(r'"((?:bss|approvals|sla|customers|orders|service_activation|billing|bill_inquiry|'
                          r'interactions)\.[a-z_]+\.[a-z_]+)"')
# Files whose dotted strings are Celery task names or settings, not history codes.
NOT_HISTORY = {"settings.py", "tasks.py", "celery.py"}
# Codes built at run time (an f-string action): each template, and the codes it can make. A new
# f-string action fails test_every_dynamic_action_is_listed until it is listed here.
TRANSITIONS = {"customer": ["activate", "close", "reopen", "resume", "suspend"],
               "party": ["close", "reopen", "validate"],
               "product": ["abort", "activate", "cancel", "cancel_termination", "pend_activate", "pend_terminate",
                           "resume", "suspend", "terminate"],
               "billing_account": ["close", "resume", "suspend"]}
def _fsm_names(app: str, model: str, field: str = "state") -> list[str]:
    from django.apps import apps

    m = apps.get_model(app, model)
    return sorted({t.name for t in m._meta.get_field(field).get_all_transitions(m)})


DYNAMIC = {
    "customers.customer.{name}": [f"customers.customer.{t}" for t in TRANSITIONS["customer"]],
    "customers.party.{name}": [f"customers.party.{t}" for t in TRANSITIONS["party"]],
    "customers.product.{transition}": [f"customers.product.{t}" for t in TRANSITIONS["product"]],
    "customers.billing_account.{transition}": [f"customers.billing_account.{t}" for t in TRANSITIONS["billing_account"]],
    "orders.credit_check.{transition}d": ["orders.credit_check.approved", "orders.credit_check.declined"],
    "approvals.approval_request.{action}": [f"approvals.approval_request.{a}" for a in
                                            ("escalated", "approved", "rejected", "cancelled")],
    "sla.clock.{clock_state_word(transition)}": ["sla.clock.stopped", "sla.clock.met", "sla.clock.breached"],
    "orders.customer_order.{transition}": [f"orders.customer_order.{t}" for t in _fsm_names("orders", "CustomerOrder")],
    "service_activation.service_order.{transition}": [f"service_activation.service_order.{t}" for t in
                                                      _fsm_names("service_activation", "ServiceOrder")],
    "service_activation.service.{transition}": [f"service_activation.service.{t}" for t in
                                                _fsm_names("service_activation", "Service")],
    "service_activation.cancel_service_order.{transition}": [
        f"service_activation.cancel_service_order.{t}" for t in _fsm_names("service_activation", "CancelServiceOrder")],
    "service_activation.work_order.appointment_{action}": [
        f"service_activation.work_order.appointment_{a}" for a in ("booked", "rebooked", "cancelled")],
}
# Codes bss.fsm.fsm_transition makes itself (no action given): a service specification's lifecycle.
DEFAULT_CODES = [f"service_activation.service_specification.{t}" for t in set(LIFECYCLE_TRANSITIONS.values())]


def _sources():
    for directory in SOURCE_DIRS:
        for path in directory.rglob("*.py"):
            if "migrations" not in path.parts and path.name != "history_labels.py":
                yield path, path.read_text()


def _actions_in_source() -> tuple[set[str], set[str]]:
    literal, templates = set(), set()
    for path, text in _sources():
        for is_f, code in ACTION_LITERAL.findall(text):
            (templates if is_f else literal).add(code)
        if path.name not in NOT_HISTORY:
            literal.update(CODE_LITERAL.findall(text))
    return literal, templates


def _module_paths() -> set[str]:
    """Dotted strings that look like codes but are module paths (bss.api.urls, customers.demo.seed)."""
    return {c for c in _actions_in_source()[0]
            if (ROOT / c.rsplit(".", 1)[0].replace(".", "/")).with_suffix(".py").exists()
            or (ROOT / c.replace(".", "/")).with_suffix(".py").exists()}


# -- labels ---------------------------------------------------------------------------------

def test_labels_come_from_each_apps_history_labels_module():
    assert action_label("customers.customer.activate") == "Customer activated"
    assert action_label("orders.credit_check.requested") == "Credit check requested"
    assert action_label("approvals.approval_request.approved") == "Approval granted"
    assert action_label("sla.clock.breached") == "SLA breached"
    assert action_label("bss.user.created") == "User created"
    assert action_label("service_activation.service_specification.launch") == "Service specification launched"


def test_a_code_without_a_label_reads_as_words():
    assert readable_code("customers.billing_account.made_primary") == "Billing account made primary"
    assert action_label("nowhere.widget.polished") == "Widget polished"


def test_every_action_literal_in_the_source_has_a_label():
    literal, _ = _actions_in_source()
    missing = sorted(literal - set(labels()) - _module_paths())
    assert not missing, f"add these to the app's history_labels.py: {missing}"


def test_every_dynamic_action_is_listed_and_labelled():
    _, templates = _actions_in_source()
    assert templates <= set(DYNAMIC), f"list the codes of {sorted(templates - set(DYNAMIC))} in DYNAMIC"
    missing = sorted({c for codes in DYNAMIC.values() for c in codes} - set(labels()))
    assert not missing, f"add these to the app's history_labels.py: {missing}"
    assert not sorted(set(DEFAULT_CODES) - set(labels()))


def test_dynamic_transitions_match_the_models():
    """DYNAMIC lists each FSM's transitions: a new transition needs a label too."""
    from customers.models import Party, Product

    for model, key in ((Customer, "customer"), (Party, "party"), (Product, "product"),
                       (BillingAccount, "billing_account")):
        names = sorted({t.name for t in model._meta.get_field("status").get_all_transitions(model)})
        assert names == sorted(TRANSITIONS[key]), model


@pytest.mark.django_db(transaction=False)
def test_every_code_seed_demo_records_has_a_label():
    call_command("seed_demo", customers=4, stdout=open("/dev/null", "w"))
    used = set(HistoryEntry.objects.values_list("action", flat=True).distinct())
    assert used, "seed_demo records history"
    missing = sorted(used - set(labels()))
    assert not missing, f"add these to the app's history_labels.py: {missing}"


# -- the display items ----------------------------------------------------------------------

@pytest.fixture
def csr_named(db):
    return staff_user(first_name="Cathal", last_name="Rep")


@pytest.fixture
def mary(csr_named):
    actor = Actor(user=csr_named, channel=Channel.PORTAL, label=csr_named.username)
    customer = services.customer_onboard(
        actor=actor, party={"kind": "individual", "given_name": "Mary", "family_name": "Murphy"},
        customer={"segment": "residential"}, contact={"given_name": "Mary", "family_name": "Murphy"},
        media=[{"kind": "mobile", "value": "+353 87 123 4567"}],
        address={"street1": "12 Main Street", "city": "Dublin", "postcode": "D02 X285", "country": "IE"},
        account={"bill_cycle": BillCycleFactory(name="Cycle 1")},
    )
    services.customer_change_status(customer_id=customer.pk, status="active", actor=actor, reason="Checked")
    return Customer.objects.get(pk=customer.pk)


def _items(customer):
    return timeline(HistoryEntry.objects.for_root(customer).select_related("actor"))


def _by_code(items, code):
    return next(i for i in items if i.code == code)


def _changes(item):
    return {c.label: (c.old, c.new) for c in item.changes}


def test_fields_by_verbose_name_foreign_keys_by_name_choices_by_label(mary):
    created = _by_code(_items(mary), "customers.customer.created")
    assert created.label == "Customer created"
    changes = _changes(created)
    assert changes["Customer number"][1] == mary.customer_number
    assert changes["Party"][1] == "Mary Murphy"  # the id 1 shown as the party's name
    assert changes["Segment"][1] == "Residential"  # the choice's label, not "residential"
    assert changes["Status"][1] == "Prospect"
    assert created.is_creation and created.subject == f"Customer {mary}"
    account = _by_code(_items(mary), "customers.billing_account.created")
    changes = _changes(account)
    assert changes["Bill cycle"][1].startswith("Cycle 1")
    assert changes["Customer"][1] == str(mary)
    assert changes["Credit limit"][1] == "0.00 EUR"  # money: two places and the currency
    assert changes["Payment method"][1] == "Direct debit"
    assert _changes(_by_code(_items(mary), "customers.contact.created"))["Is primary"][1] == "Yes"


def test_a_state_change_reads_from_to_by_label(mary):
    item = _by_code(_items(mary), "customers.customer.activate")
    assert item.label == "Customer activated"
    assert item.state == ("Prospect", "Active") and item.state_label == "Status"
    assert "Status" not in _changes(item)  # not shown twice
    assert item.reason == "Checked"


def test_changes_old_and_new_formatted(mary, csr_named):
    account = mary.billing_accounts.get()
    actor = Actor(user=csr_named, channel=Channel.PORTAL, label=csr_named.username)
    history_record(obj=account, action="customers.billing_account.updated", actor=actor, root=mary,
                   changes={"credit_limit": ["0", "1500.5"], "bill_delivery": ["email", "paper"],
                            "bill_cycle": [account.bill_cycle_id, None]})
    item = _by_code(_items(mary), "customers.billing_account.updated")
    changes = _changes(item)
    assert changes["Credit limit"] == ("0.00", "1,500.50")
    assert changes["Bill cycle"] == (str(account.bill_cycle), "—")
    assert changes["Bill delivery"][0] == "E-mail"
    assert not item.is_creation


def test_a_deleted_related_object_shows_its_id(mary, csr_named):
    actor = Actor(user=csr_named, channel=Channel.PORTAL, label=csr_named.username)
    history_record(obj=mary, action="customers.customer.updated", actor=actor, changes={"party": [987654, None]})
    changes = _changes(_by_code(_items(mary), "customers.customer.updated"))
    assert changes["Party"][0] == "#987654 (deleted)"


def test_actors_by_full_name_then_username_then_system(mary):
    nameless = UserFactory(username="jdoe")
    history_record(obj=mary, action="customers.customer.updated", changes={"name": ["a", "b"]},
                   actor=Actor(user=nameless, channel=Channel.API, label="jdoe"))
    history_record(obj=mary, action="customers.customer.updated", changes={"name": ["b", "c"]},
                   actor=Actor.system())
    history_record(obj=mary, action="customers.customer.updated", changes={"name": ["c", "d"]},
                   actor=Actor.system("billing run"))
    actors = [i.actor for i in _items(mary)]
    assert "Cathal Rep" in actors and "jdoe" in actors and SYSTEM in actors
    assert f"{SYSTEM} (billing run)" in actors
    assert "user" not in " ".join(actors)  # never the username of someone with a name


def test_structured_values_are_details(mary, csr_named):
    actor = Actor(user=csr_named, channel=Channel.PORTAL, label=csr_named.username)
    history_record(obj=mary, action="customers.customer.updated", actor=actor,
                   changes={"characteristics": [[], [{"name": "vip", "value": "true"}]]})
    change = _by_code(_items(mary), "customers.customer.updated").changes[0]
    assert change.details and '"vip"' in change.details and "{'name'" not in change.details


def test_queries_are_bounded_whatever_the_number_of_rows(mary, csr_named, django_assert_max_num_queries):
    actor = Actor(user=csr_named, channel=Channel.PORTAL, label=csr_named.username)
    account = mary.billing_accounts.get()
    for i in range(30):
        cycle = BillCycleFactory(name=f"Cycle x{i}")
        history_record(obj=account, action="customers.billing_account.updated", root=mary,
                       actor=Actor(user=UserFactory(first_name=f"U{i}"), channel=Channel.PORTAL),
                       changes={"bill_cycle": [account.bill_cycle_id, cycle.pk]})
        history_record(obj=mary, action="customers.customer.updated", actor=actor,
                       changes={"party": [None, mary.party_id]})
    entries = HistoryEntry.objects.for_root(mary)  # without select_related: the actors in one query
    # the entries, the actors, and one per related model (customer, bill cycle, party, address)
    with django_assert_max_num_queries(6):
        items = timeline(entries)
    assert len(items) > 60 and len({i.actor for i in items}) > 30


# -- where it is shown ----------------------------------------------------------------------

def test_the_customer_page_shows_labels_not_codes(mary):
    client = Client()
    client.force_login(staff_user())
    page = client.get(f"/csr/customers/{mary.pk}/").content.decode()
    assert "Customer created" in page and "Customer activated" in page and "Cathal Rep" in page
    assert "Prospect → Active" in page
    # the codes only as data for tools, never as text
    assert page.count("customers.customer.created") == page.count('data-action="customers.customer.created"')
    assert "{'" not in page


def test_the_history_include_renders_the_timeline(mary):
    html = render_to_string("customers/_history.html", {"history": HistoryEntry.objects.for_root(mary)})
    assert "Billing account opened" in html and "Direct debit" in html
    assert render_to_string("customers/_history.html", {"history": []}).count("No history yet.") == 1


def test_the_admin_history_page_uses_the_timeline(mary, admin_client):
    page = admin_client.get(f"/admin/customers/customer/{mary.pk}/history/").content.decode()
    assert "Customer activated" in page and "Contact added" in page and "Cathal Rep" in page


def test_the_api_keeps_the_codes(mary):
    from rest_framework.test import APIClient

    from bss.roles import Role

    client = APIClient()
    client.force_authenticate(staff_user(Role.SUPERVISOR))
    response = client.get(f"/api/v1/customers/{mary.pk}/history/")
    assert response.status_code == 200, response.content
    assert "customers.customer.activate" in {row["action"] for row in response.json()}


def test_money_without_known_currency_is_just_the_amount():
    from bss.audit.display import _format

    field = BillingAccount._meta.get_field("credit_limit")
    assert _format(field, "12", {}) == "12.00" and _format(field, Decimal("1234.5"), {}) == "1,234.50"
