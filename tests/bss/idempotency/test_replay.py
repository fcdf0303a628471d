"""Idempotency-Key on TMF and native POSTs: replay, mismatch, scope, expiry, release, in progress."""

import hashlib
from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bss.idempotency.middleware import IdempotencyMiddleware
from bss.idempotency.models import IdempotencyKey
from bss.roles import Role
from customers.models import Customer
from tests.bss.idempotency import middlewares
from tests.factories import TokenFactory, staff_user

pytestmark = pytest.mark.django_db

TMF_CUSTOMER = "/tmf-api/customerManagement/v4/customer"
NATIVE_CUSTOMER = "/api/v1/customers/"
EXTERNAL = {"id": "crm-1", "@referredType": "Organization"}
MIDDLEWARE = "bss.idempotency.middleware.IdempotencyMiddleware"


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def post(client, path, body, key):
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(path, body, format="json", headers=headers)


def tmf_body(name="Replay Ltd"):
    return {"name": name, "engagedParty": EXTERNAL}


def with_inner(settings, dotted: str):
    """Put a test middleware right inside IdempotencyMiddleware."""
    chain = list(settings.MIDDLEWARE)
    chain.insert(chain.index(MIDDLEWARE) + 1, dotted)
    settings.MIDDLEWARE = chain


@pytest.fixture
def integrator_api(integrator):
    return token_client(integrator)


class TestReplay:
    def test_tmf_replay_returns_the_stored_response_and_creates_nothing(self, integrator_api):
        first = post(integrator_api, TMF_CUSTOMER, tmf_body(), "k-1")
        assert first.status_code == 201, first.content
        assert Customer.objects.count() == 1
        again = post(integrator_api, TMF_CUSTOMER, tmf_body(), "k-1")
        assert again.status_code == 201
        assert again.content == first.content
        assert again["Location"] == first["Location"]
        assert again["Content-Type"] == first["Content-Type"]
        assert again["Idempotent-Replayed"] == "true"
        assert not first.has_header("Idempotent-Replayed")
        assert Customer.objects.count() == 1

    def test_native_replay(self, integrator_api):
        first = post(integrator_api, NATIVE_CUSTOMER, {"name": "Acme"}, "native-1")
        assert first.status_code == 201, first.content
        again = post(integrator_api, NATIVE_CUSTOMER, {"name": "Acme"}, "native-1")
        assert (again.status_code, again.content) == (201, first.content)
        assert again["Idempotent-Replayed"] == "true"
        assert Customer.objects.count() == 1

    def test_without_a_key_every_post_runs(self, integrator_api):
        post(integrator_api, NATIVE_CUSTOMER, {"name": "Acme"}, None)
        post(integrator_api, NATIVE_CUSTOMER, {"name": "Acme"}, None)
        assert Customer.objects.count() == 2
        assert not IdempotencyKey.objects.exists()

    def test_a_4xx_is_replayed_too(self, integrator_api):
        bad = {"name": "x", "engagedParty": EXTERNAL, "unknownAttribute": 1}
        first = post(integrator_api, TMF_CUSTOMER, bad, "bad-1")
        assert first.status_code == 400
        again = post(integrator_api, TMF_CUSTOMER, bad, "bad-1")
        assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (400, first.content, "true")


