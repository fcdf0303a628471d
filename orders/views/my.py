"""Self-service screens of order handling: the offers a customer qualifies for."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from customers.scoping import self_service_customer_id
from customers.selectors import customer_detail
from orders.forms import price_text
from orders.services import feasibility as feasibility_svc


@login_required
def my_offers(request):
    customer_id = self_service_customer_id(request.user)
    if customer_id is None:
        raise PermissionDenied("This login is not linked to a customer.")
    customer = customer_detail(user=request.user, customer_id=customer_id)
    addresses = list(customer.addresses.all())
    chosen = next((a for a in addresses if str(a.pk) == request.GET.get("address")), addresses[0] if addresses
                  else None)
    offers = feasibility_svc.offerings_available_to(customer=customer, channel="self_service", address=chosen)
    from orders.models import ProductOffering

    ids = dict(ProductOffering.objects.filter(code__in=[o["code"] for o in offers]).values_list("code", "pk"))
    for offer in offers:  # what the customer reads: a name, a description and the price, never our codes
        offer["price"] = price_text(offer["prices"]) if offer["prices"] else ""
        offer["order_id"] = ids.get(offer["code"])  # the Order button names the offering by id, not its code
    return render(request, "orders/my/offers.html", {"customer": customer, "offers": offers,
                                                      "addresses": addresses, "chosen": chosen})
