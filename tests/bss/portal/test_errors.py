"""Error pages: 403 and 404 in the caller's layout (staff, self-service, or minimal) with a plain reason,
Back (only to a page of this site) and Home; 500 without request context or database; the APIs keep
their error shapes (JSON under /api/, the TMF Error body under /tmf-api/)."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import get_resolver

from bss import views
from bss.roles import Role
from tests.factories import ContactFactory, CustomerFactory, customer_user, staff_user

pytestmark = pytest.mark.django_db

STAFF_HEADER = "BSS · Back office"
SELF_SERVICE_HEADER = "My account"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestForbidden:
    def test_billing_user_on_contact_edit_gets_the_styled_page_with_back_and_home(self):
        contact = ContactFactory()
        customer_page = f"http://testserver/csr/customers/{contact.customer_id}/"
        r = signed_in(staff_user(Role.BILLING)).get(f"/csr/contacts/{contact.pk}/edit/", HTTP_REFERER=customer_page)
        assert r.status_code == 403
        page = r.content.decode()
        assert 'data-error-page="403"' in page
        assert STAFF_HEADER in page and 'href="/csr/"' in page  # inside the staff layout, with its navigation
        assert "Your role does not allow this." in page
        assert f'<a class="btn btn-outline-secondary" href="{customer_page}">Back</a>' in page
        assert '<a class="btn btn-primary" href="/">Home</a>' in page
        assert "Billing operator" in page  # who is signed in, with which role

    @pytest.mark.parametrize("referer", ["https://elsewhere.example/csr/", "javascript:alert(1)", "//evil.example/"])
    def test_back_only_to_a_page_of_this_site(self, referer):
        contact = ContactFactory()
        r = signed_in(staff_user(Role.BILLING)).get(f"/csr/contacts/{contact.pk}/edit/", HTTP_REFERER=referer)
        page = r.content.decode()
        assert r.status_code == 403 and 'data-error-page="403"' in page
        assert ">Back</a>" not in page and referer not in page and '<a class="btn btn-primary" href="/">Home</a>' in page

    def test_no_back_to_the_refused_page_itself(self):
        contact = ContactFactory()
        url = f"/csr/contacts/{contact.pk}/edit/"
        r = signed_in(staff_user(Role.BILLING)).get(url, HTTP_REFERER=f"http://testserver{url}")
        page = r.content.decode()
        assert r.status_code == 403 and 'data-error-page="403"' in page and ">Back</a>" not in page

    def test_self_service_user_on_a_staff_page_gets_the_self_service_layout(self):
        user = customer_user(CustomerFactory())
        r = signed_in(user).get("/csr/")
        assert r.status_code == 403
        page = r.content.decode()
        assert 'data-error-page="403"' in page
        assert SELF_SERVICE_HEADER in page and STAFF_HEADER not in page
        assert "This page is for back-office staff." in page

    def test_staff_user_on_a_self_service_page_gets_a_link_to_the_staff_portal(self):
        r = signed_in(staff_user(Role.CSR)).get("/my/")
        assert r.status_code == 403
        page = r.content.decode()
        assert 'data-error-page="403"' in page and STAFF_HEADER in page
        assert "This login is not linked to a customer." in page
        assert '<a href="/csr/">Go to the staff portal</a>' in page

    def test_a_refusal_without_a_message_still_says_why(self):
        request = RequestFactory().get("/csr/x/")
        request.user = staff_user(Role.CSR)
        r = views.permission_denied(request, PermissionDenied())
        assert r.status_code == 403
        assert "You do not have permission to open this page." in r.content.decode()


class TestNotFound:
    def test_anonymous_user_gets_the_minimal_layout(self):
        r = Client().get("/csr/no-such-page/", HTTP_REFERER="http://testserver/accounts/login/")
        assert r.status_code == 404
        page = r.content.decode()
        assert 'data-error-page="404"' in page and "We could not find this page" in page
        assert STAFF_HEADER not in page and SELF_SERVICE_HEADER not in page
        assert 'href="/accounts/login/">Sign in</a>' in page
        assert '<a class="btn btn-outline-secondary" href="http://testserver/accounts/login/">Back</a>' in page
        assert '<a class="btn btn-primary" href="/">Home</a>' in page

    def test_staff_user_gets_the_staff_layout_and_no_technical_text(self):
        r = signed_in(staff_user(Role.CSR)).get("/csr/customers/999999/")
        assert r.status_code == 404
        page = r.content.decode()
        assert 'data-error-page="404"' in page and STAFF_HEADER in page
        assert "matches the given query" not in page and "URLconf" not in page

    def test_self_service_user_gets_the_self_service_layout(self):
        r = signed_in(customer_user(CustomerFactory())).get("/my/no-such-page/")
        assert r.status_code == 404
        page = r.content.decode()
        assert 'data-error-page="404"' in page and SELF_SERVICE_HEADER in page


class TestApis:
    def test_native_api_answers_json(self):
        r = Client().get("/api/v1/no-such-resource/")
        assert r.status_code == 404 and r["Content-Type"] == "application/json"
        assert r.json() == {"detail": "Not found.", "code": "not_found"}
        request = RequestFactory().get("/api/v1/customers/")
        forbidden = views.permission_denied(request, PermissionDenied("nope"))
        assert forbidden.status_code == 403 and forbidden["Content-Type"] == "application/json"
        assert json.loads(forbidden.content)["code"] == "permission_denied"

    def test_tmf_api_answers_the_tmf_error_body(self):
        r = Client().get("/tmf-api/customerManagement/v4/no-such-resource")
        assert r.status_code == 404
        body = r.json()
        assert body["@type"] == "Error" and body["status"] == "404" and body["message"] == "No such resource or path"
        request = RequestFactory().get("/tmf-api/customerManagement/v4/customer")
        forbidden = views.permission_denied(request, PermissionDenied())
        assert forbidden.status_code == 403
        assert json.loads(forbidden.content)["@type"] == "Error" and json.loads(forbidden.content)["code"] == "forbidden"

    def test_server_errors_of_the_apis_keep_their_shapes(self):
        tmf = views.server_error(RequestFactory().get("/tmf-api/party/v4/individual"))
        assert tmf.status_code == 500 and json.loads(tmf.content)["@type"] == "Error"
        native = views.server_error(RequestFactory().get("/api/v1/customers/"))
        assert native.status_code == 500 and json.loads(native.content)["code"] == "server_error"


class TestServerError:
    def test_handlers_are_registered(self):
        resolver = get_resolver()
        assert resolver.resolve_error_handler(403) is views.permission_denied
        assert resolver.resolve_error_handler(404) is views.page_not_found
        assert resolver.resolve_error_handler(500) is views.server_error

    def test_a_failing_page_shows_the_styled_500_without_touching_the_database(
            self, mocker, django_assert_num_queries):
        # /healthz is what fails here; the database is the thing that broke.
        mocker.patch("bss.views.connection").cursor.side_effect = RuntimeError("database is gone")
        client = Client(raise_request_exception=False)
        with django_assert_num_queries(0):
            r = client.get("/healthz")
        assert r.status_code == 500
        page = r.content.decode()
        assert 'data-error-page="500"' in page and "Something went wrong" in page
        assert "database is gone" not in page and "Traceback" not in page

    def test_500_template_renders_without_any_context(self):
        page = loader.get_template("500.html").render()
        assert "Something went wrong" in page and 'href="/"' in page

    def test_a_500_template_that_cannot_render_still_gives_a_page(self, mocker):
        mocker.patch("bss.views.loader.get_template", side_effect=ValueError("Missing staticfiles manifest entry"))
        r = views.server_error(RequestFactory().get("/csr/"))
        assert r.status_code == 500 and b"Something went wrong" in r.content and b"manifest" not in r.content
