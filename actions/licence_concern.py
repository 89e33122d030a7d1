"""A licence holder's concern about child sexual exploitation (`licence_concern_form`).

For hotel, pub, club and takeaway staff and taxi drivers (Operation Makesafe): what was
seen, where, when, the child's apparent age, the adults and any vehicles (a partial
registration counts). The route is the council's letter to licence holders: 999 if a
child is in danger now, otherwise 101 and the licensing team; Crimestoppers for anyone
who wants to stay anonymous, in which case no name or contact is asked for.
"""

from __future__ import annotations

import re
import uuid
from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.contacts import contact as contact_record
from actions.contacts import phone
from actions.form_validation import OwnTurnFormValidation
from actions.referral_client import submit_async
from actions.referral_fields import NOT_KNOWN, FieldError, contact, is_not_known, missing_since
from actions.report_sent import close_conversation
from actions.safety import safety_reply
from missing_clock import LONDON

FORM = "licence_concern_form"
KEY_SLOT = "concern_key"
CONFIRM_SLOT = "concern_confirmed"
DANGER_SLOT = "concern_danger_now"
ANONYMOUS_SLOT = "concern_anonymous"
YES_NO = {"affirm": True, "deny": False}
NOT_KNOWN_BUTTON = {"title": "Not known", "payload": "/not_known"}
YES_NO_BUTTONS = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
# A UK-style registration, whole or partial ("AB12 C??", "AB12"): letters and digits
# with ? or * for characters not seen.
# (A lookahead, not \b, ends it: there is no word boundary after a final "?".)
REGISTRATION = re.compile(r"\b([A-Z]{2}[0-9?*]{2}\s?[A-Z?*]{0,3})(?![A-Z0-9?*])", re.IGNORECASE)

QUESTIONS: dict[str, tuple[str, str]] = {
    DANGER_SLOT: ("Is a child in danger right now?", "yes_no"),
    "concern_what_seen": ("What did you see or hear that worried you?", "text"),
    "concern_where": ("Where was this (premises name and address, or where the taxi "
                      "picked up and dropped off)?", "text"),
    "concern_when": ("When was it? For example 'last night about 11' or 'today at 3pm'.",
                     "since"),
    "concern_apparent_age": ("How old did the child look?", "text"),
    "concern_adults": ("Can you describe the adults with them (ages, appearance, names or "
                       "nicknames used)?", "text"),
    "concern_vehicles": ("Were there any vehicles? Give the make, colour and as much of the "
                         "registration as you saw (use ? for the parts you didn't), or 'none'.",
                         "vehicles"),
    ANONYMOUS_SLOT: ("Do you want to stay anonymous?", "yes_no"),
    "concern_name": ("What is your name?", "text"),
    "concern_contact": ("What phone number or e-mail address can the council use to reach "
                        "you?", "contact"),
}
ORDER = list(QUESTIONS)
ALL_SLOTS = [*ORDER, KEY_SLOT, CONFIRM_SLOT]


def vehicles(text: str) -> list[dict[str, str]]:
    if text.strip().lower() in {"none", "no", "no vehicles", "nothing"}:
        return []
    match = REGISTRATION.search(text)
    registration = match.group(1).upper() if match else NOT_KNOWN
    description = (REGISTRATION.sub("", text) if match else text).strip(" ,.-") or NOT_KNOWN
    return [{"description": description[:200], "registration": registration}]


def read_concern_answer(slot: str, intent: str | None, text: str) -> Any:
    kind = QUESTIONS[slot][1]
    if kind == "yes_no":
        if intent in YES_NO:
            return YES_NO[intent]
        raise FieldError(f"Please answer yes or no. {QUESTIONS[slot][0]}")
    if intent == "not_known" or is_not_known(text):
        if kind == "contact":
            raise FieldError("Please give a phone number or e-mail, or go back and choose "
                             "to stay anonymous.")
        return [] if kind == "vehicles" else NOT_KNOWN
    if kind == "contact":
        return contact(text)
    if kind == "since":
        return missing_since(text, datetime.now(LONDON))
    if kind == "vehicles":
        return vehicles(text)
    if not text.strip():
        raise FieldError(f"I didn't get an answer. {QUESTIONS[slot][0]}")
    return text.strip()[:500]


class ValidateLicenceConcernForm(OwnTurnFormValidation):
    def name(self) -> str:
        return f"validate_{FORM}"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot(DANGER_SLOT):
            return [DANGER_SLOT]
        slots = list(ORDER)
        if tracker.get_slot(ANONYMOUS_SLOT) is not False:
            slots = [s for s in slots if s not in ("concern_name", "concern_contact")]
        return [KEY_SLOT, *slots, CONFIRM_SLOT]

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        if not tracker.get_slot(KEY_SLOT):
            events.append(SlotSet(KEY_SLOT, str(uuid.uuid4())))
        requested = tracker.get_slot("requested_slot")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = tracker.latest_message.get("text") or ""
        if intent == "crisis" and requested == DANGER_SLOT:
            return [*events, SlotSet(DANGER_SLOT, True)]  # danger described: it is a yes
        if intent == "ask_human" or (
            intent == "crisis" and QUESTIONS.get(requested, ("", ""))[1] != "text"
        ):
            # A crisis message is no answer to a yes/no or time question: the form
            # rejects it and the crisis rule gives the emergency route.
            return events
        if intent == "crisis":
            # A crisis-worded description ("two men took a young girl up to a room") is
            # still the answer: the emergency route first, here, then the form goes on.
            dispatcher.utter_message(text=safety_reply(tracker))
            intent = None
        if requested == CONFIRM_SLOT:
            if intent == "affirm":
                events.append(SlotSet(CONFIRM_SLOT, True))
            elif intent == "deny":
                # Start the details again rather than guess which one was wrong.
                events.extend(SlotSet(slot, None) for slot in ORDER[1:])
            return events
        if requested in QUESTIONS:
            try:
                events.append(SlotSet(requested, read_concern_answer(requested, intent, text)))
            except FieldError as error:
                dispatcher.utter_message(text=str(error))
                events.append(SlotSet(requested, None))
        return events


