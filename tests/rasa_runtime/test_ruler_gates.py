"""The gated entity ruler finds exactly what spaCy's own EntityRuler.match finds.

Compared on every message the project has (its NLU examples, the records' questions,
the crisis and ordinary safety sets) and on sentences built from every pattern in the
pattern file, alone and inside other words, with its optional words and without.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import spacy
from rasa.shared.nlu.training_data.loading import load_data
from spacy.language import Language
from spacy.tokens import Doc

from guidance_corpus.loader import load_corpus
from rasa_addons import ruler_gates
from rasa_addons.spacy_pipeline import load_patterns
from tools.crisis_eval import load_crisis_messages, load_ordinary_messages
from tools.paths import ROOT


@pytest.fixture(scope="module")
def nlp(spacy_pipeline: Path) -> Language:
    return spacy.load(spacy_pipeline)


def words_for(token: dict[str, Any]) -> list[str]:
    """Words that fit one token of a pattern (a few of them)."""
    for attr in ("LOWER", "LEMMA"):
        value = token.get(attr)
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return list(value["IN"])[:3]
    return ["5"] if token.get("LIKE_NUM") else ["then"]


def built_sentences() -> Iterator[str]:
    for entry in load_patterns():
        pattern = entry["pattern"]
        for pick in range(3):
            for keep_optional in (True, False):
                words = [
                    words_for(token)[min(pick, len(words_for(token)) - 1)]
                    for token in pattern if keep_optional or token.get("OP") != "?"
                ]
                phrase = " ".join(words)
                yield phrase
                yield f"so yesterday {phrase} and then she said {phrase.upper()} again"


def project_messages() -> Iterator[str]:
    yield from (m.get("text") for m in load_data(str(ROOT / "bot" / "data" / "nlu"))
                .training_examples if m.get("text"))
    for record in load_corpus().records.values():
        yield from record.questions
    yield from (message.text for message in load_crisis_messages())
    yield from load_ordinary_messages()


def ruler_input(nlp: Language, text: str) -> Doc:
    """The doc as it reaches the entity ruler (the pipes before it have run)."""
    doc = nlp.make_doc(text)
    for name, pipe in nlp.pipeline:
        if name == "entity_ruler":
            return doc
        doc = pipe(doc)
    raise AssertionError("the pipeline has no entity ruler")


def test_the_gates_find_what_spacy_finds(nlp: Language) -> None:
    ruler = nlp.get_pipe("entity_ruler")
    texts = list(dict.fromkeys([*project_messages(), *built_sentences()]))
    found = differs = ties = 0
    for text in texts:
        for variant in (text, text.lower()):  # as SpacyNLP and the extractor parse it
            doc = ruler_input(nlp, variant)
            spacys = ruler_gates._original_match(ruler, doc)
            ours = ruler_gates.match(ruler, doc)
            differs += ours != spacys
            found += bool(spacys)
            spans = [(start, end) for _label, start, end in spacys]
            ties += len(set(spans)) < len(spans)
    assert differs == 0
    assert len(texts) > 3000 and found > 1500  # most built sentences match their pattern
    assert ties < found / 20  # spaCy's own match runs only for the rare tie


def test_every_pattern_is_filed_under_a_word_it_needs(nlp: Language) -> None:
    ruler = nlp.get_pipe("entity_ruler")
    gates = ruler_gates.gates_of(ruler)
    filed = sum(len(m) for m in gates.by_word.values())
    assert gates.always is None or len(gates.always) < 5
    assert filed >= len(ruler) - (len(gates.always) if gates.always else 0)
    assert ruler_gates.gate([{"LOWER": {"IN": ["she", "he"]}, "OP": "?"},
                             {"LEMMA": {"IN": ["kill", "hurt", "cut"]}},
                             {"LOWER": "herself"}]) == ("LOWER", frozenset({"herself"}))
    assert ruler_gates.gate([{"LIKE_NUM": True}, {}]) is None


def test_new_patterns_are_filed_again(nlp: Language) -> None:
    ruler = nlp.get_pipe("entity_ruler")
    before = ruler_gates.gates_of(ruler)
    ruler.add_patterns([{"label": "CLOCK_TIME", "pattern": [{"LOWER": "teatime"}]}])
    after = ruler_gates.gates_of(ruler)
    assert after is not before and ("LOWER", "teatime") in after.by_word
    doc = ruler_input(nlp, "she went out at teatime")
    assert ruler_gates.match(ruler, doc) == ruler_gates._original_match(ruler, doc)
    assert ruler_gates.match(ruler, doc)
