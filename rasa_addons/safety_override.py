"""Raise the `crisis` intent whenever a safety phrase appears, whatever DIET predicted.

The classifier and this rule-based check are independent routes to the emergency
reply, so either can raise it: DIET generalises to phrasings nobody wrote down, the
spaCy patterns catch known phrases even when they sit inside a long, off-topic or
misspelt message that the classifier scores low.
"""

from __future__ import annotations

from typing import Any

import spacy
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language
from spacy.tokens import Doc, Span

from rasa_addons.input_guard import FULL_TEXT
from rasa_addons.spacy_entities import cased_doc

CRISIS_INTENT = "crisis"
CRISIS_ENTITY = "crisis_type"
CRISIS_PREFIX = "CRISIS_"
# Longer than any message the channels accept in practice; bounds the cost of a paste.
MAX_SCAN_CHARS = 50_000


#: "in danger" said to be untrue ("she's not in danger", "he isn't in danger any more") is
#: the person answering the emergency question, not raising it. Only these words right
#: before the phrase count: "I don't think she's in danger" still matches, as does any
#: other danger phrase in the same message ("not in danger but he has a knife").
NEGATED_PHRASES = frozenset({"in danger"})
NEGATIONS = frozenset({"not", "n't", "nt", "never"})


def _negated(ent: Span) -> bool:
    if ent.text.lower() not in NEGATED_PHRASES or ent.start == 0:
        return False
    before = ent.doc[ent.start - 1]
    return before.lower_ in NEGATIONS or before.lemma_ == "not" or (
        before.lower_ == "longer" and ent.start >= 2 and ent.doc[ent.start - 2].lower_ == "no"
    )


def crisis_spans(nlp: Language, text: str, doc: Doc | None = None) -> list[tuple[str, int, int]]:
    """(kind, start, end) of the first phrase of each crisis category in `text`
    (`doc`: the pipeline's parse of `text[:MAX_SCAN_CHARS]`, when one was made already)."""
    found: dict[str, tuple[str, int, int]] = {}
    for ent in (doc if doc is not None else nlp(text[:MAX_SCAN_CHARS])).ents:
        if ent.label_.startswith(CRISIS_PREFIX) and not _negated(ent):
            kind = ent.label_[len(CRISIS_PREFIX) :].lower()
            found.setdefault(kind, (kind, ent.start_char, ent.end_char))
    return list(found.values())


def crisis_types(nlp: Language, text: str) -> list[str]:
    """The crisis categories whose phrases occur in `text`, in order of appearance."""
    return [kind for kind, _start, _end in crisis_spans(nlp, text)]


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class SafetyOverride(GraphComponent):
    """Sets intent `crisis` (confidence 1.0) and a `crisis_type` entity on a match."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"model": "build/spacy_pipeline"}

    def __init__(self, nlp: Language, model_name: str) -> None:
        self._nlp = nlp
        self._model_name = model_name

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyOverride:
        return cls(spacy.load(config["model"]), config["model"])

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(FULL_TEXT) or message.get(TEXT) or ""
            # The entity extractor's parse of the same text with the same pipeline, if any.
            doc = cased_doc(message, self._model_name, text[:MAX_SCAN_CHARS])
            spans = crisis_spans(self._nlp, text, doc)
            if spans:
                self._raise_crisis(message, spans)
        return messages

    @staticmethod
    def _raise_crisis(message: Message, spans: list[tuple[str, int, int]]) -> None:
        intent = {INTENT_NAME_KEY: CRISIS_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [
            entry
            for entry in message.get(INTENT_RANKING_KEY) or []
            if entry.get(INTENT_NAME_KEY) != CRISIS_INTENT
        ]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
        entities = [
            entity
            for entity in message.get(ENTITIES) or []
            if entity.get("entity") != CRISIS_ENTITY
        ]
        entities.extend(
            {
                "entity": CRISIS_ENTITY,
                "value": kind,
                "start": start,
                "end": end,
                "extractor": "SafetyOverride",
                "confidence_entity": 1.0,
            }
            for kind, start, end in spans
        )
        message.set(ENTITIES, entities, add_to_output=True)
