"""The MASH referral in conversation (`referral_form`, adults only).

The questions are the table bot/questions/referral.yml, run by actions/questionnaire.py;
answers already given elsewhere in the conversation (looked after?, last seen, searches
done) are carried over rather than asked again. Before sending, the whole referral is
read back and any answer can be changed. Once sent, every referral slot is cleared: the
personal data then lives only in the API's referral store, not in the conversation.
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
from actions.contacts import say
from actions.questionnaire import (
    STOPPED_SLOT,
    Questionnaire,
    as_text,
    ask_actions,
    is_button,
    known,
    latest_intent,
    load_table,
    read_back,
    typed_text,
)
from actions.questionnaire import (
    cleared as cleared_slots,
)
from actions.referral_client import submit_async
from actions.report_sent import close_conversation

FORM = "referral_form"
TABLE = load_table("referral")
CONFIRM_SLOT = "referral_confirmed"
KEY_SLOT = "referral_key"
CHANGING_SLOT = "referral_changing"
ALL_SLOTS = [*TABLE.slots, CONFIRM_SLOT, KEY_SLOT, CHANGING_SLOT]


def carried_over(tracker: Tracker) -> dict[str, Any]:
    """Answers the walkthrough and the clock already have, and the referral's key."""
    found: dict[str, Any] = {}
    if not tracker.get_slot(KEY_SLOT):
        # One key per referral: a resubmission (or an outbox retry) is then stored once.
        found[KEY_SLOT] = str(uuid.uuid4())
    if tracker.get_slot("looked_after") is not None and tracker.get_slot(
        "child_looked_after"
    ) is None:
        found["child_looked_after"] = tracker.get_slot("looked_after")
    if tracker.get_slot("last_seen") and not tracker.get_slot("missing_since"):
        found["missing_since"] = tracker.get_slot("last_seen")
    return found


class ValidateReferralForm(Questionnaire):
    table = TABLE

    def ended(self, tracker: Tracker) -> list[str] | None:
        # Adults only: for a young person the form ends at once and
        # action_submit_referral points them to people who can help them directly.
        return [] if audience.current(tracker) == audience.YOUNG_PERSON else None

    def before(self, tracker: Tracker) -> list[str]:
        return [KEY_SLOT]

    def after(self, tracker: Tracker) -> list[str]:
        return [CONFIRM_SLOT]

    def carried_over(self, tracker: Tracker) -> dict[str, Any]:
        return carried_over(tracker)

    def special(
        self, requested: str | None, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]] | None:
        if requested != CONFIRM_SLOT:
            return None
        return confirm(tracker)


def confirm(tracker: Tracker) -> list[dict[str, Any]]:
    """Send, change one answer, or say which answer to change."""
    intent = latest_intent(tracker)
    text = typed_text(tracker)
    if intent == "change_field":
        field = next(tracker.get_latest_entity_values("field"), None)
        if TABLE.question(field or "") is not None:
            return [SlotSet(field, None), SlotSet(CHANGING_SLOT, False)]
    if is_button(tracker):
        if intent == "affirm":
            return [SlotSet(CONFIRM_SLOT, True)]
        return [SlotSet(CHANGING_SLOT, True)] if intent == "deny" else []
    named = answers.normalise(text)
    for question in TABLE.questions:
        if question.label.lower() in named and tracker.get_slot(question.slot) is not None:
            return [SlotSet(question.slot, None), SlotSet(CHANGING_SLOT, False)]
    # "No changes needed, it's all correct, please send it" opens with "no" but means send.
    if answers.is_confirmation(text) or answers.yes_no(text).value is True:
        return [SlotSet(CONFIRM_SLOT, True)]
    if answers.yes_no(text).value is False or "change" in named:
        return [SlotSet(CHANGING_SLOT, True)]
    return [SlotSet(CHANGING_SLOT, tracker.get_slot(CHANGING_SLOT))]


class ActionAskReferralConfirmed(Action):
    def name(self) -> str:
        return f"action_ask_{CONFIRM_SLOT}"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if tracker.get_slot(CHANGING_SLOT):
            dispatcher.utter_message(
                text=say("referral.which_to_change"),
                buttons=[
                    {"title": q.label[:40], "payload": f'/change_field{{"field": "{q.slot}"}}'}
                    for q in TABLE.questions if tracker.get_slot(q.slot) is not None
                ],
            )
            return []
        dispatcher.utter_message(
            text=say("referral.confirm", answers=read_back(TABLE, tracker.slots)),
            buttons=[
                {"title": say("buttons.send"), "payload": "/affirm"},
                {"title": say("referral.change"), "payload": "/deny"},
            ],
        )
        return []


