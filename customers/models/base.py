"""The queryset every customer-owned model uses (scoping)."""


from django.db import models


class ScopedQuerySet(models.QuerySet):
    """Every customer-owned model names the path from itself to its Customer (``CUSTOMER_PATH``);
    customers.scoping uses it to restrict what a self-service user can reach."""
