"""Authorize credit (eTOM 1.1.1.5.2): assess an order's exposure against the credit policy and
the credit bureau, and the manual review of what could not be decided automatically.

Callers: the order flow (before it commits an order), the staff credit screen, the native API
(/api/v1/credit-checks/) and admin. Call credit_check_request() outside any transaction: the
bureau is asked before the check is written, so no database transaction is held open while the
bureau answers (it may take seconds, or time out).

Decision rules
--------------
Exposure: every one-time price plus the first period of every recurring price of the order
(order_credit_amount); usage is unknown in advance and left out.

Internal checks of the active CreditPolicy (built-in defaults when none is active: limit check
on, bureau from 0, no credit-class lists, no deposit):

1. Credit class: in ``decline_credit_classes`` -> declined; in ``refer_credit_classes`` -> referred.
2. Credit limit (``check_credit_limit``), against the billing account given with the check:
   amount > credit limit -> referred, with terms ``deposit = amount - limit`` and
   ``credit_limit = limit``. A limit of 0 means "no limit set on the account" and is not checked;
   without a billing account the check is skipped. The finding says which.
3. Outstanding balance and payment history: asked from billing through
   orders.credit.account_standing(); until billing registers a provider the finding records that
   it was not checked. With a provider: outstanding balance above ``max_outstanding_balance``
   -> referred; any overdue invoice -> referred.

Bureau (``use_bureau`` and amount >= ``bureau_min_amount``, and only if no internal check already
declines): approve -> passes (its score is kept), refer -> referred, decline -> declined; a
timeout -> referred with reason "bureau timeout", unreachable -> referred with "bureau unavailable".

The decision is the most severe finding: declined > referred > approved. Approved and declined
checks are ``decided``; referred ones wait in the manual review queue (``pending_review``) until a
Supervisor (orders.review_creditcheck) approves or declines them with a reason. A referred check
proposes a deposit: the larger of the limit shortfall and ``deposit_percent_when_referred`` of the
amount (referral_deposit). A declined check carries no terms.

Money: the decision computes with bss.money.Money only: the order amount (a Money, or a Decimal in
the check's currency), the account's credit limit (BillingAccount.credit_limit_money), the policy
amounts (CreditPolicy.bureau_min / max_outstanding, read in the check's currency: a policy has no
currency of its own and there is no currency conversion) and billing's outstanding balance. A check
in another currency than its billing account is refused (400); inside the rules two currencies
never meet as bare numbers (Money raises CurrencyMismatch). Money terms are strings rounded once,
by Money.rounded (half up, at the currency's minor unit).

Manual review runs on bss.approvals: a referred check opens an ApprovalRequest of type
``orders.credit_referral`` (the check is its subject, with the check's amount and reason) in the
check's own transaction. credit_check_review() approves or rejects that request; the decision
handler registered for the type (credit_referral_decided) then finalises the check in the same
transaction. So the approvals rules apply to credit reviews too: the decider holds an approver role
of the type's policy (default Supervisor or Admin), never approves a check they requested
themselves (422), and, once an ApprovalPolicy for the type sets ``amount_applies``, stays within
their per-currency limits; above them the referral is escalated (the check stays pending review,
now for the escalation role) or refused.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import CharField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast

from bss.actors import Actor, Channel
from bss.approvals.models import ApprovalRequest
from bss.approvals.selectors import approval_request_for_subject
from bss.approvals.services import (
    approval_approve,
    approval_policy_for,
    approval_reject,
    approval_request_create,
)
from bss.audit.services import UNSET, history_record, history_record_created
from bss.errors import ApplicationError, DomainValidationError
from bss.fsm import fsm_transition
from bss.money import CURRENCIES, Money, q
from bss.roles import is_staff_user
from customers.selectors import BillingAccount, Customer, billing_account_visible, customer_visible

from ..credit import (
    BureauRequest,
    BureauResponse,
    BureauTimeout,
    BureauUnavailable,
    account_standing,
    get_bureau,
)
from ..credit.bureau import APPROVE, DECLINE, REFER
from ..models import CreditCheck, CreditPolicy

log = logging.getLogger(__name__)

REVIEW_PERMISSION = "orders.review_creditcheck"
CREDIT_REFERRAL = "orders.credit_referral"  # the approval type of a referred check
MAX_AMOUNT = Decimal("1000000000000")  # what a money column (14 digits, 2 decimals) holds

# Finding results, least to most severe.
PASS, SKIPPED, REFERRED, DECLINED = "pass", "skipped", "refer", "decline"
SEVERITY = {PASS: 0, SKIPPED: 0, REFERRED: 1, DECLINED: 2}
DECISION_OF = {0: CreditCheck.Decision.APPROVED, 1: CreditCheck.Decision.REFERRED, 2: CreditCheck.Decision.DECLINED}
BUREAU_RESULT = {APPROVE: PASS, REFER: REFERRED, DECLINE: DECLINED}


class CreditReviewForbidden(ApplicationError):
    """The user's role may not review credit checks: HTTP 403."""

    status_code = 403
    default_code = "forbidden"


