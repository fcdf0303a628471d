"""Approval use cases: request, approve, reject, cancel, escalate; and the policy/limit configuration.

Rules (each a service check, whichever door the call comes through):

- Who decides: a person (never the system) holding one of the policy's ``approver_roles`` while the
  request is pending, or the ``escalation_role`` once it is escalated. Otherwise 403.
- No self-approval: the user who asked can never approve the request (422 ``self_approval``); they
  may cancel it.
- A decision (approve, reject, escalate, cancel) always carries a reason (400 ``reason``).
- Limits, when the policy's ``amount_applies``: the approver needs a limit in the request's currency
  (their own ApproverLimit row for the type, else their bss.User ``approval_limit`` in
  ``approval_currency`` when set, else the most generous row of a role they decide with), the amount
  must be within its ``max_amount``, and with a ``period`` the amounts this approver approved of this
  type and currency in the current calendar period (day, week from Monday, month; settings.TIME_ZONE)
  plus this one must stay within ``period_limit``. The period sum is taken under a per-approver lock
  (a PostgreSQL advisory lock for the transaction), so two concurrent approvals by the same approver
  cannot both squeeze under the limit.
- Over the limit: a pending request is escalated to the policy's ``escalation_role`` (the call
  returns the request in state ``escalated``, nothing approved); without an escalation role, or
  when the request is already escalated, the approval is refused (422 ``over_limit``).
- Every state change writes a history row (bss.fsm.fsm_transition), publishes
  ApprovalRequestStateChangeEvent, and calls the type's registered decision handler, all in one
  transaction: "approve the referral" and "the credit check becomes approved" commit together.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Sum
from django.utils import timezone

from bss.actors import Actor
from bss.audit.services import UNSET, given, history_record_created, model_update
from bss.errors import ApplicationError, BusinessRuleViolation, DomainValidationError
from bss.events import publish
from bss.fsm import fsm_transition
from bss.money import CURRENCIES, q
from bss.roles import Role

from .events import APPROVAL_REQUEST_CREATE, APPROVAL_REQUEST_STATE_CHANGE
from .models import ApprovalPolicy, ApprovalRequest, ApproverLimit
from .registry import registered_type, registered_types

MAX_AMOUNT = Decimal("1000000000000")  # what a money column (14 digits, 2 decimals) holds


class ApproverRoleRequired(ApplicationError):
    """The user does not hold a role that decides this request: HTTP 403."""

    status_code = 403
    default_code = "forbidden"


# --- Policy --------------------------------------------------------------------------------------

def approval_policy_for(approval_type: str) -> ApprovalPolicy:
    """The configured policy of a type, else an unsaved one from the type's registered defaults."""
    policy = ApprovalPolicy.objects.filter(approval_type=approval_type).first()
    if policy is not None:
        return policy
    registered = registered_type(approval_type)
    if registered is None:
        raise DomainValidationError({"approval_type": f"Unknown approval type '{approval_type}'."})
    return ApprovalPolicy(approval_type=registered.key, name=registered.label,
                          approver_roles=list(registered.approver_roles), amount_applies=registered.amount_applies,
                          escalation_role=registered.escalation_role)


def known_approval_types() -> list[str]:
    return sorted(set(registered_types()) | set(ApprovalPolicy.objects.values_list("approval_type", flat=True)))


def _known_roles() -> set[str]:
    return set(Role.ALL) | set(Group.objects.values_list("name", flat=True))


def validate_policy(data: dict) -> None:
    errors = {}
    if "approval_type" in data:
        key = (data["approval_type"] or "").strip()
        if not key or len(key) > 100 or any(c.isspace() for c in key):
            errors["approval_type"] = "A key without spaces, at most 100 characters, e.g. orders.credit_referral."
    if "name" in data and not (data["name"] or "").strip():
        errors["name"] = "Give the policy a name."
    if "approver_roles" in data:
        roles = data["approver_roles"]
        known = _known_roles()
        if not isinstance(roles, list) or not roles or any(not isinstance(r, str) or r not in known for r in roles):
            errors["approver_roles"] = f"A non-empty list of roles, e.g. [\"Supervisor\"]; known: {', '.join(sorted(known))}."
    if data.get("escalation_role") and data["escalation_role"] not in _known_roles():
        errors["escalation_role"] = f"Unknown role '{data['escalation_role']}'."
    if errors:
        raise DomainValidationError(errors)


