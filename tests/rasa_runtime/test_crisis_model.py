"""Crisis detection through the trained model (every NLU component, as in production).

The sets in tests/safety/ were written before tuning: at least 80 crisis phrasings and
80 ordinary messages that must not raise the emergency route.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tools.crisis_eval import (
    Result,
    evaluate,
    load_crisis_messages,
    load_ordinary_messages,
    model_parser,
)


@pytest.fixture(scope="module")
def parse(model: Path) -> Callable[[str], str]:
    return model_parser(model)


@pytest.fixture(scope="module")
def result(parse: Callable[[str], str]) -> Result:
    return evaluate(parse)


# Plain answers to the referral and licence-concern forms. A crisis intent on one of
# these answers the form with 999 and leaves it a question behind, so none may raise it.
FORM_ANSWERS = [
    "Ottoline Brackenbury", "Zedekiah Quillfeather", "Priya Sharma", "Mohammed Khan",
    "Sarah Jones", "Tomasz Nowak", "Aisha Begum", "Grace Okafor", "Acme Fostering",
    "Hill School", "St Mary's Children's Home", "07700 900123", "head@example.org",
    "12 Imaginary Close, Birmingham", "B12 9QT", "female", "male", "14", "Birmingham",
    "Sandwell", "Foster carer", "Teacher or school",
]


@pytest.mark.parametrize("text", FORM_ANSWERS)
def test_plain_form_answers_never_raise_the_emergency_route(
    parse: Callable[[str], str], text: str
) -> None:
    assert parse(text) != "crisis"


def test_the_sets_are_big_enough() -> None:
    assert len(load_crisis_messages()) >= 80
    assert len(load_ordinary_messages()) >= 80
    assert any("missing" in text for text in load_ordinary_messages())


def test_recall_is_at_least_0_98(result: Result) -> None:
    assert result.recall >= 0.98, result.report()


def test_false_alarms_are_at_most_5_percent(result: Result) -> None:
    assert result.false_alarm_rate <= 0.05, result.report()
