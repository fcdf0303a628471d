"""Staff portal pages of customer orders (/csr/orders/, eTOM 1.1.1.5.4 - 1.1.1.5.8): order entry from the
customer page or a qualification, the order page with only the actions its state and the role allow (cancel order
or item, hold, release, note, assign, complete or take a task), the lists (all orders, my tasks, a team's worklist,
the investigation queue of rejected orders). Thin: parse, call orders.services.ordering, render.

The order page follows an open order live: its progress part polls every 2 s over HTMX (the same URL, the
fragment for an HTMX request); when the state, milestone, items or tasks change the page reloads (HX-Refresh),
so the actions and the history shown are always those of the order as it is now.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError, DomainValidationError
from bss.forms import ReportPeriodForm
from bss.portal import add_service_errors, render_page_or_fragment, staff_required
from bss.tables import render_list
from bss.tmf.ids import local_id
from customers import selectors as customer_selectors
from orders.forms_ordering import (
    AssignForm,
    InvestigateForm,
    OrderEntryForm,
    OrderFilter,
    OrderNoteForm,
    ProductChangeForm,
    ReasonForm,
    TaskCompleteForm,
    TaskFilter,
)
from orders.models import CustomerOrder, OfferingQualification, OrderItem, OrderTask, OrderTypeStep
from orders.services import impact as impact_svc
from orders.services import investigation as investigation_svc
from orders.services import ordering as ordering_svc
from orders.tables import CustomerOrderTable, InvestigationTable, OrderTaskTable

ORDER_VIEW = "orders.view_customerorder"
ORDER_ADD = "orders.add_customerorder"
ORDER_CHANGE = "orders.change_customerorder"
TASK_VIEW = "orders.view_ordertask"
TASK_WORK = "orders.change_ordertask"
INVESTIGATE = (ORDER_VIEW, "orders.add_configurationdefect")  # the order investigation unit: supervisors

S = CustomerOrder.State
LIVE_STATES = (*CustomerOrder.OPEN, S.ASSESSING_CANCELLATION, S.PENDING_CANCELLATION)
ITEM_CANCELLABLE = (OrderItem.State.ACKNOWLEDGED, OrderItem.State.IN_PROGRESS, OrderItem.State.HELD)
TASK_OPEN = (OrderTask.Status.READY, OrderTask.Status.IN_PROGRESS)

TMF_WORDS = {
    "acknowledged": "Acknowledged", "rejected": "Rejected", "pending": "Pending", "held": "Held",
    "inProgress": "In progress", "cancelled": "Cancelled", "completed": "Completed", "failed": "Failed",
    "partial": "Partially completed", "assessingCancellation": "Assessing cancellation",
    "pendingCancellation": "Cancellation pending",
}
TOTAL_LABELS = {"one_time": "One-time", "recurring:month": "Every month", "recurring:year": "Every year",
                "recurring:week": "Every week", "recurring:day": "Every day"}


def _actor(request) -> Actor:
    return Actor.from_request(request, Channel.PORTAL)


def state_words(order: CustomerOrder) -> dict:
    """The state in words: ours ("Committed") and the TMF622 one ("In progress") when it reads differently."""
    tmf = order.tmf_state
    internal = order.get_state_display()
    if order.state == S.CLOSED and order.closed_from:
        internal = f"Closed ({S(order.closed_from).label.lower()})"
    words = TMF_WORDS.get(tmf, tmf)
    return {"internal": internal, "tmf": words, "tmf_code": tmf, "differs": words.lower() != internal.lower()}


def order_actions(order: CustomerOrder, user) -> dict[str, bool]:
    """What this user may do to the order now: the permission and the state. The page shows these, the views
    refuse the rest (403 without the permission, 409 in a state that does not allow it) and the services check
    again, so the API and admin follow the same rules."""
    change = user.has_perm(ORDER_CHANGE)
    is_open = order.state in CustomerOrder.OPEN
    return {
        "cancel": change and is_open,
        "cancel_item": change and is_open,
        "hold": change and order.state in (S.ACKNOWLEDGED, S.COMMITTED),
        "release": change and order.state == S.HELD and order.hold_reason != CustomerOrder.HoldReason.CREDIT_REFERRAL,
        "note": change,
        "assign": change and order.state != S.CLOSED,
        "work_tasks": user.has_perm(TASK_WORK) and order.state == S.COMMITTED,
        "take_tasks": user.has_perm(TASK_WORK) and order.state in LIVE_STATES,
        "reenter": user.has_perm(ORDER_ADD) and order.customer_id is not None and order.state == S.REJECTED
        and not order.follow_on_orders.exists(),
        "investigate": user.has_perms(INVESTIGATE) and order.state == S.REJECTED,
    }


def _order(request, pk) -> CustomerOrder:
    items = OrderItem.objects.select_related("offering", "place").prefetch_related("prices").order_by("pk")
    tasks = OrderTask.objects.select_related("step__milestone", "assigned_to").order_by("sequence")
    order = (ordering_svc.order_queryset(request.user)
             .select_related("customer", "billing_account", "milestone", "order_type", "assigned_to", "created_by",
                             "credit_check", "qualification", "modifies_order")
             .prefetch_related(Prefetch("items", queryset=items), Prefetch("tasks", queryset=tasks),
                               "notes__author_user", "follow_on_orders")
             .filter(pk=pk).first())
    if order is None:
        raise Http404("No such order")
    return order


def _history(order: CustomerOrder, items, tasks):
    from django.contrib.contenttypes.models import ContentType

    types = ContentType.objects.get_for_models(CustomerOrder, OrderItem, OrderTask)
    q = Q(content_type=types[CustomerOrder], object_id=str(order.pk))
    if items:
        q |= Q(content_type=types[OrderItem], object_id__in=[str(i.pk) for i in items])
    if tasks:
        q |= Q(content_type=types[OrderTask], object_id__in=[str(t.pk) for t in tasks])
    return HistoryEntry.objects.filter(q).select_related("actor")[:200]


def jeopardy_clock(order: CustomerOrder):
    """The order's SLA clock (bss.sla) when one was started (at commitment), else None."""
    from django.contrib.contenttypes.models import ContentType

    from bss.sla.models import SlaClock

    return SlaClock.objects.filter(content_type=ContentType.objects.get_for_model(CustomerOrder),
                                   object_id=str(order.pk), clock_type="orders.customer_order", step="").order_by(
        "-started_at", "-pk").first()


