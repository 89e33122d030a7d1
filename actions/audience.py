"""Who the assistant is talking to, and how each audience is offered help."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from missing_clock import DEADLINES

CARER = "carer"
YOUNG_PERSON = "young_person"
LICENCE_HOLDER = "licence_holder"
PROFESSIONAL = "professional"

LABELS = {
    CARER: "Foster carer, residential worker or parent",
    YOUNG_PERSON: "Young person",
    LICENCE_HOLDER: "Licence holder (premises or taxi)",
    PROFESSIONAL: "Professional or school",
}

WHAT_I_CAN_DO = {
    CARER: [
        "what to do if a child has not come home, step by step",
        "who to tell, and what is due when "
        f"({DEADLINES['lac_notify_director'].amount} hours, "
        f"{DEADLINES['lac_strategy_meeting_trigger'].amount} hours)",
        "return interviews and what happens when a child comes back",
    ],
    YOUNG_PERSON: [
        "where you can get help or somewhere safe tonight",
        "what happens if you are reported missing",
        "what a return interview is, and who you can talk to",
    ],
    LICENCE_HOLDER: [
        "the signs of child sexual exploitation at premises and in taxis",
        "who to call and your duties as a licence holder",
        "posters and staff training",
    ],
    PROFESSIONAL: [
        "the Missing from Home or Care procedure and its timescales",
        "MASH referrals, strategy meetings and return interviews",
        "children missing education: enquiries and referrals",
    ],
}


def current(tracker: Tracker) -> str | None:
    value = tracker.get_slot("audience")
    return value if value in LABELS else None


def buttons() -> list[dict[str, Any]]:
    return [
        {"title": label, "payload": f'/choose_audience{{"audience": "{key}"}}'}
        for key, label in LABELS.items()
    ]
