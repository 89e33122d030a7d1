"""Grounded answers: every procedural answer is a corpus record, shown with its citation.

The ResponseSelector names the record (`guidance/<record id>`, trained on the records' own
questions); its ranking is fused with BM25 search over the corpus, the records' own
questions nearest in spelling and a classifier fitted on all of them
(guidance_corpus/fusion.py). A question no intent
covers confidently gets the same search. If two records are close, the best is answered
and the other offered as a button; if nothing is close enough, the assistant says so and
gives people who can help.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import audience, situation
from actions.contacts import say
from actions.episode_clock import ActionLastSeenReadback, ActionMissingClock, times_in_message
from actions.record_classifier import classifier_scores, default_classifier
from guidance_corpus.fusion import Choice, answerable, best_and_close, fuse, put_first
from guidance_corpus.loader import Record, load_corpus
from guidance_corpus.neighbours import default_neighbours, neighbour_scores
from guidance_corpus.placement_direction import (
    direction_first,
    direction_rules,
    names_a_placement_across_boundary,
)
from guidance_corpus.retrieval import default_retriever, search
from missing_clock import EPISODE_RECORDS

RETRIEVAL_INTENT = "guidance"
# A message that asks something; a message that only states a crisis gets only the
# emergency route, a question that also sounds alarming gets its answer too.
# "absent vs missing", "what's the difference", "debrief / safe and well check": two
# records may be wanted, so a less close runner-up is shown too.
COMPARE_RE = re.compile(r"\b(vs|versus|difference|differ|compared?|same as)\b|\w\s*/\s*\w", re.I)
# Where a second question begins ("what should we watch for, and what can we do?",
# "when is the meeting? who goes?"): each part is answered, not only the whole.
SECOND_QUESTION_RE = re.compile(
    r"(?:[,;?]|\band\b)\s*(?:and\s+|also\s+|plus\s+)?"
    r"(?=(?:what|whats|how|who|whos|when|where|which|why|can|should|do|does|is|are|will)\b)",
    re.IGNORECASE,
)
#: A part shorter than this is too little to rank on its own ("and who?").
MIN_PART_WORDS = 4
#: ...and a part's record is offered only if the whole question ranks it this high.
WHOLE_TOP = 5


def selector_ranking(message: dict[str, Any]) -> dict[str, float]:
    """Record id -> the ResponseSelector's confidence, from a parsed message."""
    selector = (message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    ranking: dict[str, float] = {}
    for item in selector.get("ranking") or []:
        key = item.get("intent_response_key") or ""
        if "/" in key:
            ranking[key.split("/", 1)[1]] = float(item.get("confidence") or 0.0)
    return ranking


def rank_records(
    text: str, who: str | None, selector: dict[str, float], asked: bool = True
) -> list[Choice]:
    """Every candidate record, best first; empty when nothing is close enough."""
    corpus = load_corpus()
    hits = search(text, audience=who, limit=10)
    decided = situation.decided_record(text, who)
    # A situation that decides the record is answered even when the voices are unsure of
    # the message ("pls dont tell my social worker": who is told, and why).
    question = situation.is_question(text)
    if decided is None and not answerable(selector, hits, asked, question=question):
        return []
    fused = fuse(
        corpus, selector, hits, audience=who,
        neighbours=neighbour_scores(text), classifier=classifier_scores(text),
        out_of_place=situation.out_of_place_records(text),
    )
    if not_for := not_for_this_asker(text, who):
        fused = [choice for choice in fused if choice.record_id not in not_for]
    # The voices count words, and the two out-of-area records share theirs: which way the
    # placement goes is read from the message (guidance_corpus/placement_direction.yml).
    # Some situations decide the record outright (actions/situation.yml, decides_record),
    # unless the child was placed across a council boundary: the out-of-area records say
    # who else is told then.
    if names_a_placement_across_boundary(text):
        return direction_first(fused, text)
    return put_first(fused, decided) if decided else direction_first(fused, text)


def not_for_this_asker(text: str, who: str | None) -> frozenset[str]:
    """The records written only for young people, when the person says they are an adult
    ("i'm a good mum", "SW here"), or nobody said who is asking and the message tells of
    another child ("a couple of young teenage girls next door"): a worried mum or
    neighbour is not answered as if they were the child. Who is asking read only from
    what they say ("will she tell my social worker") is not sure enough to leave these
    out (a young person may be read as a professional)."""
    if situation.said_of_self(text) is not None or (
            who is None and situation.speaks_of_another_child(text)):
        return young_person_only_records()
    return frozenset()


@lru_cache(maxsize=1)
def young_person_only_records() -> frozenset[str]:
    return frozenset(rid for rid, record in load_corpus().records.items()
                     if tuple(record.audiences) == (audience.YOUNG_PERSON,))


def warm_up() -> None:
    """Build the search indexes and fit the record classifier before the first question,
    so nobody waits the few seconds it takes."""
    default_retriever()
    default_neighbours()
    default_classifier()
    direction_rules()


def choose(
    text: str, who: str | None, selector: dict[str, float], asked: bool = True,
    before: FollowUp | None = None,
) -> tuple[Record | None, list[Record]]:
    """The record that answers ``text`` (or None) and close runners-up to offer.
    ``before``: the conversation so far, when ``text`` is a follow-up to it."""
    corpus = load_corpus()
    compares = bool(COMPARE_RE.search(text))
    whole = rank_records(text, who, selector, asked)
    if before is not None:
        # "How quickly am I meant to see him myself?" after "LAC back after 3 days, what
        # do I do as his SW?": read with the message before it. The selector only parsed
        # this message, so the other voices rank the two together; the record already
        # shown is not given again, since a follow-up asks for something new.
        joined = rank_records(before.with_(text), who, {}, asked=True)
        joined = [c for c in joined
                  if c.record_id != before.record_id and c.record_id not in before.shown]
        if joined and len(text.split()) <= FRAGMENT_WORDS:
            # "and at 72?" after the 48-hour rule: a fragment carries on from the answer
            # just shown, so a record it names as related goes first when either reading
            # ranks it among the best three.
            shown = corpus.records.get(before.record_id or "")
            related = set(shown.related) if shown else set()
            carried = [c.record_id for c in (*joined[:3], *whole[:3]) if c.record_id in related]
            joined = put_first(joined, carried[0] if carried else None)
        if joined:
            whole = joined
    best_related = frozenset(corpus.records[whole[0].record_id].related) if whole else frozenset()
    best, close = best_and_close(whole, compares, best_related)
    if best is None:
        return None, []
    also = [c.record_id for c in close]
    # A question in two parts gets each part's best record: one the whole did not choose
    # comes first among those offered, so its text is shown beside the answer. Only a
    # record the whole question also ranks near the top: a part read alone can drift.
    near = {c.record_id for c in whole[:WHOLE_TOP]}
    for part in question_parts(text)[::-1]:
        ranked = rank_records(part, who, selector, asked)
        if ranked and ranked[0].record_id != best.record_id and ranked[0].record_id in near:
            also = [ranked[0].record_id, *(r for r in also if r != ranked[0].record_id)]
    # What goes beside the answer comes first: what a situation that decided it names (a
    # parent who fears exploitation: who to go to, and what exploitation is), then what
    # the record itself names, for whoever those are written.
    rule = situation.decided_rule(text, who)
    ruled = rule.shown_with if rule is not None and rule.record == best.record_id else ()
    own = [r for r in corpus.records[best.record_id].shown_with
           if who is None or who in corpus.records[r].audiences]
    also = list(dict.fromkeys([*ruled, *own, *also]))
    if who is not None and who != audience.YOUNG_PERSON:
        # Offered beside the answer, a record written only for young people ("what happens
        # when you are reported missing") speaks to the wrong person. The answer itself is
        # kept: who is asking is read from words and can be wrong.
        also = [r for r in also if r not in young_person_only_records()]
    return corpus.records[best.record_id], [corpus.records[r] for r in also[:2]]


@dataclass(frozen=True)
class FollowUp:
    """What came just before a message: the person's last messages and the record shown."""

    text: str
    record_id: str | None
    #: Every record given since the first of those messages (the last one included).
    shown: frozenset[str] = frozenset()

    def with_(self, text: str) -> str:
        """``text`` read after what came before it."""
        return f"{self.text} {text}"


#: How many of the person's earlier messages a follow-up is read with: the situation is
#: often set out two messages back ("LAC back after 3 days, what do I do as his SW?",
#: "do I have to tell the parents?", "how quickly am I meant to see him myself?").
FOLLOW_UP_CONTEXT = 2
#: A follow-up this short is a fragment ("and at 72?", "what about 48 hours?").
FRAGMENT_WORDS = 4


def before_this(tracker: Tracker) -> FollowUp | None:
    """The person's previous messages in this conversation (None if this is the first)."""
    said = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    earlier = " ".join(t for t in said[-1 - FOLLOW_UP_CONTEXT:-1] if t.strip())
    if not earlier:
        return None
    # The records given since the first of those messages: the follow-up asks for
    # something none of them said ("how quickly am I meant to see him?" after the
    # return record and the parents' record), not the answer of two messages back.
    first = max(len(said) - 1 - FOLLOW_UP_CONTEXT, 0)
    users, shown = 0, set()
    for event in tracker.events:
        if event.get("event") == "user":
            users += 1
        elif users > first and event.get("event") == "slot" and \
                event.get("name") == "last_record" and event.get("value"):
            shown.add(str(event["value"]))
    return FollowUp(earlier, tracker.get_slot("last_record"), frozenset(shown))


def followed_up(tracker: Tracker) -> FollowUp | None:
    """What came before the latest message, if that message is a follow-up to it."""
    text = tracker.latest_message.get("text") or ""
    return before_this(tracker) if situation.is_follow_up(text) else None


def question_parts(text: str) -> list[str]:
    """The separate questions in ``text``, when it asks more than one; else empty."""
    parts: list[str] = []
    start = 0
    for cut in SECOND_QUESTION_RE.finditer(text):
        if cut.start() > start:
            parts.append(text[start:cut.start()])
            start = cut.end()
    parts.append(text[start:])
    questions = [
        p.strip(" ,;")
        for p in parts
        if len(p.split()) >= MIN_PART_WORDS and situation.is_question(p)
    ]
    return questions if len(questions) > 1 else []


def show_button(title: str, record_id: str) -> dict[str, str]:
    return {"title": title, "payload": f'/show_record{{"record_id": "{record_id}"}}'}


def contact_lines(record: Record, who: str | None, shown: str) -> list[str]:
    """The record's contacts (from contacts.yml) that the answer text does not already give."""
    corpus = load_corpus()
    lines: list[str] = []
    for found in corpus.contacts_for(record.id):
        if who is not None and who not in found.audiences:
            continue
        ways = [w for w in (found.phone, found.email) if w]
        if not ways or all(w in shown for w in ways):
            continue
        lines.append(f"- {found.name}: {', '.join(ways)}")
    return lines


def answer_message(
    record: Record, who: str | None, also: list[Record] | None = None
) -> dict[str, Any]:
    """The record's answer with its contacts and citation; the closest runner-up (if
    any) follows, so a question that spans two records ("X or Y?") gets both."""
    corpus = load_corpus()
    parts = [record.answer_for(who)]
    contacts = contact_lines(record, who, parts[0])
    if contacts:
        parts.append(say("guidance.contacts", who, contacts="\n".join(contacts)))
    parts.append(corpus.citation(record.id))
    buttons = [show_button(say("buttons.read_full", who), record.id)]
    for other in (also or [])[:1]:
        parts.append(say("guidance.also", who, title=other.title, answer=other.answer_for(who)))
        parts.append(corpus.citation(other.id))
    buttons += [show_button(say("buttons.or_record", who, title=other.title), other.id)
                for other in (also or [])[1:]]
    return {"text": "\n\n".join(parts), "buttons": buttons}


def dont_know_message(text: str, who: str | None) -> dict[str, Any]:
    """"I don't know that one", with whatever line the situation still calls for."""
    reply = say("guidance.dont_know", who)
    return {"text": "\n\n".join([reply, *situation.notes(text, who, reply)])}


def answer_messages(
    message: dict[str, Any], who: str | None, asked: bool | None = None,
    before: FollowUp | None = None,
) -> tuple[list[dict[str, Any]], str | None, bool]:
    """The reply to a question in ``message`` (a parsed message) and the record used.

    A request the assistant cannot carry out gets an honest "I can't" with who can; a
    question gets the best record (young people's version for a young person) plus any
    line the situation calls for (the Runaway Helpline for someone who has run away, the
    Emergency Duty Team outside office hours, Crimestoppers for anonymity).
    """
    text = message.get("text") or ""
    # A follow-up (``before``: what it follows) is read with what came before: who is
    # asking, and what the situation calls for ("it's sunday" after "I'm his foster
    # carer": the Emergency Duty Team).
    said = before.with_(text) if before is not None else text
    who = who or situation.audience_in(said)
    request = situation.cannot_do(text)
    if request is not None:
        refusal = situation.cannot_do_reply(request, who)
        extra = situation.notes(text, who, refusal)
        messages = [{"text": "\n\n".join([refusal, *extra])}]
        then = request.answer_after(who)
        if then is not None:
            messages.append(answer_message(load_corpus().records[then], who))
        return messages, then, True
    if asked is None:
        asked = (message.get("intent") or {}).get("name") == RETRIEVAL_INTENT
    record, also = choose(text, who, selector_ranking(message), asked=asked, before=before)
    if record is None:
        return [dont_know_message(said, who)], None, False
    if who is None and record.id in young_person_only_records() \
            and not situation.speaks_of_own_child(said):
        # Nothing said who is asking, and the answer is written only for young people:
        # the person is most likely one, so they get the young people's version (not a
        # parent who says "my 16 yr old").
        who = audience.YOUNG_PERSON
    answer = answer_message(record, who, also)
    extra = situation.notes(said, who, answer["text"])
    if extra:
        answer["text"] = "\n\n".join([answer["text"], *extra])
    return [answer], record.id, True


def reply_to_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
) -> list[dict[str, Any]] | None:
    """The reply to a message that may be a question, the same whichever intent it got:
    the guidance action and the fallback both come here. None when nothing answers it and
    it is not a time either, so each caller gives its own "I don't know".

    - "what is due now?": the missing clock, in this turn (a follow-up action would come
      back to the guidance action after it, and round again);
    - a licence holder who describes what they saw and asks who to tell: the answer, then
      the licence concern, to pass on what they saw;
    - a question a record answers (or a request the assistant cannot do): that answer,
      and for an episode record with a stated time, what it means for this child;
    - "tomorrow at 9pm" when asked when the child was last seen: a time, however the
      classifier placed it, so it is read back (or asked again) like any other.
    """
    text = tracker.latest_message.get("text") or ""
    back = situation.child_is_back(text)
    if situation.asks_what_is_due(text) and not back:
        return ActionMissingClock().run(dispatcher, tracker, domain)
    # What they saw is kept to pass on: the form follows the answer, and its opening says
    # who to tell unless the answer did.
    concern_form = licence_concern_to_start(tracker)
    then = [FollowupAction(concern_form)] if concern_form else []
    if not then and not back and is_a_time_alone(tracker.latest_message):
        # "tomorrow at 9pm", "since 6 last night": an answer to when the child was last
        # seen, even when a record's questions happen to share "tomorrow" or "9pm".
        return ActionLastSeenReadback().run(dispatcher, tracker, domain)
    messages, record_id, answered = answer_messages(
        tracker.latest_message, audience.current(tracker), before=followed_up(tracker)
    )
    if not answered:
        if then:
            return then
        if only_states_a_time(tracker.latest_message) and not back:
            return ActionLastSeenReadback().run(dispatcher, tracker, domain)
        return None
    for message in messages:
        dispatcher.utter_message(**message)
    events: list[dict[str, Any]] = [SlotSet("last_record", record_id)] if record_id else []
    if then:
        return events + then
    if record_id in EPISODE_RECORDS and not back and states_when_missing(tracker):
        # "Missing 3 days, isn't there a meeting?": the rule, then what it means for
        # this child, counted from what the person said.
        events += ActionMissingClock().run(dispatcher, tracker, domain)
    return events


