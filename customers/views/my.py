"""Self-service pages (/my/): a customer sees and edits only their own data (customers.scoping)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from bss.actors import Channel
from customers import selectors
from customers.scoping import self_service_customer_id

from .csr import contact_form_view


def _my_customer(request):
    customer_id = self_service_customer_id(request.user)
    if customer_id is None:
        raise PermissionDenied("This login is not linked to a customer.")
    return selectors.customer_detail(user=request.user, customer_id=customer_id)


@login_required
def profile(request):
    return render(request, "customers/my/profile.html", {"customer": _my_customer(request)})


@login_required
def contact_edit(request, pk):
    customer = _my_customer(request)
    contact = get_object_or_404(selectors.contact_queryset(request.user), pk=pk)  # 404 for anyone else's
    return contact_form_view(request, customer, contact, template="customers/my/contact_form.html",
                              channel=Channel.SELF_SERVICE, done="/my/")


@login_required
def contact_new(request):
    customer = _my_customer(request)
    return contact_form_view(request, customer, template="customers/my/contact_form.html",
                              channel=Channel.SELF_SERVICE, done="/my/")
