"""API-only roles (the Integrator) get no portal session: the sign-in form refuses them without counting
a failed attempt, and a session they might hold anyway gets the 403 page on /csr/. What the APIs let an
integrator see and do is unchanged (data scoping still treats it as staff)."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from bss.roles import Role, is_api_only_user, is_portal_user, is_staff_user
from customers.models import Customer
from tests.factories import CustomerFactory, UserFactory, customer_user, staff_user

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"  # tests.factories.UserFactory
API_ONLY_MESSAGE = "This login is for the API: get a token at /api/v1/auth/token/"


def sign_in(client, user):
    return client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})


def test_portal_roles_are_the_staff_roles_without_the_integrator():
    assert Role.API_ONLY == [Role.INTEGRATOR, Role.MIGRATION]
    assert set(Role.PORTAL) == set(Role.STAFF) - set(Role.API_ONLY)
    integrator = staff_user(Role.INTEGRATOR)
    assert is_staff_user(integrator) and not is_portal_user(integrator) and is_api_only_user(integrator)
    for role in Role.PORTAL:
        user = staff_user(role)
        assert is_portal_user(user) and not is_api_only_user(user)
    both = UserFactory(roles=[Role.INTEGRATOR, Role.CSR])
    assert is_portal_user(both) and not is_api_only_user(both)


class TestSignIn:
    def test_integrator_is_refused_with_a_pointer_to_the_token(self, integrator):
        client = Client()
        r = sign_in(client, integrator)
        assert r.status_code == 200
        assert API_ONLY_MESSAGE in r.content.decode()
        assert "_auth_user_id" not in client.session

    def test_the_refusal_is_no_failed_attempt_and_the_apis_still_serve_the_integrator(self, integrator, csr):
        CustomerFactory.create_batch(2)
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            assert API_ONLY_MESSAGE in sign_in(client, integrator).content.decode()  # never the lockout page
        assert not AccessAttempt.objects.filter(failures_since_start__gt=0).exists()
        api = APIClient()
        token = api.post("/api/v1/auth/token/", {"username": integrator.username, "password": PASSWORD},
                         format="json")
        assert token.status_code == 200  # not locked out
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
        tmf = api.get("/tmf-api/customerManagement/v4/customer")
        assert tmf.status_code == 200 and len(tmf.json()) == 2  # still scoped as staff: every customer
        assert sign_in(client, csr).status_code == 302  # nor is the address locked
        # a wrong password is still a failed attempt
        Client().post("/accounts/login/", {"username": integrator.username, "password": "wrong"})
        assert AccessAttempt.objects.get(username=integrator.username).failures_since_start == 1

    def test_only_api_only_users_are_refused(self, integrator):
        assert API_ONLY_MESSAGE in sign_in(Client(), integrator).content.decode()
        for user in (UserFactory(roles=[Role.INTEGRATOR, Role.CSR]), staff_user(Role.BILLING),
                     UserFactory(roles=[Role.SUPERVISOR], is_superuser=True), customer_user(CustomerFactory())):
            assert sign_in(Client(), user)["Location"] == "/", user.role_names


class TestIntegratorSession:
    @pytest.fixture
    def web(self, integrator):
        client = Client()
        client.force_login(integrator)
        return client

    def test_staff_portal_answers_the_styled_403(self, web):
        r = web.get("/csr/")
        assert r.status_code == 403
        page = r.content.decode()
        assert 'data-error-page="403"' in page and "This page is for back-office staff." in page
        assert "BSS · Back office" not in page  # the minimal layout: no staff navigation

    def test_cannot_onboard_a_customer(self, web):
        assert web.get("/csr/customers/new/").status_code == 403
        r = web.post("/csr/customers/new/", {"c-kind": "individual", "c-family_name": "Byrne"})
        assert r.status_code == 403 and not Customer.objects.exists()

    def test_credit_and_feasibility_screens_refused_too(self, web):
        assert web.get("/csr/orders/credit/").status_code == 403
        assert web.get("/csr/feasibility/qualify/").status_code == 403
