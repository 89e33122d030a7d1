"""The project-built spaCy pipeline: lemmas, domain entities and safety phrases."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from rasa_addons.pattern_dsl import PatternError, phrase_to_pattern
from rasa_addons.safety_override import crisis_types


@pytest.fixture(scope="module")
def nlp(spacy_pipeline: Path) -> spacy.language.Language:
    return spacy.load(spacy_pipeline)


def test_lookup_lemmatizer_is_active(nlp: spacy.language.Language) -> None:
    assert [t.lemma_ for t in nlp("children were running")] == ["child", "be", "run"]


@pytest.mark.parametrize(
    ("text", "label", "span"),
    [
        ("she was last seen 50 hours ago", "DURATION", "50 hours"),
        ("he went out at 6 pm", "CLOCK_TIME", "6 pm"),
        ("since last night", "DAY_REF", "last night"),
        ("she is 14 years old", "AGE", "14 years old"),
        ("a girl at the hotel", "PLACE", "hotel"),
    ],
)
def test_domain_entities(nlp: spacy.language.Language, text: str, label: str, span: str) -> None:
    assert (span, label) in [(e.text, e.label_) for e in nlp(text).ents]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("my child is in danger right now", "danger"),
        ("there's a man following me", "danger"),
        ("dont wanna be here anymore", "self_harm"),
        ("im gonna kill myself", "self_harm"),
        ("hes makin me go wiv his m8s", "abuse"),
        ("they took my passport", "trafficking"),
        ("i got nowhere to sleep 2nite", "no_safe_place"),
    ],
)
def test_crisis_phrases(nlp: spacy.language.Language, text: str, kind: str) -> None:
    assert kind in crisis_types(nlp, text)


@pytest.mark.parametrize(
    "text",
    ["my child is missing", "what is a return interview", "who do I tell at the weekend"],
)
def test_ordinary_messages_raise_no_crisis(nlp: spacy.language.Language, text: str) -> None:
    assert crisis_types(nlp, text) == []


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        # "in danger" said to be untrue is an answer, not an alarm...
        ("no she's not in danger at the moment as far as I know", []),
        ("she isnt in danger", []),
        ("he's no longer in danger", []),
        # ...but only right after the negation, and never hiding another danger phrase.
        ("I don't think she's in danger", ["danger"]),
        ("she's not in danger but he has a knife", ["danger"]),
        ("is she in danger", ["danger"]),
    ],
)
def test_danger_said_to_be_untrue(
    nlp: spacy.language.Language, text: str, kinds: list[str]
) -> None:
    assert crisis_types(nlp, text) == kinds


def test_pattern_notation() -> None:
    assert phrase_to_pattern("~run away?") == [
        {"LEMMA": {"IN": ["run"]}},
        {"LOWER": "away", "OP": "?"},
    ]
    with pytest.raises(PatternError):
        phrase_to_pattern("a? b?")
