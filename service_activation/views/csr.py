"""Staff portal pages of service activation (/csr/provisioning/, eTOM 1.1.2.2): the teams' worklist of manual work
orders (complete a step, record a manual test's result), the fallout queue (retry with what was repaired, or give
up with why), and the service order page with its items, work orders, test runs and history. Thin: parse, call
service_activation.services, render. This app sits below orders: a service order names its customer order by
reference only (the link is a URL, never an import)."""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError, DomainValidationError
from bss.portal import add_service_errors, staff_required
from bss.tables import render_list
from service_activation import selectors, services
from service_activation.models import Service, ServiceOrder, ServiceOrderItem, WorkOrder
from service_activation.tables import FalloutTable, WorkOrderTable
from service_activation.views.forms import ReasonForm, WorkOrderCompleteForm

VIEW_WORK = "service_activation.view_workorder"
WORK = "service_activation.change_workorder"
VIEW_ORDER = "service_activation.view_serviceorder"
CHANGE_ORDER = "service_activation.change_serviceorder"

SO = ServiceOrder.State
WO = WorkOrder.Status
GIVEN_UP = (ServiceOrderItem.State.FAILED, ServiceOrderItem.State.CANCELLED)


def _actor(request) -> Actor:
    return Actor.from_request(request, Channel.PORTAL)


def _work_order(request, pk) -> WorkOrder:
    wo = WorkOrder.objects.select_related("item__service_order__customer", "item__service", "item__specification",
                                          "assigned_to").filter(pk=pk).first()
    if wo is None or not selectors.service_order_queryset(request.user).filter(
            pk=wo.item.service_order_id).exists():
        raise Http404("No such work order")
    return wo


def _next(request, default: str):
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return default


def _back_to(request, wo: WorkOrder, default: str):
    return redirect(_next(request, default or f"/csr/provisioning/service-orders/{wo.item.service_order_id}/"))


def work_order_actions(wo: WorkOrder, user) -> dict[str, bool]:
    """What the page offers for one work order: the permission and the step's state (the service checks again)."""
    so_state = wo.item.service_order.state
    may = user.has_perm(WORK)
    return {
        "complete": may and wo.manual and wo.status in (WO.READY, WO.IN_PROGRESS) and so_state == SO.IN_PROGRESS,
        "retry": may and wo.status == WO.FAILED and so_state in (SO.IN_PROGRESS, SO.FAILED, SO.PENDING_CANCELLATION),
        "give_up": may and wo.status == WO.FAILED and wo.item.state not in GIVEN_UP,
    }


def open_fallout():
    """The fallout queue without the steps already given up (their item failed or was cancelled)."""
    return selectors.fallout_queue().exclude(item__state__in=GIVEN_UP)


# --- lists -----------------------------------------------------------------------------------------------------

def _specialties():
    from service_activation.models import WorkOrderAssignment  # teams the assignment rules routed work to

    teams = set(WorkOrder.objects.filter(manual=True).exclude(specialty="").values_list("specialty", flat=True)
                .distinct()) | set(WorkOrderAssignment.objects.values_list("team", flat=True).distinct())
    return [(s, s.replace("-", " ").capitalize()) for s in sorted(teams)]


class WorklistFilter(django_filters.FilterSet):
    specialty = django_filters.ChoiceFilter(choices=_specialties, empty_label="Every team", label="Team",
                                            method="filter_team")
    kind = django_filters.ChoiceFilter(choices=[(WorkOrder.Kind.ACTIVATION, "Activation steps"),
                                                (WorkOrder.Kind.TEST, "Tests"),
                                                (WorkOrder.Kind.RECOVERY, "Recovery")],
                                       empty_label="Every kind", label="Kind")

    class Meta:
        model = WorkOrder
        fields = ["specialty", "kind"]

    def filter_team(self, qs, name, value):
        """The team an assignment rule gave it to, else its specialty's (services.assignment)."""
        return qs.filter(Q(assignment__team=value) | Q(assignment__isnull=True, specialty=value))


