"""TMF637 Product Inventory over the customer's products: shapes against the official spec in every status,
scoping (a self-service user sees only their own products), the toolkit's fields/filters/paging, and writes:
products change through orders, so POST/PATCH/DELETE are refused (403, TMF Error body) to everyone but the
data-migration role, whose writes go through the customers services, are marked created_outside_order and
move the status only as the lifecycle allows (409 otherwise); DELETE terminates and never erases."""

import pytest
from rest_framework.test import APIClient

from bss.audit.models import HistoryEntry
from bss.events.models import Event
from bss.roles import Role, is_api_only_user, is_portal_user, is_staff_user
from customers.models import Product
from customers.services import product as product_services
from customers.tmf.serializers import SPEC_ABORTED
from tests.factories import (
    AddressFactory,
    BillingAccountFactory,
    CustomerFactory,
    ProductFactory,
    customer_user,
    staff_user,
)
from tests.tmf_spec import assert_tmf_error, load_spec, spec_problems

pytestmark = pytest.mark.django_db
PRODUCT = "/tmf-api/productInventory/v4/product"
SPEC = "TMF637-ProductInventory-v4.0.0.swagger.json"
S = Product.Status


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def migration(db):
    return client_for(staff_user(Role.MIGRATION))


@pytest.fixture
def csr_api(csr):
    return client_for(csr)


def full_product(actor, status=S.ACTIVE) -> Product:
    customer = CustomerFactory()
    product = ProductFactory(customer=customer, billing_account=BillingAccountFactory(customer=customer),
                             place=AddressFactory(customer=customer), product_serial="353871234567",
                             characteristics={"speed": 500, "static_ip": True}, description="Home broadband")
    for transition in product_services.MIGRATION_PATHS[status]:
        product_services.product_transition(product_id=product.pk, transition=transition, actor=actor)
    product.refresh_from_db()
    return product


def customer_ref(customer) -> dict:
    return {"id": str(customer.pk), "role": "customer", "@referredType": "Customer"}


def post_body(customer, **kw) -> dict:
    return {"status": "active", "productOffering": {"id": "fiber-500", "name": "Fiber 500"},
            "relatedParty": [customer_ref(customer)], **kw}


# --- reading ----------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [s for s in S.values if s != S.ABORTED])
def test_the_shape_is_the_spec_s_in_every_status(csr_api, actor, status):
    product = full_product(actor, status)
    data = csr_api.get(f"{PRODUCT}/{product.pk}").json()
    assert spec_problems(load_spec(SPEC), "Product", data) == []
    assert data["status"] == status
    assert data["@type"] == "Product" and data["href"] == f"http://testserver{PRODUCT}/{product.pk}"
    assert data["productOffering"] == {"id": "po-mobile-20", "name": "Mobile 20GB", "@referredType": "ProductOffering"}
    assert data["productSerialNumber"] == "353871234567" and data["description"] == "Home broadband"
    assert data["productCharacteristic"] == [{"name": "speed", "value": 500}, {"name": "static_ip", "value": True}]
    [party] = data["relatedParty"]
    assert party["id"] == str(product.customer_id) and party["role"] == "customer"
    assert party["@referredType"] == "Customer" and party["href"].endswith(
        f"/tmf-api/customerManagement/v4/customer/{product.customer_id}")
    assert data["billingAccount"]["id"] == str(product.billing_account_id)
    assert data["billingAccount"]["@referredType"] == "BillingAccount"
    [place] = data["place"]
    assert (place["id"], place["role"]) == (str(product.place_id), "installationAddress")
    assert ("startDate" in data) == (product.start_date is not None)
    assert ("terminationDate" in data) == (status == S.TERMINATED)
    assert "realizingService" not in data  # customers does not read service_activation


