"""Browser tests: the real stack (from tests/e2e) driven through system Chromium.

Playwright cannot download its own browser here, so Debian's /usr/bin/chromium is used
(`apt-get install chromium`). Nothing leaves the machine: the neutral site that quick
exit goes to is answered by the test itself.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

from tests.e2e.conftest import model, stack  # noqa: F401
from tools.paths import ROOT
from tools.stack import StackConfig

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NEUTRAL_SITE = re.compile(r"^https://www\.bbc\.co\.uk/")
REPLY_TIMEOUT_MS = 60_000


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("Chromium is not installed: run `apt-get install -y chromium` (Debian).")
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def _neutral_site(route: Route) -> None:
    route.fulfill(
        status=200,
        content_type="text/html",
        body="<!DOCTYPE html><title>Weather</title><h1>Weather forecast</h1>",
    )


def new_context(browser: Browser, **options: object) -> BrowserContext:
    options.setdefault("viewport", {"width": 1024, "height": 800})
    context = browser.new_context(**options)
    context.set_default_timeout(REPLY_TIMEOUT_MS)
    context.route(NEUTRAL_SITE, _neutral_site)
    return context


@pytest.fixture(scope="session")
def app_url(request: pytest.FixtureRequest) -> str:
    """The API of the test stack, or of an already running one (BROWSER_TEST_URL)."""
    running = os.environ.get("BROWSER_TEST_URL")
    if running:
        return running.rstrip("/")
    config: StackConfig = request.getfixturevalue("stack")
    return config.api_url


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    created = new_context(browser)
    yield created
    created.close()


@pytest.fixture
def page(context: BrowserContext, app_url: str) -> Page:
    opened = context.new_page()
    opened.goto(f"{app_url}/")
    wait_for_choices(opened)
    return opened


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # Full page from the top, so the sticky header is drawn where it belongs.
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True)
    return path


def bot_count(page: Page) -> int:
    return page.locator(".msg--bot").count()


def wait_for_reply(page: Page, before: int) -> str:
    """Wait until a new assistant message has arrived and nothing is pending; its text."""
    page.wait_for_function(
        "n => document.querySelectorAll('.msg--bot').length > n"
        " && document.getElementById('log').dataset.busy === 'false'",
        arg=before,
        timeout=REPLY_TIMEOUT_MS,
    )
    return page.locator(".msg--bot").nth(before).locator(".msg-body").inner_text()


def wait_for_choices(page: Page) -> None:
    page.locator(".choices button").first.wait_for(timeout=REPLY_TIMEOUT_MS)


def choose(page: Page, title: str) -> str:
    """Click the newest quick-reply button whose label contains ``title`` (any case)."""
    before = bot_count(page)
    label = re.compile(re.escape(title), re.IGNORECASE)
    page.locator(".choices button:not([disabled])").filter(has_text=label).first.click()
    return wait_for_reply(page, before)


def say(page: Page, text: str) -> str:
    before = bot_count(page)
    page.get_by_label("Your message").fill(text)
    page.get_by_label("Your message").press("Enter")
    return wait_for_reply(page, before)
