"""Content-Security-Policy and Permissions-Policy on every response; the templates keep working under
the policy (no inline scripts, styles or event handlers)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from bss.headers import content_security_policy
from bss.roles import Role
from tests.factories import CustomerFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


@pytest.mark.parametrize("who, url", [
    (None, "/accounts/login/"),
    (None, "/admin/login/"),
    (None, "/api/v1/customers/"),
    (None, "/tmf-api/customerManagement/v4/customer"),
    (None, "/healthz"),
    ("csr", "/csr/"),
    ("csr", "/api/docs/"),
    ("admin", "/admin/"),
    (None, "/no-such-page/"),
])
def test_every_response_carries_both_headers(who, url):
    client = Client()
    if who == "csr":
        client.force_login(staff_user(Role.CSR))
    elif who == "admin":
        client.force_login(UserFactory(is_superuser=True, is_staff=True))
    resp = client.get(url)
    csp = directives(resp["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"][0] == "'self'" and "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["style-src"][0] == "'self'" and "'unsafe-inline'" not in csp["style-src"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert "camera=()" in resp["Permissions-Policy"] and "geolocation=()" in resp["Permissions-Policy"]


def test_portal_pages_load_their_scripts_and_styles_from_self():
    client = Client()
    client.force_login(staff_user(Role.CSR))
    customer = CustomerFactory()
    html = client.get(f"/csr/customers/{customer.pk}/").content.decode()
    assert re.search(r'<script src="/static/django_htmx/htmx-2.min.js"', html)  # django-htmx's pinned htmx
    assert re.search(r'<script src="/static/vendor/bootstrap-5.3.8/bootstrap.bundle.min.js"', html)
    assert re.search(r'<link rel="stylesheet" href="/static/vendor/bootstrap-5.3.8/bootstrap.min.css"', html)
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', html)  # nothing from another host
    assert re.search(r'<script src="/static/js/portal.js"', html)
    assert "includeIndicatorStyles" in html  # HTMX must not inject its own inline <style>


def test_templates_have_no_inline_scripts_styles_or_handlers():
    problems = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for pattern, what in [(r"<script(?![^>]*\bsrc=)[^>]*>", "inline script"), (r"<style\b", "inline style"),
                              (r"\sstyle\s*=", "style attribute"), (r"\son[a-z]+\s*=", "event handler attribute"),
                              (r"javascript:", "javascript: URL")]:
            for m in re.finditer(pattern, text):
                if "{% include template_name_js %}" in text[m.end():m.end() + 80]:
                    continue  # drf-spectacular's fallback; the split view always passes script_url
                problems.append(f"{path.relative_to(TEMPLATES)}: {what}: {m.group(0)}")
    assert not problems, "\n".join(problems)


def test_api_docs_use_no_inline_script_and_the_policy_allows_the_swagger_assets():
    client = Client()
    client.force_login(staff_user(Role.CSR))
    resp = client.get("/api/docs/")
    html = resp.content.decode()
    assert resp.status_code == 200 and "swagger-ui" in html
    assert not re.search(r"<script>(?!\s*</script>)", html)
    assert not re.search(r"<style\b", html)
    script = re.search(r'<script src="([^"]*script[^"]*)"', html).group(1).replace("&amp;", "&")
    js = client.get(script)
    assert js.status_code == 200 and js["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in js.content.decode()
    for asset in re.findall(r'(?:src|href)="(https?://[^"]+)"', html):
        origin = "/".join(asset.split("/")[:3])
        csp = directives(resp["Content-Security-Policy"])
        assert origin in csp["script-src"] and origin in csp["style-src"], asset


def test_policy_for_the_docs_is_self_only_with_a_self_hosted_swagger(settings):
    settings.SPECTACULAR_SETTINGS = {**settings.SPECTACULAR_SETTINGS, "SWAGGER_UI_DIST": "SIDECAR"}
    assert "http" not in content_security_policy("/api/docs/")
    assert "http" not in content_security_policy("/csr/")
