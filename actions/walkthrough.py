"""The pre-report search walkthrough (the `search_walkthrough_form`).

A carer whose child has not come home is taken through the guidance's steps one at a
time: danger first (abduction is a crime in action: 999, and the walkthrough stops),
then whether the child is looked after, then each search step with Done / Couldn't /
Skip, and "Report now" always on offer. Answers in the carer's own words count ("I've
rung him loads, no answer" is the phone step done, and kept as a note on it), and steps
already done are ticked from what the carer says in any turn. The opening questions are
bot/questions/walkthrough.yml, run by actions/questionnaire.py; the steps are
guidance_corpus/walkthrough.yml. It ends with exactly what to do now.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answers, audience, situation
from actions.contacts import say
from actions.episode_clock import ASK_AGAIN as ASK_LAST_SEEN
from actions.episode_clock import LAST_SEEN_SLOT, ActionMissingClock, times_in_message
from actions.questionnaire import (
    PREFILL_SLOT,
    STOPPED_SLOT,
    AskQuestion,
    Question,
    Questionnaire,
    is_button,
    latest_intent,
    load_table,
    now_uk,
    prompt,
    typed_text,
)
from actions.safety import crisis_kinds
from actions.walkthrough_steps import Step, load_walkthrough
from missing_clock import (
    LONDON,
    LastSeen,
    find_last_seen,
    is_office_hours,
    office_hours_note,
    readback,
)

FORM = "search_walkthrough_form"
TABLE = load_table("walkthrough")
DANGER_SLOT = "immediate_danger"
LOOKED_AFTER_SLOT = "looked_after"
REPORT_NOW_SLOT = "walkthrough_report_now"
SEARCHES_SLOT = "searches_done"
# Where a time heard during the walkthrough waits until the end, to be read back.
HEARD_LAST_SEEN = "last_seen"
# ...and where "we reported it on Tuesday" is kept until the summary.
ALREADY_REPORTED = "already_reported"
REPORT_NOW_RE = re.compile(r"^\W*(?:report (?:it )?now|i want to report(?: it)?(?: now)?|"
                           r"just tell me who to (?:call|ring))\W*$")

REPORT_NOW_BUTTON = {"title": say("buttons.report_now"), "payload": "/report_now"}
STEP_BUTTONS = [
    {"title": say("buttons.step_done"), "payload": "/step_done"},
    {"title": say("buttons.step_couldnt"), "payload": "/step_couldnt"},
    {"title": say("buttons.step_skip"), "payload": "/step_skip"},
    REPORT_NOW_BUTTON,
]
CONFIRM_BUTTONS = [{"title": say("buttons.yes_right"), "payload": "/affirm"},
                   {"title": say("buttons.deny"), "payload": "/deny"}]


def steps_for(looked_after: bool) -> list[Step]:
    return load_walkthrough().steps_for(looked_after)


def step_slots(looked_after: bool) -> list[str]:
    return [step.slot for step in steps_for(looked_after)]


def step_question(step: Step) -> Question:
    return Question(slot=step.slot, ask=step.text, kind="step", label=step.label)


def is_done(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("done")


def searches_done(slots: dict[str, Any]) -> list[str]:
    walkthrough = load_walkthrough()
    return [step.label for step in walkthrough.steps if is_done(slots.get(step.slot))]


def ticked(text: str, slots: dict[str, Any], looked_after: bool) -> dict[str, str]:
    """Steps the carer says they have already done ("I've rung her and texted")."""
    cleaned = answers.normalise(text)
    found: dict[str, str] = {}
    for step in steps_for(looked_after):
        if slots.get(step.slot) is None and any(w in cleaned for w in step.done_words):
            found[step.slot] = f"done: {text.strip()[:300]}"
    return found


class ValidateSearchWalkthroughForm(Questionnaire):
    table = TABLE

    def ended(self, tracker: Tracker) -> list[str] | None:
        # The walkthrough is for the adult looking for a child: a young person who says
        # they left gets help for themselves instead (the summary gives it).
        if audience.current(tracker) == audience.YOUNG_PERSON:
            return []
        # Report now, or danger, ends the walkthrough: the summary says what to do.
        # The (filled) slot that ended it stays listed so that its value is kept.
        if tracker.get_slot(REPORT_NOW_SLOT):
            return [REPORT_NOW_SLOT]
        if tracker.get_slot(DANGER_SLOT) is True:
            return [DANGER_SLOT]
        return None

    def extra_questions(self, tracker: Tracker) -> list[Question]:
        return [step_question(s) for s in steps_for(tracker.get_slot(LOOKED_AFTER_SLOT) is True)]

    def special(
        self, requested: str | None, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]] | None:
        if latest_intent(tracker) == "report_now" or REPORT_NOW_RE.match(
            answers.normalise(typed_text(tracker))
        ):
            return [SlotSet(REPORT_NOW_SLOT, True)]
        if not is_button(tracker) and situation.says_already_reported(typed_text(tracker)):
            # The steps are for before reporting: with the police told, what is due now
            # matters (the summary gives it). Kept with what was heard early, so the
            # summary knows why the walkthrough ended.
            prefill = {**(tracker.get_slot(PREFILL_SLOT) or {}), ALREADY_REPORTED: True}
            return [SlotSet(PREFILL_SLOT, prefill), SlotSet(REPORT_NOW_SLOT, True)]
        return None

    def heard(
        self, requested: str | None, tracker: Tracker, events: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        found = super().heard(requested, tracker, events)
        text = typed_text(tracker)
        if not text or is_button(tracker) or crisis_kinds(tracker):
            return found
        if audience.current(tracker) is None and \
                situation.audience_in(text) == audience.YOUNG_PERSON:
            # "i left my care home last nite, im at a mates now": the one who left is
            # writing, so the walkthrough for the adult searching ends (`ended`) and they
            # get help for themselves.
            return [*found, SlotSet("audience", audience.YOUNG_PERSON)]
        slots = dict(tracker.slots)
        for event in [*events, *found]:
            slots[event["name"]] = event["value"]
        prefill = dict(slots.get(PREFILL_SLOT) or {})
        looked_after = slots.get(LOOKED_AFTER_SLOT)
        if looked_after is None:
            looked_after = prefill.get(LOOKED_AFTER_SLOT)
        steps = {slot: value for slot, value in ticked(text, slots, looked_after is True).items()
                 if slot != requested}
        last_seen = find_last_seen(text, now_uk(), strict=True)
        if last_seen is not None and not last_seen.in_future and not slots.get(LAST_SEEN_SLOT):
            prefill[HEARD_LAST_SEEN] = last_seen.when.isoformat()
            found.append(SlotSet(PREFILL_SLOT, prefill))
        found.extend(SlotSet(slot, value) for slot, value in steps.items())
        return found

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        events = await super().run(dispatcher, tracker, domain)
        if not events:
            return events
        slots = dict(tracker.slots)
        newly = [e["name"] for e in events if e["name"] in step_slots(True)
                 and e["name"] != tracker.get_slot("requested_slot") and is_done(e["value"])]
        if newly:
            labels = "; ".join(load_walkthrough().step(s).label for s in newly)
            dispatcher.utter_message(text=say("walkthrough.ticked", labels=labels))
        done = searches_done(slots)
        if done != (tracker.get_slot(SEARCHES_SLOT) or []):
            events.insert(-1, SlotSet(SEARCHES_SLOT, done))
        return events


class ActionAskImmediateDanger(AskQuestion):
    slot = DANGER_SLOT
    table_name = TABLE.name

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        question = TABLE.question(DANGER_SLOT)
        assert question is not None
        text, _buttons = prompt(question, tracker.slots)
        # Who to ring opens the walkthrough once; asked again, the question stands alone.
        opening = route_in_short(in_care(tracker))
        if not said_since_start(tracker, opening):
            # What the first message says is answered beside who to ring ("my husband says
            # she's nearly an adult": 15 to 17-year-olds are not adults).
            said = tracker.latest_message.get("text") or ""
            notes = situation.notes(said, audience.asking(tracker), f"{opening}\n{text}")
            text = "\n\n".join([opening, *notes]) + f"\n{text}"
        dispatcher.utter_message(
            text=text,
            buttons=[{"title": say("buttons.affirm"), "payload": "/affirm"},
                     {"title": say("buttons.deny"), "payload": "/deny"}],
        )
        return []


def said_since_start(tracker: Tracker, opening: str) -> bool:
    """Whether the bot already said ``opening`` since the walkthrough last started. (The
    form asks through its ask actions without logging them as actions, so it is the
    bot's words that show it.) A second walkthrough in the same conversation, for
    another night or another child, opens as the first did."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot" and (event.get("text") or "").startswith(opening):
            return True
        if event.get("event") == "active_loop" and event.get("name") == FORM:
            return False
    return False


def in_care(tracker: Tracker) -> bool:
    """Looked after, as answered or as heard in the first message ("we foster")."""
    if isinstance(tracker.get_slot(LOOKED_AFTER_SLOT), bool):
        return bool(tracker.get_slot(LOOKED_AFTER_SLOT))
    return (tracker.get_slot(PREFILL_SLOT) or {}).get(LOOKED_AFTER_SLOT) is True


def route_in_short(looked_after: bool) -> str:
    """Who to ring, first: someone asking "who do I ring?" gets the answer before the
    steps, not after them."""
    return say("walkthrough.in_short.looked_after" if looked_after else
               "walkthrough.in_short.at_home", checks=load_walkthrough().in_short())


class ActionAskLookedAfter(AskQuestion):
    slot = LOOKED_AFTER_SLOT
    table_name = TABLE.name

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        question = TABLE.question(LOOKED_AFTER_SLOT)
        assert question is not None
        text, buttons = prompt(question, tracker.slots)
        dispatcher.utter_message(text=text, buttons=[*buttons, REPORT_NOW_BUTTON])
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
        number = slots.index(self.slot) + 1 if self.slot in slots else 1
        text, _buttons = prompt(step_question(step), tracker.slots)
        dispatcher.utter_message(
            text=say("walkthrough.step", number=number, total=len(slots), question=text),
            buttons=STEP_BUTTONS,
        )
        return []


# One concrete ask action per step, so Rasa finds `action_ask_<slot>` for each. Kept in
# a dict: the SDK finds actions through __subclasses__(), which holds only weak refs.
ASK_STEP_ACTIONS: dict[str, type[AskStep]] = {
    step.slot: type(f"AskStep_{step.slot}", (AskStep,), {"slot": step.slot, "__module__": __name__})
    for step in load_walkthrough().steps
}


def danger_reply() -> str:
    return say("walkthrough.danger")


def what_to_tell_the_police() -> str:
    items = "\n".join(f"- {item}" for item in load_walkthrough().tell_the_police)
    return say("walkthrough.tell_the_police", items=items)


def report_reply(looked_after: bool, in_office_hours: bool) -> str:
    if not looked_after:
        return say("walkthrough.report_at_home", tell_the_police=what_to_tell_the_police())
    social_worker = say("walkthrough.social_worker_in_hours" if in_office_hours else
                        "walkthrough.social_worker_out_of_hours")
    return say("walkthrough.report_looked_after", tell_the_police=what_to_tell_the_police(),
               social_worker=social_worker, office_hours_note=office_hours_note())


class ActionWalkthroughSummary(Action):
    """What to do now, once the walkthrough ends (finished, report now, stop or danger)."""

    def name(self) -> str:
        return "action_walkthrough_summary"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if audience.current(tracker) == audience.YOUNG_PERSON:
            young_person_help(dispatcher, tracker)
            return [SlotSet(REPORT_NOW_SLOT, None), SlotSet(STOPPED_SLOT, None)]
        if tracker.get_slot(DANGER_SLOT) is True:
            dispatcher.utter_message(text=danger_reply())
            return []
        if (tracker.get_slot(PREFILL_SLOT) or {}).get(ALREADY_REPORTED):
            return already_reported(dispatcher, tracker, domain)
        looked_after = tracker.get_slot(LOOKED_AFTER_SLOT) is True
        done = searches_done(tracker.slots)
        checked = say("walkthrough.checked", done="; ".join(done)) if done else \
            say("walkthrough.nothing_checked")
        if tracker.get_slot(STOPPED_SLOT) == FORM:
            checked = say("walkthrough.stopped", checked=checked)
        dispatcher.utter_message(text=checked)
        now = now_uk()
        dispatcher.utter_message(text=report_reply(looked_after, is_office_hours(now)))
        events: list[dict[str, Any]] = [SlotSet(REPORT_NOW_SLOT, None),
                                        SlotSet(STOPPED_SLOT, None)]
        heard = (tracker.get_slot(PREFILL_SLOT) or {}).get(HEARD_LAST_SEEN)
        if heard and not tracker.get_slot(LAST_SEEN_SLOT):
            # Said earlier ("last night around 11"): read it back rather than ask again.
            when = datetime.fromisoformat(heard).astimezone(LONDON)
            seen = LastSeen(when=when, in_future=False, vague=True, text=heard)
            dispatcher.utter_message(
                text=say("walkthrough.last_seen_heard", readback=readback(seen, now)),
                buttons=CONFIRM_BUTTONS,
            )
            events.append(SlotSet(LAST_SEEN_SLOT, when.isoformat()))
        else:
            # Parents report to the police, who involve MASH; carers of a looked after
            # child may also want MASH to have the details in writing.
            buttons = [{"title": say("buttons.referral_after_walkthrough"),
                        "payload": "/make_referral"}]
            dispatcher.utter_message(text=ASK_LAST_SEEN, buttons=buttons if looked_after else [])
        if audience.current(tracker) is None:
            events.append(SlotSet("audience", audience.CARER))
        return events


def already_reported(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> list[dict[str, Any]]:
    """The police already know: what is due now (the missing clock), from the time said in
    this message or earlier, or asked for. Who else to tell, for a looked after child."""
    prefill = dict(tracker.get_slot(PREFILL_SLOT) or {})
    prefill.pop(ALREADY_REPORTED, None)
    events: list[dict[str, Any]] = [SlotSet(REPORT_NOW_SLOT, None), SlotSet(STOPPED_SLOT, None),
                                    SlotSet(PREFILL_SLOT, prefill)]
    looked_after = in_care(tracker)
    dispatcher.utter_message(text=say(
        "walkthrough.already_reported_looked_after" if looked_after else
        "walkthrough.already_reported"))
    if looked_after and not isinstance(tracker.get_slot(LOOKED_AFTER_SLOT), bool):
        # Heard in the first message ("our children's home"): the clock counts for a
        # looked after child.
        events.append(SlotSet(LOOKED_AFTER_SLOT, True))
    heard = prefill.get(HEARD_LAST_SEEN)
    if heard and not tracker.get_slot(LAST_SEEN_SLOT) and \
            times_in_message(tracker, strict=True)[0] is None:
        # Said in an earlier message ("she went on Tuesday night"): counted from that.
        events.append(SlotSet(LAST_SEEN_SLOT, heard))
    # The clock reads the conversation as it will be once these slots are set.
    told = tracker.copy()
    told.add_slots(events)
    events += ActionMissingClock().run(dispatcher, told, domain)
    if audience.current(tracker) is None:
        events.append(SlotSet("audience", audience.CARER))
    return events


def young_person_lines() -> str:
    return say("walkthrough.young_person_help", audience.YOUNG_PERSON)


def young_person_help(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """What the guidance says to the young person's own message, then people to talk to."""
    from actions.guidance import answer_message, choose, selector_ranking

    who = audience.YOUNG_PERSON
    # A statement ("I left home last night"), not a question: only a clear match answers.
    record, _also = choose(typed_text(tracker), who, selector_ranking(tracker.latest_message),
                           asked=False)
    if record is not None:
        dispatcher.utter_message(text=answer_message(record, who)["text"])
    dispatcher.utter_message(text=young_person_lines())
