import pytest
from rest_framework.test import APIClient

from bss.actors import Actor, Channel
from bss.roles import Role
from tests.factories import staff_user


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_listener_answers():
    """The outbox asks whether anyone listens and caches the answer for a moment (bss.events.cached_exists): each
    test starts without an answer left by the one before (a rolled-back /hub listener sends no signal)."""
    from bss.events.registry import cached_exists

    cached_exists.clear_all()
    yield


@pytest.fixture
def csr(db):
    return staff_user(Role.CSR)


@pytest.fixture
def supervisor(db):
    return staff_user(Role.SUPERVISOR)


@pytest.fixture
def integrator(db):
    return staff_user(Role.INTEGRATOR)


@pytest.fixture
def actor(csr):
    return Actor(user=csr, channel=Channel.PORTAL, label=csr.username)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def integrator_client(integrator):
    client = APIClient()
    client.force_authenticate(integrator)
    return client


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (event fan-out) eagerly inside a test transaction."""
    return django_capture_on_commit_callbacks


@pytest.fixture(autouse=True, scope="session")
def _celery_eager():
    """Unit tests run tasks in-process; tests/integration starts a real worker instead."""
    from bss.celery import app

    set_eager(app, True)
    yield


def set_eager(app, eager: bool) -> None:
    """Both spellings: the Django-namespaced key loaded from settings wins over the plain one."""
    app.conf.update(task_always_eager=eager, CELERY_TASK_ALWAYS_EAGER=eager,
                    task_eager_propagates=True, CELERY_TASK_EAGER_PROPAGATES=True)
