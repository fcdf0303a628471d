"""Service Configuration & Activation (eTOM 1.1.2.2) models, one module per aggregate."""

from .appointment import Appointment, AppointmentSlot  # noqa: F401
from .assignment import WorkOrderAssignment, WorkOrderAssignmentRule  # noqa: F401
from .cancellation import CancelServiceOrder  # noqa: F401
from .design import ServiceDesign  # noqa: F401
from .outage import PlannedOutage  # noqa: F401
from .recovery import RecoveryPlan, ServiceRecovery  # noqa: F401
from .resource import Resource, ResourceKind, ResourcePool  # noqa: F401
from .service_order import (  # noqa: F401
    NetworkConfiguration,
    Service,
    ServiceOrder,
    ServiceOrderItem,
    TestRun,
    WorkOrder,
)
from .specification import (
    ActivationStep,  # noqa: F401
    ServiceSpecification,  # noqa: F401
)