@transaction.atomic
def approval_policy_create(*, approval_type: str, name: str, approver_roles: list[str], actor: Actor,
                           amount_applies: bool = False, escalation_role: str = "") -> ApprovalPolicy:
    data = {"approval_type": approval_type, "name": name, "approver_roles": approver_roles,
            "escalation_role": escalation_role}
    validate_policy(data)
    if ApprovalPolicy.objects.filter(approval_type=approval_type.strip()).exists():
        raise DomainValidationError({"approval_type": f"A policy for '{approval_type}' exists already."})
    policy = ApprovalPolicy.objects.create(approval_type=approval_type.strip(), name=name.strip(),
                                           approver_roles=approver_roles, amount_applies=amount_applies,
                                           escalation_role=escalation_role or "")
    history_record_created(obj=policy, actor=actor, action="approvals.approval_policy.created")
    return policy


@transaction.atomic
def approval_policy_update(*, policy: ApprovalPolicy, actor: Actor, name=UNSET, approver_roles=UNSET,
                           amount_applies=UNSET, escalation_role=UNSET) -> ApprovalPolicy:
    """The approval type key is fixed once created (requests and limits refer to it)."""
    changes = given(name=name, approver_roles=approver_roles, amount_applies=amount_applies,
                    escalation_role=escalation_role)
    validate_policy(changes)
    policy = ApprovalPolicy.objects.select_for_update().get(pk=policy.pk)
    model_update(instance=policy, fields=("name", "approver_roles", "amount_applies", "escalation_role"),
                 data={k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}, actor=actor,
                 action="approvals.approval_policy.updated")
    return policy


# --- Limits --------------------------------------------------------------------------------------

def _amount_error(value, *, allow_none: bool = False) -> str | None:
    if value is None and allow_none:
        return None
    try:
        if isinstance(value, float | bool) or value is None:
            raise TypeError
        value = Decimal(value)
        if not value.is_finite() or value < 0 or value >= MAX_AMOUNT:
            raise ValueError
    except (TypeError, ValueError, InvalidOperation):
        return f"A non-negative decimal amount below {MAX_AMOUNT:,}."
    return None


def validate_limit(data: dict) -> None:
    errors = {}
    if "approval_type" in data and data["approval_type"] not in known_approval_types():
        errors["approval_type"] = f"Unknown approval type '{data['approval_type']}'."
    if "role" in data or "user" in data:
        role, user = data.get("role") or "", data.get("user")
        if bool(role) == bool(user):
            errors["role"] = "Name either a role or a user, not both."
        elif role and role not in _known_roles():
            errors["role"] = f"Unknown role '{role}'."
    if "currency" in data and data["currency"] not in dict(CURRENCIES):
        errors["currency"] = f"'{data['currency']}' is not one of {', '.join(dict(CURRENCIES))}."
    for name in ("max_amount", "period_limit"):
        if name in data and (message := _amount_error(data[name], allow_none=name == "period_limit")):
            errors[name] = message
    if "period" in data or "period_limit" in data:
        period, period_limit = data.get("period") or "", data.get("period_limit")
        if period and period not in ApproverLimit.Period.values:
            errors["period"] = f"One of {', '.join(ApproverLimit.Period.values)}."
        elif bool(period) != (period_limit is not None):
            errors["period_limit"] = "A period limit goes with a period (day, week or month), and the reverse."
    if errors:
        raise DomainValidationError(errors)


