"""The portal and admin work under the Content-Security-Policy: no violation on the main pages, and
the scripts that replaced inline handlers still run."""

import pytest

from bss.roles import Role
from tests.browser.helpers import CSP_RECORDER, role_user, sign_in
from tests.factories import CustomerFactory

pytestmark = pytest.mark.browser

@pytest.fixture
def staff(transactional_db):
    return role_user(Role.SUPERVISOR, username="root", is_superuser=True, is_staff=True)


def test_no_policy_violation_on_portal_and_admin_pages(live_server, page, staff):
    customer = CustomerFactory()
    page.add_init_script(CSP_RECORDER)
    sign_in(page, live_server.url, staff)
    page.wait_for_url(f"{live_server.url}/csr/")
    for path in ["/csr/", f"/csr/customers/{customer.pk}/", "/csr/orders/credit/new/", "/csr/feasibility/qualify/",
                 "/admin/", "/admin/customers/customer/", f"/admin/customers/customer/{customer.pk}/change/"]:
        resp = page.goto(f"{live_server.url}{path}")
        assert resp.status < 400, (path, resp.status)
        assert "Content-Security-Policy" in {k.title(): v for k, v in resp.headers.items()}
        page.wait_for_load_state("load")
        assert page.evaluate("window.__csp") == [], path
        assert page.evaluate("typeof window.htmx") == ("object" if path.startswith("/csr/") else "undefined")


def test_busy_label_replaces_the_inline_handler(live_server, page, staff):
    page.add_init_script(CSP_RECORDER)
    sign_in(page, live_server.url, staff)
    page.wait_for_url(f"{live_server.url}/csr/")
    page.goto(f"{live_server.url}/csr/feasibility/qualify/")
    # the browser would refuse to submit an incomplete form (and rightly show no busy state); the
    # submission itself is cancelled so the page stays and shows its busy state
    page.evaluate("""document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'));
                     window.addEventListener('submit', e => e.preventDefault(), true);""")
    page.click("button[data-busy-label]")
    page.wait_for_selector("button[data-busy-label]:disabled:text-is('Evaluating…')")
    assert page.evaluate("window.__csp") == []
