""""Talk to someone" and "are you a real person?": honest that this is a computer
program, then the right people for this audience and time of day."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import audience
from actions.contacts import say
from actions.referral import summary
from missing_clock import LONDON, is_office_hours, office_hours_note


def people_to_talk_to(who: str | None, in_office_hours: bool) -> str:
    """Honest that this is a program, then who can help at this hour
    (bot/copy/who_can_help.yml, "talk_to_someone")."""
    return say("talk_to_someone.reply", who, in_office_hours,
               office_hours_note=office_hours_note())


class ActionTalkToSomeone(Action):
    def name(self) -> str:
        return "action_talk_to_someone"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        text = people_to_talk_to(audience.current(tracker), is_office_hours(datetime.now(LONDON)))
        dispatcher.utter_message(text=text)
        if (tracker.active_loop or {}).get("name") == "referral_form":
            answers = summary(tracker)
            if answers:
                dispatcher.utter_message(
                    text=say("talk_to_someone.referral_so_far", answers=answers))
        return []
