"""Approvals' part of the portal (bss.panels): the staff home shows what waits for my decision."""

from django.urls import reverse

from bss.panels import WorkQueue, register_work_queue


def _waiting_for_me(request) -> int:
    from bss.approvals.selectors import approval_requests_pending_for

    return approval_requests_pending_for(request.user).count()


register_work_queue(WorkQueue("approvals", "Approvals waiting for me", _waiting_for_me, order=10,
                              url=lambda request: reverse("admin:approvals_approvalrequest_changelist"),
                              perm="approvals.view_approvalrequest"))
