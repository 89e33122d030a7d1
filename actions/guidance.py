"""Grounded answers: every procedural answer is a corpus record, shown with its citation.

Two routes lead here. The ResponseSelector names the question's family (e.g.
`guidance/return`); BM25 search over the corpus then picks the record within it that
best matches the words used. A question no intent covers confidently falls back to the
same search across the whole corpus, and if nothing is close enough the assistant says
it doesn't know, rather than guessing, and gives people who can help.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import audience
from actions.contacts import line, phone
from guidance_corpus.loader import Record, load_corpus
from guidance_corpus.retrieval import Hit, is_confident, search

RETRIEVAL_INTENT = "guidance"
# A family's record is preferred unless another record scores clearly higher...
FAMILY_PREFERENCE = 0.8
# ...and when the ResponseSelector is this sure of the family, its best record is taken
# whatever else scores higher: the selector was trained on people's own words ("what
# am I meant to check before I ring the police?"), which BM25 alone can miss.
FAMILY_TRUSTED = 0.6


def predicted_family(tracker: Tracker) -> tuple[str | None, float]:
    selector = tracker.latest_message.get("response_selector", {}).get(RETRIEVAL_INTENT, {})
    response = selector.get("response", {})
    key = response.get("intent_response_key") or ""
    if "/" not in key:
        return None, 0.0
    return key.split("/", 1)[1], float(response.get("confidence") or 0.0)


def choose_record(
    text: str, who: str | None, family: str | None, family_confidence: float = 0.0
) -> Record | None:
    """The record that answers `text`: the best hit in the family, else the best hit."""
    corpus = load_corpus()
    hits: list[Hit] = search(text, audience=who, limit=len(corpus.records))
    if not hits:
        return None
    best = hits[0]
    if family:
        in_family = [h for h in hits if corpus.records[h.record_id].topic == family]
        if in_family and (
            family_confidence >= FAMILY_TRUSTED
            or in_family[0].score >= FAMILY_PREFERENCE * best.score
        ):
            return corpus.records[in_family[0].record_id]
    return corpus.records[best.record_id] if is_confident(best) else None


def answer_message(record: Record, who: str | None) -> dict[str, Any]:
    corpus = load_corpus()
    text = f"{record.answer_for(who)}\n\n{corpus.citation(record.id)}"
    return {
        "text": text,
        "buttons": [
            {
                "title": "Read the full guidance",
                "payload": f'/show_record{{"record_id": "{record.id}"}}',
            }
        ],
    }


def dont_know_message(who: str | None) -> str:
    if who == audience.YOUNG_PERSON:
        people = [line("childline", "free"), line("runaway_helpline", "free")]
    else:
        people = [line("mash"), line("emergency_duty_team", "outside office hours")]
    listed = "\n".join(people)
    return (
        "I don't know that one, and I won't guess. These people can answer it:\n"
        f"{listed}\nIf anyone is in danger right now, phone {phone('police_emergency')}."
    )


class ActionAnswerGuidance(Action):
    def name(self) -> str:
        return "action_answer_guidance"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        who = audience.current(tracker)
        text = tracker.latest_message.get("text") or ""
        record = choose_record(text, who, *predicted_family(tracker))
        if record is None:
            dispatcher.utter_message(text=dont_know_message(who))
            return []
        dispatcher.utter_message(**answer_message(record, who))
        return [SlotSet("last_record", record.id)]


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
            dispatcher.utter_message(text="Which part of the guidance would you like to read?")
            return []
        record = corpus.records[record_id]
        parts = [record.title, record.answer]
        if record.young_person_answer and audience.current(tracker) == audience.YOUNG_PERSON:
            parts = [record.title, record.young_person_answer]
        facts = [fact.text for fact in record.key_facts]
        if facts:
            parts.append("Key facts:\n" + "\n".join(f"- {fact}" for fact in facts))
        contacts = [corpus.contacts[c] for c in record.contacts if corpus.contacts[c].phone]
        if contacts:
            parts.append("Contacts:\n" + "\n".join(f"- {c.name}: {c.phone}" for c in contacts))
        parts.append(corpus.citation(record.id))
        dispatcher.utter_message(text="\n\n".join(parts))
        return [SlotSet("last_record", record.id)]