def totals(order: CustomerOrder) -> list[dict]:
    """order_total as rows to show: a label in words, duty-free and tax-included amounts, the currency."""
    rows = []
    for key, t in sorted(ordering_svc.order_total(order).items(), key=lambda kv: (kv[0] != "one_time", kv[0])):
        label = TOTAL_LABELS.get(key) or f"Every {key.split(':', 1)[-1]}"
        rows.append({"key": key, "label": label, **t})
    return rows


def service_orders(order: CustomerOrder):
    from service_activation import selectors as sa_selectors

    return list(sa_selectors.service_orders_for_customer_order(customer_order_id=order.pk).prefetch_related(
        "items__test_runs"))


def fingerprint(order: CustomerOrder) -> str:
    """What the page's actions and history depend on: when it changes, the polling page reloads."""
    parts = [order.state, str(order.milestone_id or ""), order.hold_reason, str(order.point_of_no_return_passed)]
    parts += [f"{i.pk}:{i.state}" for i in order.items.all()]
    parts += [f"{t.pk}:{t.status}:{t.assigned_to_id or ''}" for t in order.tasks.all()]
    parts += [str(n.pk) for n in order.notes.all()]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:12]


def live_context(order: CustomerOrder, user) -> dict:
    """What the live part (_live.html) shows: the state, the jeopardy clock and the service orders' progress."""
    return {"order": order, "state": state_words(order), "service_orders": service_orders(order),
            "clock": jeopardy_clock(order), "live": order.state in LIVE_STATES, "fingerprint": fingerprint(order),
            "can_see_provisioning": user.has_perm("service_activation.view_serviceorder")}


def order_impact(order: CustomerOrder):
    """The impact analysis (orders.services.impact) the page shows while the order is not committed yet
    (pending, acknowledged, awaiting a prerequisite, held): None once it is, or for an order without items."""
    if order.state not in impact_svc.NOT_COMMITTED or not order.items.all():
        return None
    return impact_svc.order_impact(order)


