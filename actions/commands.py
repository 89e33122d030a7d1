"""Typed slash-commands that are not the page's buttons.

Rasa reads any message starting with "/" as an intent, so a person who types "/restart"
would otherwise start a new conversation in silence, and the chat page would say the
assistant is not working. Rasa lets a custom action take a default action's name; this
one says what happened.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.contacts import say


class ActionRestart(Action):
    def name(self) -> str:
        return "action_restart"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=say("restart"))
        return [Restarted()]
