"""TMF APIs of order handling: TMF620 Product Catalog Management v4 (/tmf-api/productCatalogManagement/v4/)
TMF679 Product Offering Qualification v4 (/tmf-api/productOfferingQualification/v4/) and TMF622 Product
Ordering v4 (/tmf-api/productOrderingManagement/v4/)."""

from bss.tmf.routers import TmfRouter

from .views import (
    CancelProductOrderViewSet,
    CatalogViewSet,
    CategoryViewSet,
    ProductOfferingPriceViewSet,
    ProductOfferingQualificationViewSet,
    ProductOfferingViewSet,
    ProductOrderViewSet,
    ProductSpecificationViewSet,
)

tmf620 = TmfRouter("productCatalogManagement")
tmf620.register("productOffering", ProductOfferingViewSet, basename="productoffering")
tmf620.register("productSpecification", ProductSpecificationViewSet, basename="productspecification")
tmf620.register("productOfferingPrice", ProductOfferingPriceViewSet, basename="productofferingprice")
tmf620.register("category", CategoryViewSet, basename="category")
tmf620.register("catalog", CatalogViewSet, basename="catalog")

tmf679 = TmfRouter("productOfferingQualification")
tmf679.register("productOfferingQualification", ProductOfferingQualificationViewSet,
                basename="productofferingqualification")

tmf622 = TmfRouter("productOrderingManagement")
tmf622.register("productOrder", ProductOrderViewSet, basename="productorder")
tmf622.register("cancelProductOrder", CancelProductOrderViewSet, basename="cancelproductorder")