def test_aborted_is_rendered_without_the_spec_s_typo(csr_api, actor):
    """TMF637 v4.0.0 lists the value as "aborted " (a trailing space); we render "aborted", the only
    difference from the spec's shape."""
    assert SPEC_ABORTED in load_spec(SPEC)["definitions"]["ProductStatusType"]["enum"]
    data = csr_api.get(f"{PRODUCT}/{full_product(actor, S.ABORTED).pk}").json()
    assert data["status"] == "aborted"
    assert spec_problems(load_spec(SPEC), "Product", data) == [
        f"status: 'aborted' not in ProductStatusType {load_spec(SPEC)['definitions']['ProductStatusType']['enum']}"]


def test_a_self_service_user_sees_only_their_own_products(actor):
    mine, theirs = full_product(actor), full_product(actor)
    ProductFactory(customer=mine.customer)
    client = client_for(customer_user(mine.customer))
    resp = client.get(PRODUCT)
    assert resp.status_code == 200 and resp["X-Total-Count"] == "2"
    assert {p["id"] for p in resp.json()} == {str(p.pk) for p in Product.objects.filter(customer=mine.customer)}
    assert client.get(f"{PRODUCT}/{mine.pk}").status_code == 200
    assert_tmf_error(client.get(f"{PRODUCT}/{theirs.pk}"), 404)
    assert client.get(PRODUCT, {"relatedParty.id": str(theirs.customer_id)}).json() == []
    # a login linked to no customer sees nothing; no login gets nothing
    assert client_for(staff_user(Role.CUSTOMER)).get(PRODUCT).json() == []
    assert APIClient().get(PRODUCT).status_code in (401, 403)


def test_staff_see_every_customer_s_products(csr_api, actor):
    products = [full_product(actor), full_product(actor)]
    assert {p["id"] for p in csr_api.get(PRODUCT).json()} == {str(p.pk) for p in products}


def test_filters_fields_and_paging(csr_api, actor):
    active, suspended = full_product(actor), full_product(actor, S.SUSPENDED)
    assert [p["id"] for p in csr_api.get(PRODUCT, {"status": "suspended"}).json()] == [str(suspended.pk)]
    assert [p["id"] for p in csr_api.get(PRODUCT, {"relatedParty.id": str(active.customer_id)}).json()] == [
        str(active.pk)]
    assert [p["id"] for p in csr_api.get(PRODUCT, {"billingAccount.id": str(suspended.billing_account_id)}
                                         ).json()] == [str(suspended.pk)]
    assert len(csr_api.get(PRODUCT, {"productOffering.id": "po-mobile-20"}).json()) == 2
    assert csr_api.get(PRODUCT, {"productOffering.id": "other"}).json() == []
    data = csr_api.get(f"{PRODUCT}/{active.pk}", {"fields": "status"}).json()
    assert data == {"id": str(active.pk), "href": f"http://testserver{PRODUCT}/{active.pk}", "status": "active"}
    page = csr_api.get(PRODUCT, {"limit": 1})
    assert (page["X-Total-Count"], page["X-Result-Count"]) == ("2", "1")
    assert page.json()[0]["id"] == str(suspended.pk)  # newest first


# --- writing: only the data-migration role ------------------------------------------------------

@pytest.mark.parametrize("role", [Role.CSR, Role.SUPERVISOR, Role.BILLING, Role.PROVISIONING, Role.INTEGRATOR])
def test_no_one_else_writes_products_directly(role, actor):
    product = full_product(actor)
    client = client_for(staff_user(role))
    before = (Product.objects.count(), HistoryEntry.objects.count(), Event.objects.count())
    body = assert_tmf_error(client.post(PRODUCT, post_body(product.customer), format="json"), 403)
    assert body["code"] == "forbidden"
    assert_tmf_error(client.patch(f"{PRODUCT}/{product.pk}", {"name": "Changed"}, format="json"), 403)
    assert_tmf_error(client.delete(f"{PRODUCT}/{product.pk}"), 403)
    assert (Product.objects.count(), HistoryEntry.objects.count(), Event.objects.count()) == before
    product.refresh_from_db()
    assert (product.name, product.status) == ("Mobile 20GB", S.ACTIVE)
    assert client.get(f"{PRODUCT}/{product.pk}").status_code == 200  # reading is still theirs


