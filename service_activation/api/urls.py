from django.urls import path
from rest_framework.routers import SimpleRouter

from .appointments import AppointmentSlotViewSet, AppointmentViewSet
from .callbacks import AdapterCallbackView, PartnerTestResultViewSet
from .views import ProvisioningReportView, ResourcePoolViewSet, ResourceViewSet, WorkOrderViewSet

router = SimpleRouter()
router.register("resource-pools", ResourcePoolViewSet, basename="resourcepool")
router.register("resources", ResourceViewSet, basename="resource")
router.register("work-orders", WorkOrderViewSet, basename="workorder")
router.register("work-orders", PartnerTestResultViewSet, basename="workorder-test")  # .../<id>/test-result/
router.register("appointment-slots", AppointmentSlotViewSet, basename="appointmentslot")
router.register("appointments", AppointmentViewSet, basename="appointment")
router.register("provisioning-reports", ProvisioningReportView, basename="provisioningreport")
urlpatterns = router.urls + [path("adapter-callbacks/<str:token>/", AdapterCallbackView.as_view(),
                                  name="adapter-callback")]
