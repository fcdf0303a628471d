"""Authorize credit (eTOM 1.1.1.5.2): every decision path of credit_check_request, the manual
review of referred checks, the bureau adapters and the demo configuration."""

from decimal import Decimal

import pytest
from django.db import connection

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError, DomainValidationError
from bss.money import CurrencyMismatch, Money
from bss.roles import Role
from orders import credit
from orders.credit import BureauRequest, BureauResponse, BureauTimeout, SimulatedBureau, get_bureau
from orders.demo import seed_credit
from orders.models import BureauSimulationRule, CreditCheck, CreditPolicy, ProductOfferingPrice
from orders.services.credit import (
    CreditReviewForbidden,
    active_credit_policy,
    credit_check_request,
    credit_check_review,
    credit_policy_activate,
    credit_review_queue,
    order_credit_amount,
    referral_deposit,
)
from tests.factories import (
    BillingAccountFactory,
    BureauRuleFactory,
    CreditPolicyFactory,
    CustomerFactory,
    customer_user,
    staff_user,
)
from tests.orders.bureaus import DOWN, RECORDING, RecordingBureau

pytestmark = pytest.mark.django_db

Outcome = BureauSimulationRule.Outcome
S, D = CreditCheck.Status, CreditCheck.Decision


class FixedBureau:
    """The adapter the settings test selects: a fixed answer with its own name and terms."""

    name = "fixed-test-bureau"

    def assess(self, request: BureauRequest) -> BureauResponse:
        return BureauResponse(outcome="approve", score=777, reference=f"FX-{request.customer_number}",
                              terms={"credit_limit": "400.00"})


class NotABureau:
    pass


@pytest.fixture(autouse=True)
def _reset_recording():
    RecordingBureau.calls = []


@pytest.fixture
def policy():
    return CreditPolicyFactory()


@pytest.fixture
def customer():
    return CustomerFactory(name="Mary Murphy", credit_class="B")


@pytest.fixture
def account(customer):
    return BillingAccountFactory(customer=customer, credit_limit=Decimal("500.00"), currency="EUR")


@pytest.fixture
def supervisor_actor(supervisor):
    return Actor(user=supervisor, channel=Channel.PORTAL, label=supervisor.username)


def request_check(customer, amount="100.00", *, actor, account=None, currency="EUR", **kw) -> CreditCheck:
    check = credit_check_request(customer=customer, amount=Decimal(amount), currency=currency, actor=actor,
                                 billing_account=account, **kw)
    return CreditCheck.objects.get(pk=check.pk)  # as stored


def finding(check, name) -> dict:
    return next(f for f in check.findings if f["check"] == name)


def referred_check(customer, actor) -> CreditCheck:
    BureauRuleFactory(name_contains="", outcome=Outcome.TIMEOUT)
    check = request_check(customer, actor=actor)
    assert check.status == S.PENDING_REVIEW
    return check


# --- Decisions ---------------------------------------------------------------------------------

