"""The customer page (customer 360) and its notes. The page is built from panels that each app registers
(bss.panels, <app>/portal.py); this view only loads the customer and what every panel shares."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bss.portal import staff_required
from customers import actions, services
from customers.forms import NoteForm
from customers.lifecycle_forms import status_actions
from customers.views.csr import _actor, _customer
from customers.views.home import remember_customer


@staff_required(perm="customers.view_customer")
def customer_detail(request, pk):
    customer = _customer(request, pk)
    remember_customer(request, customer)
    return render(request, "customers/csr/customer_detail.html", {
        "customer": customer, "can": actions.allowed_actions(customer, request.user),
        "status_actions": status_actions(customer, request.user),
    })


@staff_required(perm="customers.add_customernote")
@require_POST
def customer_note(request, pk):
    customer = _customer(request, pk)
    if not actions.allowed(customer, request.user, "add_note"):
        raise PermissionDenied("Your role may not add notes to this customer.")
    form = NoteForm(request.POST)
    if form.is_valid():
        services.customer_note_add(customer=customer, actor=_actor(request), text=form.cleaned_data["text"])
        messages.success(request, "Note added.")
    else:
        messages.error(request, "A note cannot be empty.")
    return redirect("csr:customer", pk=customer.pk)
