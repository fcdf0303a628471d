from rest_framework.routers import SimpleRouter

from .views import ResourcePoolViewSet, ResourceViewSet

router = SimpleRouter()
router.register("resource-pools", ResourcePoolViewSet, basename="resourcepool")
router.register("resources", ResourceViewSet, basename="resource")
urlpatterns = router.urls