class TestDecisions:
    def test_approved_when_every_check_passes(self, policy, customer, account, actor):
        check = request_check(customer, "120.00", account=account, actor=actor, order_reference="ORD-1")
        assert (check.decision, check.status) == (D.APPROVED, S.DECIDED)
        assert check.is_approved
        assert check.score == 650 and check.bureau == "simulated" and check.bureau_reference.startswith("SIM-")
        assert check.reason == "all credit checks passed (bureau score 650)"
        assert check.terms == {}
        assert check.amount == Decimal("120.00") and check.order_reference == "ORD-1"
        assert check.requested_by == actor.user
        assert {f["check"]: f["result"] for f in check.findings} == {
            "credit_class": "pass", "credit_limit": "pass", "outstanding_balance": "skipped", "bureau": "pass"}
        assert check not in credit_review_queue()

    def test_request_is_recorded_in_the_customer_history(self, policy, customer, actor):
        check = request_check(customer, actor=actor)
        entry = HistoryEntry.objects.for_object(check).get()
        assert entry.action == "orders.credit_check.requested"
        assert entry.reason == check.reason and entry.actor == actor.user and entry.channel == Channel.PORTAL
        assert entry.changes["decision"] == [None, "approved"]
        assert HistoryEntry.objects.for_root(customer).filter(pk=entry.pk).exists()

    def test_outstanding_balance_is_a_recorded_no_op_until_billing_exists(self, policy, customer, actor):
        check = request_check(customer, actor=actor)
        f = finding(check, "outstanding_balance")
        assert f["result"] == "skipped" and "billing not available" in f["detail"]

    def test_declined_by_credit_class_without_asking_the_bureau(self, policy, actor, settings):
        settings.BSS_CREDIT_BUREAU = RECORDING
        customer = CustomerFactory(credit_class="D")
        check = request_check(customer, actor=actor)
        assert (check.decision, check.status) == (D.DECLINED, S.DECIDED)
        assert not check.is_approved
        assert check.reason == "credit class D is declined by policy"
        assert check.bureau == "" and check.score is None and RecordingBureau.calls == []
        assert finding(check, "bureau")["result"] == "skipped"
        assert check not in credit_review_queue()

    def test_referred_by_credit_class_waits_for_review(self, policy, actor):
        customer = CustomerFactory(credit_class="C")
        check = request_check(customer, actor=actor)
        assert (check.decision, check.status) == (D.REFERRED, S.PENDING_REVIEW)
        assert check.reason == "credit class C is referred for manual review by policy"
        assert check.score == 650  # the bureau was still asked: its score helps the reviewer
        assert list(credit_review_queue()) == [check]

    def test_limit_exceeded_is_referred_with_a_deposit(self, policy, customer, account, actor):
        check = request_check(customer, "800.00", account=account, actor=actor)
        assert (check.decision, check.status) == (D.REFERRED, S.PENDING_REVIEW)
        assert check.terms == {"deposit": "300.00", "credit_limit": "500.00", "currency": "EUR"}
        assert "exceeds the credit limit 500.00" in check.reason
        assert finding(check, "credit_limit")["result"] == "refer"

    def test_amount_equal_to_the_limit_passes(self, policy, customer, account, actor):
        check = request_check(customer, "500.00", account=account, actor=actor)
        assert check.decision == D.APPROVED

    @pytest.mark.parametrize("amount, limit, expected", [
        ("100.00", None, "20.00"),      # referred by class only: 20 % of the amount
        ("800.00", "500.00", "300.00"),  # shortfall 300 > 20 % (160)
        ("1000.00", "900.00", "200.00"),  # 20 % (200) > shortfall 100
    ])
    def test_policy_deposit_percent_on_referral(self, actor, amount, limit, expected):
        CreditPolicyFactory(deposit_percent_when_referred=Decimal("20"))
        customer = CustomerFactory(credit_class="C")
        account = BillingAccountFactory(customer=customer, credit_limit=Decimal(limit)) if limit else None
        check = request_check(customer, amount, account=account, actor=actor)
        assert check.decision == D.REFERRED
        assert check.terms["deposit"] == expected and check.terms["deposit_percent"] == "20.00"

    def test_declined_check_carries_no_terms(self, actor):
        CreditPolicyFactory(deposit_percent_when_referred=Decimal("20"))
        customer = CustomerFactory(credit_class="D")
        account = BillingAccountFactory(customer=customer, credit_limit=Decimal("10"))
        check = request_check(customer, "800.00", account=account, actor=actor)
        assert check.decision == D.DECLINED and check.terms == {}
        assert finding(check, "credit_limit")["result"] == "refer"  # still recorded as found

    def test_zero_credit_limit_means_no_limit_set(self, policy, customer, actor):
        account = BillingAccountFactory(customer=customer, credit_limit=Decimal("0"))
        check = request_check(customer, "5000.00", account=account, actor=actor)
        assert check.decision == D.APPROVED
        assert finding(check, "credit_limit") == {
            "check": "credit_limit", "result": "skipped",
            "detail": f"account {account.account_number} has no credit limit set"}

    def test_without_an_account_the_limit_is_not_checked(self, policy, customer, actor):
        check = request_check(customer, "5000.00", actor=actor)
        assert check.decision == D.APPROVED and finding(check, "credit_limit")["result"] == "skipped"

    def test_policy_without_limit_check(self, customer, account, actor):
        CreditPolicyFactory(check_credit_limit=False)
        check = request_check(customer, "800.00", account=account, actor=actor)
        assert check.decision == D.APPROVED

    def test_without_an_active_policy_the_built_in_defaults_apply(self, customer, account, actor):
        CreditPolicyFactory(is_active=False, decline_credit_classes=["B"])
        assert active_credit_policy().pk is None
        check = request_check(customer, "800.00", account=account, actor=actor)
        assert check.decision == D.REFERRED  # limit still checked, the inactive policy's class list is not
        assert finding(check, "policy")["detail"] == "no active credit policy: built-in defaults used"


