"""Demo customer orders (seed_demo): order types and milestones, and orders in every state: completed, in
progress with a field installation waiting, in jeopardy (committed date passed), held for special handling and
for a credit referral, rejected in the investigation queue, a fallout, cancelled, rolling back, closed, a
suspension. Placed through the services and driven synchronously the way the worker would; idempotent (skipped
when demo orders exist)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from bss.actors import Actor, Channel
from customers import selectors as customer_selectors
from orders.models import CustomerOrder, MilestoneStatus, OrderType, ProductOffering
from orders.services import investigation, order_config, order_kinds, ordering
from orders.services.ordering import OrderItemInput

MILESTONES = [
    ("awaiting-supervisor-approval", "Awaiting supervisor approval",
     {"en": "A supervisor is approving your order", "ga": "Tá maoirseoir ag ceadú d'ordú"}),
    ("equipment-shipped", "Equipment shipped", {"en": "Your equipment is on its way", "ga": "Tá do threalamh ar an mbealach"}),
    ("customer-trained", "Customer trained", {"en": "You have been shown how to use your service",
                                              "ga": "Taispeánadh duit conas do sheirbhís a úsáid"}),
    ("end-to-end-test-done", "End-to-end test done", {"en": "Your service passed its tests",
                                                      "ga": "D'éirigh le do sheirbhís sna tástálacha"}),
]


def seed_order_types(actor: Actor) -> int:
    made = 0
    for code, name, descriptions in MILESTONES:
        if not MilestoneStatus.objects.filter(code=code).exists():
            order_config.milestone_create(code=code, name=name, descriptions=descriptions, actor=actor)
    ms = {m.code: m for m in MilestoneStatus.objects.all()}
    types = [
        ("provide-standard", "New provision", "provide", True, 3 * 24 * 60, [
            {"sequence": 1, "code": "activate", "name": "Activate in the network", "kind": "activation",
             "point_of_no_return": True, "milestone": ms["end-to-end-test-done"], "expected_minutes": 2 * 24 * 60},
            {"sequence": 2, "code": "welcome", "name": "Send the welcome pack", "kind": "automatic",
             "expected_minutes": 60}]),
        ("provide-business", "New provision (business, with training)", "provide", False, 10 * 24 * 60, [
            {"sequence": 1, "code": "approve", "name": "Supervisor approval", "kind": "manual", "team": "supervisors",
             "milestone": ms["awaiting-supervisor-approval"], "expected_minutes": 24 * 60},
            {"sequence": 2, "code": "activate", "name": "Activate in the network", "kind": "activation",
             "point_of_no_return": True, "milestone": ms["end-to-end-test-done"], "expected_minutes": 7 * 24 * 60},
            {"sequence": 3, "code": "training", "name": "Train the customer", "kind": "manual", "team": "trainers",
             "milestone": ms["customer-trained"], "expected_minutes": 2 * 24 * 60}]),
        ("change-standard", "Change", "change", True, 24 * 60, [
            {"sequence": 1, "code": "activate", "name": "Reconfigure in the network", "kind": "activation",
             "point_of_no_return": True, "expected_minutes": 24 * 60}]),
        ("terminate-standard", "Termination", "terminate", True, 24 * 60, [
            {"sequence": 1, "code": "recover", "name": "Recover the service", "kind": "activation",
             "point_of_no_return": True, "expected_minutes": 24 * 60}]),
    ]
    for code, name, kind, default, minutes, steps in types:
        existing = OrderType.objects.filter(code=code).first()
        if existing is None:
            order_config.order_type_create(code=code, name=name, kind=kind, is_default=default,
                                           expected_minutes=minutes, steps=steps, actor=actor)
            made += 1
        elif existing.steps.filter(expected_minutes__isnull=True).exists():  # seeded before steps had durations
            order_config.order_type_update(order_type=existing, steps=steps, actor=actor)
    return made


# The order's jeopardy clock (bss.sla, clock type orders.customer_order) is due at the committed availability date,
# which the order type's expected duration gives (OrderType.expected_minutes, each step's expected_minutes for
# the task due dates). The clock is qualified by the order's order type and priority: these targets set the
# jeopardy margin and the escalation policy (notify the assignee's team, then the supervisor, then raise the
# priority). A target naming an order type wins over one that names none (whatever the priority): changes of
# products have their own, tighter policy; every other order type falls back to the targets naming no type.
SLA_TARGETS = [
    # name, order type code (blank: any), priority (blank: any), duration, jeopardy margin, escalation steps
    ("Customer orders", "", "", 3 * 24 * 60, 12 * 60, [
        (1, "at_risk", 0, "notify_role", "CSR", "At risk: less than half a day to the committed date"),
        (2, "breached", 0, "notify_supervisor", "", "In jeopardy: the committed date has passed"),
        (3, "breached", 2 * 60, "raise_priority", "", "Still open two hours after the committed date")]),
    ("Urgent customer orders", "", "0", 24 * 60, 6 * 60, [
        (1, "at_risk", 0, "notify_role", "Supervisor", "Urgent order at risk"),
        (2, "breached", 0, "notify_supervisor", "", "Urgent order in jeopardy")]),
    ("Changes of products", "change-standard", "", 24 * 60, 4 * 60, [
        (1, "at_risk", 0, "notify_role", "Provisioning engineer", "Change at risk: less than four hours left"),
        (2, "breached", 0, "raise_priority", "", "Change in jeopardy: the committed date has passed"),
        (3, "breached", 60, "notify_supervisor", "", "Change still open an hour after the committed date")]),
]


def seed_sla_targets(actor: Actor) -> int:
    """The customer orders' SLA targets and escalation policies (idempotent: existing targets are kept)."""
    from bss.sla.models import SlaTarget
    from bss.sla.services import EscalationStepInput, sla_target_create, sla_target_set_escalation_steps

    made = 0
    for name, type_code, priority, minutes, margin, steps in SLA_TARGETS:
        if SlaTarget.objects.filter(clock_type="orders.customer_order", step="", type_code=type_code,
                                    priority=priority, segment="", active=True).exists():
            continue
        if type_code and not OrderType.objects.filter(code=type_code).exists():
            continue  # the demo order type is not there (renamed by an operator): no target for it
        target = sla_target_create(name=name, clock_type="orders.customer_order", type_code=type_code,
                                   priority=priority, duration_minutes=minutes, jeopardy_margin_minutes=margin,
                                   time_basis="calendar", description="Due at the order's committed availability date",
                                   actor=actor)
        sla_target_set_escalation_steps(target=target, actor=actor, steps=[
            EscalationStepInput(level=level, trigger=trigger, delay_minutes=delay, action=action, role=role,
                                message=message) for level, trigger, delay, action, role, message in steps])
        made += 1
    return made


