"""Service activation use cases, one module per aggregate; the names are re-exported here."""

from .design import (  # noqa: F401
    design_queue,
    service_design_issued,
    service_design_open,
    service_design_record,
    service_design_submit,
)
from .resources import (  # noqa: F401
    RESOURCE_POOL_FIELDS,
    LoadResult,
    number_category,
    resource_allocate,
    resource_confirm,
    resource_load_ipv4,
    resource_load_number_range,
    resource_load_ports,
    resource_load_sim_file,
    resource_load_vlans,
    resource_pool_create,
    resource_pool_update,
    resource_queryset,
    resource_release,
    resource_reserve,
    resource_search_free,
    resources_demo_seed,
    resources_expire_reservations,
    resources_release_held_by,
    resources_release_quarantine,
)
from .service_orders import (  # noqa: F401
    ServiceItemInput,
    service_order_cancel,
    service_order_issue,
    service_order_items_cancel_for,
    service_order_run,
    service_orders_cancel_for,
    service_orders_close,
    service_serial_for,
    services_link_product,
    work_order_complete,
    work_order_execute,
    work_order_give_up,
    work_order_report,
    work_order_retry,
)
from .specification import (  # noqa: F401
    SERVICE_SPECIFICATION_FIELDS,
    STEP_FIELDS,
    service_specification_change_status,
    service_specification_create,
    service_specification_update,
)
