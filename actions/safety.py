"""The emergency route, raised by the `crisis` intent in any turn.

The first line is always what to do if someone is in danger now (999); the helplines
that follow depend on what kind of crisis it is and who is talking. Wording for young
people follows the Runaways' Charter: calm, honest, never blaming.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import audience
from actions.contacts import copy, say
from actions.guidance import answer_messages
from actions.situation import is_question
from guidance_corpus.wording import Helper

DANGER = "danger"
SELF_HARM = "self_harm"
ABUSE = "abuse"
TRAFFICKING = "trafficking"
NO_SAFE_PLACE = "no_safe_place"

KINDS = (DANGER, SELF_HARM, ABUSE, TRAFFICKING, NO_SAFE_PLACE)


def crisis_kinds(tracker: Tracker) -> list[str]:
    return [
        entity["value"]
        for entity in tracker.latest_message.get("entities", [])
        if entity.get("entity") == "crisis_type"
    ]


def helpers(kinds: list[str], who: str | None) -> str:
    """Who can help with every kind of crisis described, in turn, each contact once
    (bot/copy/who_can_help.yml, "crisis")."""
    rows: list[Helper] = []
    for kind in kinds or [DANGER]:
        rows.extend(row for row in copy().helpers(f"crisis.{kind}", who) if row not in rows)
    return "\n".join(f"- {copy().line(row.contact, row.note)}" for row in rows)


def safety_reply(tracker: Tracker) -> str:
    """The emergency route for what was said, worded for who is talking
    (bot/copy/<audience>.yml, "safety"): for someone who has not said who they are,
    both routes."""
    kinds = [kind for kind in crisis_kinds(tracker) if kind in KINDS]
    who = audience.current(tracker)
    listed = helpers(kinds, who)
    if who is None:
        return say("safety.reply", who, helpers=f"\n{listed}" if listed else "")
    kind = kinds[0] if kinds else DANGER
    first = "safety.in_danger_self_harm" if kind == SELF_HARM else "safety.in_danger"
    if who != audience.YOUNG_PERSON:
        return say("safety.reply", who, helpers=listed)
    return say("safety.reply", who, helpers=listed, first=say(first, who),
               words=say(f"safety.words.{kind}", who))


# What an adult can do next once the emergency route is given. A carer whose words
# merely sounded like a crisis ("I can't find him anywhere") must not be left at the
# 999 message with no way into the search walkthrough. Button titles: bot/copy, "buttons".
NEXT_STEPS: dict[str | None, list[tuple[str, str]]] = {
    None: [("looking_for_missing", "/report_missing")],
    audience.CARER: [("walkthrough", "/report_missing")],
    audience.PROFESSIONAL: [("walkthrough", "/report_missing"), ("referral", "/make_referral")],
    audience.LICENCE_HOLDER: [("licence_concern", "/report_licence_concern")],
}


def next_step_buttons(tracker: Tracker) -> list[dict[str, str]]:
    """Ways on from the emergency route; none inside a form, which re-asks its question.
    Who is asking is read from the message when no audience was chosen ("I'm a youth
    worker ..."), so a professional is offered a referral, not only the carer's route."""
    if tracker.active_loop.get("name"):
        return []
    who = audience.asking(tracker)
    return [{"title": say(f"buttons.{title}", who), "payload": payload}
            for title, payload in NEXT_STEPS.get(who, [])]


# A crisis message can also ask for something a form does: "I want to refer a 14 year old
# to MASH, I think she's being groomed", "two men have a girl in a room, I want to report
# it". After the emergency route that form starts in the same turn, so the request is not
# lost behind the 999 message. (intent -> the form, and what is said before it)
CONTINUES_INTO: dict[str, tuple[str, str | None]] = {
    "make_referral": ("referral_form", "referral.start"),
    "report_licence_concern": ("licence_concern_form", None),
}
#: How sure the classifier must be of the request beside the crisis (its best intent other
#: than `crisis`).
REQUEST_CONFIDENCE = 0.5


def requested_form(tracker: Tracker) -> tuple[str, str | None] | None:
    if tracker.active_loop.get("name") or audience.current(tracker) == audience.YOUNG_PERSON:
        return None
    ranking = tracker.latest_message.get("intent_ranking") or []
    best = next((r for r in ranking if r.get("name") != "crisis"), None)
    if best is None or float(best.get("confidence") or 0.0) < REQUEST_CONFIDENCE:
        return None
    return CONTINUES_INTO.get(str(best.get("name")))


class ActionSafetyResponse(Action):
    def name(self) -> str:
        return "action_safety_response"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        form = requested_form(tracker)
        if form is not None:
            name, opening = form
            dispatcher.utter_message(text=safety_reply(tracker))
            if opening:
                dispatcher.utter_message(text=say(opening))
            return [FollowupAction(name)]
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
