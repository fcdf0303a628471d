"""The events service activation publishes (TMF641 service orders, TMF638 services). orders subscribes to
SERVICE_ORDER_STATE_CHANGE: a service order reports upward by event, never by import."""

from bss.events import declare_event, register_resource

from .models import CancelServiceOrder, Service, ServiceDesign, ServiceOrder
from .tmf.serializers import (
    TMF638,
    TMF641_V4,
    CancelServiceOrderSerializer,
    ServiceOrderSerializer,
    ServiceSerializer,
)

API = "serviceOrdering"
INVENTORY_API = "serviceInventory"

SERVICE_ORDER_CREATE = declare_event("ServiceOrderCreateEvent", api=API, resource="serviceOrder", spec=TMF641_V4)
SERVICE_ORDER_STATE_CHANGE = declare_event("ServiceOrderStateChangeEvent", api=API, resource="serviceOrder",
                                           spec=TMF641_V4)
SERVICE_ORDER_ATTRIBUTE_VALUE_CHANGE = declare_event("ServiceOrderAttributeValueChangeEvent", api=API,
                                                     resource="serviceOrder", spec=TMF641_V4)
SERVICE_CREATE = declare_event("ServiceCreateEvent", api=INVENTORY_API, resource="service", spec=TMF638)
SERVICE_STATE_CHANGE = declare_event("ServiceStateChangeEvent", api=INVENTORY_API, resource="service", spec=TMF638)
SERVICE_ATTRIBUTE_VALUE_CHANGE = declare_event("ServiceAttributeValueChangeEvent", api=INVENTORY_API,
                                               resource="service", spec=TMF638)

register_resource(ServiceOrder, api=API, resource_type="serviceOrder",
                  render=lambda so: ServiceOrderSerializer(so).data)
# TMF641 v4 cancelServiceOrder (service_activation.services.cancellation); v3 has no such resource
CANCEL_SERVICE_ORDER_CREATE = declare_event("CancelServiceOrderCreateEvent", api=API, resource="cancelServiceOrder",
                                            spec=TMF641_V4)
CANCEL_SERVICE_ORDER_STATE_CHANGE = declare_event("CancelServiceOrderStateChangeEvent", api=API,
                                                  resource="cancelServiceOrder", spec=TMF641_V4)
register_resource(CancelServiceOrder, api=API, resource_type="cancelServiceOrder",
                  render=lambda c: CancelServiceOrderSerializer(c).data)
register_resource(Service, api=INVENTORY_API, resource_type="service", render=lambda s: ServiceSerializer(s).data)

# A design's approval releases the customer order it was opened for (orders subscribes). No TMF API defines a
# service design; the event goes to internal subscribers and serviceOrdering hub listeners, in our own shape.
SERVICE_DESIGN_STATE_CHANGE = declare_event("ServiceDesignStateChangeEvent", api=API, resource="serviceDesign")


def _design(d):
    return {"id": str(d.pk), "status": d.status, "customerOrder": d.customer_order_ref or None,
            "cost": str(d.cost) if d.cost is not None else None, "currency": d.currency, "@type": "ServiceDesign"}


register_resource(ServiceDesign, api=API, resource_type="serviceDesign", render=_design)
