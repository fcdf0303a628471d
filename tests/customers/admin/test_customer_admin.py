"""Django admin: every registered model has a working changelist (with a search) and change page;
the History page shows our append-only history; nothing can be deleted; adds, changes and
actions go through the services and are recorded with channel 'admin'."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group

from bss.audit.models import HistoryEntry
from bss.events.models import Event, EventDelivery
from bss.models import NumberSequence
from customers import services
from customers.models import BillingAccount, Customer, SelfServiceAccess
from tests.factories import (
    AddressFactory,
    BillCycleFactory,
    HubSubscriptionFactory,
    ProductFactory,
    TokenFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda m: m._meta.label)
# Apps whose rows the ``data`` fixture creates; other apps' admins get a changelist check here
# and their change pages are tested with those apps.
SEEDED_APPS = {"customers", "bss", "auth", "axes", "authtoken"}
SEEDED = [m for m in REGISTERED if m._meta.app_label in SEEDED_APPS]


def url(model, view, *args):
    from django.urls import reverse

    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def data(actor):
    """At least one row of every model the admin shows."""
    customer = services.customer_onboard(
        actor=actor, party={"kind": "individual", "given_name": "Mary", "family_name": "Murphy"},
        customer={"segment": "residential"}, contact={"given_name": "Mary", "family_name": "Murphy"},
        media=[{"kind": "email", "value": "mary@murphy.ie"}],
        address={"street1": "12 Main Street", "city": "Dublin", "postcode": "D02 X285", "country": "IE"},
        account={"bill_cycle": BillCycleFactory()},
    )
    services.customer_change_status(customer_id=customer.pk, status="active", actor=actor, reason="welcome")
    ProductFactory(customer=customer, billing_account=customer.billing_accounts.get(), product_serial="0871234567")
    services.customer_note_add(customer=customer, actor=actor, text="VIP")
    user = UserFactory(roles=["Customer"])
    services.self_service_grant(customer=customer, user=user, actor=actor)
    sub = HubSubscriptionFactory(api="customerManagement", callback="https://listener.example/cb")
    EventDelivery.objects.create(event=Event.objects.first(), subscription=sub)
    TokenFactory(user=actor.user)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        extra = {"get_data": "", "post_data": "", "failures_since_start": 1} if model is AccessAttempt else {}
        model.objects.create(user_agent="pytest", ip_address="127.0.0.1", username="x", http_accept="*/*",
                             path_info="/accounts/login/", **extra)
    return Customer.objects.get(pk=customer.pk)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_changelist_with_search(admin_client, data, model):
    response = admin_client.get(url(model, "changelist"))
    assert response.status_code == 200
    if model._meta.app_label in SEEDED_APPS:
        assert response.context["cl"].result_count >= 1, "the fixture should give every model a row"
    response = admin_client.get(url(model, "changelist"), {"q": "x"})
    assert response.status_code == 200


@pytest.mark.parametrize("model", SEEDED, ids=lambda m: m._meta.label)
def test_change_page(admin_client, data, model):
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None
    response = admin_client.get(url(model, "change", obj.pk))
    assert response.status_code == 200


@pytest.mark.parametrize("model", SEEDED, ids=lambda m: m._meta.label)
def test_history_page(admin_client, data, model):
    obj = model._default_manager.order_by("pk").first()
    assert admin_client.get(url(model, "history", obj.pk)).status_code == 200


def test_search_finds_by_number_and_contact(admin_client, data):
    response = admin_client.get(url(Customer, "changelist"), {"q": data.customer_number})
    assert list(response.context["cl"].result_list) == [data]
    response = admin_client.get(url(Customer, "changelist"), {"q": "Murphy"})
    assert list(response.context["cl"].result_list) == [data]
    response = admin_client.get(url(Customer, "changelist"), {"q": "Nobody"})
    assert list(response.context["cl"].result_list) == []


class TestHistoryView:
    def test_customer_history_shows_our_entries(self, admin_client, data):
        response = admin_client.get(url(Customer, "history", data.pk))
        page = response.content.decode()
        assert response.context["history"], "history entries expected"
        assert {e.action for e in response.context["history"]} == set(
            HistoryEntry.objects.for_root(data).values_list("action", flat=True))
        assert "Customer created" in page  # the readable timeline (bss.audit.display)
        assert "Customer activated" in page and "welcome" in page
        assert "Contact added" in page  # the aggregate's history
        assert "Prospect → Active" in page

    def test_contact_history_is_its_own(self, admin_client, data, actor):
        contact = data.contacts.get()
        services.contact_update(contact=contact, actor=actor, job_title="Owner")
        response = admin_client.get(url(type(contact), "history", contact.pk))
        actions = {e.action for e in response.context["history"]}
        assert actions == {"customers.contact.created", "customers.contact.updated"}
        page = response.content.decode()
        assert "Job title:" in page and "Owner" in page and "job_title" not in page  # the field by its label


class TestNoDelete:
    @pytest.mark.parametrize("model", [m for m in REGISTERED if m._meta.app_label == "customers"],
                             ids=lambda m: m._meta.label)
    def test_delete_not_offered(self, admin_client, data, model):
        obj = model._default_manager.order_by("pk").first()
        page = admin_client.get(url(model, "change", obj.pk)).content.decode()
        assert url(model, "delete", obj.pk) not in page
        assert admin_client.get(url(model, "delete", obj.pk)).status_code == 403
        assert admin_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
        assert model._default_manager.filter(pk=obj.pk).exists()
        action_form = admin_client.get(url(model, "changelist")).context["action_form"]
        actions = dict(action_form.fields["action"].choices) if action_form else {}
        assert "delete_selected" not in actions

    def test_history_entries_read_only(self, admin_client, data):
        entry = HistoryEntry.objects.first()
        assert admin_client.get(url(HistoryEntry, "add")).status_code == 403
        assert admin_client.post(url(HistoryEntry, "change", entry.pk), {"reason": "rewritten"}).status_code == 403
        assert admin_client.get(url(HistoryEntry, "delete", entry.pk)).status_code == 403
        assert HistoryEntry.objects.get(pk=entry.pk).reason == entry.reason


def customer_form(**kw):
    data = {
        "name": "Admin Added", "party": "", "segment": "sme", "credit_class": "A", "status_reason": "",
        "valid_from_0": "", "valid_from_1": "", "valid_to_0": "", "valid_to_1": "",
        "characteristics": "[]", "related_party_refs": "[]", "tmf_extra": "{}",
        "contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0", "contacts-MAX_NUM_FORMS": "0",
        "billing_accounts-TOTAL_FORMS": "0", "billing_accounts-INITIAL_FORMS": "0",
        "billing_accounts-MIN_NUM_FORMS": "0", "billing_accounts-MAX_NUM_FORMS": "0",
        "_save": "Save",
    }
    data.update(kw)
    return data


class TestAdminWrites:
    def test_add_customer_goes_through_service(self, admin_client, admin_user, db):
        response = admin_client.post(url(Customer, "add"), customer_form())
        assert response.status_code == 302, response.context and response.context["adminform"].form.errors
        customer = Customer.objects.get()
        assert customer.name == "Admin Added" and customer.segment == "sme" and customer.credit_class == "A"
        assert customer.customer_number.startswith("CU") and len(customer.customer_number) == 10
        assert NumberSequence.objects.get(series="customer").last_value == int(customer.customer_number[2:])
        entries = list(HistoryEntry.objects.for_object(customer))
        assert [e.action for e in entries] == ["customers.customer.created"]
        assert entries[0].channel == "admin" and entries[0].actor == admin_user
        assert Event.objects.filter(event_type="CustomerCreateEvent", resource_id=str(customer.pk)).exists()

    def test_change_customer_recorded(self, admin_client, admin_user, data):
        contacts = list(data.contacts.all())
        accounts = list(data.billing_accounts.all())
        form = customer_form(name="Mary Murphy-Byrne", segment=data.segment, credit_class=data.credit_class,
                             status_reason=data.status_reason,
                             valid_from_0=str(data.valid_from.date()), valid_from_1=str(data.valid_from.time()),
                             party=data.party_id, **{
                                 "contacts-TOTAL_FORMS": len(contacts), "contacts-INITIAL_FORMS": len(contacts),
                                 "billing_accounts-TOTAL_FORMS": len(accounts),
                                 "billing_accounts-INITIAL_FORMS": len(accounts)})
        for i, c in enumerate(contacts):
            form.update({f"contacts-{i}-id": c.pk, f"contacts-{i}-customer": data.pk})
        for i, a in enumerate(accounts):
            form.update({f"billing_accounts-{i}-id": a.pk, f"billing_accounts-{i}-customer": data.pk})
        response = admin_client.post(url(Customer, "change", data.pk), form)
        assert response.status_code == 302
        customer = Customer.objects.get(pk=data.pk)
        assert customer.name == "Mary Murphy-Byrne" and customer.status == "active"
        entry = HistoryEntry.objects.for_object(customer).get(action="customers.customer.updated")
        assert entry.changes == {"name": ["Mary Murphy", "Mary Murphy-Byrne"]}
        assert entry.channel == "admin" and entry.actor == admin_user

    def test_change_billing_account_recorded(self, admin_client, data):
        account = data.billing_accounts.get()
        page = admin_client.get(url(BillingAccount, "change", account.pk))
        form = page.context["adminform"].form
        post = {name: form[name].value() for name in form.fields if form[name].value() is not None}
        post.update(payment_reference="IE** **** 1234", _save="Save")
        response = admin_client.post(url(BillingAccount, "change", account.pk), post)
        assert response.status_code == 302
        assert BillingAccount.objects.get(pk=account.pk).payment_reference == "IE** **** 1234"
        entry = HistoryEntry.objects.for_object(account).get(action="customers.billing_account.updated")
        assert entry.changes == {"payment_reference": ["", "IE** **** 1234"]}
        assert entry.root_object_id == str(data.pk) and entry.channel == "admin"

    def test_change_billing_account_to_foreign_address_shows_error(self, admin_client, data):
        account = data.billing_accounts.get()
        page = admin_client.get(url(BillingAccount, "change", account.pk))
        form = page.context["adminform"].form
        post = {name: form[name].value() for name in form.fields if form[name].value() is not None}
        post.update(billing_address=AddressFactory().pk, _save="Save")
        response = admin_client.post(url(BillingAccount, "change", account.pk), post)
        assert response.status_code == 200
        assert "The billing address belongs to another customer." in response.content.decode()
        assert BillingAccount.objects.get(pk=account.pk).billing_address_id == account.billing_address_id

    def test_add_billing_account_goes_through_service(self, admin_client, data):
        address = data.addresses.get()
        response = admin_client.post(url(BillingAccount, "add"), {
            "customer": data.pk, "name": "Admin account", "parent": "", "bill_cycle": BillCycleFactory().pk,
            "currency": "EUR", "payment_method": "cash", "payment_reference": "", "credit_limit": "0",
            "bill_delivery": "email", "billing_address": address.pk, "bill_contact": "", "_save": "Save"})
        assert response.status_code == 302
        account = BillingAccount.objects.get(name="Admin account")
        assert account.account_number.startswith("BA")
        entry = HistoryEntry.objects.for_object(account).get()
        assert entry.action == "customers.billing_account.created" and entry.channel == "admin"

    def test_add_billing_account_with_foreign_address_shows_error(self, admin_client, data):
        foreign = AddressFactory()
        count = BillingAccount.objects.count()
        response = admin_client.post(url(BillingAccount, "add"), {
            "customer": data.pk, "name": "Wrong", "parent": "", "bill_cycle": BillCycleFactory().pk,
            "currency": "EUR", "payment_method": "cash", "payment_reference": "", "credit_limit": "0",
            "bill_delivery": "email", "billing_address": foreign.pk, "bill_contact": "", "_save": "Save"})
        assert response.status_code == 200
        assert "The billing address belongs to another customer." in response.content.decode()
        assert BillingAccount.objects.count() == count


class TestAdminActions:
    def act(self, client, action, *customers, reason="Customer asked by phone"):
        data = {"action": action, ACTION_CHECKBOX_NAME: [c.pk for c in customers], "index": "0"}
        confirm = client.post(url(Customer, "changelist"), data)
        assert confirm.status_code == 200 and "data-confirm-action" in confirm.content.decode()
        return client.post(url(Customer, "changelist"), {**data, "apply": "1", "reason": reason}, follow=True)

    def test_the_action_asks_for_a_reason_and_changes_nothing_before(self, admin_client, data):
        data_ = {"action": "suspend", ACTION_CHECKBOX_NAME: [data.pk], "index": "0"}
        page = admin_client.post(url(Customer, "changelist"), data_).content.decode()
        assert "Reason (required)" in page and str(data) in page
        assert Customer.objects.get(pk=data.pk).status == "active"
        no_reason = admin_client.post(url(Customer, "changelist"), {**data_, "apply": "1", "reason": " "})
        assert no_reason.status_code == 200 and "This field is required." in no_reason.content.decode()
        assert Customer.objects.get(pk=data.pk).status == "active"

    def test_close_states_what_happens_to_the_accounts(self, admin_client, actor, data):
        page = admin_client.post(url(Customer, "changelist"), {
            "action": "close", ACTION_CHECKBOX_NAME: [data.pk], "index": "0"}).content.decode()
        assert "1 billing account will be closed." in page and "not terminated" in page

    def test_suspend(self, admin_client, admin_user, data):
        self.act(admin_client, "suspend", data)
        customer = Customer.objects.get(pk=data.pk)
        assert customer.status == "suspended"
        entry = HistoryEntry.objects.for_object(customer).get(action="customers.customer.suspend")
        assert (entry.from_state, entry.to_state) == ("active", "suspended")
        assert (entry.channel, entry.actor, entry.reason) == ("admin", admin_user, "Customer asked by phone")

    def test_close_refused_with_open_products_others_go_on(self, admin_client, actor, data):
        empty = services.customer_create(actor=actor, name="No Products", status="active")
        response = self.act(admin_client, "close", data, empty)
        assert Customer.objects.get(pk=data.pk).status == "active"
        assert Customer.objects.get(pk=empty.pk).status == "closed"
        messages = [str(m) for m in response.context["messages"]]
        assert any("not terminated" in m for m in messages)
        assert "1 done." in messages
        entry = HistoryEntry.objects.for_object(empty).get(action="customers.customer.close")
        assert entry.channel == "admin" and entry.reason == "Customer asked by phone"

    def test_close_after_products_terminated(self, admin_client, actor, data):
        for product in data.products.all():
            services.product_transition(product_id=product.pk, transition="terminate", actor=actor)
        self.act(admin_client, "close", data)
        assert Customer.objects.get(pk=data.pk).status == "closed"

    def test_forbidden_transition_reported(self, admin_client, actor, db):
        prospect = services.customer_create(actor=actor, name="Prospect")
        response = self.act(admin_client, "suspend", prospect)
        assert Customer.objects.get(pk=prospect.pk).status == "prospect"
        assert any("A prospect customer cannot be suspended." in str(m) for m in response.context["messages"])
        assert not HistoryEntry.objects.filter(action="customers.customer.suspend").exists()

    def test_billing_account_suspend(self, admin_client, data):
        account = data.billing_accounts.get()
        admin_client.post(url(BillingAccount, "changelist"),
                          {"action": "suspend", ACTION_CHECKBOX_NAME: [account.pk], "index": "0",
                           "apply": "1", "reason": "Returned direct debit"})
        assert BillingAccount.objects.get(pk=account.pk).status == "suspended"
        entry = HistoryEntry.objects.for_object(account).get(action="customers.billing_account.suspend")
        assert entry.channel == "admin" and entry.root_object_id == str(data.pk)
        assert entry.reason == "Returned direct debit"


def test_staff_without_admin_role_cannot_enter(client, csr, data):
    client.force_login(csr)
    response = client.get(url(Customer, "changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_self_service_access_visible(admin_client, data):
    access = SelfServiceAccess.objects.get()
    page = admin_client.get(url(SelfServiceAccess, "changelist")).content.decode()
    assert access.user.username in page
    assert Group.objects.filter(name="Customer", user=access.user).exists()
