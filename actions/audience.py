"""Who the assistant is talking to, and how each audience is offered help."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions import situation
from actions.contacts import say, say_list

CARER = "carer"
YOUNG_PERSON = "young_person"
LICENCE_HOLDER = "licence_holder"
PROFESSIONAL = "professional"

AUDIENCES = (CARER, YOUNG_PERSON, LICENCE_HOLDER, PROFESSIONAL)  # in the buttons' order
# Each audience's button label and what the assistant offers it: bot/copy/<audience>.yml.
LABELS = {who: say("audience.label", who) for who in AUDIENCES}
WHAT_I_CAN_DO = {who: say_list("audience.what_i_can_do", who) for who in AUDIENCES}


def current(tracker: Tracker) -> str | None:
    """The audience chosen (a button, or said to the NLU), if any."""
    value = tracker.get_slot("audience")
    return value if value in LABELS else None


def asking(tracker: Tracker) -> str | None:
    """Who is asking: the audience chosen, else who the latest message says is writing
    ("the child I foster", "my pub", "I ran away")."""
    return current(tracker) or situation.audience_in(tracker.latest_message.get("text") or "")


def buttons() -> list[dict[str, Any]]:
    return [
        {"title": label, "payload": f'/choose_audience{{"audience": "{key}"}}'}
        for key, label in LABELS.items()
    ]
