from rest_framework.routers import SimpleRouter

from .views import CreditCheckViewSet, OrderReportView

router = SimpleRouter()
router.register("credit-checks", CreditCheckViewSet, basename="creditcheck")
router.register("order-reports", OrderReportView, basename="orderreport")
urlpatterns = router.urls
