"""Service specification use cases: create, update, lifecycle (history on every change)."""

from __future__ import annotations

from django.db import transaction

from bss.actors import Actor
from bss.audit.services import history_record_created, model_update
from bss.errors import DomainValidationError
from bss.lifecycle import LifecycleStatus, lifecycle_change
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
def service_specification_update(*, specification: ServiceSpecification, actor: Actor,
                                 lifecycle_status: str | None = None, reason: str = "",
                                 **changes) -> ServiceSpecification:
    """``changes``: any of SERVICE_SPECIFICATION_FIELDS; a lifecycle change goes through its transition."""
    spec = ServiceSpecification.objects.select_for_update().get(pk=specification.pk)
    model_update(instance=spec, fields=SERVICE_SPECIFICATION_FIELDS, data=changes, actor=actor,
                 action="service_activation.service_specification.updated", reason=reason)
    if lifecycle_status is not None:
        lifecycle_change(spec, status=lifecycle_status, actor=actor, reason=reason)
    return spec


def service_specification_change_status(*, specification_id: int, status: str, actor: Actor,
                                        reason: str = "") -> ServiceSpecification:
    return service_specification_update(specification=ServiceSpecification(pk=specification_id), actor=actor,
                                        lifecycle_status=status, reason=reason)
