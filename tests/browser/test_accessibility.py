"""axe-core (test-only, from node_modules) and a 360px-wide phone screen."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    AXE_JS,
    choose,
    new_context,
    say,
    screenshot,
    wait_for_choices,
)
from tools.paths import ROOT

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def run_axe(page: Page, name: str) -> list[dict]:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` in the repository root.")
    page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    out = ROOT / "test-artifacts" / f"axe-{name}.json"
    out.write_text(json.dumps(results["violations"], indent=2), encoding="utf-8")
    return results["violations"]


def serious(violations: list[dict]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [1024, 360])
def test_axe_finds_no_serious_or_critical_problems(
    browser: Browser, app_url: str, width: int
) -> None:
    # The page's CSP rightly blocks injected scripts; axe is injected by the test only.
    context = new_context(browser, viewport={"width": width, "height": 800}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(f"{app_url}/")
        wait_for_choices(page)
        choose(page, "Young person")
        say(page, "where can I get help tonight")
        say(page, "what is a return interview")
        # Open every "Read the full guidance" so the record view is checked too.
        for summary in page.locator(".guidance > summary").all():
            summary.click()
        page.locator(".guidance .guidance-heading").first.wait_for()
        page.get_by_text("What happens to what you tell us").click()
        page.get_by_label("Your message").focus()
        violations = run_axe(page, f"{width}px")
        screenshot(page, f"09-axe-{width}px")
        assert serious(violations) == []
    finally:
        context.close()


def test_nothing_overflows_at_360px_and_999_stays_in_view(browser: Browser, app_url: str) -> None:
    context = new_context(browser, viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(f"{app_url}/")
        wait_for_choices(page)
        choose(page, "Young person")
        say(page, "where can I get help tonight")
        say(page, "what happens if I am reported missing " * 8)
        page.get_by_text("What happens to what you tell us").click()
        screenshot(page, "10-phone-360px")
        overflow = page.evaluate(
            """() => {
              const width = document.documentElement.clientWidth;
              const wide = [...document.querySelectorAll('body *')]
                .filter(e => !e.closest('.visually-hidden, .skip-link'))
                .filter(e => e.getBoundingClientRect().right > width + 0.5)
                .map(e => e.tagName + '.' + e.className);
              return {scroll: document.documentElement.scrollWidth, width, wide};
            }"""
        )
        assert overflow["scroll"] <= overflow["width"], overflow
        assert overflow["wide"] == [], overflow
        # Scrolled to the end of a long conversation, 999 and quick exit are still on screen.
        page.mouse.wheel(0, 10_000)
        page.wait_for_timeout(200)
        header = page.locator("header").bounding_box()
        assert header is not None and header["y"] == 0
        expect(page.locator('header a[href="tel:999"]')).to_be_in_viewport()
        expect(page.get_by_role("button", name="Leave this site quickly")).to_be_in_viewport()
    finally:
        context.close()
