"""Service Configuration & Activation (eTOM 1.1.2.2) models, one module per aggregate."""

from .specification import ServiceSpecification  # noqa: F401
from .resource import Resource, ResourceKind, ResourcePool  # noqa: F401