@transaction.atomic
def approver_limit_create(*, approval_type: str, currency: str, max_amount: Decimal, actor: Actor, role: str = "",
                          user=None, period: str = "", period_limit: Decimal | None = None) -> ApproverLimit:
    validate_limit({"approval_type": approval_type, "role": role, "user": user, "currency": currency,
                    "max_amount": max_amount, "period": period, "period_limit": period_limit})
    try:
        with transaction.atomic():
            limit = ApproverLimit.objects.create(
                approval_type=approval_type, role=role or "", user=user, currency=currency, max_amount=q(max_amount),
                period=period or "", period_limit=None if period_limit is None else q(period_limit))
    except IntegrityError:
        raise DomainValidationError({"currency": f"{role or user} has a {currency} limit for {approval_type} "
                                                 f"already; change that one."}) from None
    history_record_created(obj=limit, actor=actor, action="approvals.approver_limit.created")
    return limit


@transaction.atomic
def approver_limit_update(*, limit: ApproverLimit, actor: Actor, max_amount=UNSET, period=UNSET,
                          period_limit=UNSET) -> ApproverLimit:
    """Change the amounts of a limit (who, type and currency are its key: create another for those)."""
    limit = ApproverLimit.objects.select_for_update().get(pk=limit.pk)
    changes = given(max_amount=max_amount, period=period, period_limit=period_limit)
    merged = {"period": limit.period, "period_limit": limit.period_limit, **changes}
    validate_limit({**changes, **({"period": merged["period"], "period_limit": merged["period_limit"]}
                                  if {"period", "period_limit"} & set(changes) else {})})
    data = {}
    for key, value in changes.items():
        if key in ("max_amount", "period_limit") and value is not None:
            value = q(value)
        data[key] = (value or "") if key == "period" else value
    model_update(instance=limit, fields=("max_amount", "period", "period_limit"), data=data, actor=actor,
                 action="approvals.approver_limit.updated")
    return limit


def approval_limit_for(*, user, approval_type: str, currency: str, roles) -> ApproverLimit | None:
    """The limit that applies to ``user`` deciding with one of ``roles`` (see the module docstring);
    an unsaved ApproverLimit for the bss.User fields; None when the user has no limit in ``currency``."""
    own = ApproverLimit.objects.filter(approval_type=approval_type, user=user, currency=currency).first()
    if own is not None:
        return own
    if user.approval_limit and user.approval_currency == currency:
        return ApproverLimit(approval_type=approval_type, user=user, currency=currency,
                             max_amount=user.approval_limit)
    held = set(user.groups.filter(name__in=roles).values_list("name", flat=True))
    rows = ApproverLimit.objects.filter(approval_type=approval_type, user__isnull=True, role__in=held,
                                        currency=currency).order_by("-max_amount", "id")
    return rows.first()


def period_start(period: str, now: datetime | None = None) -> datetime:
    local = timezone.localtime(now or timezone.now())
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == ApproverLimit.Period.WEEK:
        start -= timedelta(days=start.weekday())
    elif period == ApproverLimit.Period.MONTH:
        start = start.replace(day=1)
    return start


def approved_in_period(*, user, approval_type: str, currency: str, period: str) -> Decimal:
    total = ApprovalRequest.objects.filter(
        decided_by=user, approval_type=approval_type, currency=currency, state=ApprovalRequest.State.APPROVED,
        decided_at__gte=period_start(period),
    ).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0")


def _lock_approver(user, approval_type: str, currency: str) -> None:
    """Serialise one approver's approvals of one type and currency until the transaction ends."""
    if connection.vendor == "postgresql":
        digest = hashlib.blake2b(f"approvals:{user.pk}:{approval_type}:{currency}".encode(), digest_size=8).digest()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)])
    else:  # SQLite serialises writers; other databases lock the approver's row
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))


# --- Requests ------------------------------------------------------------------------------------

