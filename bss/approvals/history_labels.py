"""Labels of the approval history codes (bss.audit.display; docs/portal/history.md)."""

LABELS = {
    "approvals.approval_policy.created": "Approval policy created",
    "approvals.approval_policy.updated": "Approval policy changed",
    "approvals.approver_limit.created": "Approver limit set",
    "approvals.approver_limit.updated": "Approver limit changed",
    "approvals.approval_request.created": "Approval requested",
    "approvals.approval_request.escalated": "Approval escalated",
    "approvals.approval_request.approved": "Approval granted",
    "approvals.approval_request.rejected": "Approval rejected",
    "approvals.approval_request.cancelled": "Approval request cancelled",
}
