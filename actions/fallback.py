"""The honest "I can't help with that" reply: never silence, always the emergency line.

Before giving up on a question the classifier could not place, the corpus is searched:
a confident match is answered with its citation; anything else gets what the assistant
can do, who can answer instead, and 999.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions import audience, situation
from actions.contacts import say
from actions.guidance import answer_messages, reply_to_question, walkthrough_instead

# Set on the parsed message by rasa_addons.input_guard.InputGuard; each has its opener in
# bot/copy/everyone.yml ("fallback").
PROBLEMS = {"empty", "markup_only", "no_words", "too_long"}
# The intents whose rules lead here. Any other intent means the policies found no next
# action (the core fallback) and the message is taken back, as Rasa's own default
# fallback does: otherwise the policies would face the same unknown state again and
# predict this action over and over until the prediction limit stops the turn.
RULE_INTENTS = {"nlu_fallback", "out_of_scope"}


def input_problem(tracker: Tracker) -> str | None:
    return tracker.latest_message.get("input_problem")


class ActionCannotHelp(Action):
    def name(self) -> str:
        return "action_cannot_help"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        who = audience.current(tracker)
        problem = input_problem(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = tracker.latest_message.get("text") or ""
        readable = problem in (None, "too_long")
        if intent in RULE_INTENTS and readable and situation.cannot_do(text) is not None:
            # "Can you send me money?": an honest "I can't" and who can, not a menu;
            # then what the documents do say, as when the guidance action refuses.
            messages, record_id, _answered = answer_messages(tracker.latest_message, who)
            for message in messages:
                dispatcher.utter_message(**message)
            return [SlotSet("last_record", record_id)] if record_id else []
        if intent == "nlu_fallback" and readable:
            # Answered as the guidance action would answer it, if anything answers it.
            events = reply_to_question(dispatcher, tracker, domain)
            if events is not None:
                return events
            if situation.reports_own_child_not_back(text) and (
                start := walkthrough_instead(tracker, who)
            ):
                # A carer's child not back, and what to do now, that the classifier could
                # not place: the search walkthrough, which opens with who to ring.
                return start
        opener = say(f"fallback.{problem}" if problem in PROBLEMS else "fallback.not_covered")
        reply = say("fallback.reply", who, opener=opener)
        if readable:
            # What the message says still gets its lines when nothing answers it: "ive run
            # off like 4 times ... i just cant be at home" is given the Runaway Helpline and
            # Childline, and the Charter's presumption for a child who keeps running.
            said = situation.notes(text, who or situation.audience_in(text), reply)
            reply = "\n\n".join([reply, *said])
        dispatcher.utter_message(text=reply, buttons=[] if who else audience.buttons())
        return [] if intent in RULE_INTENTS else [UserUtteranceReverted()]