def licence_concern_to_start(tracker: Tracker) -> str | None:
    """ "im a taxi driver, i keep picking up young girls ... and dropping them at houses
    with older blokes. who do i tell": a concern to pass on, however the classifier placed
    it. A licence holder's general question ("who do I tell if I'm worried?") says nothing
    seen, so it gets the record that answers it. The form's name, or None."""
    # Imported here: the form's module imports the safety route, which imports this one.
    from actions import licence_concern

    text = tracker.latest_message.get("text") or ""
    who = audience.asking(tracker)
    wanted = (who == audience.LICENCE_HOLDER and not tracker.active_loop.get("name")
              and (situation.asks_who_to_tell(text) or situation.asks_what_to_do(text))
              and licence_concern.tells_what_was_seen(text))
    return licence_concern.FORM if wanted else None


def walkthrough_instead(tracker: Tracker, who: str | None) -> list[dict[str, Any]]:
    """The search walkthrough, started in place of a reply: outside any form, and not for
    a young person (they get help for themselves). Empty when it does not apply."""
    if tracker.active_loop.get("name") or who == audience.YOUNG_PERSON:
        return []
    # Imported here: the walkthrough's module imports this one.
    from actions.walkthrough import FORM

    return [FollowupAction(FORM)]


class ActionAnswerGuidance(Action):
    def name(self) -> str:
        return "action_answer_guidance"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        who = audience.asking(tracker)
        if situation.asks_for_the_steps(text) and (start := walkthrough_instead(tracker, who)):
            # "due back at 4 ... no sign. can you walk me thru it": the search walkthrough,
            # which the classifier may have taken for a question.
            return start
        events = reply_to_question(dispatcher, tracker, domain)
        if events is not None:
            return events
        dispatcher.utter_message(**dont_know_message(text, who))
        return []


