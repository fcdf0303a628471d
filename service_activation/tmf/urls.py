"""TMF APIs of service configuration and activation: TMF641 Service Ordering v4 (/tmf-api/serviceOrdering/v4/)
and v3 (/tmf-api/serviceOrdering/v3/, the resource model of the official CTKs), and TMF638 Service Inventory v4
(/tmf-api/serviceInventory/v4/)."""

from bss.tmf.routers import TmfRouter

from .views import CancelServiceOrderViewSet, ServiceOrderV3ViewSet, ServiceOrderViewSet, ServiceViewSet

tmf641 = TmfRouter("serviceOrdering")
tmf641.register("serviceOrder", ServiceOrderViewSet, basename="serviceorder")
tmf641.register("cancelServiceOrder", CancelServiceOrderViewSet, basename="cancelserviceorder")  # v4 only

tmf641v3 = TmfRouter("serviceOrdering")
tmf641v3.register("serviceOrder", ServiceOrderV3ViewSet, basename="serviceorder")

tmf638 = TmfRouter("serviceInventory")
tmf638.register("service", ServiceViewSet, basename="service")
