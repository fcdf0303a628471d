"""Service specification use cases: create, update, lifecycle (history on every change)."""

from __future__ import annotations

from django.db import transaction

from bss.actors import Actor
from bss.audit.services import UNSET, history_record_created
from bss.errors import DomainValidationError
from bss.lifecycle import LifecycleStatus, lifecycle_change, lifecycle_update
from service_activation.models import ServiceSpecification

SERVICE_SPECIFICATION_FIELDS = ("name", "description")


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
                                 reason: str = "") -> ServiceSpecification:
    """Only the arguments given change; the attributes and a lifecycle move are one history row."""
    spec = ServiceSpecification.objects.select_for_update().get(pk=specification.pk)
    if name is not UNSET and not (name or "").strip():
        raise DomainValidationError({"name": "This field is required."})
    lifecycle_update(spec, fields=SERVICE_SPECIFICATION_FIELDS, data={"name": name, "description": description},
                     status=lifecycle_status, actor=actor, reason=reason,
                     action="service_activation.service_specification.updated")
    return spec


@transaction.atomic
def service_specification_change_status(*, specification_id: int, status: str, actor: Actor,
                                        reason: str = "") -> ServiceSpecification:
    """Launch, retire or reinstate: the transition's own history row."""
    spec = ServiceSpecification.objects.select_for_update().get(pk=specification_id)
    return lifecycle_change(spec, status=status, actor=actor, reason=reason)
