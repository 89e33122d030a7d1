"""The missing-episode clock in conversation: when was the child last seen, and so
what is due, done or overdue now under the guidance.

The time is read back as an absolute date and time for the carer to confirm before
anything is worked out from it: a wrong "Friday" must be caught by the person, not
silently turned into a wrong deadline.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import audience, situation
from actions.contacts import say
from guidance_corpus.loader import load_corpus
from missing_clock import (
    LONDON,
    LastSeen,
    LastSeenInFuture,
    assess,
    find_last_seen,
    parse_last_seen,
    readback,
    stated_now,
)
from missing_clock.parse import since

LAST_SEEN_SLOT = "last_seen"
# The "now" the person stated ("it's now Thursday evening"), counted from instead of the
# clock, and said so.
CLOCK_NOW_SLOT = "clock_now"
TIME_ENTITIES = ("DURATION", "CLOCK_TIME", "DAY_REF")
STATUSES = ("overdue", "due", "upcoming", "done")  # each worded in bot/copy, clock.status
STATUS_WORDS = {status: say(f"clock.status.{status}") for status in STATUSES}
ASK_AGAIN = say("clock.ask")
CONFIRM_BUTTONS = [{"title": say("buttons.yes_right"), "payload": "/affirm"},
                   {"title": say("buttons.deny"), "payload": "/deny"}]
SHOWN_TIME = "%A %-d %B, %H:%M"


def now_uk() -> datetime:
    return datetime.now(LONDON)


def format_due(due: datetime | None, now: datetime) -> str:
    """Only a deadline already reached is shown: the descriptions name future ones."""
    if due is None or due > now:
        return ""
    return due.astimezone(LONDON).strftime(" (since %A %-d %B, %H:%M)")


def time_phrase(tracker: Tracker) -> str:
    """The time words spaCy's entity ruler found, in order ("friday 6 pm"), so that
    "she went out on friday at 6 pm with her mates" parses as its time alone."""
    spans = sorted(
        (e for e in tracker.latest_message.get("entities", []) if e.get("entity") in TIME_ENTITIES),
        key=lambda e: e.get("start", 0),
    )
    phrase = " ".join(str(e.get("value", "")) for e in spans)
    if any(e.get("entity") == "DURATION" for e in spans) and "ago" in (
        tracker.latest_message.get("text") or ""
    ).lower():
        phrase += " ago"
    return phrase


def times_in_message(
    tracker: Tracker, *, strict: bool = False
) -> tuple[LastSeen | None, datetime, bool]:
    """The last-seen time in the latest message, the now it is counted from, and whether
    that now was stated by the person ("... and it's Wednesday night now")."""
    text = tracker.latest_message.get("text") or ""
    now = now_uk()
    stated = stated_now(text, now)
    if stated is not None:
        return find_last_seen(stated.rest, stated.when, strict=strict), stated.when, True
    phrase = "" if strict else time_phrase(tracker)
    return parse_last_seen(phrase, now) or find_last_seen(text, now, strict=strict), now, False


def answer_as_guidance(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> list[dict[str, Any]]:
    """The guidance answer to the message, in this turn (a follow-up action would leave the
    policies to choose again after it). The guidance action never sends a message whose
    child is back to the clock (actions/guidance.py, reply_to_question)."""
    # Imported here: the guidance module imports this one.
    from actions.guidance import ActionAnswerGuidance

    return ActionAnswerGuidance().run(dispatcher, tracker, domain)


class ActionLastSeenReadback(Action):
    """Parse the last-seen time and read it back for confirmation."""

    def name(self) -> str:
        return "action_last_seen_readback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        refusal = situation.refusal_for(
            tracker.latest_message.get("text") or "", audience.current(tracker))
        if refusal is not None:
            # "Can you look up whether Kayden, dob 04/03/2011, is registered at another
            # school?" names a date, but asks for something no one here can do.
            dispatcher.utter_message(text=refusal)
            return []
        text = tracker.latest_message.get("text") or ""
        if not tracker.active_loop.get("name") and (
                situation.child_is_back(text)
                or situation.decided_record(text, audience.current(tracker)) is not None):
            # "she got back at 2am": a return, not a time last seen (as in the clock below).
            # "she went to a mates 2 hours ago, do I wait 24 hours before reporting?": a
            # question the situation decides, whose answer the guidance action gives.
            return answer_as_guidance(dispatcher, tracker, domain)
        last_seen, now, stated = times_in_message(tracker)
        if last_seen is None:
            dispatcher.utter_message(text=say("clock.not_understood"))
            return [SlotSet(LAST_SEEN_SLOT, None)]
        if last_seen.in_future:
            dispatcher.utter_message(text=readback(last_seen, now))
            return [SlotSet(LAST_SEEN_SLOT, None)]
        counted = say("clock.counting_from_stated", now=now.strftime(SHOWN_TIME)) if stated \
            else ""
        dispatcher.utter_message(text=counted + readback(last_seen, now), buttons=CONFIRM_BUTTONS)
        return [SlotSet(LAST_SEEN_SLOT, last_seen.when.isoformat()),
                SlotSet(CLOCK_NOW_SLOT, now.isoformat() if stated else None)]


class ActionAskLastSeen(Action):
    def name(self) -> str:
        return "action_ask_last_seen"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=ASK_AGAIN)
        return [SlotSet(LAST_SEEN_SLOT, None)]


def clock_message(last_seen: datetime, now: datetime, looked_after: bool | None) -> str:
    corpus = load_corpus()
    milestones = assess(last_seen, now, looked_after=bool(looked_after))
    lines = []
    for milestone in milestones:
        status = STATUS_WORDS.get(milestone.status, milestone.status)
        lines.append(f"- {status}: {milestone.description}{format_due(milestone.due, now)}")
    citations = "\n".join(dict.fromkeys(corpus.citation(m.source_record) for m in milestones))
    intro = say("clock.looked_after" if looked_after else "clock.at_home")
    note = "" if looked_after is not None else say("clock.maybe_looked_after")
    # The first thing to have done, whatever the clock says: carers often ask "what
    # should be happening by now?" before anyone has told the police.
    police = say("clock.police")
    return f"{intro}\n" + "\n".join(lines) + f"{note}\n{police}\n{citations}"


def looked_after_from_words(tracker: Tracker) -> bool | None:
    """ "I'm a foster carer", "the boy I look after": whether the child is in care, from
    what the person has typed, when nobody has asked yet."""
    from actions.questionnaire import listen, load_table

    question = load_table("walkthrough").question("looked_after")
    assert question is not None
    for event in reversed(tracker.events):
        text = event.get("text") or "" if event.get("event") == "user" else ""
        if text and not text.startswith("/"):
            found = listen(question, text, now_uk())
            if isinstance(found, bool):
                return found
    return None


class ActionMissingClock(Action):
    """What is due, done or overdue for this missing episode, with citations."""

    def name(self) -> str:
        return "action_missing_clock"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if situation.child_is_back(tracker.latest_message.get("text") or ""):
            # "He came back this morning, is anything else supposed to happen now?": what
            # follows a return is answered from the guidance (return interview, safe and
            # well check), not the milestones of a child still missing.
            return answer_as_guidance(dispatcher, tracker, domain)
        value = tracker.get_slot(LAST_SEEN_SLOT)
        stated = tracker.get_slot(CLOCK_NOW_SLOT)
        events: list[dict[str, Any]] = []
        heard = ""
        if not value:
            # "She's been gone since Monday teatime, it's Wednesday night now - what's
            # due?": the time is in the question, so count from it and say what was heard
            # rather than ask for it again. Strict: a bare number is not a time here.
            last_seen, said_now, was_stated = times_in_message(tracker, strict=True)
            if last_seen is None or last_seen.in_future:
                dispatcher.utter_message(text=ASK_AGAIN)
                return []
            value = last_seen.when.isoformat()
            stated = said_now.isoformat() if was_stated else None
            events += [SlotSet(LAST_SEEN_SLOT, value), SlotSet(CLOCK_NOW_SLOT, stated)]
            heard = say("clock.heard", since=since(last_seen, said_now))
        now = datetime.fromisoformat(stated) if stated else now_uk()
        looked_after = tracker.get_slot("looked_after")
        if not isinstance(looked_after, bool):
            looked_after = looked_after_from_words(tracker)
            if looked_after is not None:
                events.append(SlotSet("looked_after", looked_after))
        try:
            text = clock_message(datetime.fromisoformat(value), now, looked_after)
        except LastSeenInFuture:
            dispatcher.utter_message(text=say("clock.later_than_now"))
            return [SlotSet(LAST_SEEN_SLOT, None)]
        if stated:
            text = say("clock.counted_from_stated", now=now.strftime(SHOWN_TIME)) + text
        if (tracker.latest_message.get("intent") or {}).get("name") == "not_known":
            text = say("clock.from_readback") + text
        dispatcher.utter_message(text=heard + text)
        return events