def order_context(order: CustomerOrder, user) -> dict:
    can = order_actions(order, user)
    items = list(order.items.all())
    tasks = list(order.tasks.all())
    for item in items:
        item.can_cancel = can["cancel_item"] and item.state in ITEM_CANCELLABLE
    for task in tasks:
        task.can_complete = (can["work_tasks"] and task.status in TASK_OPEN
                             and task.step.kind != OrderTypeStep.Kind.ACTIVATION)
        task.can_take = can["take_tasks"] and task.status in (*TASK_OPEN, OrderTask.Status.WAITING) \
            and task.assigned_to_id != user.pk and task.step.kind == OrderTypeStep.Kind.MANUAL
    return {
        **live_context(order, user), "can": can, "items": items, "tasks": tasks, "totals": totals(order),
        "notes": list(order.notes.all()), "note_form": OrderNoteForm(),
        "history": _history(order, items, tasks), "impact": order_impact(order),
    }


# --- the order page ------------------------------------------------------------------------------------------

@staff_required(perm=ORDER_VIEW)
def order_detail(request, pk):
    """The order page; an HTMX request (the live part polling) gets only the live part, or, when the order has
    moved on in a way the rest of the page shows, a 204 telling the browser to reload the page (HX-Refresh)."""
    order = _order(request, pk)
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        if request.GET.get("shown", fingerprint(order)) != fingerprint(order):
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        context = live_context(order, request.user)
    else:
        context = order_context(order, request.user)
    return render_page_or_fragment(request, "orders/ordering/order_detail.html", "orders/ordering/_live.html",
                                   context)


# --- order entry ---------------------------------------------------------------------------------------------

def _customer_from(request, ref: str | None):
    ref = (ref or "").strip()
    if not ref:
        return None
    if ref.isdigit():
        return customer_selectors.customer_visible(user=request.user, customer_id=int(ref))
    return customer_selectors.customer_by_number(user=request.user, customer_number=ref.upper())


def _qualification(request, ref: str | None, customer) -> OfferingQualification | None:
    from customers.scoping import visible_to

    pk = local_id(ref) if ref else None
    if pk is None:
        return None
    poq = visible_to(OfferingQualification.objects.all(), request.user).filter(pk=pk).first()
    if poq is None or (customer is not None and poq.customer_id not in (None, customer.pk)):
        return None
    return poq


def _corrects(request, ref: str | None) -> CustomerOrder | None:
    pk = local_id(ref) if ref else None
    return ordering_svc.order_queryset(request.user).filter(pk=pk).first() if pk else None


def _initial(request, customer, qualification, corrects) -> tuple[dict, list[str]]:
    """What the entry form starts with: offerings named in the link (?offering=), a qualification's feasible
    offerings and its address, or the offerings and options of the rejected order being re-entered."""
    chosen = request.GET.getlist("offering")
    initial: dict = {"qualification": str(qualification.pk) if qualification else "",
                     "corrects": str(corrects.pk) if corrects else ""}
    if qualification is not None:
        if not chosen:
            chosen = [r.get("offering") for r in qualification.result if r.get("feasible")]
        one_line = (qualification.request or {}).get("address")
        match = next((a for a in customer.addresses.all() if a.one_line == one_line), None) if one_line else None
        if match is not None:
            initial["address"] = str(match.pk)
    if corrects is not None:
        from orders.forms import characteristic_name
        from orders.forms_ordering import quantity_name

        for item in corrects.items.select_related("offering"):
            if item.offering is None:
                continue
            chosen.append(item.offering.code)
            initial[quantity_name(item.offering.code)] = item.quantity
            for name, value in (item.characteristics or {}).items():
                initial[characteristic_name(item.offering.code, name)] = value
            if item.place_id:
                initial["address"] = str(item.place_id)
        initial["priority"] = corrects.priority
    return initial, [c for c in chosen if c]


def _created_message(request, order: CustomerOrder) -> None:
    words = state_words(order)["internal"].lower()
    if order.state == S.REJECTED:
        messages.error(request, f"Order {order.order_number} was rejected: the reasons are shown below.")
    elif order.state == S.HELD:
        messages.warning(request, f"Order {order.order_number} is held: {order.get_hold_reason_display().lower()}.")
    else:
        messages.success(request, f"Order {order.order_number} placed: it is {words}.")


