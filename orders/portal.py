"""Customer order handling's parts of the portal (bss.panels): the orders panel (the latest orders, a New order
action where the role may), the credit checks panel, the referral flag, and the work queues (credit reviews, my
order tasks, the teams' order worklists, rejected orders to investigate)."""

from django.urls import reverse

from bss.panels import Flag, Panel, WorkQueue, register_flag, register_panel, register_work_queue

RECENT_ORDERS = 5


def _credit_checks(customer, request):
    from orders.services.credit import credit_check_queryset

    return {"credit_checks": credit_check_queryset(request.user).filter(customer=customer).order_by("-created_at")[:5]}


def _orders(customer, request):
    from orders.services.ordering import order_queryset
    from orders.views.my_orders import milestone_words, status_words

    orders = order_queryset(request.user).filter(customer=customer)
    recent = list(orders.select_related("milestone").prefetch_related("items__offering")[:RECENT_ORDERS])
    for o in recent:
        o.status_words, o.milestone_words = status_words(o), milestone_words(o)
    return {"recent_orders": recent, "order_count": orders.count() if len(recent) == RECENT_ORDERS else len(recent),
            "can_order": request.user.has_perm("orders.add_customerorder") and customer.status != "closed"}


def _referral_pending(customer) -> bool:
    from orders.models import CreditCheck

    return CreditCheck.objects.filter(customer=customer, status=CreditCheck.Status.PENDING_REVIEW).exists()


def _reviews_waiting(request) -> int:
    from orders.models import CreditCheck
    from orders.services.credit import credit_check_queryset, credit_checks_reviewable

    pending = list(credit_check_queryset(request.user).filter(status=CreditCheck.Status.PENDING_REVIEW))
    return len(credit_checks_reviewable(request.user, pending))


def _my_tasks(request) -> int:
    from orders.views.ordering import open_tasks

    return open_tasks().filter(assigned_to=request.user).count()


def _team_tasks(request) -> int:
    from orders.models import OrderTypeStep
    from orders.views.ordering import open_tasks

    return open_tasks().filter(step__kind=OrderTypeStep.Kind.MANUAL, assigned_to__isnull=True).count()


def _to_investigate(request) -> int:
    from orders.services.investigation import investigation_queue

    return investigation_queue().count()


# No perm on the panel: every portal role sees a customer's orders on the customer page (links to an order need
# orders.view_customerorder); self-service shows the customer their own, in their words.
register_panel(Panel("orders", "Orders", "orders/ordering/panels/orders.html", order=40, self_service=True,
                     empty_text="No orders yet.", context=_orders))
register_panel(Panel("credit", "Credit checks", "orders/panels/credit_checks.html", order=45,
                     perm="orders.view_creditcheck", context=_credit_checks))
register_flag(Flag("credit_referral", "Credit referral pending", _referral_pending, level="warning", order=20,
                   perm="orders.view_creditcheck", help="A credit check waits for a supervisor's review."))
register_work_queue(WorkQueue("credit_reviews", "Credit checks awaiting my review", _reviews_waiting,
                              url=lambda request: reverse("orders:credit_queue"), perm="orders.review_creditcheck",
                              order=20))
register_work_queue(WorkQueue("order_tasks_mine", "Order tasks assigned to me", _my_tasks,
                              url=lambda request: reverse("orders:my_tasks"), perm="orders.change_ordertask",
                              order=40))
register_work_queue(WorkQueue("order_tasks_team", "Order tasks nobody has taken", _team_tasks,
                              url=lambda request: reverse("orders:task_worklist"), perm="orders.change_ordertask",
                              order=41))
register_work_queue(WorkQueue("order_investigation", "Rejected orders to investigate", _to_investigate,
                              url=lambda request: reverse("orders:investigation_queue"),
                              perm="orders.add_configurationdefect", order=42))
