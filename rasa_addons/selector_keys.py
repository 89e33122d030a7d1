"""Look up the ResponseSelector's response keys in a table, not by scanning every response.

For the top label and each of the ten in its ranking, Rasa 3.6's ResponseSelector finds
the label's response key (`_resolve_intent_response_key`) by walking all of the domain's
responses in order: the first response name whose key is the label's name, or whose
response text is the label's name, gives its key. With about 200 responses that is a
few thousand string splits and comparisons per message: about 2.6% of Rasa's CPU in the
profile of issue 13 (after the other savings).

The responses do not change once the model is loaded, so this builds, once per selector
and responses, the table of the same answers: each name that some response name or text
resolves, with the key of the first response (in the same order) that resolves it. A
name that resolves nothing gives None, as from Rasa. If a response name has no `utter_`
prefix (Rasa's own lookup fails on it when it gets there) or a response text is not a
string, Rasa's code is used.

`rasa_addons/serve.py` installs it in the Rasa process.
"""

from __future__ import annotations

from typing import Any

from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.constants import UTTER_PREFIX
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data import util

_original = ResponseSelector._resolve_intent_response_key
ATTRIBUTE = "_addon_response_keys"


def key_table(responses: dict[str, list[dict[str, Any]]]) -> dict[Any, str] | None:
    """Each name a response resolves, with the first resolving response's key; None if a
    response name has no key (or a text is not a string or None)."""
    table: dict[Any, str] = {}
    for name, texts in responses.items():
        if UTTER_PREFIX not in name:
            return None
        key = util.template_key_to_intent_response_key(name)
        table.setdefault(key, key)
        for response in texts:
            text = response.get(TEXT, "")
            if text is not None and not isinstance(text, str):
                return None
            table.setdefault(text, key)
    return table


def resolve_intent_response_key(self: ResponseSelector, label: dict[str, str | None]
                                ) -> str | None:
    kept: tuple[Any, dict[Any, str] | None] | None = self.__dict__.get(ATTRIBUTE)
    if kept is None or kept[0] is not self.responses:
        kept = (self.responses, key_table(self.responses))
        self.__dict__[ATTRIBUTE] = kept
    table = kept[1]
    if table is None:
        return _original(self, label)
    return table.get(label.get("name"))


def install() -> None:
    ResponseSelector._resolve_intent_response_key = resolve_intent_response_key


def uninstall() -> None:
    ResponseSelector._resolve_intent_response_key = _original
