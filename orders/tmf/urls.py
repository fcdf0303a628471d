"""TMF620 Product Catalog Management v4, mounted at /tmf-api/productCatalogManagement/v4/."""

from bss.tmf.routers import TmfRouter

from .catalog_views import (
    CatalogViewSet,
    CategoryViewSet,
    ProductOfferingPriceViewSet,
    ProductOfferingViewSet,
    ProductSpecificationViewSet,
)

tmf620 = TmfRouter("productCatalogManagement")
tmf620.register("productOffering", ProductOfferingViewSet, basename="productoffering")
tmf620.register("productSpecification", ProductSpecificationViewSet, basename="productspecification")
tmf620.register("productOfferingPrice", ProductOfferingPriceViewSet, basename="productofferingprice")
tmf620.register("category", CategoryViewSet, basename="category")
tmf620.register("catalog", CatalogViewSet, basename="catalog")
