"""The pre-report search walkthrough (the `search_walkthrough_form`).

A carer whose child has not come home is taken through the guidance's steps one at a
time: danger first (abduction is a crime in action: 999, and the walkthrough stops),
then whether the child is looked after, then each search step with Done / Couldn't /
Skip, and "Report now" always on offer. It ends with exactly what to do now.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import audience
from actions.contacts import phone
from actions.episode_clock import ASK_AGAIN as ASK_LAST_SEEN
from actions.form_validation import OwnTurnFormValidation
from actions.walkthrough_steps import load_walkthrough
from missing_clock import LONDON, is_office_hours, office_hours_note

FORM = "search_walkthrough_form"
DANGER_SLOT = "immediate_danger"
LOOKED_AFTER_SLOT = "looked_after"
REPORT_NOW_SLOT = "walkthrough_report_now"
SEARCHES_SLOT = "searches_done"

STEP_RESULTS = {"step_done": "done", "step_couldnt": "couldnt", "step_skip": "skipped",
                "affirm": "done", "deny": "couldnt"}
YES_NO = {"affirm": True, "deny": False, "not_known": False}

REPORT_NOW_BUTTON = {"title": "Report now", "payload": "/report_now"}
STEP_BUTTONS = [
    {"title": "Done", "payload": "/step_done"},
    {"title": "Couldn't", "payload": "/step_couldnt"},
    {"title": "Skip", "payload": "/step_skip"},
    REPORT_NOW_BUTTON,
]


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def step_slots(looked_after: bool) -> list[str]:
    return [step.slot for step in load_walkthrough().steps_for(looked_after)]


def searches_done(slots: dict[str, Any]) -> list[str]:
    walkthrough = load_walkthrough()
    return [step.label for step in walkthrough.steps if slots.get(step.slot) == "done"]


class ValidateSearchWalkthroughForm(OwnTurnFormValidation):
    def name(self) -> str:
        return f"validate_{FORM}"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # Report now, or danger, ends the walkthrough: the summary says what to do.
        # The (filled) slot that ended it stays listed so that its value is kept.
        if tracker.get_slot(REPORT_NOW_SLOT):
            return [REPORT_NOW_SLOT]
        if tracker.get_slot(DANGER_SLOT):
            return [DANGER_SLOT]
        looked_after = tracker.get_slot(LOOKED_AFTER_SLOT) is True
        return [DANGER_SLOT, LOOKED_AFTER_SLOT, *step_slots(looked_after)]

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Fill the requested slot from the button (or yes / no) the person chose."""
        intent = latest_intent(tracker)
        requested = tracker.get_slot("requested_slot")
        if intent == "report_now":
            return [SlotSet(REPORT_NOW_SLOT, True)]
        if requested == DANGER_SLOT and intent == "crisis":
            return [SlotSet(DANGER_SLOT, True)]  # danger described: it is a yes
        if requested in (DANGER_SLOT, LOOKED_AFTER_SLOT) and intent in YES_NO:
            return [SlotSet(requested, YES_NO[intent])]
        if requested in step_slots(looked_after=True) and intent in STEP_RESULTS:
            return [SlotSet(requested, STEP_RESULTS[intent])]
        return []

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        events = await super().get_validation_events(dispatcher, tracker, domain)
        done = searches_done(tracker.slots)
        if done != (tracker.get_slot(SEARCHES_SLOT) or []):
            events.append(SlotSet(SEARCHES_SLOT, done))
        return events


class ActionAskImmediateDanger(Action):
    def name(self) -> str:
        return f"action_ask_{DANGER_SLOT}"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text=(
                "I'll go through what the guidance says to do, one step at a time.\n"
                "First: is the child in immediate danger, or do you think they have been "
                "taken by force?"
            ),
            buttons=[
                {"title": "Yes", "payload": "/affirm"},
                {"title": "No", "payload": "/deny"},
            ],
        )
        return []


