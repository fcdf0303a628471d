"""External credit bureau: the adapter interface the credit service talks to, and a simulated
bureau configured by BureauSimulationRule rows.

A real adapter is a class with a ``name`` and an ``assess(request) -> BureauResponse`` method
that translates its transport's failures into BureauTimeout / BureauUnavailable (anything else
is a bug and propagates). Select it with the BSS_CREDIT_BUREAU setting (a dotted path).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_BUREAU = "orders.credit.bureau.SimulatedBureau"

APPROVE, DECLINE, REFER = "approve", "decline", "refer"
OUTCOMES = (APPROVE, DECLINE, REFER)


@dataclass(frozen=True)
class BureauRequest:
    """What we tell the bureau about the applicant and the exposure we are asked to take on."""

    customer_number: str
    customer_name: str
    customer_type: str  # "individual" | "organization" | ""
    credit_class: str
    amount: Decimal
    currency: str
    reference: str = ""  # our correlation reference (e.g. the order number)


@dataclass(frozen=True)
class BureauResponse:
    outcome: str  # one of OUTCOMES
    score: int | None = None
    reason: str = ""
    reference: str = ""  # the bureau's own reference for this enquiry
    terms: dict = field(default_factory=dict)  # e.g. {"credit_limit": "300.00"}

    def __post_init__(self):
        if self.outcome not in OUTCOMES:
            raise ValueError(f"bureau outcome must be one of {OUTCOMES}, not {self.outcome!r}")


class BureauError(Exception):
    """The bureau gave no answer; the credit check goes to manual review."""


class BureauTimeout(BureauError):
    """The bureau did not answer in time."""


class BureauUnavailable(BureauError):
    """The bureau could not be reached or answered with an error."""


@runtime_checkable
class CreditBureau(Protocol):
    name: str

    def assess(self, request: BureauRequest) -> BureauResponse: ...


class SimulatedBureau:
    """Answers from the active BureauSimulationRule rows: the first rule (by priority, then id)
    whose every given criterion matches decides. Criteria left empty match anything:

    - ``credit_classes``: the customer's credit class is in the list;
    - ``name_contains``: the customer's name contains the text (case-insensitive);
    - ``min_amount``: the amount is at least this much.

    Outcome ``timeout`` raises BureauTimeout. Without a matching rule: approve, score 650.
    """

    name = "simulated"
    default_score = 650

    def assess(self, request: BureauRequest) -> BureauResponse:
        from orders.models import BureauSimulationRule

        reference = f"SIM-{uuid.uuid4().hex[:12].upper()}"
        for rule in BureauSimulationRule.objects.filter(is_active=True).order_by("priority", "id"):
            if not self.matches(rule, request):
                continue
            if rule.outcome == BureauSimulationRule.Outcome.TIMEOUT:
                raise BureauTimeout(f"simulated timeout (rule '{rule.name}')")
            return BureauResponse(outcome=rule.outcome, score=rule.score, reference=reference,
                                  reason=f"simulated bureau rule '{rule.name}'")
        return BureauResponse(outcome=APPROVE, score=self.default_score, reference=reference,
                              reason="simulated bureau: no rule matched")

    @staticmethod
    def matches(rule, request: BureauRequest) -> bool:
        if rule.credit_classes and request.credit_class not in rule.credit_classes:
            return False
        if rule.name_contains and rule.name_contains.casefold() not in request.customer_name.casefold():
            return False
        if rule.min_amount is not None and request.amount < rule.min_amount:
            return False
        return True


def get_bureau() -> CreditBureau:
    """A new instance of the adapter named by settings.BSS_CREDIT_BUREAU (read on every call,
    so tests and operators can switch it without a restart of the code path)."""
    path = getattr(settings, "BSS_CREDIT_BUREAU", "") or DEFAULT_BUREAU
    bureau = import_string(path)()
    if not isinstance(bureau, CreditBureau):
        raise TypeError(f"{path} is not a credit bureau adapter (needs 'name' and 'assess(request)')")
    return bureau
