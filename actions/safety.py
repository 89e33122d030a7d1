"""The emergency route, raised by the `crisis` intent in any turn.

The first line is always what to do if someone is in danger now (999); the helplines
that follow depend on what kind of crisis it is and who is talking. Wording for young
people follows the Runaways' Charter: calm, honest, never blaming.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import audience
from actions.contacts import line, phone
from actions.guidance import answer_messages, is_question

DANGER = "danger"
SELF_HARM = "self_harm"
ABUSE = "abuse"
TRAFFICKING = "trafficking"
NO_SAFE_PLACE = "no_safe_place"

YOUNG_PERSON_LINES = {
    SELF_HARM: [
        ("samaritans", "free, any time"),
        ("shout", "text, any time"),
        ("childline", "free"),
    ],
    ABUSE: [("childline", "free"), ("runaway_helpline", "free")],
    TRAFFICKING: [("childline", "free"), ("nspcc_trafficking", "")],
    NO_SAFE_PLACE: [("runaway_helpline", "free"), ("childline", "free")],
    DANGER: [("childline", "free"), ("runaway_helpline", "free")],
}

YOUNG_PERSON_WORDS = {
    SELF_HARM: "I'm really glad you told me. You don't have to cope with this on your own.",
    ABUSE: "Thank you for telling me. What is happening is not your fault.",
    TRAFFICKING: "Thank you for telling me. What is happening is not your fault.",
    NO_SAFE_PLACE: "You deserve somewhere safe to sleep tonight, and people can help.",
    DANGER: "Your safety matters most right now.",
}


def crisis_kinds(tracker: Tracker) -> list[str]:
    return [
        entity["value"]
        for entity in tracker.latest_message.get("entities", [])
        if entity.get("entity") == "crisis_type"
    ]


def young_person_reply(kinds: list[str]) -> str:
    kind = kinds[0] if kinds else DANGER
    ids: list[tuple[str, str]] = []
    for each in kinds or [DANGER]:
        ids.extend(pair for pair in YOUNG_PERSON_LINES[each] if pair not in ids)
    if kind == SELF_HARM:
        first = (
            f"If you have hurt yourself or feel you might act on these thoughts, "
            f"phone {phone('police_emergency')} now."
        )
    else:
        first = f"If you are in danger right now, phone {phone('police_emergency')}."
    lines = "\n".join(line(contact_id, note) for contact_id, note in ids)
    return (
        f"{first}\n{YOUNG_PERSON_WORDS[kind]} You can talk to someone now:\n{lines}\n"
        "I'm an automated assistant, so I can't send help myself, but these people can."
    )


def adult_reply(kinds: list[str], who: str | None) -> str:
    first = (
        f"If a child is in immediate danger or has been taken, phone "
        f"{phone('police_emergency')} now."
    )
    ids = [("police_non_emergency", "police, not an emergency"), ("mash", "")]
    if who in (audience.CARER, audience.PROFESSIONAL):
        ids.append(("emergency_duty_team", "outside office hours"))
    if TRAFFICKING in kinds:
        ids.append(("nspcc_trafficking", "advice"))
    if who == audience.LICENCE_HOLDER:
        ids.append(("licensing_team", "CSE at licensed premises or taxis"))
    lines = "\n".join(line(contact_id, note) for contact_id, note in ids)
    return f"{first}\nThen, or if there is no immediate danger:\n{lines}"


def mixed_reply(kinds: list[str]) -> str:
    """We don't yet know who is talking: give both routes, danger first."""
    return (
        f"If anyone is in danger right now, phone {phone('police_emergency')}.\n"
        f"If you are a young person: {line('childline', 'free')[2:]}, "
        f"{line('runaway_helpline', 'free')[2:]}.\n"
        f"If you are worried about a child: {line('mash')[2:]}, "
        f"or the police on {phone('police_non_emergency')}."
        + (f"\n{line('samaritans', 'free, any time')}" if SELF_HARM in kinds else "")
    )


def safety_reply(tracker: Tracker) -> str:
    """The emergency route for what was said, worded for who is talking."""
    kinds = crisis_kinds(tracker)
    who = audience.current(tracker)
    if who == audience.YOUNG_PERSON:
        return young_person_reply(kinds)
    if who is None:
        return mixed_reply(kinds)
    return adult_reply(kinds, who)


# What an adult can do next once the emergency route is given. A carer whose words
# merely sounded like a crisis ("I can't find him anywhere") must not be left at the
# 999 message with no way into the search walkthrough.
WALKTHROUGH = ("A child is missing: walk me through it", "/report_missing")
NEXT_STEPS: dict[str | None, list[tuple[str, str]]] = {
    None: [("I'm looking for a missing child", "/report_missing")],
    audience.CARER: [WALKTHROUGH],
    audience.PROFESSIONAL: [WALKTHROUGH, ("Make a referral to MASH", "/make_referral")],
    audience.LICENCE_HOLDER: [("Tell you what I saw", "/report_licence_concern")],
}


def next_step_buttons(tracker: Tracker) -> list[dict[str, str]]:
    """Ways on from the emergency route; none inside a form, which re-asks its question."""
    if tracker.active_loop.get("name"):
        return []
    steps = NEXT_STEPS.get(audience.current(tracker), [])
    return [{"title": title, "payload": payload} for title, payload in steps]


class ActionSafetyResponse(Action):
    def name(self) -> str:
        return "action_safety_response"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=safety_reply(tracker), buttons=next_step_buttons(tracker))
        # The emergency route is added, not substituted: a question that also sounds
        # alarming ("is it safe to stay at a friend's house?") still gets its answer.
        # Inside a form the form's own question follows instead.
        # A message the classifier alone called a crisis (no danger phrase matched) may be
        # a statement that the guidance answers, so it is looked up too.
        # The emergency route has already been given, so a question's best record follows
        # without the confidence bar a statement needs.
        text = tracker.latest_message.get("text") or ""
        question = is_question(text)
        if tracker.active_loop.get("name") or not (question or not crisis_kinds(tracker)):
            return []
        messages, record_id, answered = answer_messages(
            tracker.latest_message, audience.current(tracker), asked=question
        )
        if not answered:
            return []
        for message in messages:
            dispatcher.utter_message(**message)
        return [SlotSet("last_record", record_id)] if record_id else []
