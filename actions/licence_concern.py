"""A licence holder's concern about child sexual exploitation (`licence_concern_form`).

For hotel, pub, club and takeaway staff and taxi drivers (Operation Makesafe): what was
seen, where, when, the child's apparent age, the adults and any vehicles (a partial
registration counts). The questions are bot/questions/licence_concern.yml, run by
actions/questionnaire.py. The route is the council's letter to licence holders: 999 if
a child is in danger now, otherwise 101 and the licensing team; Crimestoppers for anyone
who wants to stay anonymous, in which case no name or contact is asked for.
"""

from __future__ import annotations

import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answers, audience
from actions.answers import NOT_KNOWN
from actions.contacts import phone, say
from actions.questionnaire import (
    MISSES_SLOT,
    STOPPED_SLOT,
    AskQuestion,
    Questionnaire,
    as_text,
    ask_actions,
    cleared,
    is_button,
    known,
    latest_intent,
    listen,
    load_table,
    now_uk,
    prompt,
    read_back,
    typed_text,
    vehicles,
)
from actions.referral_client import submit_async
from actions.report_sent import close_conversation

FORM = "licence_concern_form"
TABLE = load_table("licence_concern")
KEY_SLOT = "concern_key"
CONFIRM_SLOT = "concern_confirmed"
DANGER_SLOT = "concern_danger_now"
ANONYMOUS_SLOT = "concern_anonymous"
ALL_SLOTS = [*TABLE.slots, KEY_SLOT, CONFIRM_SLOT]
__all__ = ["vehicles"]


def tells_what_was_seen(text: str) -> bool:
    """The message already says who was seen doing what (the form's own test for offering
    it back as the description, bot/questions/licence_concern.yml)."""
    question = TABLE.question("concern_what_seen")
    assert question is not None
    return listen(question, text, now_uk()) is not None


class ValidateLicenceConcernForm(Questionnaire):
    table = TABLE

    def ended(self, tracker: Tracker) -> list[str] | None:
        return [DANGER_SLOT] if tracker.get_slot(DANGER_SLOT) is True else None

    def before(self, tracker: Tracker) -> list[str]:
        return [KEY_SLOT]

    def after(self, tracker: Tracker) -> list[str]:
        return [CONFIRM_SLOT]

    def carried_over(self, tracker: Tracker) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if not tracker.get_slot(KEY_SLOT):
            found[KEY_SLOT] = str(uuid.uuid4())
        if audience.current(tracker) is None:
            # Whoever reports a concern here is a licence holder: the emergency route, if
            # an answer needs it, is then worded for them.
            found["audience"] = audience.LICENCE_HOLDER
        return found

    def special(
        self, requested: str | None, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]] | None:
        if requested != CONFIRM_SLOT:
            return None
        intent = latest_intent(tracker)
        reading = answers.yes_no(typed_text(tracker)).value
        send = intent == "affirm" if is_button(tracker) else (
            reading is True or "send" in answers.normalise(typed_text(tracker))
            or "correct" in answers.normalise(typed_text(tracker))
        )
        if send:
            return [SlotSet(CONFIRM_SLOT, True)]
        if intent == "deny" or reading is False:
            # Start the details again rather than guess which one was wrong.
            return [SlotSet(slot, None) for slot in TABLE.slots[1:]]
        return [SlotSet(CONFIRM_SLOT, None)]


class AskConcernAnonymous(AskQuestion):
    """Whether to stay anonymous, with Crimestoppers named before anything is asked."""

    slot = ANONYMOUS_SLOT
    table_name = TABLE.name

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        question = TABLE.question(ANONYMOUS_SLOT)
        assert question is not None
        text, buttons = prompt(question, tracker.slots)
        dispatcher.utter_message(text=say("licence_concern.anonymous", question=text),
                                 buttons=buttons)
        return []


class AskConcernDangerNow(AskQuestion):
    """The first question, after who to tell: "who do I tell?" is answered before anything
    is asked. A second asking (after an answer it could not read) is the question alone."""

    slot = DANGER_SLOT
    table_name = TABLE.name

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        question = TABLE.question(DANGER_SLOT)
        assert question is not None
        text, buttons = prompt(question, tracker.slots)
        if not (tracker.get_slot(MISSES_SLOT) or {}).get(DANGER_SLOT):
            text = say("licence_concern.offer", question=text)
            if not route_told_this_turn(tracker):
                text = say("licence_concern.opening", offer=text)
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


def route_told_this_turn(tracker: Tracker) -> bool:
    """Whether an answer before the form, in this turn, already gave the licensing team."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot" and phone("licensing_team") in (event.get("text") or ""):
            return True
    return False


ASK_CONCERN_ACTIONS = ask_actions(
    TABLE, __name__, own=frozenset({ANONYMOUS_SLOT, DANGER_SLOT})
)


class ActionAskConcernConfirmed(Action):
    def name(self) -> str:
        return f"action_ask_{CONFIRM_SLOT}"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        details = {k: v for k, v in tracker.slots.items() if k != DANGER_SLOT}
        dispatcher.utter_message(
            text=say("licence_concern.confirm", details=read_back(TABLE, details)),
            buttons=[{"title": say("buttons.send"), "payload": "/affirm"},
                     {"title": say("licence_concern.start_again"), "payload": "/deny"}],
        )
        return []


def route() -> str:
    return say("licence_concern.route")


def build_concern_payload(tracker: Tracker) -> dict[str, Any]:
    slot = tracker.get_slot
    anonymous = slot(ANONYMOUS_SLOT) is not False
    referrer: dict[str, Any] = {"anonymous": anonymous, "role": "other",
                                "organisation": NOT_KNOWN}
    if not anonymous:
        reach = slot("concern_contact")
        referrer.update({"name": as_text(slot("concern_name")),
                         **(reach if isinstance(reach, dict) and "as_written" not in reach
                            else {})})
    found = slot("concern_vehicles")
    return {
        "idempotency_key": slot(KEY_SLOT),
        "kind": "licence_holder_concern",
        "referrer": referrer,
        "licence_holder": {
            "what_seen": as_text(slot("concern_what_seen")),
            "where": as_text(slot("concern_where")),
            "when": known(slot("concern_when")),
            "apparent_age": as_text(slot("concern_apparent_age")),
            "adults_description": as_text(slot("concern_adults")),
            "vehicles": found if isinstance(found, list) else
            vehicles(as_text(found)) if found else [],
        },
    }


class ActionSubmitLicenceConcern(Action):
    def name(self) -> str:
        return "action_submit_licence_concern"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        forget = cleared(ALL_SLOTS)
        if tracker.get_slot(DANGER_SLOT) is True:
            dispatcher.utter_message(text=say("licence_concern.danger"))
            return forget
        if tracker.get_slot(STOPPED_SLOT) == FORM:
            dispatcher.utter_message(text=say("licence_concern.stopped"))
            return forget
        if tracker.get_slot(CONFIRM_SLOT) is not True:
            return forget
        result = await submit_async(build_concern_payload(tracker))
        if result.outcome == "stored":
            text = say("licence_concern.stored", reference=result.reference)
        elif result.outcome == "queued":
            text = say("licence_concern.queued", queue_id=result.queue_id)
        else:
            text = say("licence_concern.rejected")
        dispatcher.utter_message(text=text)
        close_conversation(dispatcher)
        return forget