def request_record(form: OrderEntryForm, screen: str) -> dict:
    """The initiating request as the order keeps it: what was entered, in plain data."""
    d = form.cleaned_data
    return {"screen": screen, "customer": form.customer.customer_number,
            "items": [{"offering": i.offering, "quantity": i.quantity, "characteristics": i.characteristics}
                      for i in form.items()],
            "address": next((a.one_line for a in form.addresses if str(a.pk) == d.get("address")), None),
            "requestedDate": d["requested_date"].isoformat() if d.get("requested_date") else None,
            **({"priority": d["priority"]} if "priority" in d else {})}


@staff_required(perm=ORDER_ADD)
def order_new(request):
    """New order for a customer (?customer=<id or number>), optionally from a qualification (?qualification=)
    with its feasible offerings, or re-entering a rejected order (?corrects=). Prices show as offerings are
    chosen; the order service then validates, assesses and (when it can) commits at once; its input errors go
    back onto the fields."""
    source = request.POST if request.method == "POST" else request.GET
    customer = _customer_from(request, source.get("customer"))
    if customer is None:
        ref = source.get("customer", "")
        return render(request, "orders/ordering/order_new.html", {
            "form": None, "customer": None, "ref": ref,
            "lookup_error": f"No customer {ref}." if ref else ""}, status=404 if ref else 200)
    if customer.status == "closed":
        return render(request, "orders/ordering/order_new.html", {
            "form": None, "customer": customer,
            "refused": f"{customer.name} is closed: a closed customer cannot order. Reopen the customer first."},
            status=409)
    qualification = _qualification(request, source.get("qualification"), customer)
    corrects = _corrects(request, source.get("corrects"))
    initial, chosen = _initial(request, customer, qualification, corrects)
    if request.method == "POST":
        chosen = None  # the ticked offerings
    else:
        initial["offerings"] = chosen
    form = OrderEntryForm(request.POST or None, customer=customer, chosen=chosen, initial=initial,
                          resubmission=corrects is not None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if corrects is not None:  # the investigation unit's correction: a new order naming the rejected one
                order = investigation_svc.customer_order_resubmit(
                    order_id=corrects.pk, items=form.items(), customer_ref=str(customer.pk), actor=_actor(request))
            else:
                order, _ = ordering_svc.customer_order_create(
                    actor=_actor(request), customer_ref=str(customer.pk), items=form.items(), channel="portal",
                    priority=d["priority"], requested_completion_date=form.requested_completion(),
                    qualification_ref=d["qualification"] or None, notes=form.note_list(),
                    request_body=request_record(form, "csr"))
        except DomainValidationError as e:
            add_service_errors(form, e, rename=form.service_names())
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            order.refresh_from_db()
            _created_message(request, order)
            return redirect("orders:order", pk=order.pk)
    return render(request, "orders/ordering/order_new.html", {
        "form": form, "customer": customer, "qualification": qualification, "corrects": corrects,
    }, status=400 if form.errors else 200)


@staff_required(perm=ORDER_ADD)
def order_new_options(request):
    """HTMX fragment of the entry page: the chosen offerings' price, quantity and options (from each one's
    specification); values already typed are kept."""
    customer = _customer_from(request, request.GET.get("customer"))
    typed = {k: v for k, v in request.GET.items() if k.startswith(("char__", "qty__"))}
    form = OrderEntryForm(customer=customer, chosen=request.GET.getlist("offerings"), initial=typed)
    return render(request, "orders/ordering/_options.html", {"form": form})


# --- change and terminate products (with the impact analysis before the order is placed) ----------------------

@staff_required(perm=ORDER_ADD)
def order_change_new(request):
    """Change or terminate a customer's products (?customer=<id or number>): choose what happens to each live
    product; *Review* shows the impact analysis (orders.services.impact: affected products and services,
    dependent products, the charges that stop and start, one-time fees, penalties) before anything is stored;
    *Place the order* then issues it (customer_order_create, modify / delete items)."""
    source = request.POST if request.method == "POST" else request.GET
    customer = _customer_from(request, source.get("customer"))
    if customer is None:
        raise Http404("No such customer")
    if customer.status == "closed":
        return render(request, "orders/ordering/order_new.html", {
            "form": None, "customer": customer,
            "refused": f"{customer.name} is closed: a closed customer's products are not changed by an order."},
            status=409)
    form = ProductChangeForm(request.POST or None, customer=customer)
    context = {"form": form, "customer": customer}
    if request.method == "POST" and form.is_valid() and "edit" not in request.POST:
        items = form.items()
        if request.POST.get("confirm") != "1":  # the confirm step: the impact before the order is placed
            impact = impact_svc.items_impact(customer=customer, items=items, user=request.user)
            return render(request, "orders/ordering/order_change_review.html", {
                **context, "impact": impact, "feasibility": impact_svc.items_feasibility(
                    customer=customer, impact=impact, products=form.products)})
        try:
            order, _ = ordering_svc.customer_order_create(
                actor=_actor(request), customer_ref=str(customer.pk), items=items, channel="portal",
                description=form.description(), notes=[form.cleaned_data["reason"]]
                if form.cleaned_data.get("reason") else None, request_body=form.request_record())
        except DomainValidationError as e:
            add_service_errors(form, e)
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            order.refresh_from_db()
            _created_message(request, order)
            return redirect("orders:order", pk=order.pk)
    return render(request, "orders/ordering/order_change.html", context,
                  status=400 if form.is_bound and form.errors else 200)


# --- actions with a reason (confirm pages: GET asks, POST applies) ---------------------------------------------

def _refused(request, order, message: str):
    return render(request, "orders/ordering/confirm.html", {"order": order, "refused": message}, status=409)


def _confirm(request, order, *, allowed: bool, refused: str, title: str, button: str, consequences: list[str],
             apply, done: str, destructive: bool = False, item=None):
    """The confirm-with-reason pattern (docs/portal/actions.md): the page says what will happen and asks why;
    the POST runs the service. A change the state does not allow now is the 409 page, in words."""
    if not allowed:
        return _refused(request, order, refused)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            apply(form.cleaned_data["reason"])
        except DomainValidationError as e:
            add_service_errors(form, e)
        except ApplicationError as e:
            form.add_error(None, e.message)
            return render(request, "orders/ordering/confirm.html", {
                "order": order, "form": form, "title": title, "button": button, "consequences": consequences,
                "destructive": destructive, "item": item}, status=409)
        else:
            messages.success(request, done)
            return redirect("orders:order", pk=order.pk)
    return render(request, "orders/ordering/confirm.html", {
        "order": order, "form": form, "title": title, "button": button, "consequences": consequences,
        "destructive": destructive, "item": item}, status=400 if form.errors else 200)


def _cancel_consequences(order: CustomerOrder) -> list[str]:
    out = []
    sos = service_orders(order)
    working = [so for so in sos if so.state in ("acknowledged", "inProgress", "held", "pending")]
    if not working:
        out.append("Nothing has been activated yet: the order is cancelled at once.")
    else:
        out.append(f"{len(working)} service order{'s are' if len(working) > 1 else ' is'} still working: what "
                   "was already configured on the network is rolled back first; the order shows Cancelling "
                   "until that is done.")
    out.append("Numbers, ports and other resources reserved for it are released.")
    if order.point_of_no_return_passed:
        out.append("The order is past its point of no return: where activation is complete the cancellation is "
                   "refused, and a termination order is needed instead.")
    out.append("The customer is not charged for what is cancelled.")
    return out


@staff_required(perm=ORDER_CHANGE)
def order_cancel(request, pk):
    order = _order(request, pk)
    return _confirm(
        request, order, allowed=order_actions(order, request.user)["cancel"],
        refused=f"Order {order.order_number} is {state_words(order)['internal'].lower()}: it can no longer be "
                "cancelled.",
        title=f"Cancel order {order.order_number}?", button="Cancel the order", destructive=True,
        consequences=_cancel_consequences(order),
        apply=lambda reason: ordering_svc.customer_order_cancel(order_id=order.pk, reason=reason,
                                                                actor=_actor(request)),
        done=f"Cancellation of order {order.order_number} recorded.")


@staff_required(perm=ORDER_CHANGE)
def order_item_cancel(request, pk, item_id):
    order = _order(request, pk)
    item = next((i for i in order.items.all() if i.item_id == item_id), None)
    if item is None:
        raise Http404("No such item")
    name = item.offering.name if item.offering else item.offering_code
    others = [i for i in order.items.all() if i.pk != item.pk and i.state in ITEM_CANCELLABLE]
    dependents = [d.item_id for d in item.dependents.all()]
    consequences = [f"Item {item.item_id} ({name}) is cancelled; what was configured for it is rolled back."]
    if dependents:
        consequences.append(f"Items that depend on it are cancelled too: {', '.join(dependents)}.")
    if not others:
        consequences.append("It is the order's last open item: the whole order is cancelled.")
    return _confirm(
        request, order, item=item,
        allowed=order_actions(order, request.user)["cancel_item"] and item.state in ITEM_CANCELLABLE,
        refused=f"Item {item.item_id} of order {order.order_number} is {item.get_state_display().lower()}: it "
                "can no longer be cancelled.",
        title=f"Cancel item {item.item_id} ({name})?", button="Cancel the item", destructive=True,
        consequences=consequences,
        apply=lambda reason: ordering_svc.customer_order_item_cancel(order_id=order.pk, item_id=item.item_id,
                                                                     reason=reason, actor=_actor(request)),
        done=f"Item {item.item_id} cancelled.")


@staff_required(perm=ORDER_CHANGE)
def order_hold(request, pk):
    order = _order(request, pk)
    return _confirm(
        request, order, allowed=order_actions(order, request.user)["hold"],
        refused=f"Order {order.order_number} is {state_words(order)['internal'].lower()}: it cannot be held now.",
        title=f"Hold order {order.order_number}?", button="Hold the order",
        consequences=["The order stops moving on until the hold is released.",
                      "Work already dispatched to the network is not undone."],
        apply=lambda reason: ordering_svc.customer_order_hold(order_id=order.pk, reason=reason,
                                                              actor=_actor(request)),
        done=f"Order {order.order_number} is held.")


@staff_required(perm=ORDER_CHANGE)
def order_release(request, pk):
    order = _order(request, pk)
    credit = order.hold_reason == CustomerOrder.HoldReason.CREDIT_REFERRAL
    return _confirm(
        request, order, allowed=order_actions(order, request.user)["release"],
        refused=("A credit referral is released by its review, not by hand." if credit and order.state == S.HELD
                 else f"Order {order.order_number} is not held."),
        title=f"Release the hold on order {order.order_number}?", button="Release the hold",
        consequences=["The order is committed and its fulfilment starts (or goes on) at once."],
        apply=lambda reason: ordering_svc.customer_order_release_hold(order_id=order.pk, reason=reason,
                                                                      actor=_actor(request)),
        done=f"Hold on order {order.order_number} released.")


@staff_required(perm=ORDER_CHANGE)
def order_assign(request, pk):
    order = _order(request, pk)
    if not order_actions(order, request.user)["assign"]:
        return _refused(request, order, f"Order {order.order_number} is closed: it is no longer assigned.")
    form = AssignForm(request.POST or None, initial={"user": str(order.assigned_to_id or ""),
                                                     "team": order.assigned_team})
    if request.method == "POST" and form.is_valid():
        try:
            ordering_svc.customer_order_assign(order_id=order.pk, actor=_actor(request), user=form.assignee(),
                                               team=form.cleaned_data["team"] or None)
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, f"Order {order.order_number} assigned.")
            return redirect("orders:order", pk=order.pk)
    return render(request, "orders/ordering/assign.html", {"order": order, "form": form},
                  status=400 if form.errors else 200)


