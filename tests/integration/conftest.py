"""A real Celery worker (separate process) on Redis, against the test database.

Needs PostgreSQL (the worker process must see the test database) and Redis. Without them the
tests skip, unless BSS_REQUIRE_SERVICES=1 (CI), where they fail.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest
from django.db import connection

REDIS_URL = os.environ.get("BSS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _unavailable(reason):
    if os.environ.get("BSS_REQUIRE_SERVICES") == "1":
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def _redis_up() -> bool:
    u = urlparse(REDIS_URL)
    try:
        with socket.create_connection((u.hostname, u.port or 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _reset_broker_pools(app):
    """Drop cached broker connections so the next publish uses the current broker_url."""
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


class Worker:
    """One Celery worker process (solo pool) on every queue; ``kill()`` is a SIGKILL, ``start()`` starts a new one."""

    def __init__(self, env):
        self.env = env
        self.proc = None
        self.log = open(os.path.join(os.environ.get("TMPDIR", "/tmp"), f"bss-worker-{os.getpid()}.log"), "w+")

    def start(self):
        self.log.seek(0, 2)
        mark = self.log.tell()
        self.proc = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "celery"), "-A", "bss", "worker", "-l", "INFO",
             "--pool", "solo", "-Q", "default,events,provisioning,notifications", "--without-heartbeat",
             "--without-mingle", "--without-gossip"], env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            self.log.seek(mark)
            if "ready." in self.log.read():
                return
            if self.proc.poll() is not None:
                self.log.seek(0)
                pytest.fail("worker exited:\n" + self.log.read()[-3000:])
            time.sleep(0.3)
        pytest.fail("worker did not become ready")

    def kill(self):
        self.proc.kill()
        self.proc.wait(timeout=15)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.seek(0)
        print("---- worker log ----\n" + self.log.read()[-4000:])
        self.log.close()


@pytest.fixture
def worker_env():
    """Extra environment for the worker process (a test may add to it before the worker starts)."""
    return {}


@pytest.fixture
def celery_worker_process(transactional_db, worker_env):
    if connection.vendor != "postgresql":
        _unavailable("the worker integration test needs PostgreSQL (DATABASE_URL=postgres://...)")
    if not _redis_up():
        _unavailable(f"Redis not reachable at {REDIS_URL}")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    from bss.celery import app

    s = connection.settings_dict
    db_url = f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    env = {**os.environ, "DATABASE_URL": db_url, "CELERY_BROKER_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE":
           "bss.settings", "BSS_WEBHOOK_BACKOFF_BASE": "1.5", "DB_CONN_MAX_AGE": "0", **worker_env}
    worker = Worker(env)
    from tests.conftest import set_eager

    old = (app.conf.task_always_eager, os.environ.get("CELERY_BROKER_URL"))
    set_eager(app, False)
    os.environ["CELERY_BROKER_URL"] = REDIS_URL  # Celery's broker_url reads the environment first
    _reset_broker_pools(app)
    try:
        worker.start()
        yield worker
    finally:
        set_eager(app, old[0])
        if old[1] is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = old[1]
        _reset_broker_pools(app)
        worker.stop()


class Receiver:
    """A tiny local HTTP listener: answers each POST with the next status in `script`."""

    def __init__(self, script):
        self.script = list(script)
        self.requests = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.requests.append({"headers": dict(self.headers), "body": body,
                                              "json": json.loads(body or b"null")})
                    code = receiver.script.pop(0) if receiver.script else 200
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/listener"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, n, timeout=30.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if len(self.requests) >= n:
                return True
            time.sleep(0.1)
        return False

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver_factory():
    made = []

    def make(script=()):
        r = Receiver(script)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()
