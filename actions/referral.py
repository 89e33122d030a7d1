"""The MASH referral in conversation (`referral_form`, adults only).

Questions come from actions/referral_fields.py; answers already given elsewhere in the
conversation (looked after?, last seen, searches done) are carried over rather than
asked again. Before sending, the whole referral is read back and any field can be
changed. Once sent, every referral slot is cleared: the personal data then lives only
in the API's referral store, not in the conversation.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import audience
from actions.contacts import line, phone
from actions.form_validation import OwnTurnFormValidation
from actions.referral_client import submit_async
from actions.referral_fields import (
    NOT_KNOWN,
    QUESTION_BY_SLOT,
    QUESTIONS,
    RISK_LABELS,
    ROLES,
    AdultError,
    FieldError,
    contact,
    dob_or_age,
    is_not_known,
    missing_since,
    risk_indicators,
)
from actions.report_sent import close_conversation
from actions.safety import safety_reply
from missing_clock import LONDON

FORM = "referral_form"
CONFIRM_SLOT = "referral_confirmed"
KEY_SLOT = "referral_key"
ADULT_SLOT = "referral_adult"
CHANGING_SLOT = "referral_changing"
ALL_SLOTS = [q.slot for q in QUESTIONS] + [CONFIRM_SLOT, KEY_SLOT, ADULT_SLOT, CHANGING_SLOT]
# Intents that are never an answer: the rules handle them. Anything else typed while a
# question is open is the answer (a name or an address is often "out of scope" to NLU).
NOT_AN_ANSWER = {"crisis", "ask_human"}
# Questions whose honest answer may be worded like a disclosure (and classified crisis).
DESCRIPTIVE_SLOTS = {"last_seen_where", "last_seen_with", "description", "risks"}
YES_NO = {"affirm": True, "deny": False}
NOT_KNOWN_BUTTON = {"title": "Not known", "payload": "/not_known"}


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def read_answer(slot: str, intent: str | None, text: str) -> Any:
    """The value to store for `slot`, or raise FieldError with the re-prompt."""
    question = QUESTION_BY_SLOT[slot]
    if intent == "not_known" or is_not_known(text):
        if question.kind == "contact":
            raise FieldError("MASH needs a way to call you back: a phone number or e-mail.")
        if question.kind == "risks":
            return risk_indicators(NOT_KNOWN)
        return NOT_KNOWN
    if question.kind == "yes_no":
        if intent in YES_NO:
            return YES_NO[intent]
        raise FieldError(f"Please answer yes, no or not known. {question.text}")
    if question.kind == "role":
        lowered = text.lower()
        for key, label in ROLES.items():
            if label.lower() == lowered or key.replace("_", " ") in lowered:
                return key
        words = {"foster": "foster_carer", "residential": "residential_worker", "home":
                 "residential_worker", "mum": "parent", "dad": "parent", "parent": "parent",
                 "teacher": "teacher", "school": "teacher", "police": "police"}
        return next((key for word, key in words.items() if word in lowered), "other")
    if question.kind == "contact":
        return contact(text)
    if question.kind == "dob":
        return dob_or_age(text, datetime.now(LONDON).date())
    if question.kind == "since":
        return missing_since(text, datetime.now(LONDON))
    if question.kind == "risks":
        return risk_indicators(text)
    if not text.strip():
        raise FieldError(f"I didn't get an answer. {question.text}")
    return text.strip()[:500]


def carried_over(tracker: Tracker) -> dict[str, Any]:
    """Answers the walkthrough and the clock already have."""
    found: dict[str, Any] = {}
    if tracker.get_slot("looked_after") is not None and not tracker.get_slot("child_looked_after"):
        found["child_looked_after"] = tracker.get_slot("looked_after")
    if tracker.get_slot("last_seen") and not tracker.get_slot("missing_since"):
        found["missing_since"] = tracker.get_slot("last_seen")
    return found


class ValidateReferralForm(OwnTurnFormValidation):
    def name(self) -> str:
        return f"validate_{FORM}"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot(ADULT_SLOT):
            return [ADULT_SLOT]
        if audience.current(tracker) == audience.YOUNG_PERSON:
            return []
        slots = [q.slot for q in QUESTIONS]
        if tracker.get_slot("child_looked_after") is not True:
            slots.remove("child_local_authority")
        if tracker.get_slot("police_informed") is not True:
            slots.remove("police_reference")
        return [KEY_SLOT, *slots, CONFIRM_SLOT]

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        if not tracker.get_slot(KEY_SLOT):
            # One key per referral: a resubmission (or an outbox retry) is then stored once.
            events.append(SlotSet(KEY_SLOT, str(uuid.uuid4())))
        events.extend(SlotSet(slot, value) for slot, value in carried_over(tracker).items())
        requested = tracker.get_slot("requested_slot")
        intent = latest_intent(tracker)
        text = tracker.latest_message.get("text") or ""
        if intent == "crisis" and requested in DESCRIPTIVE_SLOTS:
            # "she was with older men who give her drugs" answers the question *and*
            # needs the emergency route: give it here, first, then keep the answer
            # (the form takes the turn, so the crisis rule does not run).
            dispatcher.utter_message(text=safety_reply(tracker))
            intent = None
        if intent in NOT_AN_ANSWER or (text.startswith("/") and intent not in (
            "affirm", "deny", "not_known", "change_field"
        )):
            return events
        if requested == CONFIRM_SLOT:
            return events + self._confirm(tracker, intent)
        if requested in QUESTION_BY_SLOT:
            try:
                events.append(SlotSet(requested, read_answer(requested, intent, text)))
            except AdultError as error:
                dispatcher.utter_message(text=str(error))
                events.append(SlotSet(ADULT_SLOT, True))
            except FieldError as error:
                dispatcher.utter_message(text=str(error))
                # Setting the slot to None (rather than nothing) keeps the form running:
                # it asks the same question again instead of handing over to fallback.
                events.append(SlotSet(requested, None))
        return events

    @staticmethod
    def _confirm(tracker: Tracker, intent: str | None) -> list[dict[str, Any]]:
        if intent == "affirm":
            return [SlotSet(CONFIRM_SLOT, True)]
        if intent == "change_field":
            field = next(tracker.get_latest_entity_values("field"), None)
            if field in QUESTION_BY_SLOT:
                return [SlotSet(field, None), SlotSet(CHANGING_SLOT, False)]
        if intent == "deny":
            return [SlotSet(CHANGING_SLOT, True)]
        return []


def describe(slot: str, value: Any) -> str:
    if value is None:
        return "-"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if slot == "referrer_role":
        return ROLES.get(value, value)
    if slot == "risks" and isinstance(value, dict):
        named = [RISK_LABELS[key] for key, hit in value.items() if hit is True]
        if named:
            return ", ".join(named)
        return "none" if all(v is False for v in value.values()) else NOT_KNOWN
    if isinstance(value, dict):
        return ", ".join(str(v) for v in value.values())
    if slot == "missing_since" and isinstance(value, str) and "T" in value:
        return datetime.fromisoformat(value).astimezone(LONDON).strftime("%A %-d %B %Y, %H:%M")
    return str(value)


def summary(tracker: Tracker) -> str:
    lines = [
        f"- {q.text.split('?')[0]}: {describe(q.slot, tracker.get_slot(q.slot))}"
        for q in QUESTIONS
        if tracker.get_slot(q.slot) is not None
    ]
    return "\n".join(lines)


class ActionAskReferralConfirmed(Action):
    def name(self) -> str:
        return f"action_ask_{CONFIRM_SLOT}"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if tracker.get_slot(CHANGING_SLOT):
            dispatcher.utter_message(
                text="Which answer would you like to change?",
                buttons=[
                    {"title": q.text.split("?")[0][:40],
                     "payload": f'/change_field{{"field": "{q.slot}"}}'}
                    for q in QUESTIONS if tracker.get_slot(q.slot) is not None
                ],
            )
            return []
        dispatcher.utter_message(
            text=(
                "Here is the referral before it is sent:\n" + summary(tracker) + "\n"
                "It goes to Birmingham's Multi-Agency Safeguarding Hub (MASH). MASH staff "
                "will read it and may share it with the police, children's social care and "
                "other agencies that need it to keep the child safe."
            ),
            buttons=[
                {"title": "Send it", "payload": "/affirm"},
                {"title": "Change an answer", "payload": "/deny"},
            ],
        )
        return []


class AskReferralQuestion(Action, ABC):
    @property
    @abstractmethod
    def slot(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        question = QUESTION_BY_SLOT[self.slot]
        if question.kind == "yes_no":
            buttons = [{"title": "Yes", "payload": "/affirm"},
                       {"title": "No", "payload": "/deny"}, NOT_KNOWN_BUTTON]
        elif question.kind == "role":
            buttons = [{"title": label, "payload": label} for label in ROLES.values()]
        elif question.kind == "contact":
            buttons = []
        else:
            buttons = [NOT_KNOWN_BUTTON]
        dispatcher.utter_message(text=question.text, buttons=buttons)
        return []


# Kept in a dict: the SDK finds actions through __subclasses__(), which holds weak refs.
ASK_QUESTION_ACTIONS: dict[str, type[AskReferralQuestion]] = {
    q.slot: type(f"AskReferral_{q.slot}", (AskReferralQuestion,),
                 {"slot": q.slot, "__module__": __name__})
    for q in QUESTIONS
}


class ActionStartReferral(Action):
    def name(self) -> str:
        return "action_start_referral"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        # Adults only: for a young person the form ends at once and
        # action_submit_referral points them to people who can help them directly.
        if audience.current(tracker) != audience.YOUNG_PERSON:
            dispatcher.utter_message(
                text=(
                    "I'll ask for what MASH needs, one question at a time. Every question "
                    "can be answered 'not known'. This is not an emergency route: if the "
                    f"child is at risk right now, phone {phone('police_emergency')}."
                )
            )
        return []


def known(value: Any) -> Any:
    return NOT_KNOWN if value is None else value


def build_payload(tracker: Tracker) -> dict[str, Any]:
    """The referral in the API's schema (api/schemas.py): "not known" where not given."""
    slot = tracker.get_slot
    reach = slot("referrer_contact") or {}
    dob = slot("child_dob_or_age")
    child_age: dict[str, Any] = dob if isinstance(dob, dict) else {"age": NOT_KNOWN}
    looked_after = known(slot("child_looked_after"))
    police_informed = known(slot("police_informed"))
    searches = slot("searches_done")
    return {
        "idempotency_key": slot(KEY_SLOT),
        "kind": "missing_child",
        "referrer": {
            "anonymous": False,
            "name": known(slot("referrer_name")),
            "role": known(slot("referrer_role")),
            "organisation": known(slot("referrer_organisation")),
            **reach,
        },
        "child": {
            "name": known(slot("child_name")),
            **child_age,
            "gender": known(slot("child_gender")),
            "address_or_placement": known(slot("child_address")),
            "looked_after": looked_after,
            "responsible_local_authority": known(slot("child_local_authority")),
            "social_worker_known": known(slot("social_worker_known")),
        },
        "episode": {
            "missing_since": known(slot("missing_since")),
            "last_seen_where": known(slot("last_seen_where")),
            "last_seen_with": known(slot("last_seen_with")),
            "description_and_clothing": known(slot("description")),
        },
        "risk_indicators": slot("risks") or risk_indicators(NOT_KNOWN),
        "actions_taken": {
            "searches_done": searches if searches else NOT_KNOWN,
            "police_informed": police_informed,
            "police_reference": known(slot("police_reference")) if police_informed is True
            else None,
        },
        "consent": {
            "family_told": known(slot("family_told")),
            "consent_to_share": known(slot("consent_to_share")),
            "significant_harm_suspected": known(slot("harm_suspected")),
        },
    }