def _finding(check: str, result: str, detail: str) -> dict:
    return {"check": check, "result": result, "detail": detail}


def _money(value: Money | Decimal) -> str:
    """A money term or detail: 2 decimals for a bare Decimal, the currency's minor unit for a Money
    (rounded once, by Money.rounded)."""
    return str(value.rounded().amount) if isinstance(value, Money) else str(q(value))


def referral_deposit(*, amount: Money, percent: Decimal, shortfall: Money | None = None) -> Money:
    """The deposit a referred check proposes: the larger of the credit limit ``shortfall`` and
    ``percent`` of the ``amount``, rounded once to the currency's minor unit (Money.rounded: half
    up). Amounts in different currencies are refused (CurrencyMismatch), never compared as numbers."""
    share = amount * (Decimal(percent) / 100)
    return (share if shortfall is None else max(shortfall, share)).rounded()


# --- Exposure ----------------------------------------------------------------------------------

def order_credit_amount(prices: Iterable) -> Decimal:
    """The exposure a credit check assesses: one-time prices plus the first period of recurring
    prices; usage prices are left out. ``prices`` holds ProductOfferingPrice-like objects
    (``price_type``, ``amount``, ``currency``) or ``(price, quantity)`` pairs. All prices must be
    in one currency. Rounded once, half up, to cents."""
    total, currencies = Decimal("0"), set()
    for item in prices:
        price, quantity = item if isinstance(item, tuple) else (item, 1)
        if price.price_type not in ("one_time", "recurring"):
            continue
        currencies.add(price.currency)
        total += Decimal(price.amount) * quantity
    if len(currencies) > 1:
        raise DomainValidationError({"prices": f"Prices in several currencies ({', '.join(sorted(currencies))})."})
    return q(total)


# --- Policy ------------------------------------------------------------------------------------

def active_credit_policy() -> CreditPolicy:
    """The active policy, or an unsaved one with the built-in defaults when none is active."""
    policy = CreditPolicy.objects.filter(is_active=True).first()
    return policy or CreditPolicy(name="Built-in defaults (no active policy)", is_active=False)


@transaction.atomic
def credit_policy_activate(*, policy_id: int, actor: Actor) -> CreditPolicy:
    """Make one policy the active one (the others are deactivated), with history."""
    target = CreditPolicy.objects.select_for_update().get(pk=policy_id)
    for policy in CreditPolicy.objects.select_for_update().filter(is_active=True).exclude(pk=policy_id):
        policy.is_active = False
        policy.save(update_fields=["is_active"])
        history_record(obj=policy, action="orders.credit_policy.deactivated", actor=actor,
                       changes={"is_active": [True, False]})
    if not target.is_active:
        target.is_active = True
        target.save(update_fields=["is_active"])
        history_record(obj=target, action="orders.credit_policy.activated", actor=actor,
                       changes={"is_active": [False, True]})
    return target


# --- Internal checks ---------------------------------------------------------------------------

def _check_credit_class(policy: CreditPolicy, customer: Customer) -> dict:
    cls = customer.credit_class
    if cls in (policy.decline_credit_classes or []):
        return _finding("credit_class", DECLINED, f"credit class {cls} is declined by policy")
    if cls in (policy.refer_credit_classes or []):
        return _finding("credit_class", REFERRED, f"credit class {cls} is referred for manual review by policy")
    return _finding("credit_class", PASS, f"credit class {cls} is acceptable")


