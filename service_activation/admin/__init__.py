"""Service activation admin, one module per concept."""

from .specification import ServiceSpecificationAdmin  # noqa: F401