@staff_required(perm=VIEW_WORK)
def worklist(request):
    """The teams' worklist: manual steps and tests of service orders in progress, most urgent first."""
    queryset = selectors.team_worklist().select_related("item__specification", "assignment")
    return render_list(request, WorkOrderTable, queryset, filterset=WorklistFilter(request.GET, queryset=queryset),
                       template="service_activation/csr/worklist.html",
                       context={"can_work": request.user.has_perm(WORK)})


@staff_required(perm=VIEW_WORK)
def fallout(request):
    """Failed steps waiting for a repair (retry) or a decision that they cannot be done (give up)."""
    return render_list(request, FalloutTable, open_fallout(), template="service_activation/csr/fallout.html",
                       context={"can_work": request.user.has_perm(WORK)})


# --- work order actions ----------------------------------------------------------------------------------------

@staff_required(perm=WORK)
def work_order_complete(request, pk):
    """Complete a manual step (GET: what it is and a note; POST: done), or record a manual test's result."""
    wo = _work_order(request, pk)
    is_test = wo.kind == WorkOrder.Kind.TEST
    if not work_order_actions(wo, request.user)["complete"]:
        return render(request, "service_activation/csr/confirm.html", {
            "wo": wo, "refused": f"The step “{wo.name}” is {wo.get_status_display().lower()}"
                                 + ("" if wo.manual else " and is run by the network adapter")
                                 + ": there is nothing to complete by hand."}, status=409)
    form = WorkOrderCompleteForm(request.POST or None, is_test=is_test)
    if request.method == "POST" and form.is_valid():
        try:
            services.work_order_complete(work_order_id=wo.pk, note=form.cleaned_data["note"], passed=form.passed,
                                         actor=_actor(request))
        except DomainValidationError as e:
            add_service_errors(form, e)
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            if is_test and not form.passed:
                messages.warning(request, f"Test “{wo.name}” recorded as failed: the step is in the fallout queue.")
            else:
                messages.success(request, f"“{wo.name}” of {wo.item.service_order.order_number} done.")
            return redirect(_next(request, "/csr/provisioning/worklist/"))
    return render(request, "service_activation/csr/work_order_complete.html", {
        "wo": wo, "form": form, "is_test": is_test, "next": _next(request, "")},
        status=400 if form.errors else 200)


def _reason_page(request, wo: WorkOrder, *, allowed: bool, refused: str, title: str, button: str,
                 consequences: list[str], apply, done: str, destructive: bool = False):
    if not allowed:
        return render(request, "service_activation/csr/confirm.html", {"wo": wo, "refused": refused}, status=409)
    form = ReasonForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            apply(form.cleaned_data["reason"])
        except DomainValidationError as e:
            add_service_errors(form, e)
        except ApplicationError as e:
            form.add_error(None, e.message)
            status = 409
        else:
            messages.success(request, done)
            return redirect(_next(request, "/csr/provisioning/fallout/"))
    return render(request, "service_activation/csr/confirm.html", {
        "wo": wo, "form": form, "title": title, "button": button, "consequences": consequences,
        "destructive": destructive, "next": _next(request, "")},
        status=status if status != 200 else (400 if form.errors else 200))


@staff_required(perm=WORK)
def work_order_retry(request, pk):
    wo = _work_order(request, pk)
    return _reason_page(
        request, wo, allowed=work_order_actions(wo, request.user)["retry"],
        refused=f"The step “{wo.name}” is {wo.get_status_display().lower()} and its service order "
                f"{wo.item.service_order.get_state_display().lower()}: there is nothing to retry.",
        title=f"Retry “{wo.name}”?", button="Retry the step",
        consequences=["The step runs again from its first attempt, with the same idempotency key: what the "
                      "network already configured is not configured twice.",
                      "The service order goes on from there when it succeeds."],
        apply=lambda reason: services.work_order_retry(work_order_id=wo.pk, reason=reason, actor=_actor(request)),
        done=f"“{wo.name}” is being retried.")


