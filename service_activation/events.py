"""The events service activation publishes (TMF641 service orders, TMF638 services). orders subscribes to
SERVICE_ORDER_STATE_CHANGE: a service order reports upward by event, never by import."""

from bss.events import declare_event, register_resource

from .models import Service, ServiceOrder
from .tmf.serializers import TMF638, TMF641_V4, ServiceOrderSerializer, ServiceSerializer

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
register_resource(Service, api=INVENTORY_API, resource_type="service", render=lambda s: ServiceSerializer(s).data)
