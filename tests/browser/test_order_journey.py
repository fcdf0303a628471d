"""A customer order in a real browser (issue 8): a CSR opens the customer's page, starts a New order, ticks an
offering (its price and options load over HTMX), places the order and watches it on the order page: the progress
part polls every 2 s while the order is open and the page reloads itself as the order moves on, through the
simulated network's activation and test, to Completed, without anyone pressing reload. The customer's page then
shows the new product.

Tasks run on a stand-in worker: each ``.delay()`` runs the task in a thread a moment later (as a Celery worker
would, outside the request), so the order really is in progress while the page watches it."""

from __future__ import annotations

import re
import threading
from decimal import Decimal

import pytest

from bss.roles import Role
from tests.factories import activatable_offering, orderable_customer

from .helpers import CSP_RECORDER, role_user, sign_in

pytestmark = pytest.mark.browser


class BackgroundWorker:
    """Runs ``task.delay(...)`` in a thread after ``lag`` seconds, with its own database connection."""

    def __init__(self, lag: float):
        self.lag = lag
        self.threads: list[threading.Thread] = []
        self.errors: list[BaseException] = []
        self.lock = threading.Lock()

    def delay(self, task, *args, **kwargs):
        timer = threading.Timer(self.lag, self._run, args=(task, args, kwargs))
        timer.daemon = True
        with self.lock:
            self.threads.append(timer)
        timer.start()

    def _run(self, task, args, kwargs):
        from django.db import connection

        try:
            task.apply(args=args, kwargs=kwargs, throw=True)
        except BaseException as e:  # reported by the test, never swallowed
            self.errors.append(e)
        finally:
            connection.close()

    def drain(self, timeout: float = 30.0):
        import time

        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                pending = [t for t in self.threads if t.is_alive() or not t.finished.is_set()]
            if not pending or time.monotonic() > deadline:
                return
            for t in pending:
                t.join(timeout=max(0.1, deadline - time.monotonic()))


@pytest.fixture
def worker(monkeypatch, settings):
    from celery.app.task import Task

    settings.BSS_SIMULATED_NETWORK = {"latency_ms": 400}  # each network step takes a moment
    w = BackgroundWorker(lag=0.5)
    monkeypatch.setattr(Task, "delay", lambda self, *args, **kwargs: w.delay(self, *args, **kwargs))
    # bss.dispatch sends with apply_async(args, retry=False): the same stand-in
    monkeypatch.setattr(Task, "apply_async", lambda self, args=None, kwargs=None, **options:
                        w.delay(self, *(args or ()), **(kwargs or {})))
    yield w
    w.drain()
    assert not w.errors, w.errors


def test_a_csr_orders_and_watches_the_order_complete(live_server, page, transactional_db, worker):
    customer = orderable_customer(name="Gráinne Byrne")
    offering = activatable_offering(name="Fibre 500 home", price=Decimal("45.0000"), one_time=Decimal("50.0000"))
    page.add_init_script(CSP_RECORDER)
    polls = []
    page.on("request", lambda r: polls.append(r.url) if r.headers.get("hx-request") and "shown=" in r.url else None)

    sign_in(page, live_server.url, role_user(Role.CSR, first_name="Cara", last_name="Byrne"))
    page.wait_for_url(f"{live_server.url}/csr/")
    page.goto(f"{live_server.url}/csr/customers/{customer.pk}/")
    page.click("[data-new-order]")
    page.wait_for_url(re.compile(r".*/csr/orders/new/\?customer=\d+$"))

    # ticking the offering loads its price and options over HTMX
    page.get_by_label(re.compile("Fibre 500 home")).check()
    page.wait_for_selector(f'[data-options-for="{offering.code}"] [data-price]')
    assert page.inner_text(f'[data-options-for="{offering.code}"] [data-price]') == "€45.00/month + €50.00 once"
    page.fill(f"#id_qty__{offering.code}", "1")
    page.click("button:has-text('Place the order')")

    page.wait_for_url(re.compile(r".*/csr/orders/\d+/$"))
    first_state = page.get_attribute("h1 [data-state]", "data-state")
    assert first_state in ("acknowledged", "committed"), first_state  # still working when the page first shows
    assert page.locator("#order-live[hx-trigger]").count() == 1  # open: the progress part polls

    # nobody reloads: the page follows the order to the end by itself
    page.wait_for_selector('h1 [data-state="completed"]', timeout=45000)
    assert polls, "the progress part never polled"
    assert page.locator("#order-live[hx-trigger]").count() == 0  # finished: no more polling
    assert page.locator('[data-so-state="completed"]').count() == 1
    assert page.locator('[data-test-run="passed"]').count() == 1
    assert "Order completed" in page.inner_text("#history-title ~ .card-body, section[aria-labelledby=history-title]")
    assert page.locator('[data-total="recurring:month"]').inner_text().count("45.00 EUR") == 1

    # and the customer has the product
    page.click(f"a[href='/csr/customers/{customer.pk}/']")
    page.wait_for_selector('[data-panel="products"]')
    products = page.inner_text('[data-panel="products"]')
    assert "Fibre 500 home" in products and "Active" in products
    assert page.evaluate("window.__csp") == []