def _check_credit_limit(policy: CreditPolicy, account: BillingAccount | None, amount: Money,
                        terms: dict) -> dict:
    """The order amount against the account's credit limit, both Money: a limit in another currency
    than the amount is refused (CurrencyMismatch), never compared as a bare number."""
    if not policy.check_credit_limit:
        return _finding("credit_limit", SKIPPED, "the policy does not check credit limits")
    if account is None:
        return _finding("credit_limit", SKIPPED, "no billing account given: credit limit not checked")
    limit = account.credit_limit_money
    if not limit:
        return _finding("credit_limit", SKIPPED, f"account {account.account_number} has no credit limit set")
    if amount > limit:
        terms["deposit"] = amount - limit
        terms["credit_limit"] = limit
        return _finding("credit_limit", REFERRED,
                        f"amount {_money(amount)} exceeds the credit limit {_money(limit)} of account "
                        f"{account.account_number} by {_money(amount - limit)}")
    return _finding("credit_limit", PASS, f"amount {_money(amount)} is within the credit limit {_money(limit)}")


def _check_standing(policy: CreditPolicy, customer: Customer, account: BillingAccount | None,
                    currency: str) -> list[dict]:
    standing = account_standing(customer=customer, billing_account=account)
    if standing is None:
        return [_finding("outstanding_balance", SKIPPED,
                         "billing not available yet: outstanding balance and payment history not checked")]
    found = []
    limit, balance = policy.max_outstanding(currency), standing.outstanding
    if limit is None:
        found.append(_finding("outstanding_balance", SKIPPED, "the policy sets no maximum outstanding balance"))
    elif balance.currency != limit.currency:  # no conversion: say so instead of comparing numbers
        found.append(_finding("outstanding_balance", SKIPPED,
                              f"outstanding balance is in {balance.currency}, not {currency}: not compared"))
    elif balance > limit:
        found.append(_finding("outstanding_balance", REFERRED,
                              f"outstanding balance {_money(balance)} is above the "
                              f"policy maximum {_money(limit)}"))
    else:
        found.append(_finding("outstanding_balance", PASS,
                              f"outstanding balance {_money(balance)} is acceptable"))
    if standing.overdue_invoices:
        found.append(_finding("payment_history", REFERRED, f"{standing.overdue_invoices} overdue invoice(s)"))
    else:
        found.append(_finding("payment_history", PASS, "no overdue invoices"))
    return found


# --- Bureau ------------------------------------------------------------------------------------

def _ask_bureau(customer: Customer, amount: Money, reference: str):
    """(finding, response or None, bureau name). Called with no transaction open."""
    bureau = get_bureau()
    request = BureauRequest(
        customer_number=customer.customer_number, customer_name=customer.name,
        customer_type=customer.customer_type or "", credit_class=customer.credit_class, amount=amount.amount,
        currency=amount.currency, reference=reference,
    )
    try:
        response: BureauResponse = bureau.assess(request)
    except (BureauTimeout, TimeoutError) as e:
        log.warning("credit bureau %s timed out for %s: %s", bureau.name, customer.customer_number, e)
        return _finding("bureau", REFERRED, f"bureau timeout: {e}" if str(e) else "bureau timeout"), None, bureau.name
    except BureauUnavailable as e:
        log.warning("credit bureau %s unavailable for %s: %s", bureau.name, customer.customer_number, e)
        return (_finding("bureau", REFERRED, f"bureau unavailable: {e}" if str(e) else "bureau unavailable"),
                None, bureau.name)
    result = BUREAU_RESULT[response.outcome]
    score = f"score {response.score}" if response.score is not None else "no score"
    words = {PASS: "approves", REFERRED: "refers", DECLINED: "declines"}[result]
    detail = f"bureau {words} ({score}{'; ' + response.reason if response.reason else ''})"
    return _finding("bureau", result, detail), response, bureau.name


# --- Use cases ---------------------------------------------------------------------------------

def _validated(amount, currency: str | None, customer: Customer, account: BillingAccount | None,
               order_reference: str) -> Money:
    """The amount to assess as Money, rounded once to its currency's minor unit. A Money amount
    brings its currency (a different ``currency`` is refused); a bare amount is in ``currency``,
    by default the account's (else EUR). The account must bill in that currency."""
    errors = {}
    if isinstance(amount, Money):
        if currency is not None and currency != amount.currency:
            errors["currency"] = f"The amount is in {amount.currency}, not {currency}."
        amount, currency = amount.amount, amount.currency
    currency = currency or (account.currency if account else "EUR")  # every door defaults alike
    try:
        if isinstance(amount, float | bool):
            raise TypeError
        amount = Decimal(amount)
        if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
            raise ValueError
    except (TypeError, ValueError, InvalidOperation):
        errors["amount"] = f"The amount is a non-negative decimal amount below {MAX_AMOUNT:,}."
    if currency not in dict(CURRENCIES):
        errors.setdefault("currency", f"'{currency}' is not one of {', '.join(dict(CURRENCIES))}.")
    if account is not None:
        if account.customer_id != customer.pk:
            errors["billing_account"] = "The billing account belongs to another customer."
        elif account.currency != currency and "currency" not in errors:
            errors["currency"] = f"Account {account.account_number} bills in {account.currency}, not {currency}."
    if len(order_reference or "") > 64:
        errors["order_reference"] = "At most 64 characters."
    if errors:
        raise DomainValidationError(errors)
    return Money(amount, currency).rounded()


