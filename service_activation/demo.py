"""Demo data of service activation, written through its services: resource pools, and the activation, test and
recovery plans of the demo service specifications (created here if the catalog has not made them yet). orders'
demo calls seed_service_catalog before it places its demo orders. Idempotent."""

from __future__ import annotations

from bss.actors import Actor
from service_activation.models import ServiceSpecification, WorkOrderAssignmentRule
from service_activation.services import service_specification_create, service_specification_update
from service_activation.services.resources import resources_demo_seed


def _steps(*rows):
    out, previous = [], None
    for n, (code, name, kind, specialty) in enumerate(rows, start=1):
        out.append({"sequence": n, "code": code, "name": name, "kind": kind, "specialty": specialty,
                    "adapter": "simulated", "adapter_config": {}, "depends_on": [previous] if previous else [],
                    "needs_appointment": kind == "manual"})
        previous = code
    return out


def _test(*codes):
    return [{"code": c, "name": c.replace("-", " ").capitalize(), "kind": "automatic"} for c in codes]


# code: (name, resources, activation steps, test plan, characteristics)
PLANS = {
    "mobile-access": ("Mobile access (SIM, number, data)", ["msisdn", "sim"], _steps(
        ("hlr-provision", "Provision the subscriber in the HLR/HSS", "automatic", "hlr"),
        ("pcrf-profile", "Load the data profile in the PCRF", "automatic", "pcrf")),
        _test("attach-check"), [{"name": "apn", "valueType": "string", "default": "internet"}]),
    "fiber-access": ("Fiber access (FTTH line)", ["port", "vlan"], _steps(
        ("olt-port", "Configure the OLT port and VLAN", "automatic", "olt"),
        ("bng-session", "Create the BNG subscriber", "automatic", "bng"),
        ("ont-install", "Install the ONT at the premises", "manual", "field-install")),
        _test("line-check", "speed-test"), []),
    "iptv-service": ("IPTV service (set-top box, channel packages)", [], _steps(
        ("middleware-account", "Create the middleware account", "automatic", "middleware"),
        ("entitlements", "Entitle the channel packages", "automatic", "conditional-access")),
        _test("stream-check"), [{"name": "channels", "valueType": "integer", "default": 80}]),
    "static-ip": ("Static public IPv4 address", ["ipv4"], _steps(
        ("bng-route", "Route the address to the subscriber", "automatic", "bng")), _test("ping-check"), []),
    "vpn-service": ("Business IP VPN (MPLS)", [], _steps(
        ("vrf", "Create the VRF", "automatic", "mpls-core"),
        ("pe-config", "Configure the PE interfaces", "automatic", "mpls-core")), _test("site-reachability"), []),
    "cpe-delivery": ("Customer equipment delivery", [], _steps(
        ("ship-cpe", "Ship the router", "manual", "cpe-delivery")), [], []),
}


def seed_service_catalog(actor: Actor) -> int:
    """The demo service specifications with their plans, the resource pools and the field work (assignment rules,
    visit slots: before any demo order issues a work order); returns how many plans were set."""
    resources_demo_seed(actor)
    seed_field_work(actor)
    done = 0
    for code, (name, resources, steps, tests, chars) in PLANS.items():
        spec = ServiceSpecification.objects.filter(code=code).first() or service_specification_create(
            code=code, name=name, actor=actor)
        if spec.activation_steps.exists():
            continue  # an operator's plan is left alone
        service_specification_update(specification=spec, actor=actor, required_resources=resources,
                                     activation_steps=steps, test_plan=tests, characteristics=chars,
                                     recovery_plan=[])
        done += 1
    return done


HTTP_DEMO = "http-demo-line"


def http_demo_step_config(url: str) -> dict:
    """The generic HTTP adapter's configuration of the demo's steps: an asynchronous element (202, then a
    callback to /api/v1/adapter-callbacks/<token>/ whose ``status`` is ``done``), the request built from the
    template, correlated by the element's ticket ``id``."""
    return {"url": url, "async": True, "timeout": 5, "correlation_field": "id",
            "callback_success_field": "status", "callback_success_value": "done",
            "template": {"service": "{service}", "step": "{step}", "operation": "{operation}", "vlan": "{vlan}",
                         "callback": "{callback}"}}


def seed_http_demo(actor: Actor, *, url: str | None = None) -> ServiceSpecification:
    """The demo service specification run through the generic HTTP adapter against the stub network element
    (``manage.py run_stub_ne``; settings.BSS_STUB_NE_URL): one activation step and its recovery on the element,
    then a simulated line check. Idempotent: an existing specification keeps its plan."""
    from django.conf import settings

    url = url or getattr(settings, "BSS_STUB_NE_URL", "http://127.0.0.1:8099/provision")
    spec = ServiceSpecification.objects.filter(code=HTTP_DEMO).first()
    if spec is not None and spec.activation_steps.exists():
        return spec
    spec = spec or service_specification_create(code=HTTP_DEMO, name="Demo line on the stub network element",
                                                actor=actor, description="Activated through the generic HTTP "
                                                "adapter against manage.py run_stub_ne (asynchronous callback).")
    config = http_demo_step_config(url)
    service_specification_update(
        specification=spec, actor=actor, lifecycle_status="active",
        characteristics=[{"name": "vlan", "valueType": "integer", "default": 210}],
        activation_steps=[{"sequence": 1, "code": "ne-configure", "name": "Configure the line on the element",
                           "kind": "automatic", "specialty": "stub-ne", "adapter": "http", "adapter_config": config,
                           "depends_on": [], "needs_appointment": False}],
        test_plan=_test("line-check"),
        recovery_plan=[{"code": "ne-remove", "name": "Remove the line from the element", "kind": "automatic",
                        "adapter": "http", "specialty": "stub-ne", "config": config}])
    return spec


def seed_field_work(actor: Actor) -> tuple[int, int]:
    """Assignment rules for the demo's manual steps (field installation to the field team, router delivery to
    logistics) and the field team's visit slots for the next three weeks (mornings and afternoons, three
    visits each). Idempotent: rules by name, slots already open are left as they are."""
    import datetime as dt

    from django.utils import timezone

    from service_activation.services.appointments import appointment_slots_open
    from service_activation.services.assignment import assignment_rule_create

    rules = 0
    for name, specialty, team, position in (("Field installation", "field-install", "field", 10),
                                            ("Router delivery", "cpe-delivery", "logistics", 20)):
        if not WorkOrderAssignmentRule.objects.filter(name=name).exists():
            assignment_rule_create(actor=actor, name=name, team=team, specialty=specialty, position=position)
            rules += 1
    today = timezone.localdate()
    slots = appointment_slots_open(team="field", first_day=today + dt.timedelta(days=1),
                                   last_day=today + dt.timedelta(days=21), windows=["08:00-12:00", "13:00-17:00"],
                                   capacity=3, actor=actor)
    return rules, slots


def seed(*, actor: Actor, options: dict) -> list[str]:
    rules = WorkOrderAssignmentRule.objects.count()
    done = seed_service_catalog(actor)
    seed_http_demo(actor)
    rules = WorkOrderAssignmentRule.objects.count() - rules
    return [f"service activation: {done} activation plans set, resource pools loaded, the HTTP adapter demo "
            f"({HTTP_DEMO}: run manage.py run_stub_ne), {rules} assignment rules and the field team's visit slots"]
