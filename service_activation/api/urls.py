from rest_framework.routers import SimpleRouter

from .views import ResourcePoolViewSet, ResourceViewSet, WorkOrderViewSet

router = SimpleRouter()
router.register("resource-pools", ResourcePoolViewSet, basename="resourcepool")
router.register("resources", ResourceViewSet, basename="resource")
router.register("work-orders", WorkOrderViewSet, basename="workorder")
urlpatterns = router.urls
