"""Greeting and choosing an audience."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import audience, guidance
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
        # "he's 13 and in foster care btw, I'm his foster carer" after a question: the
        # question is answered again for who they are, not met with the menu. A button
        # press ("/choose_audience...") or a first message gets the menu.
        text = tracker.latest_message.get("text") or ""
        before = guidance.before_this(tracker)
        if before is not None and not text.startswith("/"):
            messages, record_id, answered = guidance.answer_messages(
                tracker.latest_message, who, asked=True, before=before
            )
            if answered:
                for message in messages:
                    dispatcher.utter_message(**message)
                return [SlotSet("last_record", record_id)] if record_id else []
        dispatcher.utter_message(text=say("audience.chosen", who))
        return []
