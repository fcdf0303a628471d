"""Customer lifecycle from the portal: status changes (activate, suspend, resume, close, reopen)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from bss.errors import ApplicationError
from bss.portal import staff_required
from customers import services
from customers.lifecycle_forms import StatusForm
from customers.views.csr import _actor, _customer


@staff_required  # the view explains a missing permission itself
@require_POST
def customer_status(request, pk):
    customer = _customer(request, pk)
    form = StatusForm(request.POST)
    if not request.user.has_perm("customers.change_customer_status"):
        messages.error(request, "Your role may not change a customer's status.")
    elif form.is_valid():
        try:
            services.customer_change_status(customer_id=customer.pk, actor=_actor(request), **form.cleaned_data)
            messages.success(request, f"Customer is now {form.cleaned_data['status']}.")
        except ApplicationError as e:
            messages.error(request, e.message)
    else:
        messages.error(request, "Choose a status and give a reason.")
    return redirect("csr:customer", pk=customer.pk)
