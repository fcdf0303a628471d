"""Browser journeys of the order reports page, the impact review before a change order is placed, and the
self-service order status that follows the order by itself (Playwright, the system Chromium)."""

import re
from decimal import Decimal
from urllib.parse import urlparse

import pytest

from bss.roles import Role
from tests.browser.helpers import role_user, sign_in
from tests.browser.test_accessibility import serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def business(transactional_db):
    from orders.models import CustomerOrder
    from tests.factories import OrganizationFactory, orderable_customer

    customer = orderable_customer(party=OrganizationFactory(trading_name="Acme Networks"))
    for n, (state, channel) in enumerate([("committed", "portal"), ("rejected", "api"), ("completed", "portal")]):
        CustomerOrder.objects.create(order_number=f"COB{n:05d}", customer=customer, state=state, channel=channel,
                                     rejection_reasons=[{"code": "unknown_offering", "message": "x", "path": ""}]
                                     if state == "rejected" else [])
    return customer


def test_a_supervisor_reads_the_order_report_with_charts_and_downloads_the_csv(live_server, page, business):
    hosts = set()
    page.on("request", lambda r: hosts.add(urlparse(r.url).netloc))
    sign_in(page, live_server.url, role_user(Role.SUPERVISOR))
    page.wait_for_load_state()
    page.get_by_role("link", name="Order reports").click()
    page.wait_for_url(re.compile(r".*/csr/orders/reports/$"))
    page.wait_for_function("document.querySelectorAll('canvas[data-drawn]').length >= 2")
    assert page.locator("[data-total=orders]").inner_text() == "3"
    assert hosts == {urlparse(live_server.url).netloc}  # Chart.js is ours: nothing from elsewhere
    assert not serious_violations(page)

    page.fill("#id_customer", business.customer_number)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(rf".*customer={business.customer_number}.*"))
    assert "Acme Networks" in page.locator("h1").inner_text()
    with page.expect_download() as download:
        page.click("[data-export=csv]")
    assert download.value.suggested_filename.startswith(f"order-report-{business.customer_number}-")
    text = open(download.value.path(), encoding="utf-8").read()
    assert "rejection_reason,unknown_offering,,1" in text


def test_a_csr_reviews_the_impact_of_a_termination_before_placing_it(live_server, page, transactional_db):
    from orders.models import CustomerOrder
    from tests.factories import ProductFactory, activatable_offering, orderable_customer

    fibre = activatable_offering(name="Fibre 500", price=Decimal("30.0000"))
    customer = orderable_customer()
    product = ProductFactory(customer=customer, offering_code=fibre.code, name="Fibre 500", status="active",
                             product_serial="LINE-7", billing_account=customer.billing_accounts.first())
    sign_in(page, live_server.url, role_user(Role.CSR))
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/csr/customers/{customer.pk}/")
    page.click("[data-change-products]")
    page.select_option(f"#id_product__{product.pk}", "terminate")
    page.fill("#id_reason", "Moving abroad")
    page.click("[data-review]")
    page.wait_for_selector("[data-impact]")
    assert "Terminated: Fibre 500" in page.locator("[data-impact-item='1']").inner_text()
    assert page.locator("[data-charge-stop]").count() == 1
    assert page.locator("[data-penalties]").inner_text().startswith("none")
    assert CustomerOrder.objects.count() == 0
    assert not serious_violations(page)
    page.click("[data-confirm-order]")
    page.wait_for_url(re.compile(r".*/csr/orders/\d+/$"))
    order = CustomerOrder.objects.get()
    assert order.items.get().action == "delete" and order.items.get().product_id == product.pk


def test_the_customers_order_status_follows_the_order_until_it_is_finished(live_server, page, transactional_db):
    from orders.models import CustomerOrder
    from tests.factories import customer_user, orderable_customer

    customer = orderable_customer()
    order = CustomerOrder.objects.create(order_number="COPOLL01", customer=customer, state="committed",
                                         channel="self_service")
    sign_in(page, live_server.url, customer_user(customer))
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/my/orders/{order.pk}/")
    status = page.locator("#order-status [data-status]")
    assert status.inner_text() == "In progress" and page.locator("#order-status[data-polling]").count() == 1

    CustomerOrder.objects.filter(pk=order.pk).update(state="completed")
    from playwright.sync_api import expect

    expect(page.locator("#order-status [data-status]")).to_have_text("Completed", timeout=12000)
    assert page.locator("#order-status[data-polling]").count() == 0
    assert page.locator("#order-status progress").get_attribute("value") == "100"
