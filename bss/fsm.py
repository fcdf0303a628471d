"""The one way a lifecycle transition happens: lock, check, transition, save, record history."""

from __future__ import annotations

from django.db import models
from django_fsm import can_proceed, has_transition_perm

from bss.actors import Actor
from bss.audit.services import action_prefix, history_record
from bss.errors import ApplicationError


def fsm_transition(
    obj: models.Model,
    transition: str,
    *,
    actor: Actor,
    reason: str = "",
    action: str | None = None,
    root: models.Model | None = None,
    state_field: str = "status",
    record: bool = True,
    **kwargs,
):
    """Run ``obj.<transition>()`` on a row the caller locked with select_for_update.

    Raises ApplicationError (409) when the transition is not allowed from the current state.
    ``record=False``: the caller records the move in its own (single) history row for the use
    case, e.g. an update that changes attributes and the lifecycle together.
    """
    method = getattr(obj, transition)
    from_state = getattr(obj, state_field)
    if not can_proceed(method):
        raise ApplicationError(
            f"Cannot {transition.replace('_', ' ')} {obj._meta.verbose_name} in state '{from_state}'",
            extra={"state": from_state, "transition": transition},
        )
    if actor.user_id and not has_transition_perm(method, actor.user):
        raise ApplicationError(f"Not permitted to {transition}", code="forbidden")
    method(**kwargs)
    obj.save()
    to_state = getattr(obj, state_field)
    if not record:
        return obj
    history_record(
        obj=obj,
        action=action or f"{action_prefix(obj)}.{transition}",
        actor=actor,
        reason=reason,
        from_state=from_state,
        to_state=to_state,
        changes={state_field: [from_state, to_state]},
        root=root,
    )
    return obj