class TestMismatch:
    def test_same_key_with_another_body_is_422_tmf_error(self, integrator_api):
        assert post(integrator_api, TMF_CUSTOMER, tmf_body("A"), "k").status_code == 201
        resp = post(integrator_api, TMF_CUSTOMER, tmf_body("B"), "k")
        assert resp.status_code == 422
        body = resp.json()
        assert body["@type"] == "Error" and body["status"] == "422" and body["code"] == "idempotency_key_reused"
        assert set(body) >= {"code", "reason", "message", "status", "@type"}
        assert Customer.objects.count() == 1

    def test_same_key_on_another_path_is_422_drf_shape(self, integrator_api):
        assert post(integrator_api, TMF_CUSTOMER, {"name": "A", "engagedParty": EXTERNAL}, "k").status_code == 201
        resp = post(integrator_api, NATIVE_CUSTOMER, {"name": "A", "engagedParty": EXTERNAL}, "k")
        assert resp.status_code == 422
        assert resp.json() == {"detail": resp.json()["detail"], "code": "idempotency_key_reused"}
        assert Customer.objects.count() == 1

    @pytest.mark.parametrize("key", ["x" * 256, "", "caf\u00e9", "tab\there"])
    def test_invalid_keys_are_400(self, integrator_api, key):
        resp = post(integrator_api, TMF_CUSTOMER, tmf_body(), key)
        assert resp.status_code == 400
        assert resp.json()["code"] == "invalid_idempotency_key"
        assert Customer.objects.count() == 0

    def test_a_key_of_255_characters_is_fine(self, integrator_api):
        assert post(integrator_api, TMF_CUSTOMER, tmf_body(), "x" * 255).status_code == 201
        assert post(integrator_api, TMF_CUSTOMER, tmf_body(), "x" * 255)["Idempotent-Replayed"] == "true"


class TestScope:
    def test_another_credential_with_the_same_key_runs_fresh(self, integrator_api):
        other = token_client(staff_user(Role.INTEGRATOR))
        a = post(integrator_api, TMF_CUSTOMER, tmf_body(), "shared")
        b = post(other, TMF_CUSTOMER, tmf_body(), "shared")
        assert a.status_code == b.status_code == 201
        assert a.json()["id"] != b.json()["id"]
        assert not b.has_header("Idempotent-Replayed")
        assert Customer.objects.count() == 2
        # and a different body from the other credential is not a mismatch
        assert post(other, NATIVE_CUSTOMER, {"name": "Z"}, "k2").status_code == 201
        assert post(integrator_api, NATIVE_CUSTOMER, {"name": "Y"}, "k2").status_code == 201

    def test_session_and_token_of_one_user_share_the_scope(self, integrator, integrator_api):
        first = post(integrator_api, NATIVE_CUSTOMER, {"name": "Acme"}, "same-user")
        again = post(session_client(integrator), NATIVE_CUSTOMER, {"name": "Acme"}, "same-user")
        assert again["Idempotent-Replayed"] == "true" and again.content == first.content
        assert IdempotencyKey.objects.get().scope == f"user:{integrator.pk}"

    def test_the_token_wins_over_the_session_as_in_drf(self, csr, integrator):
        client = session_client(csr)
        client.credentials(HTTP_AUTHORIZATION=f"Token {TokenFactory(user=integrator).key}")
        assert post(client, NATIVE_CUSTOMER, {"name": "Acme"}, "k").status_code == 201
        assert IdempotencyKey.objects.get().scope == f"user:{integrator.pk}"

    def test_anonymous_and_invalid_tokens_are_not_stored(self):
        anon = APIClient()
        assert post(anon, NATIVE_CUSTOMER, {"name": "Acme"}, "k").status_code == 401
        bad = APIClient()
        bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
        assert post(bad, TMF_CUSTOMER, tmf_body(), "k").status_code == 401
        assert not IdempotencyKey.objects.exists()

    def test_the_token_exchange_is_never_stored(self, integrator):
        integrator.set_password("pw-12345678")
        integrator.save()
        client = session_client(integrator)
        resp = client.post("/api/v1/auth/token/", {"username": integrator.username, "password": "pw-12345678"},
                           format="json", headers={"Idempotency-Key": "login"})
        assert resp.status_code == 200 and "token" in resp.json()
        assert not IdempotencyKey.objects.exists()


