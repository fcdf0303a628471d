"""Customer inventory use cases. Every write in every front door (portal, self-service, native
API, TMF API, admin, tasks) goes through these functions; each is one transaction, records
history and publishes its event. One module per aggregate; the names are re-exported here."""

from .account import (  # noqa: F401
    BILL_CYCLE_FIELDS,
    BILLING_ACCOUNT_FIELDS,
    bill_cycle_create,
    bill_cycle_update,
    billing_account_check,
    billing_account_create,
    billing_account_transition,
    billing_account_update,
)
from .address import (  # noqa: F401
    ADDRESS_FIELDS,
    ADDRESS_REQUIRED,
    address_create,
    address_update,
)
from .contact import (  # noqa: F401
    CONTACT_FIELDS,
    MEDIUM_MAX_LENGTH,
    REACHABLE,
    contact_create,
    contact_make_primary,
    contact_update,
    customer_contact_media_set,
)
from .customer import (  # noqa: F401
    CUSTOMER_FIELDS,
    CUSTOMER_TRANSITIONS,
    customer_change_status,
    customer_create,
    customer_note_add,
    customer_status_consequences,
    customer_update,
    self_service_grant,
)
from .onboarding import (  # noqa: F401
    customer_onboard,
    customer_register,
    customer_revise,
)
from .party import (  # noqa: F401
    PARTY_FIELDS,
    party_change_status,
    party_create,
    party_update,
)
from .product import (  # noqa: F401
    PRODUCT_FIELDS,
    product_create,
    product_transition,
    product_update,
)