#: The time phrases the NLU marks ("9pm", "tomorrow", "50 hours"); config.yml.
TIME_ENTITIES = frozenset({"CLOCK_TIME", "DAY_REF", "DURATION"})


#: A message this short that names a time and asks nothing is the time alone.
TIME_ALONE_WORDS = 5


def only_states_a_time(message: dict[str, Any]) -> bool:
    """A message that names a time and asks nothing: no question form, and a time phrase."""
    text = message.get("text") or ""
    found = {e.get("entity") for e in message.get("entities") or []}
    return bool(found & TIME_ENTITIES) and not situation.is_question(text)


def is_a_time_alone(message: dict[str, Any]) -> bool:
    """"tomorrow at 9pm", "since 6 last night": a time and nothing else, short enough that
    it answers when the child was last seen rather than asks a record something."""
    return only_states_a_time(message) and \
        len((message.get("text") or "").split()) <= TIME_ALONE_WORDS


def states_when_missing(tracker: Tracker) -> bool:
    last_seen, _now, _stated = times_in_message(tracker, strict=True)
    return last_seen is not None and not last_seen.in_future


class ActionShowRecord(Action):
    """The full record behind a citation: every key fact and contact, not just the answer."""

    def name(self) -> str:
        return "action_show_record"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        corpus = load_corpus()
        wanted = next(tracker.get_latest_entity_values("record_id"), None)
        record_id = wanted if wanted in corpus.records else tracker.get_slot("last_record")
        if record_id not in corpus.records:
            dispatcher.utter_message(text=say("guidance.which_record", audience.current(tracker)))
            return []
        record = corpus.records[record_id]
        parts = [record.title, record.answer]
        if record.young_person_answer and audience.current(tracker) == audience.YOUNG_PERSON:
            parts = [record.title, record.young_person_answer]
        facts = [fact.text for fact in record.key_facts]
        if facts:
            parts.append(say("guidance.key_facts", facts="\n".join(f"- {fact}" for fact in facts)))
        contacts = [corpus.contacts[c] for c in record.contacts if corpus.contacts[c].phone]
        if contacts:
            parts.append(say("guidance.contacts",
                             contacts="\n".join(f"- {c.name}: {c.phone}" for c in contacts)))
        parts.append(corpus.citation(record.id))
        dispatcher.utter_message(text="\n\n".join(parts))
        return [SlotSet("last_record", record.id)]
