"""Greeting and choosing an audience."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import audience
from actions.contacts import say


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=say("greeting"), buttons=audience.buttons())
        return []


class ActionSetAudience(Action):
    def name(self) -> str:
        return "action_set_audience"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        who = audience.current(tracker)
        if who is None:
            # Every reply carries the emergency line, this one included: "help" alone
            # lands here, and it may be all a frightened person types.
            dispatcher.utter_message(text=say("audience.ask_who"), buttons=audience.buttons())
            return []
        dispatcher.utter_message(text=say("audience.chosen", who))
        return []
