from rest_framework.routers import SimpleRouter

from .views import CreditCheckViewSet, CustomerOrderImpactViewSet, OrderReportView

router = SimpleRouter()
router.register("credit-checks", CreditCheckViewSet, basename="creditcheck")
router.register("order-reports", OrderReportView, basename="orderreport")
router.register("customer-orders", CustomerOrderImpactViewSet, basename="customerorder-impact")
urlpatterns = router.urls
