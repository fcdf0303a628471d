"""Events published by bss.approvals (subscribers import these declarations, not string literals).

Both carry the request as ``event.approvalRequest`` (render_approval_request below); the owning
app usually reacts through its registered decision handler instead, in the same transaction.
"""

from bss.events import declare_event, register_resource

API = "approvals"
RESOURCE = "approvalRequest"

APPROVAL_REQUEST_CREATE = declare_event("ApprovalRequestCreateEvent", api=API, resource=RESOURCE)
APPROVAL_REQUEST_STATE_CHANGE = declare_event("ApprovalRequestStateChangeEvent", api=API, resource=RESOURCE)

EVENT_TYPES = (APPROVAL_REQUEST_CREATE, APPROVAL_REQUEST_STATE_CHANGE)


def render_approval_request(obj) -> dict:
    return {
        "id": str(obj.pk),
        "approvalType": obj.approval_type,
        "state": obj.state,
        "subject": {"id": obj.subject_id, "@referredType": f"{obj.subject_type.app_label}.{obj.subject_type.model}",
                    "name": obj.subject_repr},
        "amount": None if obj.amount is None else {"value": str(obj.amount), "unit": obj.currency},
        "reason": obj.reason,
        "requestedBy": obj.requested_by.get_username() if obj.requested_by_id else None,
        "escalatedToRole": obj.escalated_to_role or None,
        "decidedBy": obj.decided_by.get_username() if obj.decided_by_id else None,
        "decidedAt": obj.decided_at.isoformat() if obj.decided_at else None,
        "decisionReason": obj.decision_reason or None,
    }


def register() -> None:
    from .models import ApprovalRequest

    register_resource(ApprovalRequest, api=API, resource_type=RESOURCE, render=render_approval_request)