class TestBureau:
    @pytest.mark.parametrize("outcome, decision, status", [
        (Outcome.APPROVE, D.APPROVED, S.DECIDED),
        (Outcome.DECLINE, D.DECLINED, S.DECIDED),
        (Outcome.REFER, D.REFERRED, S.PENDING_REVIEW),
    ])
    def test_bureau_outcome_decides(self, policy, customer, actor, outcome, decision, status):
        BureauRuleFactory(name="Mary rule", name_contains="murphy", outcome=outcome, score=555)
        check = request_check(customer, actor=actor)
        assert (check.decision, check.status, check.score) == (decision, status, 555)
        assert finding(check, "bureau")["result"] == {"approve": "pass", "decline": "decline",
                                                      "refer": "refer"}[outcome]
        if decision != D.APPROVED:
            assert "simulated bureau rule 'Mary rule'" in check.reason

    def test_bureau_timeout_goes_to_manual_review(self, policy, customer, account, actor):
        BureauRuleFactory(name="Slow", name_contains="Murphy", outcome=Outcome.TIMEOUT)
        check = request_check(customer, account=account, actor=actor)
        assert (check.decision, check.status) == (D.REFERRED, S.PENDING_REVIEW)
        assert check.reason == "bureau timeout: simulated timeout (rule 'Slow')"
        assert check.score is None and check.bureau == "simulated" and check.bureau_reference == ""
        assert list(credit_review_queue()) == [check]

    def test_bureau_unavailable_goes_to_manual_review(self, policy, customer, actor, settings):
        settings.BSS_CREDIT_BUREAU = DOWN
        check = request_check(customer, actor=actor)
        assert check.status == S.PENDING_REVIEW
        assert check.reason == "bureau unavailable: connection refused" and check.bureau == "down-test"

    def test_bureau_skipped_below_the_minimum_amount(self, customer, actor, settings):
        settings.BSS_CREDIT_BUREAU = RECORDING
        CreditPolicyFactory(bureau_min_amount=Decimal("200"))
        assert request_check(customer, "199.99", actor=actor).bureau == ""
        assert request_check(customer, "200.00", actor=actor).bureau == "recording-test"
        assert len(RecordingBureau.calls) == 1

    def test_bureau_not_used_when_policy_says_so(self, customer, actor, settings):
        settings.BSS_CREDIT_BUREAU = RECORDING
        CreditPolicyFactory(use_bureau=False)
        check = request_check(customer, actor=actor)
        assert check.decision == D.APPROVED and check.score is None and RecordingBureau.calls == []

    def test_bureau_request_carries_the_applicant_and_amount(self, policy, customer, actor, settings):
        settings.BSS_CREDIT_BUREAU = RECORDING
        request_check(customer, "42.50", actor=actor, order_reference="ORD-9")
        (sent, _), = RecordingBureau.calls
        assert sent == BureauRequest(customer_number=customer.customer_number, customer_name="Mary Murphy",
                                     customer_type="individual", credit_class="B", amount=Decimal("42.50"),
                                     currency="EUR", reference="ORD-9")


@pytest.mark.django_db(transaction=True)
def test_bureau_is_asked_with_no_transaction_open(settings):
    settings.BSS_CREDIT_BUREAU = RECORDING
    CreditPolicyFactory()
    customer = CustomerFactory()
    user = staff_user(Role.CSR)
    check = credit_check_request(customer=customer, amount=Decimal("10"), currency="EUR",
                                 actor=Actor(user=user, channel=Channel.API))
    assert [in_atomic for _, in_atomic in RecordingBureau.calls] == [False]
    assert CreditCheck.objects.filter(pk=check.pk).exists() and not connection.in_atomic_block


