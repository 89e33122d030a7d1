"""Rasa's SpacyEntityExtractor, leaving its parse of the message for SafetyOverride.

Both components run the project's spaCy pipeline over the message's own (cased) text:
the extractor for the time phrases the missing-episode clock reads, SafetyOverride for
the crisis phrases. Rasa's extractor keeps nothing of its parse, so the same text went
through the tokenizer, lemmatizer and entity ruler twice per message (SpacyNLP's parse
is of the lower-cased text, for the featurizers). This extractor is Rasa's, with its
parse left on the message with the pipeline it came from; SafetyOverride uses it when
its own pipeline is the same one and the text is the text it would parse, and parses
the text itself otherwise.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.tokens import Doc

#: Message key of (pipeline directory, doc); not part of the parse Rasa returns.
CASED_DOC = "cased_spacy_doc"


@lru_cache(maxsize=8)
def pipeline_key(model_name: str) -> str:
    """One name for a pipeline however its directory was written (resolved once: both
    components ask on every message)."""
    return str(Path(model_name).resolve())


def cased_doc(message: Message, model_name: str, text: str) -> Doc | None:
    """The extractor's parse of `text` with the pipeline at `model_name`, if it made one."""
    kept = message.get(CASED_DOC)
    if kept is None:
        return None
    key, doc = kept
    return doc if key == pipeline_key(model_name) and doc.text == text else None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP"
)
class SharedDocSpacyEntityExtractor(SpacyEntityExtractor):
    """Rasa's SpacyEntityExtractor; its entities still name `SpacyEntityExtractor`."""

    @property
    def name(self) -> str:
        return SpacyEntityExtractor.__name__

    def process(self, messages: list[Message], model: SpacyModel) -> list[Message]:
        # Rasa 3.6's SpacyEntityExtractor.process, keeping the doc.
        for message in messages:
            doc = model.model(message.get(TEXT))
            message.set(CASED_DOC, (pipeline_key(model.model_name), doc))
            extracted = self.filter_irrelevant_entities(
                self.add_extractor_name(self._extract_entities(doc)), self._config["dimensions"]
            )
            message.set(ENTITIES, message.get(ENTITIES, []) + extracted, add_to_output=True)
        return messages
