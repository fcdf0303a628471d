"""The events customer inventory publishes (TMF629 customer, TMF632 party, TMF637 product), and how its objects
appear in them: their TMF representation. Subscribers import these constants, not the names."""

from bss.events import declare_event, register_resource

from .models import Customer, Party, Product
from .selectors import customer_with_relations
from .tmf.serializers import (
    CustomerSerializer,
    IndividualSerializer,
    OrganizationSerializer,
    ProductSerializer,
)

CUSTOMER_API, PARTY_API = "customerManagement", "party"
TMF629, TMF632 = "TMF629-Customer-v4.0.0.swagger.json", "TMF632-Party-v4.0.0.swagger.json"

CUSTOMER_CREATE = declare_event("CustomerCreateEvent", api=CUSTOMER_API, resource="customer", spec=TMF629)
CUSTOMER_ATTRIBUTE_VALUE_CHANGE = declare_event(
    "CustomerAttributeValueChangeEvent", api=CUSTOMER_API, resource="customer", spec=TMF629)
CUSTOMER_STATE_CHANGE = declare_event(
    "CustomerStateChangeEvent", api=CUSTOMER_API, resource="customer", spec=TMF629)

INDIVIDUAL_CREATE = declare_event("IndividualCreateEvent", api=PARTY_API, resource="individual", spec=TMF632)
INDIVIDUAL_ATTRIBUTE_VALUE_CHANGE = declare_event(
    "IndividualAttributeValueChangeEvent", api=PARTY_API, resource="individual", spec=TMF632)
INDIVIDUAL_STATE_CHANGE = declare_event(
    "IndividualStateChangeEvent", api=PARTY_API, resource="individual", spec=TMF632)
ORGANIZATION_CREATE = declare_event(
    "OrganizationCreateEvent", api=PARTY_API, resource="organization", spec=TMF632)
ORGANIZATION_ATTRIBUTE_VALUE_CHANGE = declare_event(
    "OrganizationAttributeValueChangeEvent", api=PARTY_API, resource="organization", spec=TMF632)
ORGANIZATION_STATE_CHANGE = declare_event(
    "OrganizationStateChangeEvent", api=PARTY_API, resource="organization", spec=TMF632)

# A party's events by its kind: PARTY_EVENTS[party.kind]["StateChange"].
PARTY_EVENTS = {
    Party.Kind.INDIVIDUAL: {"Create": INDIVIDUAL_CREATE,
                            "AttributeValueChange": INDIVIDUAL_ATTRIBUTE_VALUE_CHANGE,
                            "StateChange": INDIVIDUAL_STATE_CHANGE},
    Party.Kind.ORGANIZATION: {"Create": ORGANIZATION_CREATE,
                              "AttributeValueChange": ORGANIZATION_ATTRIBUTE_VALUE_CHANGE,
                              "StateChange": ORGANIZATION_STATE_CHANGE},
}


def _render_customer(customer: Customer) -> dict:
    # Read fresh (the caller's instance may predate its last change), with the relations the
    # representation reads prefetched: no query per contact.
    fresh = Customer.objects.select_related("party").get(pk=customer.pk)
    return CustomerSerializer(customer_with_relations(fresh)).data


def _render_party(party: Party) -> dict:
    serializer = IndividualSerializer if party.kind == Party.Kind.INDIVIDUAL else OrganizationSerializer
    return serializer(party).data


register_resource(Customer, api=CUSTOMER_API, resource_type="customer", render=_render_customer)
register_resource(Party, api=PARTY_API, resource_type=lambda p: p.kind, render=_render_party)


# --- TMF637 Product Inventory ------------------------------------------------------------------
PRODUCT_API, TMF637 = "productInventory", "TMF637-ProductInventory-v4.0.0.swagger.json"

PRODUCT_CREATE = declare_event("ProductCreateEvent", api=PRODUCT_API, resource="product", spec=TMF637)
PRODUCT_ATTRIBUTE_VALUE_CHANGE = declare_event(
    "ProductAttributeValueChangeEvent", api=PRODUCT_API, resource="product", spec=TMF637)
PRODUCT_STATE_CHANGE = declare_event("ProductStateChangeEvent", api=PRODUCT_API, resource="product", spec=TMF637)
# A product is never erased: TMF637 DELETE terminates it, and this announces that (the final representation).
PRODUCT_DELETE = declare_event("ProductDeleteEvent", api=PRODUCT_API, resource="product", spec=TMF637)


def _render_product(product: Product) -> dict:
    fresh = Product.objects.select_related("customer", "billing_account", "place").get(pk=product.pk)
    return ProductSerializer(fresh).data


register_resource(Product, api=PRODUCT_API, resource_type="product", render=_render_product)
