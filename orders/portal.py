"""Customer order handling's parts of the portal (bss.panels): the credit checks panel, the referral flag, the
credit review work queue, and the orders panel that the customer order issue (8) fills."""

from django.urls import reverse

from bss.panels import Flag, Panel, WorkQueue, register_flag, register_panel, register_work_queue


def _credit_checks(customer, request):
    from orders.services.credit import credit_check_queryset

    return {"credit_checks": credit_check_queryset(request.user).filter(customer=customer).order_by("-created_at")[:5]}


def _referral_pending(customer) -> bool:
    from orders.models import CreditCheck

    return CreditCheck.objects.filter(customer=customer, status=CreditCheck.Status.PENDING_REVIEW).exists()


def _reviews_waiting(request) -> int:
    from orders.models import CreditCheck
    from orders.services.credit import credit_check_queryset, credit_checks_reviewable

    pending = list(credit_check_queryset(request.user).filter(status=CreditCheck.Status.PENDING_REVIEW))
    return len(credit_checks_reviewable(request.user, pending))


register_panel(Panel("orders", "Orders", "customers/panels/empty.html", order=40, self_service=True,
                     empty_text="No orders yet."))
register_panel(Panel("credit", "Credit checks", "orders/panels/credit_checks.html", order=45,
                     perm="orders.view_creditcheck", context=_credit_checks))
register_flag(Flag("credit_referral", "Credit referral pending", _referral_pending, level="warning", order=20,
                   perm="orders.view_creditcheck", help="A credit check waits for a supervisor's review."))
register_work_queue(WorkQueue("credit_reviews", "Credit checks awaiting my review", _reviews_waiting,
                              url=lambda request: reverse("orders:credit_queue"), perm="orders.review_creditcheck",
                              order=20))