def credit_check_request(*, customer: Customer, amount: Money | Decimal, actor: Actor, currency: str | None = None,
                         billing_account: BillingAccount | None = None, order_reference: str = "") -> CreditCheck:
    """Assess ``amount`` (the order's one-time plus first-month recurring total, see
    order_credit_amount) for ``customer``; returns the stored CreditCheck. ``amount`` is a Money,
    or a Decimal in ``currency`` (default: the billing account's, else EUR); a currency other than
    the account's is refused. Every amount comparison of the decision is made in Money. A referred
    check is ``pending_review`` and waits for credit_check_review(). See the module docstring."""
    # the caller resolved both within what its actor may see; read them afresh (system read)
    customer = customer_visible(user=None, customer_id=customer.pk, system=True)
    account = (billing_account_visible(user=None, account_id=billing_account.pk, system=True)
               if billing_account is not None else None)
    if customer is None or (billing_account is not None and account is None):
        raise DomainValidationError({"customer" if customer is None else "billing_account": "Not found."})
    if customer.status == "closed":
        raise DomainValidationError({"customer": f"Customer {customer.customer_number} is closed: reopen it before "
                                                 "a credit check."})
    amount = _validated(amount, currency, customer, account, order_reference)
    currency = amount.currency

    policy = active_credit_policy()
    terms: dict = {}
    findings = []
    if policy.pk is None:
        findings.append(_finding("policy", SKIPPED, "no active credit policy: built-in defaults used"))
    findings.append(_check_credit_class(policy, customer))
    findings.append(_check_credit_limit(policy, account, amount, terms))
    findings += _check_standing(policy, customer, account, currency)

    response, bureau_name = None, ""
    if any(f["result"] == DECLINED for f in findings):
        findings.append(_finding("bureau", SKIPPED, "not consulted: an internal check declines"))
    elif not policy.use_bureau:
        findings.append(_finding("bureau", SKIPPED, "the policy does not consult the credit bureau"))
    elif amount < policy.bureau_min(currency):
        findings.append(_finding("bureau", SKIPPED,
                                 f"not consulted below {_money(policy.bureau_min(currency))} {currency}"))
    else:
        finding, response, bureau_name = _ask_bureau(customer, amount, order_reference)
        findings.append(finding)
        for key, value in (response.terms if response else {}).items():
            terms.setdefault(key, value)

    worst = max(SEVERITY[f["result"]] for f in findings)
    decision = DECISION_OF[worst]
    score = response.score if response else None
    if decision == CreditCheck.Decision.APPROVED:
        reason = "all credit checks passed" + (f" (bureau score {score})" if score is not None else "")
    else:
        reason = "; ".join(f["detail"] for f in findings if SEVERITY[f["result"]] == worst)
    if decision == CreditCheck.Decision.DECLINED:
        terms = {}
    elif decision == CreditCheck.Decision.REFERRED and policy.deposit_percent_when_referred:
        percent = policy.deposit_percent_when_referred
        shortfall = terms.get("deposit")  # the limit's shortfall, or a deposit the bureau asked for
        if shortfall is not None and not isinstance(shortfall, Money):
            shortfall = Money(str(shortfall), currency)
        terms.update(deposit=referral_deposit(amount=amount, percent=percent, shortfall=shortfall),
                     deposit_percent=str(percent))
    terms = {k: _money(v) if isinstance(v, Money | Decimal) else v for k, v in terms.items()}
    if "deposit" in terms or "credit_limit" in terms:
        terms.setdefault("currency", currency)

    with transaction.atomic():
        check = CreditCheck.objects.create(
            customer=customer, billing_account=account, amount=amount.amount, currency=currency,
            order_reference=order_reference or "",
            status=(CreditCheck.Status.PENDING_REVIEW if decision == CreditCheck.Decision.REFERRED
                    else CreditCheck.Status.DECIDED),
            decision=decision, score=score, reason=reason[:500], terms=terms, findings=findings,
            bureau=bureau_name, bureau_reference=response.reference[:64] if response else "",
            requested_by=actor.user if actor.user_id else None,
        )
        history_record_created(obj=check, actor=actor, action="orders.credit_check.requested", root=customer,
                               reason=check.reason)
        if check.status == CreditCheck.Status.PENDING_REVIEW:
            approval_request_create(approval_type=CREDIT_REFERRAL, subject=check, amount=check.amount,
                                    currency=check.currency, reason=check.reason, actor=actor)
    return check


