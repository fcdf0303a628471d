"""Fixtures shared by the orders tests."""

from tests.orders.feasibility_fixtures import feasibility_catalog  # noqa: F401
