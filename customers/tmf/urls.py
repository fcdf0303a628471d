from bss.tmf.routers import TmfRouter

from .views import CustomerViewSet, IndividualViewSet, OrganizationViewSet, ProductViewSet

tmf629 = TmfRouter("customerManagement")
tmf629.register("customer", CustomerViewSet, basename="customer")

tmf632 = TmfRouter("party")
tmf632.register("individual", IndividualViewSet, basename="individual")
tmf632.register("organization", OrganizationViewSet, basename="organization")

tmf637 = TmfRouter("productInventory")
tmf637.register("product", ProductViewSet, basename="product")
