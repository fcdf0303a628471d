"""The one lifecycle every catalog-like entity shares (TMF620/633 ``lifecycleStatus``): draft ->
active -> retired, with a retired entry reinstated and a draft retired without ever being
active. Categories, catalogs, product specifications, offerings, prices and service
specifications all use this enum and these transitions; the field is a protected FSM field,
changed only through ``bss.fsm.fsm_transition`` (see ``lifecycle_change``)."""

from __future__ import annotations

from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition

from bss.actors import Actor


class LifecycleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


def lifecycle_field(default: str = LifecycleStatus.ACTIVE, **kwargs) -> FSMField:
    kwargs.setdefault("max_length", 10)
    return FSMField(choices=LifecycleStatus.choices, default=default, protected=True, **kwargs)


# (from, to) -> transition name; what every lifecycle may do.
LIFECYCLE_TRANSITIONS = {
    (LifecycleStatus.DRAFT, LifecycleStatus.ACTIVE): "launch",
    (LifecycleStatus.ACTIVE, LifecycleStatus.RETIRED): "retire",
    (LifecycleStatus.DRAFT, LifecycleStatus.RETIRED): "retire",
    (LifecycleStatus.RETIRED, LifecycleStatus.ACTIVE): "reinstate",
}


class LifecycleMixin(FSMModelMixin, models.Model):
    """Abstract: ``lifecycle_status`` with launch / retire / reinstate. A model that needs another
    default (offerings start as drafts) redeclares the field with ``lifecycle_field(default=...)``."""

    lifecycle_status = lifecycle_field()

    class Meta:
        abstract = True

    @transition(field="lifecycle_status", source=LifecycleStatus.DRAFT, target=LifecycleStatus.ACTIVE)
    def launch(self):
        pass

    @transition(field="lifecycle_status", source=[LifecycleStatus.DRAFT, LifecycleStatus.ACTIVE],
                target=LifecycleStatus.RETIRED)
    def retire(self):
        pass

    @transition(field="lifecycle_status", source=LifecycleStatus.RETIRED, target=LifecycleStatus.ACTIVE)
    def reinstate(self):
        pass


def lifecycle_transition_name(current: str, target: str) -> str | None:
    return LIFECYCLE_TRANSITIONS.get((current, target))


def lifecycle_change(obj, *, status: str, actor: Actor, reason: str = "", action: str | None = None, root=None,
                     record: bool = True):
    """Move ``obj`` (a row the caller locked) to ``status`` through its FSM transition; the same
    status is a no-op; a value that is no lifecycle status is a 400, a move the lifecycle does
    not allow a 409."""
    from bss.errors import ApplicationError, DomainValidationError
    from bss.fsm import fsm_transition

    if status not in LifecycleStatus.values:
        raise DomainValidationError({"lifecycle_status": f"'{status}' is not one of {', '.join(LifecycleStatus.values)}."})
    current = obj.lifecycle_status
    if current == status:
        return obj
    name = lifecycle_transition_name(current, status)
    if name is None:
        raise ApplicationError(f"A {current} {obj._meta.verbose_name} cannot become {status}.",
                               extra={"state": current})
    return fsm_transition(obj, name, actor=actor, reason=reason, state_field="lifecycle_status",
                          action=action, root=root, record=record)


def lifecycle_update(obj, *, fields: tuple[str, ...], data: dict, actor: Actor, status=None, action: str | None = None,
                     reason: str = "", root=None, extra: dict | None = None, validate: bool = True,
                     status_actions: dict[str, str] | None = None) -> dict:
    """One update of a lifecycle entity (a row the caller locked): the lifecycle through its FSM
    transition (checked first: a move the lifecycle does not allow is a 409 before anything
    changes), then the attributes through ``model_update``, recorded in ONE history row
    (``lifecycle_status: [old, new]`` beside the attribute changes). ``status`` None/UNSET: the
    lifecycle stays. ``status_actions``: the history action for a move to that status (else
    ``action``). Returns the changes ({} when nothing changed); the caller publishes its event."""
    from bss.audit.services import UNSET, model_update

    extra = dict(extra or {})
    before = obj.lifecycle_status
    if status not in (None, UNSET) and status != before:
        lifecycle_change(obj, status=status, actor=actor, reason=reason, root=root, record=False)
        extra["lifecycle_status"] = [before, status]
        action = (status_actions or {}).get(status, action)
    return model_update(instance=obj, fields=fields, data=data, actor=actor, action=action, root=root,
                        reason=reason, validate=validate, extra=extra)
