"""The events the product catalog (TMF620) and offering qualification (TMF679) publish, and how their
objects appear in them: their TMF representation (absolute hrefs). Subscribers import these
constants, not the names.

TMF620 v4 defines Create and Delete events for every catalog resource, and AttributeValueChange /
StateChange only for product offerings and prices; the catalog announces those changes for
specifications, categories and catalogs too, in the same shape (``spec_event=False``).
"""

from bss.events import declare_event, register_resource

from .models import (
    CancelProductOrder,
    Catalog,
    Category,
    CustomerOrder,
    OfferingQualification,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
)
from .tmf.serializers import (
    CancelProductOrderSerializer,
    CatalogSerializer,
    CategorySerializer,
    ProductOfferingPriceSerializer,
    ProductOfferingQualificationSerializer,
    ProductOfferingSerializer,
    ProductOrderSerializer,
    ProductSpecificationSerializer,
)

API = "productCatalogManagement"
TMF620 = "TMF620-ProductCatalog-v4.0.0.swagger.json"


def _catalog_event(name: str, resource: str, *, spec_event: bool = True):
    return declare_event(name, api=API, resource=resource, spec=TMF620, spec_event=spec_event)


PRODUCT_OFFERING_CREATE = _catalog_event("ProductOfferingCreateEvent", "productOffering")
PRODUCT_OFFERING_ATTRIBUTE_VALUE_CHANGE = _catalog_event(
    "ProductOfferingAttributeValueChangeEvent", "productOffering")
PRODUCT_OFFERING_STATE_CHANGE = _catalog_event("ProductOfferingStateChangeEvent", "productOffering")
PRODUCT_OFFERING_DELETE = _catalog_event("ProductOfferingDeleteEvent", "productOffering")

PRODUCT_OFFERING_PRICE_CREATE = _catalog_event("ProductOfferingPriceCreateEvent", "productOfferingPrice")
PRODUCT_OFFERING_PRICE_ATTRIBUTE_VALUE_CHANGE = _catalog_event(
    "ProductOfferingPriceAttributeValueChangeEvent", "productOfferingPrice")
PRODUCT_OFFERING_PRICE_STATE_CHANGE = _catalog_event(
    "ProductOfferingPriceStateChangeEvent", "productOfferingPrice")
PRODUCT_OFFERING_PRICE_DELETE = _catalog_event("ProductOfferingPriceDeleteEvent", "productOfferingPrice")

PRODUCT_SPECIFICATION_CREATE = _catalog_event("ProductSpecificationCreateEvent", "productSpecification")
PRODUCT_SPECIFICATION_ATTRIBUTE_VALUE_CHANGE = _catalog_event(
    "ProductSpecificationAttributeValueChangeEvent", "productSpecification", spec_event=False)
PRODUCT_SPECIFICATION_STATE_CHANGE = _catalog_event(
    "ProductSpecificationStateChangeEvent", "productSpecification", spec_event=False)
PRODUCT_SPECIFICATION_DELETE = _catalog_event("ProductSpecificationDeleteEvent", "productSpecification")

CATEGORY_CREATE = _catalog_event("CategoryCreateEvent", "category")
CATEGORY_ATTRIBUTE_VALUE_CHANGE = _catalog_event(
    "CategoryAttributeValueChangeEvent", "category", spec_event=False)
CATEGORY_STATE_CHANGE = _catalog_event("CategoryStateChangeEvent", "category", spec_event=False)
CATEGORY_DELETE = _catalog_event("CategoryDeleteEvent", "category")

CATALOG_CREATE = _catalog_event("CatalogCreateEvent", "catalog")
CATALOG_ATTRIBUTE_VALUE_CHANGE = _catalog_event(
    "CatalogAttributeValueChangeEvent", "catalog", spec_event=False)
CATALOG_STATE_CHANGE = _catalog_event("CatalogStateChangeEvent", "catalog", spec_event=False)
CATALOG_DELETE = _catalog_event("CatalogDeleteEvent", "catalog")

for model, resource_type, serializer in (
    (ProductOffering, "productOffering", ProductOfferingSerializer),
    (ProductSpecification, "productSpecification", ProductSpecificationSerializer),
    (ProductOfferingPrice, "productOfferingPrice", ProductOfferingPriceSerializer),
    (Category, "category", CategorySerializer),
    (Catalog, "catalog", CatalogSerializer),
):
    register_resource(model, api=API, resource_type=resource_type,
                      render=lambda obj, serializer=serializer: serializer(obj).data)

# --- TMF679 Product Offering Qualification ----------------------------------------------------
# A qualification is evaluated synchronously and stored in its final state: it is created once
# (orders.services.feasibility.qualification_create) and nothing changes it afterwards.
QUALIFICATION_API = "productOfferingQualification"
TMF679 = "TMF679-ProductOfferingQualification-v4.0.0.swagger.json"

PRODUCT_OFFERING_QUALIFICATION_CREATE = declare_event(
    "ProductOfferingQualificationCreateEvent", api=QUALIFICATION_API, resource="productOfferingQualification",
    spec=TMF679)

register_resource(OfferingQualification, api=QUALIFICATION_API, resource_type="productOfferingQualification",
                  render=lambda poq: ProductOfferingQualificationSerializer(poq).data)

# --- TMF622 Product Ordering ------------------------------------------------------------------------------
ORDERING_API = "productOrderingManagement"
TMF622 = "TMF622-ProductOrdering-v4.0.0.swagger.json"

PRODUCT_ORDER_CREATE = declare_event("ProductOrderCreateEvent", api=ORDERING_API, resource="productOrder",
                                     spec=TMF622)
PRODUCT_ORDER_STATE_CHANGE = declare_event("ProductOrderStateChangeEvent", api=ORDERING_API,
                                           resource="productOrder", spec=TMF622)
# a milestone change, a note, an item cancelled, a date changed (TMF622 v4 has no milestone attribute)
PRODUCT_ORDER_ATTRIBUTE_VALUE_CHANGE = declare_event("ProductOrderAttributeValueChangeEvent", api=ORDERING_API,
                                                     resource="productOrder", spec=TMF622)
PRODUCT_ORDER_INFORMATION_REQUIRED = declare_event("ProductOrderInformationRequiredEvent", api=ORDERING_API,
                                                   resource="productOrder", spec=TMF622)
CANCEL_PRODUCT_ORDER_CREATE = declare_event("CancelProductOrderCreateEvent", api=ORDERING_API,
                                            resource="cancelProductOrder", spec=TMF622)
CANCEL_PRODUCT_ORDER_STATE_CHANGE = declare_event("CancelProductOrderStateChangeEvent", api=ORDERING_API,
                                                  resource="cancelProductOrder", spec=TMF622)

register_resource(CustomerOrder, api=ORDERING_API, resource_type="productOrder",
                  render=lambda order: ProductOrderSerializer(order).data)
register_resource(CancelProductOrder, api=ORDERING_API, resource_type="cancelProductOrder",
                  render=lambda c: CancelProductOrderSerializer(c).data)
