"""The web chat in a real browser, talking to the real stack."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import bot_count, choose, say, screenshot, wait_for_reply


def test_page_loads_with_choices_999_and_what_happens_to_what_you_say(
    page: Page, app_url: str
) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Help when a child goes missing")
    header = page.locator("header")
    expect(header.get_by_role("link", name="999")).to_have_attribute("href", "tel:999")
    expect(header.get_by_role("button", name="Leave this site quickly")).to_be_visible()
    choices = [t.lower() for t in page.locator(".choices button").all_inner_texts()]
    assert len(choices) == 4
    for audience in ("carer", "young person", "licence holder", "professional"):
        assert any(audience in c for c in choices), (audience, choices)
    # The greeting's "phone 999" is a link too.
    expect(page.locator(".msg--bot").first.locator('a[href="tel:999"]')).to_be_visible()

    page.get_by_text("What happens to what you tell us").click()
    privacy = page.locator("#privacy")
    expect(privacy).to_contain_text("not a person")
    expect(privacy).to_contain_text("30 days")
    expect(privacy).to_contain_text("IP address")
    expect(privacy).to_contain_text("MASH")
    screenshot(page, "01-greeting-and-privacy")

    headers = httpx.get(f"{app_url}/", timeout=10).headers
    assert "script-src 'self'" in headers["content-security-policy"]


def test_young_person_asking_for_help_tonight_gets_the_runaway_helpline_link(page: Page) -> None:
    reply = choose(page, "Young person")
    assert "not a person" in reply
    reply = say(page, "where can I get help tonight")
    answer = page.locator(".msg--bot").last
    screenshot(page, "02-young-person-help-tonight")
    assert "116 000" in reply, f"the assistant did not give the Runaway Helpline: {reply!r}"
    # The answer gives the number in its text and again in its contacts list.
    expect(answer.locator('a[href="tel:116000"]').first).to_have_text("116 000")
    expect(answer.locator('a[href="tel:999"]').first).to_be_visible()


def test_carer_whose_child_is_missing_is_walked_through_step_by_step(page: Page) -> None:
    choose(page, "carer")
    reply = say(page, "my child is missing")
    screenshot(page, "03-carer-child-missing")
    assert "immediate danger" in reply, reply
    # The walkthrough asks one question at a time, danger first, with quick replies.
    latest = page.locator(".choices").last.locator("button:not([disabled])")
    assert latest.all_inner_texts() == ["Yes", "No"], reply
    reply = choose(page, "No")
    assert "looked after" in reply, reply
    reply = choose(page, "No, lives at home")
    screenshot(page, "03-carer-first-search-step")
    assert reply.startswith("Step 1 of 6"), reply
    latest = page.locator(".choices").last.locator("button:not([disabled])")
    assert latest.all_inner_texts() == ["Done", "Couldn't", "Skip", "Report now"]


def test_carer_who_says_the_child_is_in_danger_gets_999(page: Page) -> None:
    choose(page, "carer")
    say(page, "my child is missing")
    reply = choose(page, "Yes")
    screenshot(page, "03-carer-child-missing-danger")
    assert reply.startswith("Phone 999"), reply
    expect(page.locator(".msg--bot").last.locator('a[href="tel:999"]')).to_be_visible()


def test_a_guidance_answer_opens_the_full_record_in_place(page: Page) -> None:
    choose(page, "carer")
    reply = say(page, "what is a return interview")
    answer = page.locator(".msg--bot").last
    # The answer cites its record (and a closely related record, when it names one).
    expect(answer.locator(".citation").first).to_contain_text("From: ")
    assert "From: " in reply
    # The assistant's "Read the full guidance" button becomes a disclosure, not a message.
    sent = page.locator(".msg--user").count()
    answer.locator("summary", has_text="Read the full guidance").click()
    panel = answer.locator(".guidance .details-text").first
    expect(panel.get_by_role("heading", level=3)).to_be_visible()
    expect(panel.locator(".citation").last).to_contain_text("From: ")
    assert page.locator(".msg--user").count() == sent
    assert answer.locator("summary", has_text="Read the full guidance").count() == 1
    screenshot(page, "11-guidance-answer-full-record")


def test_markup_typed_by_the_person_is_shown_as_text_and_never_runs(page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    typed = "<script>alert(1)</script>"
    say(page, typed)
    say(page, '<img src=x onerror="alert(2)">')
    screenshot(page, "04-markup-as-text")
    expect(page.locator(".msg--user .user-text").first).to_have_text(typed)
    assert page.locator("#log script, #log img").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == []


def test_keyboard_only_conversation_with_visible_focus(page: Page) -> None:
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    # Tab through to the "Young person" choice, checking each stop shows focus.
    for _ in range(15):
        page.keyboard.press("Tab")
        outline = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, s.outlineColor, s.boxShadow, s.backgroundColor]; }"
        )
        assert outline[0] != "none" or outline[2] != "none", outline
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Young person":
            break
    else:
        pytest.fail("could not reach the 'Young person' choice with Tab")
    before = bot_count(page)
    page.keyboard.press("Enter")
    wait_for_reply(page, before)
    # After a choice, focus goes to the message box, ready to type.
    expect(page.get_by_label("Your message")).to_be_focused()
    before = bot_count(page)
    page.keyboard.type("where can I get help tonight")
    page.keyboard.press("Enter")
    reply = wait_for_reply(page, before)
    screenshot(page, "05-keyboard-only")
    assert reply.strip()
