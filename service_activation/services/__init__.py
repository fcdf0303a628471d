"""Service activation use cases, one module per aggregate; the names are re-exported here."""

from .specification import (  # noqa: F401
    SERVICE_SPECIFICATION_FIELDS,
    service_specification_change_status,
    service_specification_create,
    service_specification_update,
)
