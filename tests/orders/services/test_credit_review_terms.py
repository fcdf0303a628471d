"""A reviewer approves a referred credit check with amended terms (deposit waived, another credit limit): stored
with history, validated before anything changes, refused on a decline; the requester never reviews their own."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils.formats import date_format
from django.utils.timezone import localtime

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError, DomainValidationError
from bss.roles import Role
from orders.models import BureauSimulationRule, CreditCheck
from orders.services.credit import credit_check_request, credit_check_review
from tests.factories import BureauRuleFactory, CreditPolicyFactory, CustomerFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def referred():
    CreditPolicyFactory(deposit_percent_when_referred=Decimal("10"))
    BureauRuleFactory(name="slow", name_contains="Timeout", outcome=BureauSimulationRule.Outcome.TIMEOUT)
    requester = staff_user(Role.CSR)
    check = credit_check_request(customer=CustomerFactory(name="Rory Timeout"), amount=Decimal("80"),
                                 currency="EUR", actor=Actor(user=requester, channel=Channel.PORTAL))
    assert check.status == CreditCheck.Status.PENDING_REVIEW and check.terms.get("deposit")
    return check


@pytest.fixture
def supervisor():
    return staff_user(Role.SUPERVISOR, first_name="Síle", last_name="Ward")


def review(check, user, **kw):
    return credit_check_review(check_id=check.pk, actor=Actor(user=user, channel=Channel.PORTAL), **kw)


def test_approved_with_the_deposit_waived_really_has_no_deposit(referred, supervisor):
    old = dict(referred.terms)
    check = review(referred, supervisor, approve=True, reason="Long-standing customer", terms={"deposit": "0"})
    assert check.status == CreditCheck.Status.APPROVED
    assert "deposit" not in check.terms and "deposit_percent" not in check.terms
    entry = HistoryEntry.objects.get(action="orders.credit_check.terms_amended")
    assert entry.changes == {"terms": [old, check.terms]} and entry.actor == supervisor
    assert entry.reason == "Long-standing customer"


def test_amended_credit_limit_is_stored_as_money(referred, supervisor):
    check = review(referred, supervisor, approve=True, reason="ok", terms={"credit_limit": "500"})
    assert check.terms["credit_limit"] == "500.00" and check.terms["currency"] == "EUR"


def test_without_terms_the_proposal_stands(referred, supervisor):
    proposed = dict(referred.terms)
    check = review(referred, supervisor, approve=True, reason="ok")
    assert check.terms == proposed
    assert not HistoryEntry.objects.filter(action="orders.credit_check.terms_amended").exists()


@pytest.mark.parametrize("terms, field", [({"deposit": "-5"}, "terms.deposit"), ({"deposit": "abc"}, "terms.deposit"),
                                          ({"discount": "5"}, "terms.discount")])
def test_bad_terms_change_nothing(referred, supervisor, terms, field):
    with pytest.raises(DomainValidationError) as err:
        review(referred, supervisor, approve=True, reason="ok", terms=terms)
    assert field in err.value.field_errors
    assert CreditCheck.objects.get(pk=referred.pk).status == CreditCheck.Status.PENDING_REVIEW


def test_a_decline_takes_no_terms(referred, supervisor):
    with pytest.raises(DomainValidationError):
        review(referred, supervisor, approve=False, reason="no", terms={"deposit": "0"})


def test_the_requester_may_not_review_their_own_referral(referred):
    requester = referred.requested_by
    requester.groups.add(*staff_user(Role.SUPERVISOR).groups.all())  # even with the reviewer's role
    with pytest.raises(ApplicationError):
        review(referred, requester, approve=True, reason="mine")
    assert CreditCheck.objects.get(pk=referred.pk).status == CreditCheck.Status.PENDING_REVIEW


class TestPortal:
    def test_page_offers_the_proposed_terms_and_shows_the_outcome_after_review(self, referred, supervisor):
        client = Client()
        client.force_login(supervisor)
        page = client.get(f"/csr/orders/credit/{referred.pk}/").content.decode()
        assert 'name="deposit"' in page and f'value="{referred.terms["deposit"]}"' in page
        client.post(f"/csr/orders/credit/{referred.pk}/review/", {
            "decision": "approve", "reason": "Known to us", "deposit": "0", "credit_limit": ""})
        check = CreditCheck.objects.get(pk=referred.pk)
        assert check.status == CreditCheck.Status.APPROVED and "deposit" not in check.terms
        page = client.get(f"/csr/orders/credit/{referred.pk}/").content.decode()
        assert "Initial decision</dt><dd data-initial-decision>Referred</dd>" in page
        reviewed_on = date_format(localtime(check.reviewed_at), "j M Y")
        outcome = re.search(r'<dt>Outcome</dt><dd data-outcome="approved">(.*?)</dd>', page, re.S).group(1)
        assert "Approved on review" in outcome and "by Síle Ward" in outcome and f"on {reviewed_on}" in outcome
        assert "Known to us" in outcome and "<dt>Decision</dt>" not in page  # never just "Referred"

    def test_requester_is_told_another_supervisor_decides(self, referred):
        requester = referred.requested_by
        requester.groups.add(*staff_user(Role.SUPERVISOR).groups.all())
        client = Client()
        client.force_login(requester)
        page = client.get(f"/csr/orders/credit/{referred.pk}/").content.decode()
        assert "data-own-referral" in page and "Another supervisor decides this referral" in page
        assert 'name="decision"' not in page and 'name="deposit"' not in page
        # and a POST of their own review is refused by the service, shown as a message, nothing changes
        refused = client.post(f"/csr/orders/credit/{referred.pk}/review/",
                              {"decision": "approve", "reason": "mine", "deposit": "0"}, follow=True)
        assert "someone else must approve it" in refused.content.decode()
        check = CreditCheck.objects.get(pk=referred.pk)
        assert check.status == CreditCheck.Status.PENDING_REVIEW and check.terms == referred.terms


def test_api_review_takes_terms(referred, supervisor):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(supervisor)
    r = api.post(f"/api/v1/credit-checks/{referred.pk}/review/",
                 {"approve": True, "reason": "Known to us", "terms": {"credit_limit": "400.00"}}, format="json")
    assert r.status_code == 200, r.content
    assert CreditCheck.objects.get(pk=referred.pk).terms["credit_limit"] == "400.00"
    bad = api.post(f"/api/v1/credit-checks/{referred.pk}/review/",
                   {"approve": True, "reason": "again", "terms": {"deposit": "-1"}}, format="json")
    assert bad.status_code in (400, 409)


def test_a_closed_customer_gets_no_credit_check():
    CreditPolicyFactory()
    closed = CustomerFactory(status="closed")
    with pytest.raises(DomainValidationError) as err:
        credit_check_request(customer=closed, amount=Decimal("10"), currency="EUR", actor=Actor.system())
    assert "is closed" in err.value.field_errors["customer"][0]
    assert not CreditCheck.objects.exists()


def test_queue_is_the_shared_list_with_the_review_form_per_row(referred, supervisor):
    client = Client()
    client.force_login(supervisor)
    html = client.get("/csr/orders/credit/").content.decode()
    assert "<caption>1 credit check</caption>" in html and 'aria-sort="ascending"' in html
    assert f'action="/csr/orders/credit/{referred.pk}/review/"' in html
    fragment = client.get("/csr/orders/credit/?sort=-created_at", headers={"HX-Request": "true"}).content.decode()
    assert "<header" not in fragment and 'aria-sort="descending"' in fragment
    csr = Client()
    csr.force_login(referred.requested_by)
    own = csr.get("/csr/orders/credit/").content.decode()
    assert "/review/" not in own and ">Decision<" not in own