class TestSimulatedBureau:
    def req(self, name="Mary Murphy", credit_class="B", amount="100"):
        return BureauRequest(customer_number="CU1", customer_name=name, customer_type="individual",
                             credit_class=credit_class, amount=Decimal(amount), currency="EUR")

    def test_default_is_approve_650(self):
        response = SimulatedBureau().assess(self.req())
        assert (response.outcome, response.score) == ("approve", 650)

    def test_first_matching_rule_by_priority_wins(self):
        BureauRuleFactory(priority=50, name="later", outcome=Outcome.DECLINE)
        BureauRuleFactory(priority=5, name="first", credit_classes=["B"], outcome=Outcome.REFER, score=590)
        response = SimulatedBureau().assess(self.req())
        assert (response.outcome, response.score) == ("refer", 590)
        assert SimulatedBureau().assess(self.req(credit_class="A")).outcome == "decline"

    def test_every_given_criterion_must_match(self):
        BureauRuleFactory(name="big C", credit_classes=["C"], min_amount=Decimal("2000"), outcome=Outcome.DECLINE)
        assert SimulatedBureau().assess(self.req(credit_class="C", amount="1999.99")).outcome == "approve"
        assert SimulatedBureau().assess(self.req(credit_class="B", amount="2000")).outcome == "approve"
        assert SimulatedBureau().assess(self.req(credit_class="C", amount="2000")).outcome == "decline"

    def test_name_contains_is_case_insensitive_and_inactive_rules_are_ignored(self):
        BureauRuleFactory(name="off", name_contains="murphy", outcome=Outcome.DECLINE, is_active=False)
        assert SimulatedBureau().assess(self.req()).outcome == "approve"
        BureauRuleFactory(name="on", name_contains="MURPHY", outcome=Outcome.TIMEOUT)
        with pytest.raises(BureauTimeout):
            SimulatedBureau().assess(self.req())

    def test_response_rejects_an_unknown_outcome(self):
        with pytest.raises(ValueError):
            BureauResponse(outcome="maybe")


class TestAdapterSetting:
    def test_default_adapter_is_the_simulated_bureau(self):
        assert isinstance(get_bureau(), SimulatedBureau)

    def test_adapter_is_selected_by_setting(self, policy, customer, actor, settings):
        settings.BSS_CREDIT_BUREAU = "tests.orders.services.test_credit.FixedBureau"
        assert isinstance(get_bureau(), FixedBureau)
        check = request_check(customer, actor=actor)
        assert (check.bureau, check.score, check.bureau_reference) == (
            "fixed-test-bureau", 777, f"FX-{customer.customer_number}")
        assert check.terms == {"credit_limit": "400.00", "currency": "EUR"}  # the bureau's lower limit

    def test_a_class_that_is_not_an_adapter_is_refused(self, settings):
        settings.BSS_CREDIT_BUREAU = "tests.orders.services.test_credit.NotABureau"
        with pytest.raises(TypeError):
            get_bureau()


# --- Validation --------------------------------------------------------------------------------

class TestValidation:
    def test_account_of_another_customer(self, policy, customer, actor):
        other = BillingAccountFactory()
        with pytest.raises(DomainValidationError) as e:
            request_check(customer, account=other, actor=actor)
        assert "billing_account" in e.value.field_errors
        assert not CreditCheck.objects.exists()

    def test_currency_must_be_the_accounts(self, policy, customer, account, actor):
        with pytest.raises(DomainValidationError) as e:
            request_check(customer, account=account, currency="USD", actor=actor)
        assert e.value.field_errors["currency"] == [f"Account {account.account_number} bills in EUR, not USD."]

    @pytest.mark.parametrize("amount", [Decimal("-1"), 10.5, "abc", Decimal("NaN"), None, True,
                                        Decimal("1000000000000")])
    def test_amount_is_a_non_negative_decimal(self, policy, customer, actor, amount):
        with pytest.raises(DomainValidationError) as e:
            credit_check_request(customer=customer, amount=amount, currency="EUR", actor=actor)
        assert "amount" in e.value.field_errors

    def test_unknown_currency(self, policy, customer, actor):
        with pytest.raises(DomainValidationError) as e:
            request_check(customer, currency="ZZZ", actor=actor)
        assert "currency" in e.value.field_errors