def test_a_customer_cannot_write_their_own_products(actor):
    product = full_product(actor)
    client = client_for(customer_user(product.customer))
    assert_tmf_error(client.post(PRODUCT, post_body(product.customer), format="json"), 403)
    assert_tmf_error(client.patch(f"{PRODUCT}/{product.pk}", {"status": "terminated"}, format="json"), 403)
    assert_tmf_error(client.delete(f"{PRODUCT}/{product.pk}"), 403)
    product.refresh_from_db()
    assert product.status == S.ACTIVE


def test_the_migration_role_is_api_only_and_reads_only_products():
    user = staff_user(Role.MIGRATION)
    assert is_staff_user(user) and is_api_only_user(user) and not is_portal_user(user)
    assert user.has_perm("customers.migrate_product") and user.has_perm("customers.view_product")
    assert not user.has_perm("customers.view_customer") and not user.has_perm("customers.change_product")
    assert not staff_user(Role.INTEGRATOR).has_perm("customers.migrate_product")
    assert_tmf_error(client_for(user).get("/tmf-api/customerManagement/v4/customer"), 403)


def test_a_migration_post_creates_a_marked_product_in_the_status_sent(migration):
    customer = CustomerFactory()
    account = BillingAccountFactory(customer=customer)
    body = post_body(customer, status="suspended", name="Legacy DSL", productSerialNumber="DSL-42",
                     startDate="2019-05-01T09:30:00Z", billingAccount={"id": str(account.pk)},
                     productCharacteristic=[{"name": "speed", "value": 24}],
                     realizingService=[{"id": "legacy-svc-1", "@referredType": "Service"}],
                     agreement=[{"id": "ag-1", "name": "Framework"}])
    resp = migration.post(PRODUCT, body, format="json")
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert resp["Location"] == data["href"]
    product = Product.objects.get(pk=data["id"])
    assert product.created_outside_order
    assert (product.status, product.customer, product.billing_account) == (S.SUSPENDED, customer, account)
    assert (product.name, product.offering_code, product.product_serial) == ("Legacy DSL", "fiber-500", "DSL-42")
    assert product.characteristics == {"speed": 24}
    assert data["startDate"] == "2019-05-01T09:30:00.000Z"
    # spec attributes we do not model are kept as sent
    assert data["realizingService"] == [{"id": "legacy-svc-1", "@referredType": "Service"}]
    assert data["agreement"] == [{"id": "ag-1", "name": "Framework"}]
    assert spec_problems(load_spec(SPEC), "Product", data) == []
    actions = list(HistoryEntry.objects.for_object(product).order_by("pk").values_list("action", flat=True))
    assert actions == ["customers.product.created_outside_order", "customers.product.activate",
                       "customers.product.suspend"]
    assert HistoryEntry.objects.for_root(customer).filter(action="customers.product.created_outside_order").exists()
    events = Event.objects.filter(resource_type="product", resource_id=str(product.pk))
    assert [e.event_type for e in events] == ["ProductCreateEvent"]
    assert events[0].api == "productInventory"
    assert events[0].payload["event"]["product"]["status"] == "suspended"