def can_review(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and is_staff_user(user)
                and user.has_perm(REVIEW_PERMISSION))


@transaction.atomic
def credit_check_review(*, check_id: int, approve: bool, reason: str, actor: Actor, terms=UNSET) -> CreditCheck:
    """A Supervisor's decision on a referred check: approve (its proposed terms stand) or decline,
    through the check's approval request (see the module docstring). 403 without
    orders.review_creditcheck or an approver role, 400 without a reason, 409 if it is not pending
    review, 422 for the requester's own check or above the approver's limit. An approval above the
    limit with an escalation role returns the check still pending review (its request escalated).

    ``terms`` (approve only): the reviewer's amended terms, e.g. ``{"deposit": "0"}`` (a deposit of 0 waives it)
    or ``{"credit_limit": "500.00"}``; keys not given keep the proposed value. They are validated before
    anything changes and stored only when the approval is final, with history ``{terms: [old, new]}``."""
    if not actor.user_id or not can_review(actor.user):
        raise CreditReviewForbidden("Your role may not approve or decline credit checks.")
    reason = (reason or "").strip()
    if not reason:
        raise DomainValidationError({"reason": "Give the reason for the decision."})
    check = CreditCheck.objects.get(pk=check_id)  # locked by the decision handler, after the request
    transition = "approve" if approve else "decline"
    if check.status != CreditCheck.Status.PENDING_REVIEW:
        raise ApplicationError(f"Cannot {transition} credit check in state '{check.status}'",
                               extra={"state": check.status, "transition": transition})
    request = approval_request_for_subject(check, CREDIT_REFERRAL, open_only=True)
    if request is None:  # a check referred before reviews ran on approvals
        requester = Actor(user=check.requested_by, channel=Channel.SYSTEM, label="credit referral")
        request = approval_request_create(approval_type=CREDIT_REFERRAL, subject=check, amount=check.amount,
                                          currency=check.currency, reason=check.reason, actor=requester)
    amended = None
    if terms is not UNSET and terms is not None:
        if not approve:
            raise DomainValidationError({"terms": "Terms are amended when approving; a declined check has none."})
        amended = _reviewed_terms(check, terms)
    decide = approval_approve if approve else approval_reject
    with transaction.atomic():
        decide(request_id=request.pk, reason=reason, actor=actor)
        check = _with_approval(CreditCheck.objects.all()).get(pk=check.pk)
        if amended is not None and amended != check.terms and check.status == CreditCheck.Status.APPROVED:
            old_terms = check.terms
            CreditCheck.objects.filter(pk=check.pk).update(terms=amended)
            history_record(obj=check, action="orders.credit_check.terms_amended", actor=actor, root=check.customer,
                           reason=reason, changes={"terms": [old_terms, amended]})
            check = _with_approval(CreditCheck.objects.all()).get(pk=check.pk)
    return check


REVIEW_TERMS = {"deposit": "Deposit", "credit_limit": "Credit limit"}


def _reviewed_terms(check: CreditCheck, terms: dict) -> dict:
    """The check's terms with the reviewer's amendments, validated (money as 2-decimal strings, never float)."""
    if not isinstance(terms, dict):
        raise DomainValidationError({"terms": "Give the terms as an object, e.g. {\"deposit\": \"0.00\"}."})
    errors, new = {}, dict(check.terms)
    for key, value in terms.items():
        if key not in REVIEW_TERMS:
            errors[f"terms.{key}"] = "Only the deposit and the credit limit can be amended."
            continue
        if value is None or str(value).strip() == "":
            continue  # not amended
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount < 0:
            errors[f"terms.{key}"] = f"{REVIEW_TERMS[key]}: give an amount of 0 or more, e.g. 50.00."
            continue
        if key == "deposit" and amount == 0:
            new.pop("deposit", None)
            new.pop("deposit_percent", None)
        else:
            new[key] = _money(amount)
    if errors:
        raise DomainValidationError(errors)
    if "deposit" in new or "credit_limit" in new:
        new.setdefault("currency", check.currency)
    else:
        new.pop("currency", None)
    return new


