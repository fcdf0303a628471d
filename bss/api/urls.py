from rest_framework.routers import SimpleRouter

from .views import EventDeliveryViewSet, HubSubscriptionViewSet

router = SimpleRouter()
router.register("hub-subscriptions", HubSubscriptionViewSet, basename="hubsubscription")
router.register("event-deliveries", EventDeliveryViewSet, basename="eventdelivery")
urlpatterns = router.urls
