"""Customer inventory (eTOM 1.1.1.x): parties, customers, contacts, addresses, billing accounts,
and the customer's product inventory. Nothing here is hard-deleted; closing is a status."""

from .account import (  # noqa: F401
    BillCycle,
    BillingAccount,
)
from .address import (  # noqa: F401
    Address,
)
from .base import (  # noqa: F401
    ScopedQuerySet,
)
from .contact import (  # noqa: F401
    Contact,
    ContactMedium,
    normalize_phone,
    phone_match_key,
)
from .customer import (  # noqa: F401
    Customer,
    CustomerNote,
    SelfServiceAccess,
)
from .party import (  # noqa: F401
    Party,
)
from .product import (  # noqa: F401
    Product,
)
