"""Order handling admin, one module per concept; importing them registers the ModelAdmins."""

from .catalog import (  # noqa: F401
    CatalogAdmin,
    CategoryAdmin,
    ProductOfferingAdmin,
    ProductOfferingPriceAdmin,
    ProductSpecificationAdmin,
)
from .credit import BureauSimulationRuleAdmin, CreditCheckAdmin, CreditPolicyAdmin  # noqa: F401
from .feasibility import CoverageAreaAdmin, FeasibilityRuleAdmin, OfferingQualificationAdmin  # noqa: F401
from .notifications import OrderNotificationListAdmin  # noqa: F401
from .ordering import (  # noqa: F401
    CancelProductOrderAdmin,
    ConfigurationDefectAdmin,
    CustomerOrderAdmin,
    MilestoneStatusAdmin,
    OrderTypeAdmin,
)
