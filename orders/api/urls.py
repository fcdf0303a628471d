from rest_framework.routers import SimpleRouter

from .views import CreditCheckViewSet

router = SimpleRouter()
router.register("credit-checks", CreditCheckViewSet, basename="creditcheck")
urlpatterns = router.urls
