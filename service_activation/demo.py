"""Demo data of service activation, written through its services: resource pools, and the activation, test and
recovery plans of the demo service specifications (created here if the catalog has not made them yet). orders'
demo calls seed_service_catalog before it places its demo orders. Idempotent."""

from __future__ import annotations

from bss.actors import Actor
from service_activation.models import ServiceSpecification
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
    """The demo service specifications with their plans and the resource pools; returns how many plans were set."""
    resources_demo_seed(actor)
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


def seed(*, actor: Actor, options: dict) -> list[str]:
    return [f"service activation: {seed_service_catalog(actor)} activation plans set, resource pools loaded"]
