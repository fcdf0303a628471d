"""Customer inventory admin. Every add and change of a party, customer, contact (with its contact
media), address, billing account and self-service access goes through customers.services: the
same rules, history (channel 'admin') and events as every other front door; the services'
refusals show as form errors.
"""

from .account import (  # noqa: F401
    BillCycleAdmin,
    BillingAccountAdmin,
)
from .address import (  # noqa: F401
    AddressAdmin,
)
from .contact import (  # noqa: F401
    CONTACT_FIELDS,
    ContactAdmin,
    ContactMediumInline,
)
from .customer import (  # noqa: F401
    BillingAccountInline,
    ContactInline,
    CustomerAdmin,
    CustomerNoteAdmin,
    SelfServiceAccessAdmin,
)
from .party import (  # noqa: F401
    PartyAdmin,
)
from .product import (  # noqa: F401
    ProductAdmin,
)
