"""The customer page (customer 360) and its notes."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bss.audit.models import HistoryEntry
from bss.portal import staff_required
from customers import services
from customers.forms import NoteForm
from customers.lifecycle_forms import StatusForm
from customers.views.csr import _actor, _customer


@staff_required(perm="customers.view_customer")
def customer_detail(request, pk):
    customer = _customer(request, pk)
    history = HistoryEntry.objects.for_root(customer).select_related("actor")[:200]
    return render(request, "customers/csr/customer_detail.html", {
        "customer": customer, "history": history, "note_form": NoteForm(),
        "status_form": StatusForm(initial={"status": customer.status}),
    })


@staff_required(perm="customers.add_customernote")
@require_POST
def customer_note(request, pk):
    customer = _customer(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.customer_note_add(customer=customer, actor=_actor(request), text=form.cleaned_data["text"])
    else:
        messages.error(request, "A note cannot be empty.")
    return redirect("csr:customer", pk=customer.pk)