@staff_required(perm=ORDER_CHANGE)
@require_POST
def order_note(request, pk):
    order = _order(request, pk)
    form = OrderNoteForm(request.POST)
    if form.is_valid():
        try:
            ordering_svc.customer_order_add_note(order_id=order.pk, text=form.cleaned_data["text"],
                                                 actor=_actor(request))
        except (DomainValidationError, ApplicationError) as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "Note added.")
    else:
        messages.error(request, "A note cannot be empty.")
    return redirect("orders:order", pk=order.pk)


# --- tasks ---------------------------------------------------------------------------------------------------

def _back(request, task: OrderTask):
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure()):
        return redirect(next_url)
    return redirect("orders:order", pk=task.order_id)


def _task(request, pk) -> OrderTask:
    task = OrderTask.objects.select_related("order", "step").filter(pk=pk).first()
    if task is None or not ordering_svc.order_queryset(request.user).filter(pk=task.order_id).exists():
        raise Http404("No such task")
    return task


@staff_required(perm=(ORDER_VIEW, TASK_WORK))
@require_POST
def task_complete(request, pk):
    task = _task(request, pk)
    form = TaskCompleteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        ordering_svc.order_task_complete(task_id=task.pk, note=note, actor=_actor(request))
    except (DomainValidationError, ApplicationError) as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"Task “{task.step.name}” of order {task.order.order_number} done.")
    return _back(request, task)


