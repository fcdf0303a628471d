"""How customer-inventory objects appear in events: their TMF representation."""

from bss.events import register_resource

from .models import Customer, Party
from .selectors import customer_with_relations
from .tmf.serializers import CustomerSerializer, IndividualSerializer, OrganizationSerializer


def _render_customer(customer: Customer) -> dict:
    # Read fresh (the caller's instance may predate its last change), with the relations the
    # representation reads prefetched: no query per contact.
    fresh = Customer.objects.select_related("party").get(pk=customer.pk)
    return CustomerSerializer(customer_with_relations(fresh)).data


def _render_party(party: Party) -> dict:
    serializer = IndividualSerializer if party.kind == Party.Kind.INDIVIDUAL else OrganizationSerializer
    return serializer(party).data


register_resource(Customer, api="customerManagement", resource_type="customer", render=_render_customer)
register_resource(Party, api="party", resource_type=lambda p: p.kind, render=_render_party)
