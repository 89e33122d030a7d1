"""A message that says the child is back is not a report of a missing child.

DIET places some long messages about a child who has come back ("came back to her foster
placement late sunday night after going missing friday ... how quickly do I have to see
her?") as `report_missing`, and the search walkthrough then asks whether the child is in
danger now. Its boundary moves a little with every retraining, so this check does not
rely on it: when the message says the child has returned (actions/situation.py,
`child_is_back`, the same phrases the answers use), `report_missing` becomes a guidance
question. A crisis is raised after this, by SafetyOverride, whatever this decided.
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
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from actions.situation import child_is_back
from rasa_addons.input_guard import FULL_TEXT

REPORT_MISSING = "report_missing"
GUIDANCE = "guidance"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class BackNotMissing(GraphComponent):
    """Turns `report_missing` into `guidance` when the message says the child is back."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BackNotMissing:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            text = message.get(FULL_TEXT) or message.get(TEXT) or ""
            if intent.get(INTENT_NAME_KEY) == REPORT_MISSING and child_is_back(text):
                self._as_guidance(message, float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0))
        return messages

    @staticmethod
    def _as_guidance(message: Message, confidence: float) -> None:
        # The two swap places, each keeping the other's confidence, so the ranking stays
        # ordered and what DIET thought stays visible.
        ranking = message.get(INTENT_RANKING_KEY) or []
        theirs = {entry.get(INTENT_NAME_KEY): entry.get(PREDICTED_CONFIDENCE_KEY)
                  for entry in ranking}
        given = {GUIDANCE: confidence, REPORT_MISSING: float(theirs.get(GUIDANCE) or 0.0)}
        swapped = [
            {**entry, PREDICTED_CONFIDENCE_KEY: given[entry.get(INTENT_NAME_KEY)]}
            if entry.get(INTENT_NAME_KEY) in given else entry
            for entry in ranking
        ]
        swapped.sort(key=lambda entry: -float(entry.get(PREDICTED_CONFIDENCE_KEY) or 0.0))
        message.set(INTENT, {INTENT_NAME_KEY: GUIDANCE, PREDICTED_CONFIDENCE_KEY: confidence},
                    add_to_output=True)
        message.set(INTENT_RANKING_KEY, swapped, add_to_output=True)