@staff_required(perm=(ORDER_VIEW, TASK_WORK))
@require_POST
def task_take(request, pk):
    task = _task(request, pk)
    if task.status in (OrderTask.Status.DONE, OrderTask.Status.CANCELLED):
        messages.error(request, f"The task “{task.step.name}” is {task.get_status_display().lower()}.")
        return _back(request, task)
    ordering_svc.order_task_assign(task_id=task.pk, user=request.user, actor=_actor(request))
    messages.success(request, f"Task “{task.step.name}” of order {task.order.order_number} is yours.")
    return _back(request, task)


# --- lists ---------------------------------------------------------------------------------------------------

@staff_required(perm=ORDER_VIEW)
def order_list(request):
    queryset = ordering_svc.order_queryset(request.user).select_related("customer", "milestone")
    return render_list(request, CustomerOrderTable, queryset, filterset=OrderFilter(request.GET, queryset=queryset),
                       template="orders/ordering/order_list.html")


@staff_required(perm=INVESTIGATE)
def investigation_queue(request):
    """Rejected orders that nobody has corrected and re-entered yet, with why each was rejected."""
    return render_list(request, InvestigationTable, investigation_svc.investigation_queue(),
                       template="orders/ordering/investigation.html")


@staff_required(perm=INVESTIGATE)
def order_investigate(request, pk):
    """Classify a rejected order and say what was found (a configuration defect or an unsupported offering is
    recorded for the catalog administrators to follow)."""
    order = _order(request, pk)
    if not order_actions(order, request.user)["investigate"]:
        return _refused(request, order, f"Order {order.order_number} is not rejected: there is nothing to "
                                        "investigate.")
    form = InvestigateForm(request.POST or None, initial={"classification": order.investigation_class,
                                                          "note": order.investigation_note})
    if request.method == "POST" and form.is_valid():
        try:
            investigation_svc.customer_order_investigate(order_id=order.pk, actor=_actor(request),
                                                         **form.cleaned_data)
        except DomainValidationError as e:
            add_service_errors(form, e)
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, f"Investigation of order {order.order_number} recorded.")
            return redirect("orders:order", pk=order.pk)
    return render(request, "orders/ordering/investigate.html", {"order": order, "form": form},
                  status=400 if form.errors else 200)