def _reason(reason, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainValidationError({field: "Give the reason for the decision."})
    return reason[:500]


def _react(request: ApprovalRequest, actor: Actor) -> None:
    publish(APPROVAL_REQUEST_STATE_CHANGE, request)
    registered = registered_type(request.approval_type)
    if registered is not None and registered.on_decision is not None:
        registered.on_decision(request, actor=actor)


@transaction.atomic
def approval_request_create(*, approval_type: str, subject: models.Model, reason: str, actor: Actor,
                            amount: Decimal | None = None, currency: str | None = None) -> ApprovalRequest:
    """Ask for approval of ``subject`` (any saved model). One open request per type and subject (409)."""
    policy = approval_policy_for(approval_type)
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Say why approval is needed."
    if subject is None or subject.pk is None:
        errors["subject"] = "The subject must be a stored object."
    if amount is not None and (message := _amount_error(amount)):
        errors["amount"] = message
    if currency and currency not in dict(CURRENCIES):
        errors["currency"] = f"'{currency}' is not one of {', '.join(dict(CURRENCIES))}."
    if policy.amount_applies and amount is None:
        errors["amount"] = f"{policy.name} requests need an amount."
    if amount is not None and not currency:
        errors["currency"] = "An amount needs its currency."
    if errors:
        raise DomainValidationError(errors)
    subject_type = ContentType.objects.get_for_model(subject)
    open_request = ApprovalRequest.objects.filter(approval_type=approval_type, subject_type=subject_type,
                                                  subject_id=str(subject.pk), state__in=ApprovalRequest.OPEN).first()
    if open_request is not None:
        raise ApplicationError(f"{subject} already waits for approval (request {open_request.pk}).",
                               code="approval_open", extra={"approval_request": open_request.pk})
    try:
        with transaction.atomic():
            request = ApprovalRequest.objects.create(
                approval_type=approval_type, subject_type=subject_type, subject_id=str(subject.pk),
                subject_repr=str(subject)[:200], amount=None if amount is None else q(amount),
                currency=currency or "", reason=reason[:500], requested_by=actor.user if actor.user_id else None)
    except IntegrityError:  # a concurrent request for the same subject won
        raise ApplicationError(f"{subject} already waits for approval.", code="approval_open") from None
    history_record_created(obj=request, actor=actor, action="approvals.approval_request.created", root=subject,
                           reason=request.reason)
    publish(APPROVAL_REQUEST_CREATE, request)
    return request


def _locked(request_id: int) -> ApprovalRequest:
    return ApprovalRequest.objects.select_for_update(of=("self",)).select_related("subject_type").get(pk=request_id)


def decider_roles(policy: ApprovalPolicy, request: ApprovalRequest) -> tuple[str, ...]:
    if request.state == ApprovalRequest.State.ESCALATED:
        return (request.escalated_to_role,) if request.escalated_to_role else ()
    return tuple(policy.approver_roles or ())


def holds_role(user, roles) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not roles:
        return False
    return user.is_superuser or user.groups.filter(name__in=roles).exists()


def _require_decider(policy: ApprovalPolicy, request: ApprovalRequest, actor: Actor, verb: str) -> None:
    roles = decider_roles(policy, request)
    if not actor.user_id:
        raise ApproverRoleRequired(f"A person must {verb} this request, not the system.")
    if request.is_open and not holds_role(actor.user, roles):
        raise ApproverRoleRequired(
            f"Only {' or '.join(roles) or 'nobody'} may {verb} {policy.name.lower()} requests"
            f"{' escalated to them' if request.state == ApprovalRequest.State.ESCALATED else ''}.")


def _transition(request: ApprovalRequest, name: str, *, actor: Actor, reason: str, action: str) -> ApprovalRequest:
    return fsm_transition(request, name, actor=actor, reason=reason, state_field="state",
                          action=f"approvals.approval_request.{action}", root=request.subject or request)


def _escalate(request: ApprovalRequest, policy: ApprovalPolicy, *, actor: Actor, reason: str) -> ApprovalRequest:
    request.escalated_to_role = policy.escalation_role
    _transition(request, "escalate", actor=actor, reason=reason, action="escalated")
    _react(request, actor)
    return request


def _limit_refusal(request: ApprovalRequest, policy: ApprovalPolicy, user) -> str | None:
    """Why ``user`` may not approve this amount (None: within their limits). Takes the approver lock."""
    if not policy.amount_applies or request.amount is None:
        return None
    money = f"{request.amount} {request.currency}"
    limit = approval_limit_for(user=user, approval_type=request.approval_type, currency=request.currency,
                               roles=decider_roles(policy, request))
    if limit is None:
        return f"{user.get_username()} has no {request.currency} approval limit for {policy.name.lower()} requests"
    if request.amount > limit.max_amount:
        return f"{money} exceeds the approval limit {limit.max_amount} {request.currency} of {user.get_username()}"
    if limit.period:
        _lock_approver(user, request.approval_type, request.currency)
        done = approved_in_period(user=user, approval_type=request.approval_type, currency=request.currency,
                                  period=limit.period)
        if done + request.amount > limit.period_limit:
            return (f"{money} would bring what {user.get_username()} approved this {limit.period} to "
                    f"{done + request.amount} {request.currency}, above the limit {limit.period_limit} "
                    f"{request.currency} per {limit.period}")
    return None


@transaction.atomic
def approval_approve(*, request_id: int, reason: str, actor: Actor) -> ApprovalRequest:
    """Approve (see the module docstring). Returns the request: ``approved``, or ``escalated`` when
    the amount is above the approver's limit and the policy escalates."""
    reason = _reason(reason)
    request = _locked(request_id)
    policy = approval_policy_for(request.approval_type)
    _require_decider(policy, request, actor, "approve")
    if request.requested_by_id is not None and request.requested_by_id == actor.user_id:
        raise BusinessRuleViolation("You asked for this approval: someone else must approve it.", code="self_approval")
    if not request.is_open:
        return _transition(request, "approve", actor=actor, reason=reason, action="approved")  # 409
    refusal = _limit_refusal(request, policy, actor.user)
    if refusal is not None:
        if policy.escalation_role and request.state == ApprovalRequest.State.PENDING:
            return _escalate(request, policy, actor=actor,
                             reason=f"{refusal}: escalated to {policy.escalation_role}. {reason}")
        raise BusinessRuleViolation(f"{refusal}.", code="over_limit")
    request.decided_by, request.decided_at, request.decision_reason = actor.user, timezone.now(), reason
    _transition(request, "approve", actor=actor, reason=reason, action="approved")
    _react(request, actor)
    return request


@transaction.atomic
def approval_reject(*, request_id: int, reason: str, actor: Actor) -> ApprovalRequest:
    """Reject: the deciding role and a reason; no limit applies to saying no."""
    reason = _reason(reason)
    request = _locked(request_id)
    _require_decider(approval_policy_for(request.approval_type), request, actor, "reject")
    request.decided_by, request.decided_at, request.decision_reason = actor.user, timezone.now(), reason
    _transition(request, "reject", actor=actor, reason=reason, action="rejected")
    _react(request, actor)
    return request


@transaction.atomic
def approval_escalate(*, request_id: int, reason: str, actor: Actor) -> ApprovalRequest:
    """An approver hands a pending request to the policy's escalation role."""
    reason = _reason(reason)
    request = _locked(request_id)
    policy = approval_policy_for(request.approval_type)
    _require_decider(policy, request, actor, "escalate")
    if not policy.escalation_role:
        raise BusinessRuleViolation(f"{policy.name} requests have no escalation role.", code="no_escalation")
    if request.state != ApprovalRequest.State.PENDING:
        raise ApplicationError(f"Cannot escalate approval request in state '{request.state}'",
                               extra={"state": request.state, "transition": "escalate"})
    return _escalate(request, policy, actor=actor, reason=reason)


@transaction.atomic
def approval_cancel(*, request_id: int, reason: str, actor: Actor) -> ApprovalRequest:
    """The requester (or the system, e.g. when the subject went away) withdraws an open request."""
    reason = _reason(reason)
    request = _locked(request_id)
    if actor.user_id and actor.user_id != request.requested_by_id:
        raise ApproverRoleRequired("Only the user who asked for the approval may cancel it.")
    request.decided_by = actor.user if actor.user_id else None
    request.decided_at, request.decision_reason = timezone.now(), reason
    _transition(request, "cancel", actor=actor, reason=reason, action="cancelled")
    _react(request, actor)
    return request