@pytest.mark.parametrize("sent", ["aborted", SPEC_ABORTED])
def test_aborted_is_taken_in_either_spelling(migration, sent):
    resp = migration.post(PRODUCT, post_body(CustomerFactory(), status=sent), format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["status"] == "aborted"
    assert Product.objects.get(pk=resp.json()["id"]).status == S.ABORTED


def test_a_migration_post_names_one_of_our_customers(migration):
    before = Product.objects.count()
    error = assert_tmf_error(migration.post(PRODUCT, {"status": "active", "productOffering": {"id": "x"}},
                                            format="json"), 400)
    assert "relatedParty" in error["message"]
    assert_tmf_error(migration.post(PRODUCT, post_body(CustomerFactory(), relatedParty=[
        {"id": "999999", "role": "customer", "@referredType": "Customer"}]), format="json"), 422)
    error = assert_tmf_error(migration.post(PRODUCT, {"status": "active", "relatedParty": [
        customer_ref(CustomerFactory())]}, format="json"), 400)
    assert "productOffering" in error["message"]
    error = assert_tmf_error(migration.post(PRODUCT, post_body(CustomerFactory(), billingAccount={
        "id": str(BillingAccountFactory().pk)}), format="json"), 400)
    assert "billingAccount" in error["message"]
    error = assert_tmf_error(migration.post(PRODUCT, post_body(CustomerFactory(), status="gone"), format="json"), 400)
    assert "status" in error["message"]
    error = assert_tmf_error(migration.post(PRODUCT, post_body(CustomerFactory(), productCharacteristic=[
        {"name": "speed", "value": 1}, {"name": "speed", "value": 2}]), format="json"), 400)
    assert "productCharacteristic" in error["message"]
    assert Product.objects.count() == before


def test_a_migration_patch_changes_attributes_and_moves_the_status(migration, actor):
    product = full_product(actor)
    since = Event.objects.latest("pk").pk
    resp = migration.patch(f"{PRODUCT}/{product.pk}", {"name": "Fiber (migrated)", "status": "pendingTerminate",
                                                       "productCharacteristic": [{"name": "speed", "value": 1000}]},
                           format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "pendingTerminate" and resp.json()["name"] == "Fiber (migrated)"
    product.refresh_from_db()
    assert (product.status, product.characteristics) == (S.PENDING_TERMINATE, {"speed": 1000})
    assert not product.created_outside_order  # created by an order; only changed outside one
    assert set(HistoryEntry.objects.for_object(product).values_list("action", flat=True)) >= {
        "customers.product.changed_outside_order", "customers.product.pend_terminate"}
    assert list(Event.objects.filter(pk__gt=since).values_list("event_type", flat=True)) == [
        "ProductStateChangeEvent"]


def test_a_move_the_lifecycle_does_not_allow_is_409_and_changes_nothing(migration, actor):
    product = full_product(actor, S.TERMINATED)
    history = HistoryEntry.objects.count()
    assert_tmf_error(migration.patch(f"{PRODUCT}/{product.pk}", {"status": "active", "name": "Back"},
                                     format="json"), 409)
    assert_tmf_error(migration.delete(f"{PRODUCT}/{product.pk}"), 409)
    product.refresh_from_db()
    assert (product.status, product.name) == (S.TERMINATED, "Mobile 20GB")
    assert HistoryEntry.objects.count() == history


def test_a_patch_may_not_move_the_product_to_another_customer(migration, actor):
    product = full_product(actor)
    error = assert_tmf_error(migration.patch(f"{PRODUCT}/{product.pk}", {
        "relatedParty": [customer_ref(CustomerFactory())]}, format="json"), 400)
    assert "relatedParty" in error["message"]
    assert Product.objects.get(pk=product.pk).customer_id == product.customer_id


def test_delete_terminates_and_never_erases(migration, actor):
    product = full_product(actor)
    resp = migration.delete(f"{PRODUCT}/{product.pk}")
    assert resp.status_code == 204
    data = migration.get(f"{PRODUCT}/{product.pk}").json()  # still there
    assert data["status"] == "terminated" and "terminationDate" in data
    entry = HistoryEntry.objects.for_object(product).latest("pk")
    assert (entry.action, entry.to_state) == ("customers.product.terminate", "terminated")
    assert "TMF637 DELETE" in entry.reason
    event = Event.objects.filter(resource_id=str(product.pk)).latest("pk")
    assert event.event_type == "ProductDeleteEvent"
    assert event.payload["event"]["product"]["status"] == "terminated"
