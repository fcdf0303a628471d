"""Every operation, response and parameter of the OpenAPI schema says what it is (bss.api.schema.
BssAutoSchema fills what drf-spectacular leaves empty, from the view and the action), and no
operation shows a base class's notes for developers."""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def openapi(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def operations(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def test_no_operation_without_a_description(openapi):
    empty = [name for name, op in operations(openapi) if not (op.get("description") or "").strip()]
    assert not empty, empty


def test_no_response_without_a_description(openapi):
    empty = [f"{name} {code}" for name, op in operations(openapi)
             for code, response in op.get("responses", {}).items()
             if "$ref" not in response and not (response.get("description") or "").strip()]
    assert not empty, empty


def test_no_parameter_without_a_description(openapi):
    empty = [f"{name} {p['in']}:{p['name']}" for name, op in operations(openapi)
             for p in op.get("parameters", []) if "$ref" not in p and not (p.get("description") or "").strip()]
    assert not empty, empty


def test_no_base_class_notes_for_developers(openapi):
    """TmfViewSet's and CatalogTmfViewSet's docstrings tell developers what subclasses set: not API docs."""
    leaked = [name for name, op in operations(openapi)
              if "Subclasses set" in op.get("description", "") or "error_names" in op.get("description", "")]
    assert not leaked, leaked


def test_descriptions_say_what_the_response_is(openapi):
    paths = openapi["paths"]
    assert paths["/api/v1/customers/"]["get"]["responses"]["200"]["description"] == "A page of customers"
    assert paths["/api/v1/customers/{id}/"]["get"]["responses"]["200"]["description"] == "The customer"
    assert paths["/api/v1/addresses/"]["post"]["responses"]["201"]["description"] == "The created address"
    assert paths["/api/v1/customers/{id}/"]["patch"]["responses"]["200"]["description"] == "The updated customer"
    # an action's docstring names its response ("Returns: ...")
    assert paths["/api/v1/customers/{id}/status/"]["post"]["responses"]["200"]["description"] == (
        "The customer in its new status")
    tmf = paths["/tmf-api/party/v4/individual/{id}/"]["get"]
    assert tmf["responses"]["200"]["description"] == "The individual"
    assert {p["name"]: p["description"] for p in tmf["parameters"]}["id"] == "The individual's id"
    offerings = paths["/tmf-api/productCatalogManagement/v4/productOffering/"]["get"]
    assert offerings["responses"]["200"]["description"].startswith("A page of product offerings")
    assert offerings["description"].startswith("List the product offerings")


def test_an_operation_reads_its_action_then_the_resource(openapi):
    op = openapi["paths"]["/api/v1/addresses/"]["post"]
    assert op["description"].startswith("Create an address.") and "Postal addresses" in op["description"]
    delete = openapi["paths"]["/tmf-api/customerManagement/v4/customer/{id}/"]["delete"]
    assert "closes the customer" in delete["description"]  # what perform_destroy says DELETE does
    contacts = {p["name"]: p["description"] for p in openapi["paths"]["/api/v1/contacts/"]["get"]["parameters"]}
    assert contacts["customer"] == "Only the contacts of this customer (its id)"
    assert contacts["is_primary"] == "Only the contacts that are primary (true) or not (false)"
