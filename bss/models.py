"""Shared platform models. Sub-packages keep their own models modules; all belong to app 'bss'."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from bss.audit.models import HistoryEntry  # noqa: F401
from bss.events.models import DeliveryAttempt, Event, EventDelivery, HubSubscription  # noqa: F401
from bss.money import currency_field, money_field


class User(AbstractUser):
    """Staff, integrators and self-service customers. Roles are Django groups (bss.roles)."""

    approval_limit = money_field(
        default=0, help_text="Largest adjustment this user may approve without escalation (bill inquiry)."
    )
    approval_currency = currency_field()
    preferred_language = models.CharField(max_length=10, default="en")

    def has_role(self, *roles: str) -> bool:
        return self.groups.filter(name__in=roles).exists()

    @property
    def role_names(self) -> list[str]:
        return list(self.groups.values_list("name", flat=True))


class NumberSequence(models.Model):
    series = models.CharField(max_length=30, unique=True)
    prefix = models.CharField(max_length=10)
    width = models.PositiveSmallIntegerField(default=8)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.series}: {self.prefix}{self.last_value:0{self.width}d}"
