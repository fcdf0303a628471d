from rest_framework.routers import SimpleRouter

from . import credit

router = SimpleRouter()
router.register("credit-checks", credit.CreditCheckViewSet, basename="creditcheck")
urlpatterns = router.urls
