"""The spaCy safety patterns alone on the crisis and ordinary test sets (issue 4).

SafetyOverride raises `crisis` whenever a CRISIS_* phrase matches, whatever DIET
predicted, so this route on its own must already catch (almost) every crisis message
and leave ordinary messages alone; the trained model is checked separately.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from rasa_addons.safety_override import crisis_types
from tests.rasa_runtime.conftest import spacy_pipeline  # noqa: F401
from tools.crisis_eval import (
    CRISIS_INTENT,
    KINDS,
    MAX_FALSE_ALARMS,
    MIN_RECALL,
    Result,
    evaluate,
    load_crisis_messages,
    load_ordinary_messages,
)

MIN_CRISIS_MESSAGES = 100
MIN_ORDINARY_MESSAGES = 100


@pytest.fixture(scope="module")
def nlp(spacy_pipeline: Path) -> spacy.language.Language:  # noqa: F811
    return spacy.load(spacy_pipeline)


@pytest.fixture(scope="module")
def result(nlp: spacy.language.Language) -> Result:
    return evaluate(lambda text: CRISIS_INTENT if crisis_types(nlp, text) else "")


def test_sets_are_large_varied_and_disjoint() -> None:
    crisis = load_crisis_messages()
    ordinary = load_ordinary_messages()
    assert len(crisis) >= MIN_CRISIS_MESSAGES
    assert len(ordinary) >= MIN_ORDINARY_MESSAGES
    assert {message.kind for message in crisis} == set(KINDS)
    # Exact text: "what is CSE" and "what is cse" are both kept on purpose.
    crisis_texts = [message.text for message in crisis]
    ordinary_texts = list(ordinary)
    assert len(set(crisis_texts)) == len(crisis_texts), "duplicate crisis message"
    assert len(set(ordinary_texts)) == len(ordinary_texts), "duplicate ordinary message"
    assert not set(crisis_texts) & set(ordinary_texts)


def test_spacy_route_recall(result: Result) -> None:
    assert result.recall >= MIN_RECALL, result.report()


def test_spacy_route_false_alarms(result: Result) -> None:
    assert result.false_alarm_rate <= MAX_FALSE_ALARMS, result.report()


def test_kind_is_named_for_most_crisis_messages(nlp: spacy.language.Language) -> None:
    """The reply depends on the kind; a wrong kind still shows 999 but the wrong lines."""
    crisis = load_crisis_messages()
    right = [m for m in crisis if m.kind in crisis_types(nlp, m.text)]
    wrong = [(m.text, m.kind, crisis_types(nlp, m.text)) for m in crisis if m not in right]
    assert len(right) / len(crisis) >= 0.9, wrong


@pytest.mark.parametrize(
    "text",
    [
        "how is trafficking defined in the guidance",
        "is there a video about grooming",
        "what is CSE",
        "my child is missing",
    ],
)
def test_topic_questions_and_missing_reports_are_not_crisis(
    nlp: spacy.language.Language, text: str
) -> None:
    assert crisis_types(nlp, text) == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("a man has grabbed my daughter and pushed her into his car", "danger"),
        ("i'm going to take all my pills tonight", "self_harm"),
        ("a gang has my boy and they're threatening him", "danger"),
        ("she says she wants to kill herself", "self_harm"),
        ("hes makin me go wiv his m8s", "abuse"),
        ("i'm being trafficked", "trafficking"),
    ],
)
def test_issue_examples_raise_their_kind(
    nlp: spacy.language.Language, text: str, kind: str
) -> None:
    assert kind in crisis_types(nlp, text)
