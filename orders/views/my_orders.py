"""Self-service pages of customer orders (/my/orders/): the signed-in customer's own orders with their status and
milestone in words, ordering an offer they qualify for (from the offers page), and cancelling while it is still
allowed. Always scoped to the customer the login acts for (customers.scoping); no internal data (offering codes,
staff names, rejection codes) is shown. A refusal by the service (409: e.g. past the point of no return) comes
back as a message on the order's page, never as an error page.

While the order is open its status part (status, where it is, the milestones reached, the progress) refreshes
itself: it polls the same URL every 5 s over HTMX and gets only that part back (``_status.html``); once the order
is finished the part it gets back no longer polls."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render

from bss.actors import Actor, Channel
from bss.errors import ApplicationError, DomainValidationError
from bss.portal import add_service_errors, render_page_or_fragment
from customers.scoping import self_service_customer_id
from customers.selectors import customer_detail
from orders.forms_ordering import OrderEntryForm, ReasonForm
from orders.models import CustomerOrder, OrderItem, OrderTask, ProductOffering
from orders.services import feasibility as feasibility_svc
from orders.services import ordering as ordering_svc
from orders.views.ordering import LIVE_STATES, request_record, state_words, totals

S = CustomerOrder.State
POLL_SECONDS = 5
# The stages a customer follows, and where each state stands on them (finished orders other than completed show
# their status instead).
STAGES = ("Received", "Checked", "In progress", "Completed")
STAGE_OF = {S.PENDING: 0, S.ACKNOWLEDGED: 1, S.AWAITING_PREREQUISITE: 1, S.HELD: 1, S.COMMITTED: 2,
            S.COMPLETED: 3, S.PARTIAL: 3}

# What a customer reads for each state (TMF622 words would be jargon here).
CUSTOMER_WORDS = {
    S.PENDING: "Received: we are checking it", S.ACKNOWLEDGED: "Received: we are checking it",
    S.AWAITING_PREREQUISITE: "Waiting for something from you or from us", S.HELD: "On hold",
    S.COMMITTED: "In progress", S.COMPLETED: "Completed", S.FAILED: "Could not be completed",
    S.PARTIAL: "Partly completed", S.ASSESSING_CANCELLATION: "Being cancelled", S.PENDING_CANCELLATION:
    "Being cancelled", S.CANCELLED: "Cancelled", S.REJECTED: "Not accepted",
}


def _actor(request) -> Actor:
    return Actor.from_request(request, Channel.SELF_SERVICE)


def _my_customer(request):
    customer_id = self_service_customer_id(request.user)
    if customer_id is None:
        raise PermissionDenied("This login is not linked to a customer.")
    return customer_detail(user=request.user, customer_id=customer_id)


def status_words(order: CustomerOrder) -> str:
    state = order.closed_from if order.state == S.CLOSED and order.closed_from else order.state
    return CUSTOMER_WORDS.get(state, order.get_state_display())


def milestone_words(order: CustomerOrder) -> str:
    m = order.milestone
    return m.description() if m is not None and m.customer_visible else ""


def may_cancel(order: CustomerOrder) -> bool:
    """Offered while the order is open and before its point of no return (the service refuses it after)."""
    return order.state in CustomerOrder.OPEN and not order.point_of_no_return_passed


def _my_order(request, pk) -> CustomerOrder:
    _my_customer(request)
    items = OrderItem.objects.select_related("offering", "place").prefetch_related("prices").order_by("pk")
    tasks = OrderTask.objects.select_related("step__milestone").order_by("sequence")
    order = ordering_svc.order_queryset(request.user).select_related("milestone").prefetch_related(
        Prefetch("items", queryset=items), Prefetch("tasks", queryset=tasks)).filter(pk=pk).first()
    if order is None:
        raise Http404("No such order")  # anyone else's order is not found, not forbidden
    return order


@login_required
def my_order_list(request):
    customer = _my_customer(request)
    orders = list(ordering_svc.order_queryset(request.user).select_related("milestone").prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.select_related("offering")))[:50])
    for o in orders:
        o.status_words, o.milestone_words = status_words(o), milestone_words(o)
    return render(request, "orders/ordering/my/order_list.html", {"customer": customer, "orders": orders})


def progress(order: CustomerOrder) -> dict:
    """Where the order stands, in the customer's words: the stages (received, checked, in progress, completed)
    with the current one, the customer-visible milestones of its steps (reached or not) and, while it is being
    fulfilled, the share of its mandatory steps done. No internal step names."""
    state = order.closed_from if order.state == S.CLOSED and order.closed_from else order.state
    stage = STAGE_OF.get(state)
    tasks = list(order.tasks.all())
    milestones, seen = [], set()
    for t in tasks:
        m = t.step.milestone
        if m is not None and m.customer_visible and m.pk not in seen:
            seen.add(m.pk)
            milestones.append({"text": m.description(), "reached": t.status == OrderTask.Status.DONE})
    if stage is None:  # cancelled or rejected: the milestones it will never reach are not promised any more
        milestones = [m for m in milestones if m["reached"]]
    mandatory = [t for t in tasks if t.step.mandatory and t.status != OrderTask.Status.CANCELLED]
    done = sum(1 for t in mandatory if t.status == OrderTask.Status.DONE)
    if stage is None:
        percent = None
    elif stage == 3:
        percent = 100
    elif stage == 2 and mandatory:
        percent = 50 + (49 * done) // len(mandatory)
    else:
        percent = (0, 15, 50)[stage] + 10
    return {"stages": [{"name": n, "done": stage is not None and i < stage, "current": i == stage}
                       for i, n in enumerate(STAGES)] if stage is not None else [],
            "milestones": milestones, "percent": percent}


def status_context(order: CustomerOrder) -> dict:
    """What the status part (``_status.html``, also the polled fragment) shows."""
    return {"order": order, "status": status_words(order), "milestone": milestone_words(order),
            "may_cancel": may_cancel(order), "progress": progress(order), "live": order.state in LIVE_STATES,
            "poll_seconds": POLL_SECONDS}


@login_required
def my_order_detail(request, pk):
    """The order's page; an HTMX request (the status part polling while the order is open) gets only that part."""
    customer = _my_customer(request)
    order = _my_order(request, pk)
    return render_page_or_fragment(request, "orders/ordering/my/order_detail.html", "orders/ordering/my/_status.html", {
        "customer": customer, **status_context(order), "items": list(order.items.all()), "totals": totals(order),
        "state": state_words(order)})


