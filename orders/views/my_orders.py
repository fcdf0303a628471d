"""Self-service pages of customer orders (/my/orders/): the signed-in customer's own orders with their status and
milestone in words, ordering an offer they qualify for (from the offers page), and cancelling while it is still
allowed. Always scoped to the customer the login acts for (customers.scoping); no internal data (offering codes,
staff names, rejection codes) is shown. A refusal by the service (409: e.g. past the point of no return) comes
back as a message on the order's page, never as an error page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render

from bss.actors import Actor, Channel
from bss.errors import ApplicationError, DomainValidationError
from bss.portal import add_service_errors
from customers.scoping import self_service_customer_id
from customers.selectors import customer_detail
from orders.forms_ordering import OrderEntryForm, ReasonForm
from orders.models import CustomerOrder, OrderItem, ProductOffering
from orders.services import feasibility as feasibility_svc
from orders.services import ordering as ordering_svc
from orders.views.ordering import request_record, state_words, totals

S = CustomerOrder.State

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
    order = ordering_svc.order_queryset(request.user).select_related("milestone").prefetch_related(
        Prefetch("items", queryset=items)).filter(pk=pk).first()
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


@login_required
def my_order_detail(request, pk):
    customer = _my_customer(request)
    order = _my_order(request, pk)
    return render(request, "orders/ordering/my/order_detail.html", {
        "customer": customer, "order": order, "status": status_words(order), "milestone": milestone_words(order),
        "items": list(order.items.all()), "totals": totals(order), "may_cancel": may_cancel(order),
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
