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

from rasa_addons.input_guard import FULL_TEXT

CRISIS_INTENT = "crisis"
CRISIS_ENTITY = "crisis_type"
CRISIS_PREFIX = "CRISIS_"
# Longer than any message the channels accept in practice; bounds the cost of a paste.
MAX_SCAN_CHARS = 50_000


def crisis_types(nlp: Language, text: str) -> list[str]:
    """The crisis categories whose phrases occur in `text`, in order of appearance."""
    found: list[str] = []
    for ent in nlp(text[:MAX_SCAN_CHARS]).ents:
        if ent.label_.startswith(CRISIS_PREFIX):
            kind = ent.label_[len(CRISIS_PREFIX) :].lower()
            if kind not in found:
                found.append(kind)
    return found


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class SafetyOverride(GraphComponent):
    """Sets intent `crisis` (confidence 1.0) and a `crisis_type` entity on a match."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"model": "build/spacy_pipeline"}

    def __init__(self, nlp: Language) -> None:
        self._nlp = nlp

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyOverride:
        return cls(spacy.load(config["model"]))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(FULL_TEXT) or message.get(TEXT) or ""
            kinds = crisis_types(self._nlp, text)
            if kinds:
                self._raise_crisis(message, kinds)
        return messages

    @staticmethod
    def _raise_crisis(message: Message, kinds: list[str]) -> None:
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
                "extractor": "SafetyOverride",
                "confidence_entity": 1.0,
            }
            for kind in kinds
        )
        message.set(ENTITIES, entities, add_to_output=True)
