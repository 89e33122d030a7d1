"""Route messages with no words in them to the fallback reply.

An empty message, pure markup or a row of emoji carries nothing to classify, but DIET
still returns its best guess. Sending these to `nlu_fallback` makes the reply honest:
"I couldn't read that" with what the assistant can do and the emergency number.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

from rasa_addons.input_guard import INPUT_PROBLEM

FALLBACK_INTENT = "nlu_fallback"
UNREADABLE = {"empty", "markup_only", "no_words"}


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class UnreadableInputFallback(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UnreadableInputFallback:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if message.get(INPUT_PROBLEM) in UNREADABLE:
                intent = {INTENT_NAME_KEY: FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
        return messages
