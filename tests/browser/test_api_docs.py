"""/api/docs/ works on a machine without internet: Swagger UI comes from our own static files
(drf-spectacular-sidecar), renders the schema, and asks no other host for anything."""

import pytest

from tests.browser.helpers import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_api_docs_render_offline(live_server, page, transactional_db):
    user = UserFactory(username="docs-reader", is_staff=True, is_superuser=True)
    elsewhere = []

    def only_our_server(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:  # what a machine without internet would get
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_our_server)
    sign_in(page, live_server.url, user)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20000)
    assert "BSS API" in page.inner_text(".swagger-ui .info .title")
    # the operations, rendered from /api/schema/: one folded section per resource (tags start folded: there
    # are 150 operations), each opening on a click
    page.wait_for_selector(".opblock-tag", timeout=20000)
    assert page.locator(".opblock-tag").count() > 15
    page.locator(".opblock-tag", has_text="customerManagement").click()
    page.wait_for_selector(".opblock", timeout=20000)
    assert page.locator(".opblock").count() >= 5
    assert "/tmf-api/customerManagement/v4/customer" in page.inner_text(".swagger-ui")
    page.locator(".opblock-tag", has_text="productOrderingManagement").click()
    page.locator(".opblock", has_text="/tmf-api/productOrderingManagement/v4/productOrder").first.wait_for()
    assert elsewhere == []
