"""Read queries over approval requests, for every app's queue screens and APIs."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from .models import ApprovalRequest
from .services import approval_policy_for, decider_roles, holds_role, known_approval_types


def approval_requests(approval_type: str | None = None) -> QuerySet[ApprovalRequest]:
    qs = ApprovalRequest.objects.select_related("subject_type", "requested_by", "decided_by")
    return qs.filter(approval_type=approval_type) if approval_type else qs


def approval_requests_open(approval_type: str | None = None) -> QuerySet[ApprovalRequest]:
    """Requests waiting for a decision, oldest first."""
    return approval_requests(approval_type).filter(state__in=ApprovalRequest.OPEN).order_by("created_at", "id")


def approval_requests_pending_for(user, approval_type: str | None = None) -> QuerySet[ApprovalRequest]:
    """What ``user`` may decide: pending requests of types whose approver roles they hold, requests
    escalated to a role they hold; never their own requests. Oldest first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ApprovalRequest.objects.none()
    types = [approval_type] if approval_type else known_approval_types()
    held = set(user.groups.values_list("name", flat=True))
    if user.is_superuser:
        mine = Q(state__in=ApprovalRequest.OPEN)
    else:
        pending_types = [t for t in types if held & set(approval_policy_for(t).approver_roles or ())]
        mine = (Q(state=ApprovalRequest.State.PENDING, approval_type__in=pending_types)
                | Q(state=ApprovalRequest.State.ESCALATED, escalated_to_role__in=held))
    return approval_requests_open(approval_type).filter(mine).exclude(requested_by=user)


def approval_request_for_subject(subject, approval_type: str, *, open_only: bool = False) -> ApprovalRequest | None:
    """The latest request of a type about ``subject`` (the open one with open_only)."""
    qs = approval_requests(approval_type).filter(subject_type=ContentType.objects.get_for_model(subject),
                                                 subject_id=str(subject.pk))
    if open_only:
        qs = qs.filter(state__in=ApprovalRequest.OPEN)
    return qs.order_by("-created_at", "-id").first()


def approval_can_decide(user, request: ApprovalRequest) -> bool:
    """Whether ``user`` holds the role that decides ``request`` now (limits and the self-approval
    rule are checked when they decide)."""
    return request.is_open and holds_role(user, decider_roles(approval_policy_for(request.approval_type), request))
