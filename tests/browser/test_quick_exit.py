"""Quick exit: the button and Esc leave at once, and leave nothing behind."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import NEUTRAL_SITE, say, screenshot


def _by_button(page: Page) -> None:
    page.get_by_role("button", name="Leave this site quickly").click()


def _by_escape(page: Page) -> None:
    page.get_by_label("Your message").fill("something half typed")
    page.keyboard.press("Escape")


@pytest.mark.parametrize(("how", "leave"), [("button", _by_button), ("esc", _by_escape)])
def test_quick_exit_leaves_and_clears_storage(
    page: Page, app_url: str, how: str, leave: Callable[[Page], None]
) -> None:
    say(page, "hello")
    page.evaluate("() => localStorage.setItem('left-by-test', 'x')")
    stored = page.evaluate("() => [sessionStorage.length, localStorage.length]")
    assert stored[0] >= 1 and stored[1] >= 1, "nothing was stored, so the test proves nothing"

    leave(page)
    page.wait_for_url(NEUTRAL_SITE)
    screenshot(page, f"06-quick-exit-{how}")
    assert not page.url.startswith(app_url)

    # Back does not return to the chat: the page was replaced in history.
    page.go_back()
    assert not page.url.startswith(f"{app_url}/"), page.url

    # Same tab, same origin, a page with no script of its own: the storage is empty.
    page.goto(f"{app_url}/health")
    assert page.evaluate("() => [sessionStorage.length, localStorage.length]") == [0, 0]
