"""Service activation admin, one module per concept."""

from .resource import ResourceAdmin, ResourcePoolAdmin  # noqa: F401
from .specification import ServiceSpecificationAdmin  # noqa: F401