class TestMoney:
    """The decision computes with Money: amounts of two currencies are refused, never compared as
    numbers, and terms are rounded once by Money."""

    def test_an_amount_in_another_currency_than_the_account_is_refused(self, policy, customer, account, actor):
        with pytest.raises(DomainValidationError) as e:
            credit_check_request(customer=customer, amount=Money("800.00", "USD"), billing_account=account,
                                 actor=actor)
        assert e.value.field_errors == {"currency": [f"Account {account.account_number} bills in EUR, not USD."]}
        assert not CreditCheck.objects.exists()

    def test_an_amount_contradicting_the_currency_given_is_refused(self, policy, customer, actor):
        with pytest.raises(DomainValidationError) as e:
            credit_check_request(customer=customer, amount=Money("80.00", "GBP"), currency="EUR", actor=actor)
        assert e.value.field_errors == {"currency": ["The amount is in GBP, not EUR."]}

    def test_a_money_amount_is_assessed_in_its_currency(self, policy, customer, actor):
        account = BillingAccountFactory(customer=customer, credit_limit=Decimal("500.00"), currency="GBP")
        check = credit_check_request(customer=customer, amount=Money("800.004", "GBP"), billing_account=account,
                                     actor=actor)
        assert check.amount_money == Money("800.00", "GBP")
        assert check.terms == {"deposit": "300.00", "credit_limit": "500.00", "currency": "GBP"}

    def test_the_limit_rule_refuses_to_compare_two_currencies(self, policy, account):
        from orders.services.credit import _check_credit_limit

        with pytest.raises(CurrencyMismatch, match="cannot combine USD with EUR"):
            _check_credit_limit(policy, account, Money("800.00", "USD"), {})

    @pytest.mark.parametrize("amount, percent, shortfall, expected", [
        (Money("33.33", "EUR"), "12.5", None, Money("4.17", "EUR")),   # 4.16625, half up once
        (Money("0.10", "EUR"), "25", None, Money("0.03", "EUR")),      # 0.025: a tie rounds up
        (Money("1001", "JPY"), "12.5", None, Money("125", "JPY")),     # 125.125 at JPY's minor unit (1 yen)
        (Money("800.00", "EUR"), "20", Money("300.00", "EUR"), Money("300.00", "EUR")),  # shortfall larger
        (Money("1000.00", "EUR"), "20", Money("100.00", "EUR"), Money("200.00", "EUR")),  # share larger
    ])
    def test_referral_deposit_is_rounded_by_money(self, amount, percent, shortfall, expected):
        deposit = referral_deposit(amount=amount, percent=Decimal(percent), shortfall=shortfall)
        assert deposit == expected and deposit.is_rounded()

    def test_referral_deposit_refuses_a_shortfall_in_another_currency(self):
        with pytest.raises(CurrencyMismatch):
            referral_deposit(amount=Money("800.00", "USD"), percent=Decimal("20"), shortfall=Money("300", "EUR"))

    def test_policy_amounts_are_read_in_the_checks_currency(self):
        policy = CreditPolicyFactory(bureau_min_amount=Decimal("200"), max_outstanding_balance=Decimal("50"))
        assert (policy.bureau_min("GBP"), policy.max_outstanding("GBP")) == (Money("200", "GBP"), Money("50", "GBP"))
        assert CreditPolicyFactory(is_active=False, max_outstanding_balance=None).max_outstanding("GBP") is None


class TestOrderCreditAmount:
    def price(self, price_type, amount, currency="EUR"):
        return ProductOfferingPrice(price_type=price_type, amount=Decimal(amount), currency=currency)

    def test_one_time_plus_first_recurring_period_without_usage(self):
        prices = [self.price("one_time", "49.99"), self.price("recurring", "30.005"), self.price("usage", "0.10"),
                  (self.price("recurring", "5.00"), 2)]
        assert order_credit_amount(prices) == Decimal("90.00")  # 49.99 + 30.005 + 10.00, rounded half up once

    def test_mixed_currencies_are_refused(self):
        with pytest.raises(DomainValidationError):
            order_credit_amount([self.price("one_time", "1"), self.price("recurring", "1", "USD")])


