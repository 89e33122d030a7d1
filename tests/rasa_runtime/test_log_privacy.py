"""The log record sanitiser: what people write never reaches a log line."""

from __future__ import annotations

import logging

import pytest

from rasa_addons import log_privacy

SECRET = "Tallulah Grimsditch lives at 4 Fenwick Row"


@pytest.fixture
def sanitised_logs(caplog: pytest.LogCaptureFixture):
    factory = logging.getLogRecordFactory()
    log_privacy._installed = False
    log_privacy.install()
    caplog.set_level(logging.DEBUG)
    yield caplog
    logging.setLogRecordFactory(factory)
    log_privacy._installed = False


def test_quoted_and_bracketed_content_is_withheld(sanitised_logs) -> None:
    log = logging.getLogger("rasa.core.processor")
    log.debug(f"Received user message '{SECRET}' with intent 'crisis'")
    log.info("tracker %s", {"slots": {"child_name": SECRET}})
    log.warning("slots [%s]", SECRET)
    log.error('value "%s"', SECRET)
    assert SECRET not in sanitised_logs.text
    assert "Tallulah" not in sanitised_logs.text
    assert sanitised_logs.text.count("[withheld]") >= 4


def test_an_exception_keeps_its_type_and_frames_but_not_its_message(sanitised_logs) -> None:
    def parse(text: str) -> float:
        return float(text)

    try:
        parse(SECRET)
    except ValueError:
        logging.getLogger("rasa_sdk.executor").exception("action failed")
    text = sanitised_logs.text
    assert SECRET not in text and "Tallulah" not in text
    record = sanitised_logs.records[-1]
    assert "ValueError: [withheld]" in record.exc_text
    assert "in parse" in record.exc_text  # the frame is still there for the operator


def test_long_messages_are_cut() -> None:
    assert log_privacy.scrub("x" * 2000).endswith("[cut]")
