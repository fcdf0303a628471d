"""Playwright for Python driving Debian's Chromium (/usr/bin/chromium), headless.

Playwright cannot download its own browser here, so we launch the system one. Without it the
browser tests skip, unless BSS_REQUIRE_BROWSER=1 (CI), where they fail. A screenshot of the
page is saved to test-results/ when a browser test fails.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make for
# set-up are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("BSS_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("BSS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    request.node._page = pg
    yield pg
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    pg = getattr(item, "_page", None)
    if report.when == "call" and report.failed and pg is not None:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{item.name}.png"
        try:
            pg.screenshot(path=str(path), full_page=True)
            report.sections.append(("screenshot", str(path)))
        except Exception as exc:  # the page may already be gone
            report.sections.append(("screenshot", f"failed: {exc}"))
