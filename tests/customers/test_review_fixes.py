"""Behaviours added after review: extra contact media survive a portal edit, partial phone
search with the trunk 0, e-mail searches look at e-mail only, admin history codes match the
services' codes."""

import pytest

from bss.audit.models import HistoryEntry
from bss.roles import Role
from customers.selectors import customer_search
from tests.factories import (
    BillingAccountFactory,
    ContactFactory,
    ContactMediumFactory,
    CustomerFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db


def test_portal_contact_edit_keeps_media_the_form_does_not_show(client, csr):
    contact = ContactFactory(family_name="Byrne")
    ContactMediumFactory(contact=contact, kind="mobile", value="+353 87 111 1111", preferred=True)
    ContactMediumFactory(contact=contact, kind="mobile", value="+353 87 222 2222")
    ContactMediumFactory(contact=contact, kind="fax", value="+353 1 333 3333")
    client.force_login(csr)
    r = client.post(f"/csr/contacts/{contact.pk}/edit/", {
        "family_name": "Byrne", "role": "primary", "mobile": "+353 87 999 9999", "email": "b@example.ie",
        "preferred_channel": "email", "preferred_language": "en"})
    assert r.status_code == 302
    values = sorted(contact.media.values_list("kind", "value"))
    assert values == [("email", "b@example.ie"), ("fax", "+353 1 333 3333"), ("mobile", "+353 87 222 2222"),
                      ("mobile", "+353 87 999 9999")]


def test_partial_phone_search_with_trunk_zero_or_country_code(csr):
    contact = ContactFactory()
    ContactMediumFactory(contact=contact, kind="mobile", value="+353 87 123 4567")
    for q in ("087 1234", "353 87 1234", "87 1234"):
        assert [h.customer.pk for h in customer_search(user=csr, q=q)] == [contact.customer_id], q


def test_email_search_does_not_match_names_or_addresses(csr):
    mail = ContactFactory(given_name="Ann", family_name="Other")
    ContactMediumFactory(contact=mail, kind="email", value="ann@example.ie")
    CustomerFactory(name="ann@example.ie lookalike")  # a name containing the string must not match
    hits = customer_search(user=csr, q="ann@example.ie")
    assert [h.customer.pk for h in hits] == [mail.customer_id] and hits[0].matched == ["e-mail"]


def test_admin_history_codes_use_the_service_namespace(client):
    admin = staff_user(Role.ADMIN, is_superuser=True)
    account = BillingAccountFactory()
    client.force_login(admin)
    url = f"/admin/customers/billingaccount/{account.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"name": "Renamed", "credit_limit": "10.00", "customer": account.customer_id,
                 "bill_cycle": account.bill_cycle_id, "billing_address": account.billing_address_id})
    r = client.post(url, data)
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    assert HistoryEntry.objects.for_object(account).filter(action="customers.billing_account.updated").exists()


def test_shared_party_does_not_reveal_the_other_customer_to_a_self_service_user(api_client):
    from tests.factories import IndividualFactory, customer_user

    party = IndividualFactory()
    mine, theirs = CustomerFactory(party=party, name="Mine"), CustomerFactory(party=party, name="Theirs")
    api_client.force_authenticate(customer_user(mine))
    body = api_client.get(f"/tmf-api/party/v4/individual/{party.pk}").json()
    assert [r["id"] for r in body["relatedParty"]] == [str(mine.pk)]
    assert "Theirs" not in str(body)
    staff = staff_user(Role.CSR)
    api_client.force_authenticate(staff)
    body = api_client.get(f"/tmf-api/party/v4/individual/{party.pk}").json()
    assert sorted(r["id"] for r in body["relatedParty"]) == sorted([str(mine.pk), str(theirs.pk)])


def test_unicode_digit_engaged_party_id_is_kept_as_a_reference(integrator_client):
    r = integrator_client.post("/tmf-api/customerManagement/v4/customer", {
        "name": "X", "engagedParty": {"id": "²", "@referredType": "Individual"}}, format="json")
    assert r.status_code == 201 and r.json()["engagedParty"]["id"] == "²"


def test_rule_tester_with_a_non_numeric_rule_is_404(client):
    client.force_login(staff_user(Role.ADMIN))
    assert client.get("/csr/feasibility/rules/test/?rule=abc").status_code == 404
    assert client.get("/csr/feasibility/rules/test/?rule=²").status_code == 404


@pytest.mark.parametrize("role,expected", [(Role.BILLING, 200), (Role.PROVISIONING, 403)])
def test_account_transition_needs_change_billingaccount(api_client, role, expected):
    account = BillingAccountFactory()
    api_client.force_authenticate(staff_user(role))
    r = api_client.post(f"/api/v1/billing-accounts/{account.pk}/transition/", {"transition": "suspend"},
                        format="json")
    assert r.status_code == expected, r.content


def test_customer_actions_check_their_own_permissions(api_client):
    customer = CustomerFactory()
    api_client.force_authenticate(staff_user(Role.PROVISIONING))  # may view customers, nothing more
    assert api_client.get("/api/v1/customers/search/?q=xx").status_code == 200
    assert api_client.post(f"/api/v1/customers/{customer.pk}/notes/", {"text": "x"}, format="json").status_code == 403
    assert api_client.post(f"/api/v1/customers/{customer.pk}/status/", {"status": "active"},
                           format="json").status_code == 403
    assert api_client.get(f"/api/v1/customers/{customer.pk}/history/").status_code == 403
    api_client.force_authenticate(staff_user(Role.CSR))
    assert api_client.post(f"/api/v1/customers/{customer.pk}/notes/", {"text": "x"}, format="json").status_code == 201
