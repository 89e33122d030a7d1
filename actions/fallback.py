"""The honest "I can't help with that" reply: never silence, always the emergency line."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import audience
from actions.contacts import phone

# Set on the parsed message by rasa_addons.input_guard.InputGuard.
PROBLEM_OPENERS = {
    "empty": "I didn't receive any words in that message.",
    "markup_only": "That message only had code or markup in it, so I couldn't read it.",
    "no_words": "I couldn't find any words in that message.",
    "too_long": "That was a long message, so I only read the first part of it.",
}


def input_problem(tracker: Tracker) -> str | None:
    return tracker.latest_message.get("input_problem")


class ActionCannotHelp(Action):
    def name(self) -> str:
        return "action_cannot_help"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        opener = PROBLEM_OPENERS.get(
            input_problem(tracker) or "", "Sorry, I can't help with that one."
        )
        who = audience.current(tracker)
        topics = audience.WHAT_I_CAN_DO[who] if who else [
            "what to do when a child goes missing from home or care",
            "who to tell and what is due when",
            "help and safe places for young people",
            "signs of child sexual exploitation for hotels, pubs and taxis",
        ]
        listed = "\n".join(f"- {topic}" for topic in topics)
        dispatcher.utter_message(
            text=(
                f"{opener} I can help with:\n{listed}\n"
                f"If anyone is in danger right now, phone {phone('police_emergency')}."
            ),
            buttons=[] if who else audience.buttons(),
        )
        return []