def _drive(order: CustomerOrder, actor: Actor, *, stop_before: tuple[str, ...] = ()) -> CustomerOrder:
    """What the workers do, synchronously: process, run the service orders and their automatic steps."""
    from service_activation.models import ServiceOrder, WorkOrder
    from service_activation.services import service_order_run, work_order_execute

    ordering.customer_order_process(order_id=order.pk, actor=actor)
    for so in ServiceOrder.objects.filter(customer_order_id=order.pk):
        service_order_run(service_order_id=so.pk, actor=actor)
        for _ in range(30):
            wo = WorkOrder.objects.filter(item__service_order=so, status="ready", manual=False).exclude(
                code__in=stop_before).order_by("pk").first()
            if wo is None:
                break
            while work_order_execute(work_order_id=wo.pk, actor=actor) == "retry":
                pass
    ordering.customer_order_try_complete(order_id=order.pk, actor=actor)
    order.refresh_from_db()
    return order


def _attempt(fn, **kwargs):
    """A demo step that the demo customer's own data may refuse (a feasibility rule, their credit): skipped."""
    from bss.errors import ApplicationError

    try:
        with transaction.atomic():
            return fn(**kwargs)
    except ApplicationError:
        return None


def _place(actor, customer, *codes, channel=None, **kw) -> CustomerOrder:
    order, _ = ordering.customer_order_create(
        actor=actor, customer_ref=str(customer.pk), channel=channel,
        items=[OrderItemInput(item_id=str(n), offering=c) for n, c in enumerate(codes, start=1)], **kw)
    return order


