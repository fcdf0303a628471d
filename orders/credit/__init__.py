"""Authorize credit (eTOM 1.1.1.5.2): the outside sources the credit service consults.

- ``bureau``: the external credit bureau adapter (selected by settings.BSS_CREDIT_BUREAU).
- account standing: outstanding balance and payment history come from billing, which sits
  above orders in the dependency direction, so billing registers a provider here (from its
  AppConfig.ready) instead of orders importing billing. Until one is registered the credit
  service records that the check could not be made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from bss.money import Money

from .bureau import (  # noqa: F401
    BureauError,
    BureauRequest,
    BureauResponse,
    BureauTimeout,
    BureauUnavailable,
    CreditBureau,
    SimulatedBureau,
    get_bureau,
)


@dataclass(frozen=True)
class AccountStanding:
    """What billing knows about how a customer pays."""

    outstanding_balance: Decimal
    currency: str
    overdue_invoices: int = 0

    @property
    def outstanding(self) -> Money:
        return Money(self.outstanding_balance, self.currency)


StandingProvider = Callable[..., "AccountStanding | None"]
_standing_providers: list[StandingProvider] = []


def register_standing_provider(provider: StandingProvider) -> StandingProvider:
    """Register ``provider(*, customer, billing_account) -> AccountStanding | None``.
    Registering the same function twice is harmless. Usable as a decorator."""
    if provider not in _standing_providers:
        _standing_providers.append(provider)
    return provider


def unregister_standing_provider(provider: StandingProvider) -> None:
    if provider in _standing_providers:
        _standing_providers.remove(provider)


def account_standing(*, customer, billing_account) -> AccountStanding | None:
    """The first registered provider's answer, or None when nobody (billing) can tell yet."""
    for provider in _standing_providers:
        standing = provider(customer=customer, billing_account=billing_account)
        if standing is not None:
            return standing
    return None