ASK_QUESTION_ACTIONS = ask_actions(TABLE, __name__)


class ActionStartReferral(Action):
    def name(self) -> str:
        return "action_start_referral"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if audience.current(tracker) != audience.YOUNG_PERSON:
            dispatcher.utter_message(text=say("referral.start"))
        return []


def build_payload(tracker: Tracker) -> dict[str, Any]:
    """The referral in the API's schema (api/schemas.py): "not known" where not given."""
    slot = tracker.get_slot
    reach = slot("referrer_contact")
    dob = slot("child_dob_or_age")
    child_age: dict[str, Any] = (
        dob if isinstance(dob, dict) and ({"age", "date_of_birth"} & set(dob))
        else {"age": NOT_KNOWN}
    )
    police_informed = known(slot("police_informed"))
    family_told = known(slot("family_told"))
    searches = slot("searches_done")
    address = as_text(slot("child_address"))
    return {
        "idempotency_key": slot(KEY_SLOT),
        "kind": "missing_child",
        "referrer": {
            "anonymous": False,
            "name": as_text(slot("referrer_name")),
            "role": known(slot("referrer_role")),
            "organisation": as_text(slot("referrer_organisation")),
            **(reach if isinstance(reach, dict) and "as_written" not in reach else {}),
        },
        "child": {
            "name": as_text(slot("child_name")),
            **child_age,
            "gender": as_text(slot("child_gender")),
            "address_or_placement": address,
            "looked_after": known(slot("child_looked_after")),
            "responsible_local_authority": as_text(slot("child_local_authority")),
            "social_worker_known": known(slot("social_worker_known")),
            "school": as_text(slot("child_school")),
        },
        "episode": {
            "missing_since": known(slot("missing_since")),
            "last_seen_where": as_text(slot("last_seen_where")),
            "last_seen_with": as_text(slot("last_seen_with")),
            "description_and_clothing": as_text(slot("description")),
        },
        "risk_indicators": risks(slot("risks")),
        "actions_taken": {
            "searches_done": searches if searches else NOT_KNOWN,
            "police_informed": police_informed,
            "police_reference": as_text(slot("police_reference")) if police_informed is True
            else None,
        },
        "consent": {
            "family_told": family_told,
            "family_not_told_reason": as_text(slot("family_not_told_reason"))
            if family_told is False else None,
            "consent_to_share": known(slot("consent_to_share")),
            "significant_harm_suspected": known(slot("harm_suspected")),
        },
    }


def risks(value: Any) -> dict[str, Any]:
    question = TABLE.question("risks")
    keys = [o.key for o in question.options] if question else []
    if isinstance(value, dict) and set(value) == set(keys):
        return value
    return dict.fromkeys(keys, NOT_KNOWN)


def cleared() -> list[dict[str, Any]]:
    """Forget every answer: the referral now lives in the API's store only."""
    return cleared_slots(ALL_SLOTS)


class ActionSubmitReferral(Action):
    def name(self) -> str:
        return "action_submit_referral"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if audience.current(tracker) == audience.YOUNG_PERSON:
            dispatcher.utter_message(text=young_person_referral_reply())
            return cleared()
        if tracker.get_slot(STOPPED_SLOT) == FORM:
            dispatcher.utter_message(text=stopped_reply())
            return cleared()
        if tracker.get_slot(CONFIRM_SLOT) is not True:
            return cleared()
        result = await submit_async(build_payload(tracker))
        if result.outcome == "stored":
            text = say("referral.stored", reference=result.reference)
        elif result.outcome == "queued":
            text = say("referral.queued", queue_id=result.queue_id)
        else:
            problems = "; ".join(f"{e.field}: {e.message}" for e in result.errors)
            text = say("referral.rejected", problems=problems)
        dispatcher.utter_message(text=text)
        close_conversation(dispatcher)
        return cleared()


def stopped_reply() -> str:
    return say("referral.stopped")


def young_person_referral_reply() -> str:
    return say("referral.young_person", audience.YOUNG_PERSON)


def summary(tracker: Tracker) -> str:
    """The answers so far, as read back (handoff.py reads them out for a phone call)."""
    return read_back(TABLE, tracker.slots)
