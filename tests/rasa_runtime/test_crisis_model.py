"""Crisis detection through the trained model (every NLU component, as in production).

The sets in tests/safety/ were written before tuning: at least 80 crisis phrasings and
80 ordinary messages that must not raise the emergency route.
"""

from __future__ import annotations

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
def result(model: Path) -> Result:
    return evaluate(model_parser(model))


def test_the_sets_are_big_enough() -> None:
    assert len(load_crisis_messages()) >= 80
    assert len(load_ordinary_messages()) >= 80
    assert any("missing" in text for text in load_ordinary_messages())


def test_recall_is_at_least_0_98(result: Result) -> None:
    assert result.recall >= 0.98, result.report()


def test_false_alarms_are_at_most_5_percent(result: Result) -> None:
    assert result.false_alarm_rate <= 0.05, result.report()
