"""A self-service login reaches its own customer's data only, whatever the door: /my/ pages,
/csr/ pages, the native API (/api/v1/) and the TMF APIs. Staff see everything; a login with
neither a role nor a link sees nothing."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from bss.actors import Actor
from bss.roles import Role
from customers import services
from customers.models import Address, BillingAccount, Contact, ContactMedium, Customer, CustomerNote
from customers.scoping import self_service_customer_id, visible_to
from tests.factories import BillCycleFactory, ProductFactory, UserFactory, customer_user

pytestmark = pytest.mark.django_db


def build(actor, name, family, phone, email):
    customer = services.customer_create(actor=actor, name=name, status="active")
    address = services.address_create(customer=customer, actor=actor, street1=f"1 {family} Street", city="Dublin",
                                      postcode="D01 AB12", country="IE")
    contact = services.contact_create(customer=customer, actor=actor, family_name=family, given_name="Pat",
                                      media=[{"kind": "mobile", "value": phone}, {"kind": "email", "value": email}])
    account = services.billing_account_create(customer=customer, actor=actor, billing_address=address,
                                              bill_cycle=BillCycleFactory())
    product = ProductFactory(customer=customer, billing_account=account, product_serial=phone.replace(" ", ""))
    return {"customer": customer, "address": address, "contact": contact, "account": account, "product": product}


@pytest.fixture
def mine(actor):
    return build(actor, "Pat Murphy", "Murphy", "087 111 1111", "pat@murphy.ie")


@pytest.fixture
def theirs(actor):
    return build(actor, "Pat Byrne", "Byrne", "087 222 2222", "pat@byrne.ie")


@pytest.fixture
def me(mine):
    return customer_user(mine["customer"])


@pytest.fixture
def web(me):
    client = Client()
    client.force_login(me)
    return client


@pytest.fixture
def api(me):
    client = APIClient()
    client.force_authenticate(me)
    return client


def ids(response):
    assert response.status_code == 200, response.content
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {r["id"] for r in rows}


# --- the scoping function itself ----------------------------------------------------------------

class TestVisibleTo:
    MODELS = [Customer, Contact, ContactMedium, Address, BillingAccount, CustomerNote]

    def test_customer_user_sees_only_own_rows(self, actor, mine, theirs, me):
        for side in (mine, theirs):
            services.customer_note_add(customer=side["customer"], actor=actor, text="note")
        own = mine["customer"].pk
        assert self_service_customer_id(me) == own
        for model in self.MODELS:
            visible = visible_to(model.objects.all(), me)
            assert visible.exists(), model
            path = model.CUSTOMER_PATH
            key = "pk" if path == "pk" else f"{path}_id" if "__" not in path else path
            assert set(visible.values_list(key, flat=True)) == {own}, model

    def test_staff_see_all(self, csr, mine, theirs):
        assert visible_to(Customer.objects.all(), csr).count() == 2
        assert visible_to(Contact.objects.all(), csr).count() == 2

    def test_nobody_sees_nothing(self, mine, theirs):
        nobody = UserFactory()
        for model in self.MODELS:
            assert not visible_to(model.objects.all(), nobody).exists()


# --- /my/ pages ------------------------------------------------------------------------------

class TestSelfServicePages:
    def test_profile_shows_only_own_data(self, web, mine, theirs):
        page = web.get("/my/").content.decode()
        assert mine["customer"].customer_number in page
        assert mine["account"].account_number in page
        assert "087 111 1111" in page
        assert theirs["customer"].customer_number not in page
        assert theirs["account"].account_number not in page
        assert "Byrne" not in page and "087 222 2222" not in page

    def test_own_contact_edit_page(self, web, mine):
        assert web.get(f"/my/contacts/{mine['contact'].pk}/edit/").status_code == 200

    def test_other_contact_edit_is_404(self, web, theirs):
        url = f"/my/contacts/{theirs['contact'].pk}/edit/"
        assert web.get(url).status_code == 404
        response = web.post(url, {"family_name": "Hacked", "role": "primary", "email": "evil@example.com",
                                  "preferred_channel": "email", "preferred_language": "en"})
        assert response.status_code == 404
        contact = Contact.objects.get(pk=theirs["contact"].pk)
        assert contact.family_name == "Byrne"
        assert "evil@example.com" not in contact.media.values_list("value", flat=True)

    def test_new_contact_goes_to_own_customer(self, web, mine, theirs):
        response = web.post("/my/contacts/new/", {"family_name": "Added", "role": "billing", "email": "a@murphy.ie",
                                                  "preferred_channel": "email", "preferred_language": "en",
                                                  "customer": theirs["customer"].pk})
        assert response.status_code == 302
        assert Contact.objects.get(family_name="Added").customer == mine["customer"]

    def test_staff_login_has_no_self_service(self, csr, mine):
        client = Client()
        client.force_login(csr)
        assert client.get("/my/").status_code == 403

    def test_anonymous_redirected_to_login(self, mine):
        response = Client().get(f"/my/contacts/{mine['contact'].pk}/edit/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- /csr/ pages -----------------------------------------------------------------------------

CSR_GETS = [
    "/csr/", "/csr/?q=Pat", "/csr/customers/new/", "/csr/customers/{own}/", "/csr/customers/{other}/",
    "/csr/customers/{own}/contacts/new/", "/csr/customers/{other}/accounts/new/",
    "/csr/customers/{other}/addresses/new/", "/csr/contacts/{own_contact}/edit/",
    "/csr/contacts/{other_contact}/edit/",
]
CSR_POSTS = [
    ("/csr/customers/{other}/status/", {"status": "suspended", "reason": "x"}),
    ("/csr/customers/{other}/notes/", {"text": "hello"}),
    ("/csr/customers/{other}/contacts/new/", {"family_name": "X", "email": "x@x.ie", "role": "primary",
                                              "preferred_channel": "email", "preferred_language": "en"}),
    ("/csr/contacts/{other_contact}/edit/", {"family_name": "X", "email": "x@x.ie", "role": "primary",
                                             "preferred_channel": "email", "preferred_language": "en"}),
]


def fill(url, mine, theirs):
    return url.format(own=mine["customer"].pk, other=theirs["customer"].pk, own_contact=mine["contact"].pk,
                      other_contact=theirs["contact"].pk)


class TestCsrPagesClosedToCustomers:
    @pytest.mark.parametrize("url", CSR_GETS)
    def test_get_forbidden(self, web, mine, theirs, url):
        response = web.get(fill(url, mine, theirs))
        assert response.status_code == 403
        assert b"Byrne" not in response.content

    @pytest.mark.parametrize("url,data", CSR_POSTS)
    def test_post_forbidden_and_nothing_changes(self, web, mine, theirs, url, data):
        before = (Customer.objects.get(pk=theirs["customer"].pk).status, Contact.objects.count(),
                  CustomerNote.objects.count(), Contact.objects.get(pk=theirs["contact"].pk).family_name)
        assert web.post(fill(url, mine, theirs), data).status_code == 403
        after = (Customer.objects.get(pk=theirs["customer"].pk).status, Contact.objects.count(),
                 CustomerNote.objects.count(), Contact.objects.get(pk=theirs["contact"].pk).family_name)
        assert after == before

    @pytest.mark.parametrize("url", ["/csr/customers/{own}/", "/csr/customers/{other}/"])
    def test_staff_see_every_customer(self, csr, mine, theirs, url):
        client = Client()
        client.force_login(csr)
        assert client.get(fill(url, mine, theirs)).status_code == 200

    @pytest.mark.parametrize("url", ["/csr/", "/csr/customers/{own}/", "/my/", "/my/contacts/{own_contact}/edit/"])
    def test_no_role_no_link_gets_no_page(self, mine, theirs, url):
        client = Client()
        client.force_login(UserFactory())
        response = client.get(fill(url, mine, theirs))
        assert response.status_code in (403, 404)
        assert b"Murphy" not in response.content

    def test_admin_closed_to_customers(self, web):
        response = web.get("/admin/customers/customer/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- native API ------------------------------------------------------------------------------

RESOURCES = [
    ("customers", "customer"),
    ("contacts", "contact"),
    ("addresses", "address"),
    ("billing-accounts", "account"),
    ("products", "product"),
]


class TestNativeApi:
    @pytest.mark.parametrize("path,key", RESOURCES)
    def test_list_only_own(self, api, mine, theirs, path, key):
        assert ids(api.get(f"/api/v1/{path}/")) == {mine[key].pk}

    @pytest.mark.parametrize("path,key", RESOURCES)
    def test_list_filtered_by_other_customer_is_empty(self, api, mine, theirs, path, key):
        if path == "customers":
            response = api.get("/api/v1/customers/", {"status": "active"})
            assert ids(response) == {mine["customer"].pk}
        else:
            assert ids(api.get(f"/api/v1/{path}/", {"customer": theirs["customer"].pk})) == set()

    @pytest.mark.parametrize("path,key", RESOURCES)
    def test_own_detail(self, api, mine, path, key):
        response = api.get(f"/api/v1/{path}/{mine[key].pk}/")
        assert response.status_code == 200
        assert response.json()["id"] == mine[key].pk

    @pytest.mark.parametrize("path,key", RESOURCES)
    def test_other_detail_404(self, api, theirs, path, key):
        response = api.get(f"/api/v1/{path}/{theirs[key].pk}/")
        assert response.status_code == 404
        assert b"Byrne" not in response.content

    def test_patch_own_contact(self, api, mine):
        response = api.patch(f"/api/v1/contacts/{mine['contact'].pk}/", {"job_title": "Owner"}, format="json")
        assert response.status_code == 200
        assert Contact.objects.get(pk=mine["contact"].pk).job_title == "Owner"

    def test_patch_other_contact_404(self, api, theirs):
        response = api.patch(f"/api/v1/contacts/{theirs['contact'].pk}/",
                             {"family_name": "Hacked", "media": [{"kind": "email", "value": "evil@example.com"}]},
                             format="json")
        assert response.status_code == 404
        contact = Contact.objects.get(pk=theirs["contact"].pk)
        assert contact.family_name == "Byrne"
        assert "evil@example.com" not in contact.media.values_list("value", flat=True)

    def test_patch_other_address_refused(self, api, theirs):
        # Customers may not change addresses at all (the area code drives serviceability), so
        # the answer is the same 403 for their own and for anyone else's: nothing to probe.
        response = api.patch(f"/api/v1/addresses/{theirs['address'].pk}/", {"street1": "Hacked"}, format="json")
        assert response.status_code == 403
        assert Address.objects.get(pk=theirs["address"].pk).street1 == "1 Byrne Street"

    def test_patch_own_address_area_code_refused(self, api, mine):
        response = api.patch(f"/api/v1/addresses/{mine['address'].pk}/", {"area_code": "DUB01"}, format="json")
        assert response.status_code == 403
        assert Address.objects.get(pk=mine["address"].pk).area_code != "DUB01"

    def test_cannot_link_other_customers_address_to_own_contact(self, api, web, actor, mine, theirs):
        loose = services.address_create(customer=None, actor=actor, street1="9 Secret Lane", city="Cork",
                                        postcode="T12", country="IE")
        for address in (theirs["address"], loose):
            response = api.patch(f"/api/v1/contacts/{mine['contact'].pk}/", {"postal_address": address.pk},
                                 format="json")
            assert response.status_code == 400
            assert "postal_address" in response.json()
            assert Contact.objects.get(pk=mine["contact"].pk).postal_address_id is None
        page = web.get("/my/").content.decode()
        assert "Byrne Street" not in page and "Secret Lane" not in page

    def test_can_link_own_address_to_own_contact(self, api, mine):
        response = api.patch(f"/api/v1/contacts/{mine['contact'].pk}/", {"postal_address": mine["address"].pk},
                             format="json")
        assert response.status_code == 200
        assert Contact.objects.get(pk=mine["contact"].pk).postal_address == mine["address"]

    def test_cannot_move_own_contact_to_other_customer(self, api, mine, theirs):
        api.patch(f"/api/v1/contacts/{mine['contact'].pk}/", {"customer": theirs["customer"].pk}, format="json")
        assert Contact.objects.get(pk=mine["contact"].pk).customer_id == mine["customer"].pk

    def test_cannot_create_contact_for_other_customer(self, api, theirs):
        count = Contact.objects.count()
        response = api.post("/api/v1/contacts/", {"customer": theirs["customer"].pk, "family_name": "Intruder",
                                                  "media": [{"kind": "email", "value": "i@x.ie"}]}, format="json")
        assert response.status_code == 400
        assert Contact.objects.count() == count
        # Exactly what a customer id that does not exist gets: no way to tell which ids exist.
        missing = api.post("/api/v1/contacts/", {"customer": 987654, "family_name": "Intruder",
                                                 "media": [{"kind": "email", "value": "i@x.ie"}]}, format="json")
        assert missing.status_code == 400
        assert list(missing.json()) == list(response.json()) == ["customer"]

    def test_cannot_change_other_customer_status_or_notes(self, api, theirs):
        pk = theirs["customer"].pk
        assert api.post(f"/api/v1/customers/{pk}/status/", {"status": "suspended"}, format="json").status_code in (
            403, 404)
        assert api.post(f"/api/v1/customers/{pk}/notes/", {"text": "x"}, format="json").status_code in (403, 404)
        assert api.get(f"/api/v1/customers/{pk}/history/").status_code in (403, 404)
        assert Customer.objects.get(pk=pk).status == "active"
        assert not CustomerNote.objects.exists()

    def test_other_billing_account_transition_refused(self, api, theirs):
        response = api.post(f"/api/v1/billing-accounts/{theirs['account'].pk}/transition/",
                            {"transition": "suspend"}, format="json")
        assert response.status_code in (403, 404)
        assert BillingAccount.objects.get(pk=theirs["account"].pk).status == "active"

    def test_search_endpoint_scoped(self, api, mine, theirs):
        response = api.get("/api/v1/customers/search/", {"q": theirs["customer"].customer_number})
        assert response.status_code == 200 and response.json() == []
        response = api.get("/api/v1/customers/search/", {"q": "Pat"})
        assert [h["customer"]["id"] for h in response.json()] == [mine["customer"].pk]

    @pytest.mark.parametrize("path,key", RESOURCES)
    def test_staff_see_all(self, integrator_client, mine, theirs, path, key):
        assert ids(integrator_client.get(f"/api/v1/{path}/")) == {mine[key].pk, theirs[key].pk}

    @pytest.mark.parametrize("path,key", RESOURCES)
    def test_no_role_no_link_sees_nothing(self, mine, path, key):
        client = APIClient()
        client.force_authenticate(UserFactory())
        response = client.get(f"/api/v1/{path}/")
        assert response.status_code == 403
        assert client.get(f"/api/v1/{path}/{mine[key].pk}/").status_code in (403, 404)

    @pytest.mark.parametrize("path,key", RESOURCES)
    def test_customer_role_without_link_sees_nothing(self, mine, path, key):
        client = APIClient()
        client.force_authenticate(UserFactory(roles=[Role.CUSTOMER]))
        assert ids(client.get(f"/api/v1/{path}/")) == set()
        assert client.get(f"/api/v1/{path}/{mine[key].pk}/").status_code == 404

    @pytest.mark.parametrize("path", [p for p, _ in RESOURCES])
    def test_anonymous_refused(self, mine, path):
        assert APIClient().get(f"/api/v1/{path}/").status_code in (401, 403)


# --- TMF APIs ---------------------------------------------------------------------------------

class TestTmfApis:
    def test_tmf629_customer(self, api, mine, theirs):
        response = api.get("/tmf-api/customerManagement/v4/customer")
        assert response.status_code == 200
        assert {c["id"] for c in response.json()} == {str(mine["customer"].pk)}
        assert api.get(f"/tmf-api/customerManagement/v4/customer/{theirs['customer'].pk}").status_code == 404

    def test_tmf632_individual(self, api, actor, mine, theirs):
        own_party = services.party_create(kind="individual", actor=actor, given_name="Pat", family_name="Murphy")
        other_party = services.party_create(kind="individual", actor=actor, given_name="Pat", family_name="Byrne")
        services.customer_update(customer=mine["customer"], actor=actor, party=own_party)
        services.customer_update(customer=theirs["customer"], actor=actor, party=other_party)
        response = api.get("/tmf-api/party/v4/individual")
        assert response.status_code == 200
        assert {p["id"] for p in response.json()} == {str(own_party.pk)}
        assert api.get(f"/tmf-api/party/v4/individual/{other_party.pk}").status_code == 404

    def test_tmf629_patch_other_customer_refused(self, api, theirs):
        response = api.patch(f"/tmf-api/customerManagement/v4/customer/{theirs['customer'].pk}",
                             {"name": "Hacked"}, format="json")
        assert response.status_code in (403, 404)
        assert Customer.objects.get(pk=theirs["customer"].pk).name == "Pat Byrne"


def test_actor_label_for_customer_login(me):
    """History written through /my/ names the customer login, not a staff user."""
    from django.test import RequestFactory

    request = RequestFactory().get("/my/")
    request.user = me
    actor = Actor.from_request(request)
    assert actor.channel == "self_service" and actor.label == me.username