class ActionAskLookedAfter(Action):
    def name(self) -> str:
        return f"action_ask_{LOOKED_AFTER_SLOT}"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text=(
                "Is the child looked after, that is in the care of a local authority "
                "(for example living with foster carers or in a children's home)?"
            ),
            buttons=[
                {"title": "Yes, in care", "payload": "/affirm"},
                {"title": "No, lives at home", "payload": "/deny"},
                REPORT_NOW_BUTTON,
            ],
        )
        return []


class AskStep(Action, ABC):
    """Asks one search step; subclasses below are made from walkthrough.yml."""

    @property
    @abstractmethod
    def slot(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        slots = step_slots(tracker.get_slot(LOOKED_AFTER_SLOT) is True)
        step = load_walkthrough().step(self.slot)
        number = slots.index(self.slot) + 1
        dispatcher.utter_message(
            text=f"Step {number} of {len(slots)}: {step.text}", buttons=STEP_BUTTONS
        )
        return []


# One concrete ask action per step, so Rasa finds `action_ask_<slot>` for each. Kept in
# a dict: the SDK finds actions through __subclasses__(), which holds only weak refs.
ASK_STEP_ACTIONS: dict[str, type[AskStep]] = {
    step.slot: type(f"AskStep_{step.slot}", (AskStep,), {"slot": step.slot, "__module__": __name__})
    for step in load_walkthrough().steps
}


def danger_reply() -> str:
    return (
        f"Phone {phone('police_emergency')} now. If a child has been taken by force, "
        "that is a crime in action and the police must be told immediately. "
        "Tell them where and when the child was last seen, who they were with, and a "
        "description. Come back here afterwards if you need to."
    )


def what_to_tell_the_police() -> str:
    items = "\n".join(f"- {item}" for item in load_walkthrough().tell_the_police)
    return f"Tell the police:\n{items}"


def report_reply(looked_after: bool, in_office_hours: bool) -> str:
    report = (
        f"Now report it to the police: phone {phone('police_emergency')} if the child is "
        f"at risk of harm or a crime is happening, otherwise {phone('police_non_emergency')}."
    )
    if not looked_after:
        return (
            f"{report}\n{what_to_tell_the_police()}\n"
            "The police will contact the Multi-Agency Safeguarding Hub (MASH) if that is "
            "needed, so you do not have to."
        )
    if in_office_hours:
        social_worker = "Then tell the child's social worker."
    else:
        social_worker = (
            "Then tell the child's social worker and, because it is outside office hours, "
            f"the Emergency Duty Team on {phone('emergency_duty_team')}."
        )
    return (
        f"{report}\n{what_to_tell_the_police()}\n{social_worker}\n"
        "You would normally tell the child's parents too, as part of your first checks; "
        "sometimes it is better for the social worker to tell them.\n"
        f"{office_hours_note()}"
    )


class ActionWalkthroughSummary(Action):
    """What to do now, once the walkthrough ends (finished, report now, or danger)."""

    def name(self) -> str:
        return "action_walkthrough_summary"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if tracker.get_slot(DANGER_SLOT):
            dispatcher.utter_message(text=danger_reply())
            return []
        looked_after = tracker.get_slot(LOOKED_AFTER_SLOT) is True
        done = searches_done(tracker.slots)
        checked = "You have: " + "; ".join(done) + "." if done else "Report it now."
        dispatcher.utter_message(text=checked)
        in_office_hours = is_office_hours(datetime.now(LONDON))
        dispatcher.utter_message(text=report_reply(looked_after, in_office_hours))
        # Parents report to the police, who involve MASH; carers of a looked after child
        # may also want MASH to have the details in writing.
        buttons = [{"title": "Make a MASH referral", "payload": "/make_referral"}]
        dispatcher.utter_message(text=ASK_LAST_SEEN, buttons=buttons if looked_after else [])
        events: list[dict[str, Any]] = [SlotSet(REPORT_NOW_SLOT, None)]
        if audience.current(tracker) is None:
            events.append(SlotSet("audience", audience.CARER))
        return events
