"""Use cases for staff, integrator and self-service logins (the User model). The admin saves
users through these, so every change is in the shared history (passwords never are)."""

from __future__ import annotations

from django.db import transaction

from bss.actors import Actor
from bss.audit.services import diff, history_record, history_record_created, snapshot

from .models import User


@transaction.atomic
def user_save(*, user: User, actor: Actor) -> User:
    """Save a user the admin's form has filled in (Django's user forms hash the password)."""
    if user.pk is None:
        user.save()
        history_record_created(obj=user, actor=actor, action="bss.user.created")
        return user
    before = snapshot(User.objects.select_for_update().get(pk=user.pk))
    user.save()
    changes = diff(before, snapshot(user))
    if changes:
        history_record(obj=user, action="bss.user.updated", actor=actor, changes=changes)
    return user


@transaction.atomic
def user_roles_set(*, user: User, group_ids: list[int], actor: Actor) -> User:
    """A user's roles (groups), recorded as a change of role names."""
    before = sorted(user.groups.values_list("name", flat=True))
    user.groups.set(group_ids)
    after = sorted(user.groups.values_list("name", flat=True))
    if before != after:
        history_record(obj=user, action="bss.user.roles_changed", actor=actor, changes={"roles": [before, after]})
    return user


@transaction.atomic
def api_token_issue(*, user: User, actor: Actor):
    """An integrator's API token (one per user; issuing again returns the existing one). The key
    itself never enters the history."""
    from rest_framework.authtoken.models import Token

    token, created = Token.objects.get_or_create(user=user)
    if created:
        history_record(obj=user, action="bss.user.api_token_issued", actor=actor)
    return token