def seed_orders(*, actor: Actor) -> list[str]:
    from service_activation.demo import seed_service_catalog

    seed_service_catalog(actor)
    types = seed_order_types(actor)
    seed_sla_targets(actor)
    if CustomerOrder.objects.exists():
        return [f"orders: {types} order types; demo orders already there ({CustomerOrder.objects.count()})"]
    customers = customer_selectors.demo_order_customers(limit=14)
    if len(customers) < 12 or not ProductOffering.objects.filter(code="mobile-s").exists():
        return ["orders: not enough demo customers or no catalog; no demo orders"]
    from django.contrib.auth import get_user_model

    demo_csr = get_user_model().objects.filter(username="csr").first()
    csr = Actor(user=demo_csr, channel=Channel.PORTAL) if demo_csr else actor
    api = Actor.system("partner API (demo)")
    c = iter(customers)
    with transaction.atomic():
        cancelled = _place(csr, next(c), "mobile-s")                                     # cancelled, then closed
        _attempt(ordering.customer_order_cancel, order_id=cancelled.pk, reason="customer changed their mind",
                 actor=csr)
        ordering.customer_orders_close(now=timezone.now() + dt.timedelta(days=31), grace_days=30, actor=actor)
        _drive(_place(csr, next(c), "mobile-s"), actor)                                  # completed
        owner = next(c)
        _drive(_place(csr, owner, "mobile-m"), actor)                                    # completed, then suspended
        product = owner.products.filter(status="active").first()
        if product is not None:
            _drive(order_kinds.customer_order_lifecycle(actor=csr, product_ids=[product.pk], action="suspend",
                                                        reason="non_payment"), actor)
        _drive(_place(csr, next(c), "fiber-500"), actor)                                 # field installation waiting
        # in jeopardy: committed for this morning, the ONT still not installed
        fibre_home = next(c)
        _drive(_place(csr, fibre_home, "fiber-100", requested_completion_date=timezone.now() - dt.timedelta(hours=6)),
               actor)
        # at risk: a second line at the same (covered) address, committed for tonight, within the margin
        _drive(_place(csr, fibre_home, "fiber-100", requested_completion_date=timezone.now() + dt.timedelta(hours=10)),
               actor)
        business = customer_selectors.demo_order_customers(limit=1, segments=["sme", "enterprise"])
        vpn, _ = ordering.customer_order_create(                                         # held: special handling
            actor=csr, customer_ref=str((business or [next(c)])[0].pk),
            items=[OrderItemInput(item_id="1", offering="business-vpn", characteristics={"sites": 3})])
        _drive(vpn, actor)
        ordering.customer_order_process(order_id=_place(api, next(c), "no-such-offer").pk, actor=actor)  # rejected
        rejected = _place(api, next(c), "fiber-9000")
        investigation.customer_order_investigate(order_id=rejected.pk, classification="configuration_defect",
                                                 note="The partner catalogue still sells fiber-9000", actor=actor)
        mid = _drive(_place(csr, next(c), "mobile-s"), actor, stop_before=("pcrf-profile",))
        _attempt(ordering.customer_order_cancel, order_id=mid.pk, reason="ported the number elsewhere", actor=csr)
        with override_settings(BSS_SIMULATED_NETWORK={"fail_steps": ("pcrf-profile",)}):
            _drive(_place(csr, next(c), "mobile-m"), actor)                              # fallout
        _drive(_place(csr, next(c), "iptv-addon"), actor)                                # rejected: needs fiber
        _drive(_place(csr, next(c), "fiber-500-tv"), actor)                              # bundle, in progress
        _place(api, next(c), "mobile-s")                                                 # pending (API, not yet run)
    from bss.sla.services import sla_scan

    sla_scan()
    by_state = {}
    for o in CustomerOrder.objects.all():
        by_state[o.state] = by_state.get(o.state, 0) + 1
    return [f"orders: {types} order types; {sum(by_state.values())} demo orders "
            + ", ".join(f"{k} {v}" for k, v in sorted(by_state.items()))]