def _qualified_offerings(customer, address) -> list[ProductOffering]:
    """The offers this customer qualifies for at ``address`` (offerings_available_to), as offerings."""
    codes = [o["code"] for o in feasibility_svc.offerings_available_to(customer=customer, channel="self_service",
                                                                        address=address)]
    return list(ProductOffering.objects.filter(code__in=codes).select_related("specification").prefetch_related(
        "prices", "specification__characteristics").order_by("name"))


def _address(customer, ref):
    addresses = list(customer.addresses.all())
    return next((a for a in addresses if str(a.pk) == str(ref or "")), addresses[0] if addresses else None)


@login_required
def my_order_new(request):
    """Order an offer (?offering=<id>, from the offers page) at one of the customer's addresses: its options, when
    and a note; the order is then checked like any other (self-service orders are not preauthorized)."""
    customer = _my_customer(request)
    source = request.POST if request.method == "POST" else request.GET
    address = _address(customer, source.get("address"))
    offerings = _qualified_offerings(customer, address)
    chosen = None if request.method == "POST" else request.GET.getlist("offering")
    form = OrderEntryForm(request.POST or None, customer=customer, chosen=chosen, offerings=offerings,
                          self_service=True, initial={"address": str(address.pk) if address else "",
                                                      "offerings": chosen or []})
    if request.method == "POST" and form.is_valid():
        try:
            order, _ = ordering_svc.customer_order_create(
                actor=_actor(request), customer_ref=str(customer.pk), items=form.items(),
                requested_completion_date=form.requested_completion(), notes=form.note_list(),
                request_body=request_record(form, "self_service"))
        except DomainValidationError as e:
            add_service_errors(form, e, rename=form.service_names())
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            order.refresh_from_db()
            if order.state == S.REJECTED:
                messages.error(request, f"We could not accept order {order.order_number}: please contact us.")
            else:
                messages.success(request, f"Thank you: order {order.order_number} is received.")
            return redirect("my_orders:order", pk=order.pk)
    return render(request, "orders/ordering/my/order_new.html", {
        "customer": customer, "form": form, "address": address, "offerings": offerings,
    }, status=400 if form.errors else 200)


@login_required
def my_order_new_options(request):
    """HTMX fragment of the self-service order page: the chosen offers' price, quantity and options."""
    customer = _my_customer(request)
    address = _address(customer, request.GET.get("address"))
    typed = {k: v for k, v in request.GET.items() if k.startswith(("char__", "qty__"))}
    form = OrderEntryForm(customer=customer, chosen=request.GET.getlist("offerings"), initial=typed,
                          offerings=_qualified_offerings(customer, address), self_service=True)
    return render(request, "orders/ordering/_options.html", {"form": form, "selfservice": True})


@login_required
def my_order_cancel(request, pk):
    """Cancel my order: GET asks why, POST cancels. When the service refuses (the order has gone too far), the
    refusal is a message on the order's page."""
    customer = _my_customer(request)
    order = _my_order(request, pk)
    if not may_cancel(order):
        messages.error(request, f"Order {order.order_number} can no longer be cancelled online: please contact "
                                "us and we will help.")
        return redirect("my_orders:order", pk=order.pk)
    form = ReasonForm(request.POST or None)
    form.fields["reason"].label = "Why do you want to cancel?"
    form.fields["reason"].error_messages["required"] = "Tell us why, so we can do better."
    if request.method == "POST" and form.is_valid():
        try:
            ordering_svc.customer_order_cancel(order_id=order.pk, reason=form.cleaned_data["reason"],
                                               actor=_actor(request))
        except DomainValidationError as e:
            add_service_errors(form, e)
        except ApplicationError as e:
            messages.error(request, e.message)
            return redirect("my_orders:order", pk=order.pk)
        else:
            order.refresh_from_db()
            messages.success(request, f"Order {order.order_number}: {status_words(order).lower()}.")
            return redirect("my_orders:order", pk=order.pk)
    return render(request, "orders/ordering/my/order_cancel.html", {
        "customer": customer, "order": order, "form": form}, status=400 if form.errors else 200)
