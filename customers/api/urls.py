from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("addresses", views.AddressViewSet, basename="address")
router.register("billing-accounts", views.BillingAccountViewSet, basename="billingaccount")
router.register("products", views.ProductViewSet, basename="product")
router.register("bill-cycles", views.BillCycleViewSet, basename="billcycle")
urlpatterns = router.urls
