"""Crisis detection through the trained model (every NLU component, as in production).

The sets in tests/safety/ were written before tuning: at least 80 crisis phrasings and
80 ordinary messages that must not raise the emergency route.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tools.crisis_eval import (
    Result,
    evaluate,
    intent_parser,
    load_crisis_messages,
    load_ordinary_messages,
)


@pytest.fixture(scope="module")
def parse(parse_data: Callable[[str], dict[str, Any]]) -> Callable[[str], str]:
    return intent_parser(parse_data)


@pytest.fixture(scope="module")
def result(parse: Callable[[str], str]) -> Result:
    return evaluate(parse)


# Plain answers to the referral and licence-concern forms, with the question each
# answers. The classifier may score a rare name as a crisis; inside a form the answer is
# read from its words (actions/questionnaire.py), so none may raise the emergency route
# or leave the form a question behind. Checked through the trained model and the form.
FORM_ANSWERS = [
    ("Ottoline Brackenbury", "referrer_name"), ("Zedekiah Quillfeather", "child_name"),
    ("Priya Sharma", "referrer_name"), ("Mohammed Khan", "child_name"),
    ("Sarah Jones", "referrer_name"), ("Tomasz Nowak", "child_name"),
    ("Aisha Begum", "referrer_name"), ("Grace Okafor", "child_name"),
    ("Acme Fostering", "referrer_organisation"), ("Hill School", "child_school"),
    ("St Mary's Children's Home", "child_address"), ("07700 900123", "referrer_contact"),
    ("head@example.org", "referrer_contact"), ("12 Imaginary Close, Birmingham", "child_address"),
    ("B12 9QT", "child_address"), ("female", "child_gender"), ("male", "child_gender"),
    ("14", "child_dob_or_age"), ("Birmingham", "child_local_authority"),
    ("Sandwell", "child_local_authority"), ("Foster carer", "referrer_role"),
    ("Teacher or school", "referrer_role"),
]


@pytest.mark.parametrize(("text", "slot"), FORM_ANSWERS)
def test_plain_form_answers_never_raise_the_emergency_route(
    parse: Callable[[str], str], text: str, slot: str
) -> None:
    import asyncio

    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.referral import ValidateReferralForm

    slots = {"referral_key": "k", "audience": "carer", "requested_slot": slot,
             "child_looked_after": True}
    message = {"text": text, "intent": {"name": parse(text)}, "entities": []}
    state = Tracker("s", slots, message, [], False, None, {"name": "referral_form"},
                    "referral_form")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateReferralForm().run(dispatcher, state, {}))
    assert not any("999" in (m.get("text") or "") for m in dispatcher.messages)
    kept = {e["name"]: e["value"] for e in events}
    assert kept.get(slot) is not None


def test_the_sets_are_big_enough() -> None:
    assert len(load_crisis_messages()) >= 80
    assert len(load_ordinary_messages()) >= 80
    assert any("missing" in text for text in load_ordinary_messages())


def test_recall_is_at_least_0_98(result: Result) -> None:
    assert result.recall >= 0.98, result.report()


def test_false_alarms_are_at_most_5_percent(result: Result) -> None:
    assert result.false_alarm_rate <= 0.05, result.report()