def cleared() -> list[dict[str, Any]]:
    """Forget every answer: the referral now lives in the API's store only."""
    return [SlotSet(name, None) for name in ALL_SLOTS]


class ActionSubmitReferral(Action):
    def name(self) -> str:
        return "action_submit_referral"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if audience.current(tracker) == audience.YOUNG_PERSON:
            dispatcher.utter_message(text=young_person_referral_reply())
            return cleared()
        if tracker.get_slot(ADULT_SLOT) or tracker.get_slot(CONFIRM_SLOT) is not True:
            return cleared()
        urgent = (
            f"If the child is at risk now, phone {phone('police_emergency')}. To speak to "
            f"MASH now, phone {phone('mash')}."
        )
        result = await submit_async(build_payload(tracker))
        if result.outcome == "stored":
            text = (
                f"Your referral has been sent to MASH. Its reference is {result.reference}. "
                "MASH staff will read it and decide what happens next; they may call you "
                f"back.\n{urgent}"
            )
        elif result.outcome == "queued":
            text = (
                "The referral system is not answering right now, so your referral is saved "
                f"here and will be sent automatically as soon as it is back (queue number "
                f"{result.queue_id}).\nIf it is urgent, phone MASH now on {phone('mash')}. "
                f"If the child is at risk now, phone {phone('police_emergency')}."
            )
        else:
            problems = "; ".join(f"{e.field}: {e.message}" for e in result.errors)
            text = (
                f"MASH's system could not accept the referral ({problems}). Please phone "
                f"MASH on {phone('mash')} instead.\n{urgent}"
            )
        dispatcher.utter_message(text=text)
        close_conversation(dispatcher)
        return cleared()


def young_person_referral_reply() -> str:
    return (
        "Referrals here are made by adults who are worried about a child. You can talk to "
        "someone yourself, free, and you don't have to give your name:\n"
        f"{line('runaway_helpline', 'free')}\n{line('childline', 'free')}\n"
        f"If you are in danger, phone {phone('police_emergency')}."
    )