def credit_referral_decided(request: ApprovalRequest, *, actor: Actor) -> None:
    """Decision handler of ``orders.credit_referral`` (registered in OrdersConfig.ready): runs in the
    approval's transaction and finalises the check."""
    check = CreditCheck.objects.select_for_update().select_related("customer").get(pk=int(request.subject_id))
    State = ApprovalRequest.State
    if request.state == State.ESCALATED:
        history_record(obj=check, action="orders.credit_check.escalated", actor=actor, root=check.customer,
                       reason=f"review escalated to {request.escalated_to_role}",
                       changes={"approval_request": [None, request.pk]})
        return
    if request.state == State.CANCELLED:
        raise ApplicationError("A credit referral is approved or declined, not cancelled.")
    transition = "approve" if request.state == State.APPROVED else "decline"
    check.reviewed_by = request.decided_by
    check.review_reason = request.decision_reason
    check.reviewed_at = request.decided_at
    fsm_transition(check, transition, actor=actor, reason=request.decision_reason,
                   action=f"orders.credit_check.{transition}d", root=check.customer)
    from .ordering import customer_orders_credit_decided  # the orders the referral held move on

    customer_orders_credit_decided(check_id=check.pk, actor=actor)


# --- Selectors ---------------------------------------------------------------------------------

def _with_approval(qs: QuerySet[CreditCheck]) -> QuerySet[CreditCheck]:
    """Annotate each check with its latest referral approval request: ``approval_request_id``,
    ``approval_state``, ``approval_escalated_to``, ``approval_requested_by_id``."""
    latest = ApprovalRequest.objects.filter(
        approval_type=CREDIT_REFERRAL, subject_id=Cast(OuterRef("pk"), CharField()),
        # by natural key, so building the queryset needs no query (e.g. for the OpenAPI schema)
        subject_type__app_label=CreditCheck._meta.app_label, subject_type__model=CreditCheck._meta.model_name,
    ).order_by("-created_at", "-id")
    return qs.annotate(
        approval_request_id=Subquery(latest.values("pk")[:1]), approval_state=Subquery(latest.values("state")[:1]),
        approval_escalated_to=Subquery(latest.values("escalated_to_role")[:1]),
        approval_requested_by_id=Subquery(latest.values("requested_by")[:1]))


def credit_check_queryset(user) -> QuerySet[CreditCheck]:
    """Credit checks a user may see. They are internal risk data: staff see them, a self-service
    login never does (not even its own customer's)."""
    qs = _with_approval(CreditCheck.objects.select_related("customer", "billing_account", "requested_by",
                                                           "reviewed_by"))
    return qs if is_staff_user(user) else qs.none()


def credit_review_queue(user=None) -> QuerySet[CreditCheck]:
    """Checks waiting for manual review, oldest first, each with its approval request annotated."""
    qs = credit_check_queryset(user) if user is not None else _with_approval(CreditCheck.objects.select_related(
        "customer", "billing_account", "requested_by", "reviewed_by"))
    return qs.filter(status=CreditCheck.Status.PENDING_REVIEW).order_by("created_at", "id")


def credit_checks_reviewable(user, checks) -> set[int]:
    """Which of ``checks`` (annotated by credit_check_queryset) ``user`` may decide now: the review
    permission, the approval role for the request's stage, and not their own request."""
    if not can_review(user):
        return set()
    policy = approval_policy_for(CREDIT_REFERRAL)
    held = set(user.groups.values_list("name", flat=True))
    allowed = set()
    for check in checks:
        if check.status != CreditCheck.Status.PENDING_REVIEW:
            continue
        escalated = getattr(check, "approval_state", None) == ApprovalRequest.State.ESCALATED
        roles = {check.approval_escalated_to} if escalated else set(policy.approver_roles or ())
        requester = getattr(check, "approval_requested_by_id", None) or check.requested_by_id
        if (user.is_superuser or held & roles) and requester != user.pk:
            allowed.add(check.pk)
    return allowed