class TestAccountStanding:
    @pytest.fixture
    def provider(self):
        answers = {}

        def standing(*, customer, billing_account):
            return answers.get(customer.pk)

        credit.register_standing_provider(standing)
        yield answers
        credit.unregister_standing_provider(standing)

    def test_outstanding_balance_above_the_maximum_is_referred(self, customer, actor, provider):
        CreditPolicyFactory(max_outstanding_balance=Decimal("100"))
        provider[customer.pk] = credit.AccountStanding(outstanding_balance=Decimal("100.01"), currency="EUR")
        check = request_check(customer, actor=actor)
        assert check.status == S.PENDING_REVIEW and "outstanding balance 100.01" in check.reason
        provider[customer.pk] = credit.AccountStanding(outstanding_balance=Decimal("100.00"), currency="EUR")
        assert request_check(customer, actor=actor).decision == D.APPROVED

    def test_overdue_invoices_are_referred(self, policy, customer, actor, provider):
        provider[customer.pk] = credit.AccountStanding(outstanding_balance=Decimal("0"), currency="EUR",
                                                       overdue_invoices=2)
        check = request_check(customer, actor=actor)
        assert check.decision == D.REFERRED and check.reason == "2 overdue invoice(s)"


# --- Manual review -----------------------------------------------------------------------------

class TestReview:
    def test_supervisor_approves_with_a_reason(self, policy, customer, actor, supervisor, supervisor_actor):
        check = referred_check(customer, actor)
        credit_check_review(check_id=check.pk, approve=True, reason="  Known customer, deposit taken ",
                            actor=supervisor_actor)
        check = CreditCheck.objects.get(pk=check.pk)
        assert check.status == S.APPROVED and check.is_approved
        assert check.decision == D.REFERRED  # the automatic outcome stays on record
        assert (check.reviewed_by, check.review_reason) == (supervisor, "Known customer, deposit taken")
        assert check.reviewed_at is not None
        entry = HistoryEntry.objects.for_object(check).get(action="orders.credit_check.approved")
        assert (entry.from_state, entry.to_state, entry.reason, entry.actor) == (
            "pending_review", "approved", "Known customer, deposit taken", supervisor)
        assert list(credit_review_queue()) == []

    def test_supervisor_declines_with_a_reason(self, policy, customer, actor, supervisor_actor):
        check = referred_check(customer, actor)
        credit_check_review(check_id=check.pk, approve=False, reason="Unverifiable", actor=supervisor_actor)
        check = CreditCheck.objects.get(pk=check.pk)
        assert check.status == S.DECLINED and not check.is_approved
        assert HistoryEntry.objects.for_object(check).filter(action="orders.credit_check.declined",
                                                             to_state="declined").exists()

    def test_csr_may_not_review(self, policy, customer, actor):
        check = referred_check(customer, actor)
        with pytest.raises(CreditReviewForbidden) as e:
            credit_check_review(check_id=check.pk, approve=True, reason="I like them", actor=actor)
        assert (e.value.code, e.value.status_code) == ("forbidden", 403)
        assert CreditCheck.objects.get(pk=check.pk).status == S.PENDING_REVIEW

    @pytest.mark.parametrize("who", ["system", "customer"])
    def test_system_and_customers_may_not_review(self, policy, customer, actor, who):
        check = referred_check(customer, actor)
        reviewer = Actor.system() if who == "system" else Actor(user=customer_user(customer),
                                                                 channel=Channel.SELF_SERVICE)
        with pytest.raises(CreditReviewForbidden):
            credit_check_review(check_id=check.pk, approve=True, reason="x", actor=reviewer)

    def test_reviewing_twice_is_a_conflict(self, policy, customer, actor, supervisor_actor):
        check = referred_check(customer, actor)
        credit_check_review(check_id=check.pk, approve=True, reason="ok", actor=supervisor_actor)
        with pytest.raises(ApplicationError) as e:
            credit_check_review(check_id=check.pk, approve=False, reason="changed my mind", actor=supervisor_actor)
        assert e.value.status_code == 409 and e.value.extra["state"] == "approved"
        assert CreditCheck.objects.get(pk=check.pk).review_reason == "ok"

    def test_a_decided_check_cannot_be_reviewed(self, policy, customer, actor, supervisor_actor):
        check = request_check(customer, actor=actor)
        with pytest.raises(ApplicationError) as e:
            credit_check_review(check_id=check.pk, approve=False, reason="no", actor=supervisor_actor)
        assert e.value.status_code == 409

    @pytest.mark.parametrize("reason", ["", "   ", None])
    def test_reason_is_required(self, policy, customer, actor, supervisor_actor, reason):
        check = referred_check(customer, actor)
        with pytest.raises(DomainValidationError) as e:
            credit_check_review(check_id=check.pk, approve=True, reason=reason, actor=supervisor_actor)
        assert "reason" in e.value.field_errors
        assert CreditCheck.objects.get(pk=check.pk).status == S.PENDING_REVIEW

    def test_queue_is_oldest_first_and_only_pending(self, policy, actor, supervisor_actor):
        BureauRuleFactory(name_contains="Refer", outcome=Outcome.REFER)
        first = request_check(CustomerFactory(name="Ann Refer"), actor=actor)
        request_check(CustomerFactory(name="Bob Fine"), actor=actor)
        second = request_check(CustomerFactory(name="Cat Refer"), actor=actor)
        third = request_check(CustomerFactory(name="Dan Refer"), actor=actor)
        credit_check_review(check_id=second.pk, approve=True, reason="ok", actor=supervisor_actor)
        assert list(credit_review_queue()) == [first, third]


