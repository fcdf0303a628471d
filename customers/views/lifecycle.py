"""Customer lifecycle from the portal: activate, suspend, resume, close, reopen. GET ?to=<status> asks for the
reason and states what will happen (and what blocks it); POST applies it on the same route. A role without the
permission gets the styled 403; a change the lifecycle does not allow now (GET or POST) the 409 page saying why in
words. Every change asks for a reason, destructive or not: it is recorded in the customer's history."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from bss.errors import ApplicationError
from bss.portal import staff_required
from customers import services
from customers.lifecycle_forms import STATUS_PERMISSION, StatusForm, status_action_to
from customers.models import Customer
from customers.services.customer import transition_refused_message
from customers.views.csr import _actor, _customer


@staff_required
def customer_status(request, pk):
    customer = _customer(request, pk)
    if not request.user.has_perm(STATUS_PERMISSION):
        raise PermissionDenied("Your role may not change a customer's status.")
    target = request.POST.get("status") if request.method == "POST" else request.GET.get("to", "")
    action = status_action_to(customer, request.user, target or "")
    if action is None:
        message = (transition_refused_message(customer.status, target) if target in Customer.Status.values
                   else "Choose one of the status changes offered on the customer's page.")
        return render(request, "customers/csr/customer_status_confirm.html",
                      {"customer": customer, "refused": message}, status=409)
    form = StatusForm(request.POST or None, initial={"status": action.target})
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_change_status(customer_id=customer.pk, actor=_actor(request), **form.cleaned_data)
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, f"Customer is now {Customer.Status(action.target).label.lower()}.")
            return redirect("csr:customer", pk=customer.pk)
    consequences, blockers = services.customer_status_consequences(customer, action.target)
    return render(request, "customers/csr/customer_status_confirm.html", {
        "customer": customer, "action": action, "form": form, "consequences": consequences, "blockers": blockers,
    }, status=200 if not form.errors else 400)
