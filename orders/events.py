"""How catalog objects appear in events: their TMF620 representation (absolute hrefs)."""

from bss.events import register_resource

from .models import Catalog, Category, ProductOffering, ProductOfferingPrice, ProductSpecification
from .tmf.serializers import (
    CatalogSerializer,
    CategorySerializer,
    ProductOfferingPriceSerializer,
    ProductOfferingSerializer,
    ProductSpecificationSerializer,
)

API = "productCatalogManagement"

for model, resource_type, serializer in (
    (ProductOffering, "productOffering", ProductOfferingSerializer),
    (ProductSpecification, "productSpecification", ProductSpecificationSerializer),
    (ProductOfferingPrice, "productOfferingPrice", ProductOfferingPriceSerializer),
    (Category, "category", CategorySerializer),
    (Catalog, "catalog", CatalogSerializer),
):
    register_resource(model, api=API, resource_type=resource_type,
                      render=lambda obj, serializer=serializer: serializer(obj).data)
