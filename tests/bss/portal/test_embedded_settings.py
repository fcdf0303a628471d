"""The embedded run (BSS_EMBEDDED=1, set by run_embedded for its web and worker processes): DEBUG off, so
no technical pages, yet it works on http://127.0.0.1 without configuration: a secret key created once in
VAR_DIR/secret_key, no SSL redirect/HSTS/secure cookies, static files without collectstatic, loopback and
the --host as allowed hosts. Each case imports the settings in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import json, django
from django.conf import settings
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1:8000")
missing = client.get("/no-such-page/")
css = client.get("/static/css/bss.css")
print(json.dumps({
    "debug": settings.DEBUG, "secret_key": settings.SECRET_KEY, "allowed_hosts": settings.ALLOWED_HOSTS,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT, "hsts": settings.SECURE_HSTS_SECONDS,
    "session_secure": settings.SESSION_COOKIE_SECURE, "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "static_storage": settings.STORAGES["staticfiles"]["BACKEND"],
    "use_finders": getattr(settings, "WHITENOISE_USE_FINDERS", False),
    "webhook_private": settings.BSS_WEBHOOK_ALLOW_PRIVATE,
    "missing": [missing.status_code, missing.content.decode()], "css": css.status_code,
}))
"""


def probe(var_dir: Path, **env) -> dict:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_DEBUG", "DJANGO_SECRET_KEY", "ALLOWED_HOSTS",
                          "BSS_HOST", "BSS_EMBEDDED", "SECURE_SSL_REDIRECT", "BSS_WEBHOOK_ALLOW_PRIVATE")}
    clean.update(DJANGO_SETTINGS_MODULE="bss.settings", BSS_VAR_DIR=str(var_dir), BSS_EMBEDDED="1", **env)
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_debug_off_with_a_secret_key_file_and_plain_http(tmp_path):
    first = probe(tmp_path)
    assert first["debug"] is False
    key_file = tmp_path / "secret_key"
    assert first["secret_key"] == key_file.read_text().strip() and len(first["secret_key"]) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert first["ssl_redirect"] is False and first["hsts"] == 0
    assert first["session_secure"] is False and first["csrf_secure"] is False
    assert "Manifest" not in first["static_storage"] and first["use_finders"] is True
    assert first["css"] == 200  # served without collectstatic
    assert first["webhook_private"] is True  # as the embedded run always allowed
    status, page = first["missing"]
    assert status == 404 and 'data-error-page="404"' in page
    assert "DEBUG = True" not in page and "URLconf" not in page
    assert set(first["allowed_hosts"]) >= {"localhost", "127.0.0.1", "[::1]"} and "*" not in first["allowed_hosts"]
    # the next start (or the worker) reads the same key: sessions survive a restart
    assert probe(tmp_path)["secret_key"] == first["secret_key"]


@pytest.mark.parametrize(("host", "expected"), [("192.168.1.20", "192.168.1.20"), ("bss.lan", "bss.lan"),
                                                ("2001:db8::5", "[2001:db8::5]"), ("0.0.0.0", "*")])
def test_allowed_hosts_fit_the_host_it_listens_on(tmp_path, host, expected):
    assert expected in probe(tmp_path, BSS_HOST=host)["allowed_hosts"]


def test_a_given_secret_key_wins_and_no_file_is_made(tmp_path):
    given = "k" * 60
    settings = probe(tmp_path, DJANGO_SECRET_KEY=given)
    assert settings["secret_key"] == given and settings["debug"] is False
    assert not (tmp_path / "secret_key").exists()