class TestExpiry:
    def test_an_expired_key_runs_again(self, integrator_api):
        post(integrator_api, NATIVE_CUSTOMER, {"name": "Acme"}, "old")
        IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        again = post(integrator_api, NATIVE_CUSTOMER, {"name": "Acme"}, "old")
        assert again.status_code == 201 and not again.has_header("Idempotent-Replayed")
        assert Customer.objects.count() == 2
        assert IdempotencyKey.objects.count() == 1

    def test_retention_follows_the_setting(self, integrator_api, settings):
        settings.BSS_IDEMPOTENCY_TTL_HOURS = 2
        before = timezone.now()
        post(integrator_api, NATIVE_CUSTOMER, {"name": "Acme"}, "ttl")
        record = IdempotencyKey.objects.get()
        assert before + timedelta(hours=2) <= record.expires_at <= timezone.now() + timedelta(hours=2)
        assert record.state == IdempotencyKey.State.COMPLETED and record.response_status == 201


class TestRelease:
    def test_a_5xx_releases_the_key_and_the_retry_runs(self, integrator_api, settings):
        with_inner(settings, "tests.bss.idempotency.middlewares.FailOnce")
        middlewares.FailOnce.failed = False
        assert post(integrator_api, TMF_CUSTOMER, tmf_body(), "retry").status_code == 500
        assert not IdempotencyKey.objects.exists()
        retry = post(integrator_api, TMF_CUSTOMER, tmf_body(), "retry")
        assert retry.status_code == 201 and not retry.has_header("Idempotent-Replayed")
        assert post(integrator_api, TMF_CUSTOMER, tmf_body(), "retry")["Idempotent-Replayed"] == "true"
        assert Customer.objects.count() == 1

    @pytest.mark.parametrize("status", [401, 403, 409, 429, 503])
    def test_not_now_answers_are_not_stored(self, integrator_api, settings, status):
        with_inner(settings, "tests.bss.idempotency.middlewares.Answer")
        middlewares.Answer.status = status
        assert post(integrator_api, NATIVE_CUSTOMER, {"name": "A"}, "k").status_code == status
        assert not IdempotencyKey.objects.exists()

    def test_an_exception_releases_the_key(self, integrator):
        def explode(request):
            raise RuntimeError("view crashed")

        request = RequestFactory().post(NATIVE_CUSTOMER, {"name": "A"}, content_type="application/json",
                                        headers={"Idempotency-Key": "boom"})
        request.user = integrator
        with pytest.raises(RuntimeError):
            IdempotencyMiddleware(explode)(request)
        assert not IdempotencyKey.objects.exists()


class TestInProgress:
    def test_a_duplicate_while_the_first_runs_gets_409(self, integrator_api, settings):
        with_inner(settings, "tests.bss.idempotency.middlewares.Nested")
        middlewares.Nested.results = []
        middlewares.Nested.during = lambda request: post(integrator_api, TMF_CUSTOMER, tmf_body(), "busy")
        first = post(integrator_api, TMF_CUSTOMER, tmf_body(), "busy")
        assert first.status_code == 201
        (duplicate,) = middlewares.Nested.results
        assert duplicate.status_code == 409
        assert duplicate.json()["@type"] == "Error" and duplicate.json()["code"] == "idempotency_key_in_progress"
        assert duplicate["Retry-After"] == "1"
        assert Customer.objects.count() == 1
        assert post(integrator_api, TMF_CUSTOMER, tmf_body(), "busy")["Idempotent-Replayed"] == "true"

    def test_a_stale_claim_is_taken_over(self, integrator, integrator_api, settings):
        settings.BSS_IDEMPOTENCY_STALE_SECONDS = 60
        now = timezone.now()
        body = b'{"name":"Acme"}'
        IdempotencyKey.objects.create(scope=f"user:{integrator.pk}", key="dead", method="POST",
                                      path=NATIVE_CUSTOMER, fingerprint=hashlib.sha256(body).hexdigest(),
                                      claimed_at=now - timedelta(seconds=61), created_at=now - timedelta(seconds=61),
                                      expires_at=now + timedelta(hours=1))
        resp = integrator_api.post(NATIVE_CUSTOMER, body, content_type="application/json",
                                   headers={"Idempotency-Key": "dead"})
        assert resp.status_code == 201
        assert IdempotencyKey.objects.get().state == IdempotencyKey.State.COMPLETED