def open_tasks():
    return OrderTask.objects.filter(status__in=TASK_OPEN, order__state=S.COMMITTED).select_related(
        "order__customer", "step", "assigned_to")


@staff_required(perm=(ORDER_VIEW, TASK_VIEW))
def my_tasks(request):
    queryset = open_tasks().filter(assigned_to=request.user)
    return render_list(request, OrderTaskTable, queryset, template="orders/ordering/task_list.html", context={
        "title": "My order tasks", "can_work": request.user.has_perm(TASK_WORK), "mine": True})


@staff_required(perm=(ORDER_VIEW, TASK_VIEW))
def task_worklist(request):
    """The teams' worklists of manual order tasks (filter by team)."""
    queryset = open_tasks().filter(step__kind=OrderTypeStep.Kind.MANUAL)
    return render_list(request, OrderTaskTable, queryset, filterset=TaskFilter(request.GET, queryset=queryset),
                       template="orders/ordering/task_list.html", context={
                           "title": "Order task worklists", "can_work": request.user.has_perm(TASK_WORK)})


# --- management reports (eTOM 1.1.1.5.7) -------------------------------------------------------------------------

class OrderReportForm(ReportPeriodForm):
    """The report's period and, for a business customer's account manager, the customer (number)."""

    customer = forms.CharField(label="Customer", required=False, max_length=40,
                               help_text="a customer number (CU…): the report of one (business) customer")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.customer = None

    def clean_customer(self):
        ref = (self.cleaned_data.get("customer") or "").strip()
        if ref:
            self.customer = (customer_selectors.customer_visible(user=self.user, customer_id=int(ref)) if ref.isdigit()
                             else customer_selectors.customer_by_number(user=self.user, customer_number=ref.upper()))
            if self.customer is None:
                raise forms.ValidationError(f"No customer {ref}.")
        return ref


