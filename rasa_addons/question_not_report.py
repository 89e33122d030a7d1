"""A message that is not a carer's report of a child still missing is a question.

DIET places some long messages as `report_missing`, and the search walkthrough (the
carer's steps before reporting) then asks whether the child is in danger now. Its
boundary moves a little with every retraining, so this check does not rely on it:
`report_missing` becomes a guidance question when the message says
- the child has returned ("came back to her foster placement late sunday ... how quickly
  do I have to see her?"; actions/situation.py `child_is_back`, the answers' phrases), or
- it asks about a child the person does not look after ("15 yr old patient in surgery ...
  walked out from home 2 nights ago ... What is my responsibility here"; a team manager's
  "is there a point where this has to go above me?"; `asks_of_a_child_in_others_care`).
A crisis is raised after this, by SafetyOverride, whatever this decided.
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

from actions.situation import asks_of_a_child_in_others_care, child_is_back
from rasa_addons.input_guard import FULL_TEXT

REPORT_MISSING = "report_missing"
GUIDANCE = "guidance"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class QuestionNotReport(GraphComponent):
    """Turns `report_missing` into `guidance` when the message is not a carer's report."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> QuestionNotReport:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            text = message.get(FULL_TEXT) or message.get(TEXT) or ""
            if intent.get(INTENT_NAME_KEY) == REPORT_MISSING and (
                child_is_back(text) or asks_of_a_child_in_others_care(text)
            ):
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
