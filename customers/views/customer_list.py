"""The customer list (/csr/customers/): the reference use of the list pattern (bss/tables.py)."""

from bss.portal import staff_required
from bss.tables import render_list
from customers.filters import CustomerFilter
from customers.models import Customer
from customers.scoping import visible_to
from customers.tables import CustomerTable


@staff_required(perm="customers.view_customer")
def customer_list(request):
    queryset = visible_to(Customer.objects.all(), request.user)
    return render_list(request, CustomerTable, queryset, filterset=CustomerFilter(request.GET, queryset=queryset),
                       template="customers/csr/customer_list.html")
