"""Greeting and choosing an audience."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import audience
from actions.contacts import phone


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text=(
                "Hello. I can help with what to do when a child or young person goes "
                "missing from home or care in Birmingham, using the council's guidance. "
                f"If anyone is in danger right now, phone {phone('police_emergency')}.\n"
                "Who are you?"
            ),
            buttons=audience.buttons(),
        )
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
            dispatcher.utter_message(
                text=(
                    "Tell me who you are, so I can give the right help. If anyone is in "
                    f"danger right now, phone {phone('police_emergency')}."
                ),
                buttons=audience.buttons(),
            )
            return []
        topics = "\n".join(f"- {topic}" for topic in audience.WHAT_I_CAN_DO[who])
        if who == audience.YOUNG_PERSON:
            intro = (
                "Thanks. You don't need to give your name or where you are to get help "
                "here. I'm a computer program, not a person. I can tell you about:"
            )
        else:
            intro = "Thank you. I can help with:"
        dispatcher.utter_message(text=f"{intro}\n{topics}\nWhat would you like to know?")
        return []
