from .catalog import (  # noqa: F401
    Catalog,
    Category,
    PriceAlteration,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
    SpecCharacteristic,
)
from .credit import BureauSimulationRule, CreditCheck, CreditPolicy  # noqa: F401
from .feasibility import CoverageArea, FeasibilityRule, OfferingQualification  # noqa: F401
from .ordering import (  # noqa: F401
    CancelProductOrder,
    ConfigurationDefect,
    CustomerOrder,
    MilestoneStatus,
    OrderAttachment,
    OrderItem,
    OrderItemPrice,
    OrderNote,
    OrderTask,
    OrderType,
    OrderTypeStep,
)