@staff_required(perm=WORK)
def work_order_give_up(request, pk):
    wo = _work_order(request, pk)
    return _reason_page(
        request, wo, allowed=work_order_actions(wo, request.user)["give_up"],
        refused=f"The step “{wo.name}” is {wo.get_status_display().lower()}: only a failed step can be given up.",
        title=f"Give up “{wo.name}”?", button="Give up the step", destructive=True,
        consequences=[f"Item {wo.item.item_id} of service order {wo.item.service_order.order_number} fails; "
                      "its reserved resources are released.",
                      "The service order then fails, or completes partially when other items succeeded; the "
                      "customer order follows it."],
        apply=lambda reason: services.work_order_give_up(work_order_id=wo.pk, reason=reason, actor=_actor(request)),
        done=f"“{wo.name}” given up.")


# --- the service order page ------------------------------------------------------------------------------------

def _service_order(request, pk) -> ServiceOrder:
    so = selectors.service_order_queryset(request.user).prefetch_related(
        "items__work_orders__assigned_to", "items__work_orders__assignment", "items__service", "items__specification",
        "items__test_runs").filter(
        pk=pk).first()
    if so is None:
        raise Http404("No such service order")
    return so


def _history(so: ServiceOrder, items: list[ServiceOrderItem]):
    types = ContentType.objects.get_for_models(ServiceOrder, ServiceOrderItem, WorkOrder, Service)
    q = Q(content_type=types[ServiceOrder], object_id=str(so.pk))
    if items:
        q |= Q(content_type=types[ServiceOrderItem], object_id__in=[str(i.pk) for i in items])
        q |= Q(content_type=types[WorkOrder], object_id__in=[str(w.pk) for i in items for w in i.work_orders.all()])
        q |= Q(content_type=types[Service], object_id__in=[str(i.service_id) for i in items if i.service_id])
    return HistoryEntry.objects.filter(q).select_related("actor")[:200]


@staff_required(perm=VIEW_ORDER)
def service_order_detail(request, pk):
    so = _service_order(request, pk)
    items = list(so.items.all())
    for item in items:
        item.service_order = so  # the rows already loaded: no query per work order
        item.steps = list(item.work_orders.all())
        for wo in item.steps:
            wo.item = item
            wo.can = work_order_actions(wo, request.user)
    return render(request, "service_activation/csr/service_order_detail.html", {
        "so": so, "items": items, "history": _history(so, items),
        "can_cancel": may_cancel(so, request.user),
        "can_see_order": request.user.has_perm("orders.view_customerorder")})


def may_cancel(so: ServiceOrder, user) -> bool:
    """A standalone service order may be cancelled here while open; one that fulfils a customer order is
    cancelled with that order (its page), so the two never disagree."""
    return (user.has_perm(CHANGE_ORDER) and so.state in ServiceOrder.OPEN
            and so.origin != ServiceOrder.Origin.CUSTOMER_ORDER)


@staff_required(perm=CHANGE_ORDER)
def service_order_cancel(request, pk):
    so = _service_order(request, pk)
    if not may_cancel(so, request.user):
        refused = (f"Service order {so.order_number} fulfils customer order {so.customer_order_ref}: cancel the "
                   "customer order (or its item) instead." if so.origin == ServiceOrder.Origin.CUSTOMER_ORDER
                   and so.state in ServiceOrder.OPEN else
                   f"Service order {so.order_number} is {so.get_state_display().lower()}: it can no longer be "
                   "cancelled.")
        return render(request, "service_activation/csr/service_order_cancel.html", {"so": so, "refused": refused},
                      status=409)
    form = ReasonForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.service_order_cancel(service_order_id=so.pk, reason=form.cleaned_data["reason"],
                                                    actor=_actor(request))
        except DomainValidationError as e:
            add_service_errors(form, e)
        except ApplicationError as e:
            form.add_error(None, e.message)
            status = 409
        else:
            if outcome == "refused":
                form.add_error(None, f"Service order {so.order_number} has been activated: it cannot be cancelled; "
                                     "a recovery (termination) order is needed instead.")
                status = 409
            else:
                messages.success(request, f"Service order {so.order_number} "
                                          + ("is rolling back what was done." if outcome == "rolling_back"
                                             else "cancelled."))
                return redirect("provisioning:service_order", pk=so.pk)
    return render(request, "service_activation/csr/service_order_cancel.html", {"so": so, "form": form},
                  status=status if status != 200 else (400 if form.errors else 200))
