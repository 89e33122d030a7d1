"""First component of the NLU pipeline: make any input safe to process.

People paste odd things into a chat box: nothing at all, a whole e-mail thread, NUL
bytes, markup. Rather than letting one of those crash a featurizer or slow every
classifier down, the text is cleaned here and a note of what was wrong is left on the
message, so the reply can say so calmly ("that message was empty").
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

# Message attribute the guard leaves for later components and the reply.
INPUT_PROBLEM = "input_problem"
# The full cleaned text, kept so the safety check can read past the truncation point.
FULL_TEXT = "full_text"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Script and style blocks are code, not words a person meant: drop them with their content.
_CODE_BLOCKS = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]{0,200}>")
_SPACE = re.compile(r"\s+")


def clean_text(text: Any, max_chars: int) -> tuple[str, str, str | None]:
    """Return (text for classifiers, full cleaned text, problem or None)."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    full = unicodedata.normalize("NFKC", text)
    full = _CONTROL.sub(" ", full)
    # Markup carries no meaning for the classifiers; the words inside it might.
    without_markup = _TAGS.sub(" ", _CODE_BLOCKS.sub(" ", full))
    had_markup = without_markup != full
    full = _SPACE.sub(" ", without_markup).strip()
    if not full:
        return "", "", "markup_only" if had_markup else "empty"
    if not any(char.isalnum() for char in full):
        return full, full, "no_words"
    if len(full) > max_chars:
        return full[:max_chars], full, "too_long"
    return full, full, None


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False
)
class InputGuard(GraphComponent):
    """Cleans message text before tokenisation and notes what was wrong with it."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Long enough for any real question; short enough to keep DIET fast.
        return {"max_chars": 1000}

    def __init__(self, config: dict[str, Any]) -> None:
        self._max_chars = int(config["max_chars"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InputGuard:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            if example.get(TEXT):
                self._clean(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._clean(message)
        return messages

    def _clean(self, message: Message) -> None:
        short, full, problem = clean_text(message.get(TEXT), self._max_chars)
        message.set(TEXT, short)
        message.set(FULL_TEXT, full)
        if problem:
            message.set(INPUT_PROBLEM, problem, add_to_output=True)
