"""Service activation admin, one module per concept."""

from .appointment import AppointmentAdmin, AppointmentSlotAdmin  # noqa: F401
from .assignment import WorkOrderAssignmentAdmin, WorkOrderAssignmentRuleAdmin  # noqa: F401
from .cancellation import CancelServiceOrderAdmin  # noqa: F401
from .recovery import RecoveryPlanAdmin, ServiceRecoveryAdmin  # noqa: F401
from .resource import ResourceAdmin, ResourcePoolAdmin  # noqa: F401
from .service_order import (  # noqa: F401
    NetworkConfigurationAdmin,
    PlannedOutageAdmin,
    ServiceAdmin,
    ServiceOrderAdmin,
    WorkOrderAdmin,
)
from .specification import ServiceSpecificationAdmin  # noqa: F401
