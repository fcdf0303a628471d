"""Service specification use cases: create, update, lifecycle (history on every change)."""

from __future__ import annotations

from django.db import transaction

from bss.actors import Actor
from bss.audit.services import UNSET, history_record_created
from bss.errors import DomainValidationError
from bss.lifecycle import LifecycleStatus, lifecycle_change, lifecycle_update
from service_activation.models import ServiceSpecification

SERVICE_SPECIFICATION_FIELDS = ("name", "description", "characteristics", "required_resources", "test_plan",
                                "recovery_plan", "delivered_by_partner", "partner_name")
STEP_FIELDS = ("sequence", "code", "name", "kind", "specialty", "adapter", "adapter_config", "depends_on",
               "needs_appointment")
RESOURCE_KINDS = ("msisdn", "sim", "ipv4", "vlan", "port")
ADAPTERS = ("simulated", "http")


def _plan_errors(name: str, plan) -> list[str]:
    if not isinstance(plan, list):
        return [f"{name}: a list of steps."]
    out = []
    for n, step in enumerate(plan):
        if not isinstance(step, dict) or not step.get("code") or not step.get("name"):
            out.append(f"{name}[{n}]: each step has a code and a name.")
        elif step.get("kind", "automatic") not in ("automatic", "manual"):
            out.append(f"{name}[{n}]: kind is automatic or manual.")
    return out


def validate_specification_data(data: dict) -> None:
    errors: dict[str, list[str]] = {}
    chars = data.get("characteristics", [])
    if not isinstance(chars, list) or any(not isinstance(c, dict) or not c.get("name") for c in chars):
        errors["characteristics"] = ['A list of {"name", "valueType", "default", "mandatory"}.']
    res = data.get("required_resources", [])
    if not isinstance(res, list) or any(r not in RESOURCE_KINDS for r in res):
        errors["required_resources"] = [f"A list of resource kinds: {', '.join(RESOURCE_KINDS)}."]
    for name in ("test_plan", "recovery_plan"):
        problems = _plan_errors(name, data.get(name, []))
        if problems:
            errors[name] = problems
    if errors:
        raise DomainValidationError(errors)


def _steps_errors(steps: list[dict]) -> dict:
    errors: dict[str, list[str]] = {}
    codes = [s.get("code") for s in steps]
    if len(set(codes)) != len(codes):
        errors["activation_steps"] = ["Step codes must be unique."]
    for n, s in enumerate(steps):
        if s.get("kind", "automatic") == "automatic" and s.get("adapter", "simulated") not in ADAPTERS:
            errors.setdefault(f"activation_steps[{n}].adapter", []).append(f"One of {', '.join(ADAPTERS)}.")
        unknown = [d for d in s.get("depends_on") or [] if d not in codes or d == s.get("code")]
        if unknown:
            errors.setdefault(f"activation_steps[{n}].depends_on", []).append(
                f"No other step {', '.join(map(str, unknown))}.")
    return errors


def _steps_state(spec: ServiceSpecification) -> list[dict]:
    return [{f: getattr(s, f) for f in STEP_FIELDS} for s in spec.activation_steps.all()]


def _steps_replace(spec: ServiceSpecification, steps: list[dict]) -> None:
    from service_activation.models import ActivationStep

    spec.activation_steps.all().delete()
    ActivationStep.objects.bulk_create([
        ActivationStep(specification=spec, **{f: s[f] for f in STEP_FIELDS if f in s and s[f] is not None})
        for s in steps])


@transaction.atomic
def service_specification_create(*, code: str, name: str, actor: Actor, description: str = "",
                                 lifecycle_status: str = LifecycleStatus.ACTIVE) -> ServiceSpecification:
    errors = {}
    if not (code or "").strip():
        errors["code"] = "This field is required."
    elif ServiceSpecification.objects.filter(code=code).exists():
        errors["code"] = f"A service specification {code} exists."
    if not (name or "").strip():
        errors["name"] = "This field is required."
    if lifecycle_status not in LifecycleStatus.values:
        errors["lifecycle_status"] = f"'{lifecycle_status}' is not one of {', '.join(LifecycleStatus.values)}."
    if errors:
        raise DomainValidationError(errors)
    spec = ServiceSpecification.objects.create(code=code.strip(), name=name.strip(), description=description,
                                               lifecycle_status=lifecycle_status)
    history_record_created(obj=spec, actor=actor, action="service_activation.service_specification.created")
    return spec


@transaction.atomic
def service_specification_update(*, specification: ServiceSpecification, actor: Actor, name: str = UNSET,
                                 description: str = UNSET, lifecycle_status: str = UNSET,
                                 characteristics: list = UNSET, required_resources: list = UNSET,
                                 test_plan: list = UNSET, recovery_plan: list = UNSET,
                                 delivered_by_partner: bool = UNSET, partner_name: str = UNSET,
                                 activation_steps: list[dict] = UNSET, reason: str = "") -> ServiceSpecification:
    """Only the arguments given change; the attributes, the activation plan (replaced as a whole) and a lifecycle
    move are one history row."""
    spec = ServiceSpecification.objects.select_for_update().get(pk=specification.pk)
    if name is not UNSET and not (name or "").strip():
        raise DomainValidationError({"name": "This field is required."})
    data = {"name": name, "description": description, "characteristics": characteristics,
            "required_resources": required_resources, "test_plan": test_plan, "recovery_plan": recovery_plan,
            "delivered_by_partner": delivered_by_partner, "partner_name": partner_name}
    validate_specification_data({k: v for k, v in data.items() if v is not UNSET})
    extra = None
    if activation_steps is not UNSET:
        errors = _steps_errors(activation_steps)
        if errors:
            raise DomainValidationError(errors)
        before = _steps_state(spec)
        _steps_replace(spec, activation_steps)
        after = _steps_state(spec)
        extra = {"activation_steps": [before, after]} if before != after else None
    lifecycle_update(spec, fields=SERVICE_SPECIFICATION_FIELDS, data=data, status=lifecycle_status, actor=actor,
                     reason=reason, action="service_activation.service_specification.updated", extra=extra)
    return spec


@transaction.atomic
def service_specification_change_status(*, specification_id: int, status: str, actor: Actor,
                                        reason: str = "") -> ServiceSpecification:
    """Launch, retire or reinstate: the transition's own history row."""
    spec = ServiceSpecification.objects.select_for_update().get(pk=specification_id)
    return lifecycle_change(spec, status=status, actor=actor, reason=reason)
