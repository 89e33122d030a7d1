""""Read the full guidance": the disclosure under an answer that cites a record.

The assistant does not send citations yet, so /chat is answered here with the message
shapes it will send; /guidance is the real API of the running stack.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from playwright.sync_api import Page, Route, expect

from guidance_corpus.loader import load_corpus
from tests.browser.conftest import say, screenshot


def _answer_with(messages: list[dict]) -> Callable[[Route], None]:
    def fulfil(route: Route) -> None:
        route.fulfill(
            status=200,
            content_type="application/json",
            body=json.dumps({"messages": messages, "degraded": False}),
        )

    return fulfil


def test_record_id_in_custom_opens_the_full_guidance(page: Page) -> None:
    corpus = load_corpus()
    citation = corpus.citation("yp-help-tonight")
    page.route(
        "**/chat",
        _answer_with(
            [
                {"text": "You can call the Runaway Helpline for free on 116 000."},
                {"custom": {"record_id": "yp-help-tonight", "citation": citation}},
            ]
        ),
    )
    say(page, "where can I get help tonight")
    answer = page.locator(".msg--bot").last
    expect(answer.locator(".citation")).to_have_text(citation)
    answer.get_by_text("Read the full guidance").click()
    panel = answer.locator(".guidance .details-text").first
    expect(panel.get_by_role("heading", level=3)).to_have_text(
        corpus.records["yp-help-tonight"].title
    )
    expect(panel.locator('a[href="tel:116000"]').first).to_be_visible()
    expect(panel.locator('a[href="tel:08001111"]').first).to_be_visible()
    expect(panel.locator(".citation").last).to_have_text(citation)
    # Related guidance opens in place.
    related = corpus.records[corpus.records["yp-help-tonight"].related[0]]
    panel.locator("summary", has_text=related.title).click()
    expect(panel.locator(".guidance .citation").first).to_have_text(
        corpus.citation(related.id)
    )
    screenshot(page, "07-full-guidance-from-record-id")


def test_from_line_in_the_text_finds_the_record(page: Page) -> None:
    corpus = load_corpus()
    record = corpus.records["contact-runaway-helpline"]
    text = f"{record.answer.strip()}\n{corpus.citation(record.id)}"
    page.route("**/chat", _answer_with([{"text": text}]))
    say(page, "runaway helpline number")
    answer = page.locator(".msg--bot").last
    expect(answer.locator('a[href="tel:116000"]').first).to_have_text("116 000")
    # The e-mail address is a mailto: link, not a phone number.
    expect(answer.locator('a[href="mailto:116000@runawayhelpline.org.uk"]')).to_be_visible()
    answer.get_by_text("Read the full guidance").click()
    expect(answer.get_by_role("heading", level=3)).to_have_text(record.title)
    screenshot(page, "08-full-guidance-from-citation-line")


def test_shout_is_a_text_message_link(page: Page) -> None:
    page.route(
        "**/chat",
        _answer_with([{"text": "- Samaritans: 116 123\n- Shout: text SHOUT to 85258"}]),
    )
    say(page, "I can't cope")
    answer = page.locator(".msg--bot").last
    expect(answer.locator('a[href="sms:85258"]')).to_have_text("85258")
    expect(answer.locator('a[href="tel:116123"]')).to_have_text("116 123")
    assert answer.locator("li").count() == 2


def test_show_record_button_becomes_the_disclosure(page: Page) -> None:
    corpus = load_corpus()
    record = corpus.records["return-interview"]
    page.route(
        "**/chat",
        _answer_with(
            [
                {
                    "text": f"{record.answer.strip()}\n\n{corpus.citation(record.id)}",
                    "buttons": [
                        {
                            "title": "Read the full guidance",
                            "payload": f'/show_record{{"record_id": "{record.id}"}}',
                        }
                    ],
                }
            ]
        ),
    )
    say(page, "what is a return interview")
    answer = page.locator(".msg--bot").last
    assert page.get_by_role("button", name="Read the full guidance").count() == 0
    summaries = answer.locator("summary", has_text="Read the full guidance")
    assert summaries.count() == 1
    summaries.click()
    expect(answer.get_by_role("heading", level=3)).to_have_text(record.title)
