""""Talk to someone" and "are you a real person?": honest that this is a computer
program, then the right people for this audience and time of day."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import audience
from actions.contacts import line, phone
from actions.referral import summary
from missing_clock import LONDON, is_office_hours, office_hours_note


def people_to_talk_to(who: str | None, in_office_hours: bool) -> str:
    emergency = f"In an emergency, phone {phone('police_emergency')}."
    if who == audience.YOUNG_PERSON:
        people = [line("runaway_helpline", "free"), line("childline", "free")]
        return (
            "I'm a computer program, so I can't talk to you myself, but these people can. "
            "You don't have to give your name.\n" + "\n".join(people) + f"\n{emergency}"
        )
    people = [line("mash", "Multi-Agency Safeguarding Hub")]
    if who is None:
        # Not yet known to be an adult: a young person asking for a person needs these.
        people += [line("runaway_helpline", "free, for young people"),
                   line("childline", "free, for young people")]
    if not in_office_hours:
        people.append(line("emergency_duty_team", "outside office hours"))
    people.append(line("police_non_emergency", "police, not an emergency"))
    if who == audience.LICENCE_HOLDER:
        people.append(line("licensing_team"))
    return (
        "I'm an automated assistant, not a person. To speak to a person:\n"
        + "\n".join(people)
        + f"\n{emergency}\n{office_hours_note()}"
    )


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
                    text="If you phone MASH, you can read them what you've told me so far:\n"
                    + answers
                )
        return []