# --- Policy and demo configuration -----------------------------------------------------------------

def test_activating_a_policy_deactivates_the_other(actor):
    old = CreditPolicyFactory(name="Old")
    new = CreditPolicyFactory(name="New", is_active=False)
    credit_policy_activate(policy_id=new.pk, actor=actor)
    assert list(CreditPolicy.objects.filter(is_active=True)) == [new]
    assert HistoryEntry.objects.for_object(old).filter(action="orders.credit_policy.deactivated").exists()
    assert HistoryEntry.objects.for_object(new).filter(action="orders.credit_policy.activated").exists()


class TestDemo:
    def test_seed_is_idempotent(self):
        assert seed_credit() == {"policy": True, "rules": 5}
        assert seed_credit() == {"policy": False, "rules": 0}
        policy = CreditPolicy.objects.get()
        assert policy.is_active and policy.decline_credit_classes == ["D"] and policy.refer_credit_classes == ["C"]
        assert policy.deposit_percent_when_referred == Decimal("20")

    @pytest.mark.parametrize("name, credit_class, amount, decision, status", [
        ("Tom Timeout", "B", "50", D.REFERRED, S.PENDING_REVIEW),
        ("Rita Refer", "B", "50", D.REFERRED, S.PENDING_REVIEW),
        ("Dara Poor", "D", "50", D.DECLINED, S.DECIDED),
        ("Carl Fair", "C", "50", D.REFERRED, S.PENDING_REVIEW),
        ("Big Spender", "B", "2000", D.REFERRED, S.PENDING_REVIEW),
        ("Alice Able", "A", "1999", D.APPROVED, S.DECIDED),
    ])
    def test_demo_configuration_decides(self, actor, name, credit_class, amount, decision, status):
        seed_credit()
        check = request_check(CustomerFactory(name=name, credit_class=credit_class), amount, actor=actor)
        assert (check.decision, check.status) == (decision, status)
        if status == S.PENDING_REVIEW:
            assert check.terms["deposit"] == str((Decimal(amount) * Decimal("0.2")).quantize(Decimal("0.01")))


def test_currency_defaults_to_the_accounts_in_the_service_itself():
    from bss.actors import Actor
    from orders.services.credit import credit_check_request
    from tests.factories import BillingAccountFactory

    account = BillingAccountFactory(currency="GBP")
    check = credit_check_request(customer=account.customer, billing_account=account, amount=Decimal("10.00"),
                                 actor=Actor.system())
    assert check.currency == "GBP"