class AskConcernQuestion(Action, ABC):
    @property
    @abstractmethod
    def slot(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        text, kind = QUESTIONS[self.slot]
        if self.slot == ANONYMOUS_SLOT:
            text += (
                f" If you do, report it to Crimestoppers on {phone('crimestoppers')}: they "
                "will not ask who you are, and I won't either."
            )
        buttons = YES_NO_BUTTONS if kind == "yes_no" else [] if kind == "contact" else [
            NOT_KNOWN_BUTTON]
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


ASK_CONCERN_ACTIONS: dict[str, type[AskConcernQuestion]] = {
    slot: type(f"AskConcern_{slot}", (AskConcernQuestion,), {"slot": slot, "__module__": __name__})
    for slot in QUESTIONS
}


def describe(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(f"{v['description']} ({v['registration']})" for v in value) or "none"
    if isinstance(value, dict):
        return ", ".join(value.values())
    if isinstance(value, str) and "T" in value and value[:4].isdigit():
        return datetime.fromisoformat(value).astimezone(LONDON).strftime("%A %-d %B, %H:%M")
    return {True: "yes", False: "no"}.get(value, str(value)) if isinstance(value, bool) else \
        str(value)


class ActionAskConcernConfirmed(Action):
    def name(self) -> str:
        return f"action_ask_{CONFIRM_SLOT}"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        lines = [
            f"- {QUESTIONS[slot][0].split('?')[0]}: {describe(tracker.get_slot(slot))}"
            for slot in ORDER[1:]
            if tracker.get_slot(slot) is not None
        ]
        dispatcher.utter_message(
            text="Here is what will be sent to Birmingham's Multi-Agency Safeguarding Hub "
            "(MASH):\n" + "\n".join(lines),
            buttons=[{"title": "Send it", "payload": "/affirm"},
                     {"title": "Start the details again", "payload": "/deny"}],
        )
        return []


def route() -> str:
    team = contact_record("licensing_team")
    return (
        f"If a child is in danger now, phone {phone('police_emergency')}. Otherwise also tell "
        f"the police on {phone('police_non_emergency')} and the council's licensing team on "
        f"{team.phone} ({team.email}). To stay anonymous, phone Crimestoppers on "
        f"{phone('crimestoppers')}."
    )


def build_concern_payload(tracker: Tracker) -> dict[str, Any]:
    slot = tracker.get_slot
    anonymous = slot(ANONYMOUS_SLOT) is not False
    referrer: dict[str, Any] = {"anonymous": anonymous, "role": "other",
                                "organisation": NOT_KNOWN}
    if not anonymous:
        referrer.update({"name": slot("concern_name") or NOT_KNOWN,
                         **(slot("concern_contact") or {})})
    return {
        "idempotency_key": slot(KEY_SLOT),
        "kind": "licence_holder_concern",
        "referrer": referrer,
        "licence_holder": {
            "what_seen": slot("concern_what_seen") or NOT_KNOWN,
            "where": slot("concern_where") or NOT_KNOWN,
            "when": slot("concern_when") or NOT_KNOWN,
            "apparent_age": slot("concern_apparent_age") or NOT_KNOWN,
            "adults_description": slot("concern_adults") or NOT_KNOWN,
            "vehicles": slot("concern_vehicles") or [],
        },
    }


class ActionSubmitLicenceConcern(Action):
    def name(self) -> str:
        return "action_submit_licence_concern"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        cleared = [SlotSet(slot, None) for slot in ALL_SLOTS]
        if tracker.get_slot(DANGER_SLOT):
            dispatcher.utter_message(
                text=f"Phone {phone('police_emergency')} now. Tell them where the child is, "
                "who they are with and any vehicle. Come back here afterwards if you want "
                "to record the details."
            )
            return cleared
        if tracker.get_slot(CONFIRM_SLOT) is not True:
            return cleared
        result = await submit_async(build_concern_payload(tracker))
        if result.outcome == "stored":
            sent = f"Your concern has been recorded with reference {result.reference}."
        elif result.outcome == "queued":
            sent = ("The system is not answering right now; your concern is saved and will be "
                    f"sent automatically (queue number {result.queue_id}).")
        else:
            sent = "The system could not accept it, so please use the numbers below."
        dispatcher.utter_message(text=f"{sent}\n{route()}")
        close_conversation(dispatcher)
        return cleared
