"""Who the assistant is talking to, and how each audience is offered help."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

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
    value = tracker.get_slot("audience")
    return value if value in LABELS else None


def buttons() -> list[dict[str, Any]]:
    return [
        {"title": label, "payload": f'/choose_audience{{"audience": "{key}"}}'}
        for key, label in LABELS.items()
    ]