JEOPARDY_WORDS = {"on_track": "On track", "at_risk": "At risk", "in_jeopardy": "In jeopardy (overdue)"}
CHANNEL_WORDS = dict(CustomerOrder.Channel.choices)


def report_charts(report) -> list:
    """The report as charts (bss.charts: drawn with the vendored Chart.js, the same numbers as a table)."""
    from decimal import Decimal

    from bss.charts import Chart, Series

    charts = []
    states = sorted({r["state"] for r in report.by_state})
    channels = sorted({r["channel"] for r in report.by_state})
    if states:
        counts = {(r["state"], r["channel"]): r["count"] for r in report.by_state}
        charts.append(Chart("orders-by-state", "Orders by state and channel", kind="bar",
                            labels=[TMF_WORDS.get(s, s) for s in states],
                            series=[Series(CHANNEL_WORDS.get(c, c), [counts.get((s, c), 0) for s in states])
                                    for c in channels], unit="orders"))
    if report.cycle_times:
        rows = report.cycle_times
        charts.append(Chart("orders-cycle-time", "Cycle time per order type (hours, ordered to completed)",
                            kind="bar", labels=[r["order_type"] for r in rows],
                            series=[Series(label, [Decimal(str(r[key])) for r in rows]) for label, key in
                                    (("p50", "p50_hours"), ("p90", "p90_hours"), ("p95", "p95_hours"))], unit="h"))
    if report.jeopardy:
        keys = [k for k in JEOPARDY_WORDS if k in report.jeopardy]
        charts.append(Chart("orders-jeopardy", "Open orders by jeopardy", kind="doughnut",
                            labels=[JEOPARDY_WORDS[k] for k in keys],
                            series=[Series("Orders", [report.jeopardy[k] for k in keys])], unit="orders"))
    if report.rejection_reasons:
        rows = report.rejection_reasons
        charts.append(Chart("orders-rejections", "Rejection reasons", kind="bar", labels=[r["label"] for r in rows],
                            series=[Series("Rejected orders", [r["count"] for r in rows])], unit="orders"))
    return charts


@staff_required(perm=ORDER_VIEW)
def order_reports(request):
    """Order handling reports: orders by state and channel, cycle time percentiles per order type, jeopardy and
    escalation counts, rejection reasons, for a period and optionally one customer (the account manager's view);
    ``?export=csv`` downloads the same figures (orders.services.reports)."""
    from orders.services import reports

    form = OrderReportForm(request.GET or None, user=request.user)
    report, status = None, 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        since, until = form.period() if form.is_bound else (None, None)
        try:
            report = reports.order_report(since=since, until=until,
                                          customer_id=form.customer.pk if form.customer else None)
        except DomainValidationError as e:
            add_service_errors(form, e)
            status = 400
    if report is not None and request.GET.get("export") == "csv":
        response = HttpResponse(reports.order_report_csv(report), content_type="text/csv; charset=utf-8")
        suffix = f"-{form.customer.customer_number}" if form.customer else ""
        response["Content-Disposition"] = (f'attachment; filename="order-report{suffix}-{report.since:%Y%m%d}-'
                                           f'{report.until:%Y%m%d}.csv"')
        return response
    export = request.GET.copy()
    export["export"] = "csv"
    totals = {}
    if report is not None:
        totals = {"orders": sum(r["count"] for r in report.by_state),
                  "open": sum(report.jeopardy.values()), "escalations": report.escalations,
                  "rejected": sum(r["count"] for r in report.by_state if r["state"] == "rejected")}
    return render(request, "orders/ordering/reports.html", {
        "form": form, "report": report, "charts": report_charts(report) if report else [], "totals": totals,
        "customer": form.customer, "export_query": export.urlencode(),
        "states": [(TMF_WORDS.get(r["state"], r["state"]), CHANNEL_WORDS.get(r["channel"], r["channel"]), r)
                   for r in (report.by_state if report else [])],
        "jeopardy": [(JEOPARDY_WORDS.get(k, k), n) for k, n in (report.jeopardy.items() if report else [])]},
        status=status)
