"""One questionnaire engine for the referral, the licence concern and the walkthrough.

Each questionnaire is a table in bot/questions/ (the question, the kind of answer,
whether it is personal data, how it is read back); this module reads answers with the
readers in actions/answers.py and decides what to say next:

- an answer in a sentence counts ("yes, Birmingham City Council" is a yes, and the
  local authority is pre-filled for the person to confirm);
- answers to later questions given early (in the first message or any turn) are kept
  and confirmed instead of asked again;
- after a miss the question says what kind of answer it wants, with buttons; after a
  second miss what was written is kept as written and the questionnaire moves on, so
  no question is ever asked three times, and no reply prints a question twice;
- a guidance question is answered in place, "stop" leaves, a crisis gets the
  emergency route first (read from the words: "no, I don't think she's in danger" is
  a no, not a crisis).

Rasa runs the forms; the form classes in referral.py, licence_concern.py and
walkthrough.py only add what is their own (the end of the form, the payload).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answers, audience
from actions.answers import NOT_KNOWN
from actions.contacts import say
from actions.form_validation import OwnTurnFormValidation
from actions.safety import crisis_kinds, safety_reply
from missing_clock import LONDON, find_last_seen

TABLES = Path(__file__).resolve().parents[1] / "bot" / "questions"
MISSES_SLOT = "questionnaire_misses"  # {slot: misses so far}
PREFILL_SLOT = "questionnaire_prefill"  # {slot: value heard early, awaiting confirmation}
STOPPED_SLOT = "questionnaire_stopped"  # the form the person stopped
ENGINE_SLOTS = (MISSES_SLOT, PREFILL_SLOT, STOPPED_SLOT)
AS_WRITTEN = "as_written"
# Intents that are never an answer: their rules handle them once the form rejects.
NOT_AN_ANSWER = {"ask_human"}
# Button payloads the forms themselves offer; any other typed "/..." is read as text.
BUTTON_INTENTS = {"affirm", "deny", "not_known", "change_field", "step_done", "step_couldnt",
                  "step_skip", "report_now"}
PAYLOAD_VALUES = {"affirm": True, "deny": False, "not_known": NOT_KNOWN}
NOT_KNOWN_BUTTON = {"title": say("buttons.not_known"), "payload": "/not_known"}
YES_NO_BUTTONS = [{"title": say("buttons.affirm"), "payload": "/affirm"},
                  {"title": say("buttons.deny"), "payload": "/deny"}, NOT_KNOWN_BUTTON]
# Crisis kinds that a plain "no" to a danger question denies; any other kind (self-harm,
# abuse, trafficking) still gets the emergency route, whatever the yes or no.
DENIABLE_CRISES = {"danger"}

# What kind of answer each kind of question wants, said once after a miss: bot/copy,
# questions.hint.<kind> (questions.hint.other for the rest).
HINTED = {"yes_no", "age", "contact", "time", "risks", "choice", "step", "reference"}


def hint(kind: str) -> str:
    return say(f"questions.hint.{kind if kind in HINTED else 'other'}")


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    slot: str
    ask: str
    kind: str
    label: str
    personal: bool = False
    only_if: dict[str, Any] = field(default_factory=dict)
    listen: bool = False
    listen_when: tuple[str, ...] = ()
    yes_when: tuple[str, ...] = ()
    no_when: tuple[str, ...] = ()
    follow_ups: dict[str, str] = field(default_factory=dict)
    options: tuple[Option, ...] = ()
    fallback: str | None = None
    keep_text: bool = False
    danger: bool = False
    buttons: tuple[tuple[str, str], ...] = ()

    def applies(self, slots: dict[str, Any]) -> bool:
        return all(slots.get(slot) == value for slot, value in self.only_if.items())


@dataclass(frozen=True)
class Table:
    name: str
    form: str  # the Rasa form that runs it
    questions: tuple[Question, ...]

    def question(self, slot: str) -> Question | None:
        return next((q for q in self.questions if q.slot == slot), None)

    @property
    def slots(self) -> list[str]:
        return [q.slot for q in self.questions]

    def applicable(self, slots: dict[str, Any]) -> list[Question]:
        return [q for q in self.questions if q.applies(slots)]


@lru_cache
def shared_words(directory: Path = TABLES) -> dict[str, tuple[str, ...]]:
    data = yaml.safe_load((directory / "words.yml").read_text(encoding="utf-8"))
    return {name: tuple(words) for name, words in data.items()}


def _words(value: str | list[str] | None) -> tuple[str, ...]:
    """A list of regexes, or the name of a list in words.yml."""
    if isinstance(value, str):
        return shared_words()[value]
    return tuple(value or ())


def _question(raw: dict[str, Any]) -> Question:
    options = tuple(
        Option(key, str(value["label"]), tuple(str(w) for w in value.get("words", [])))
        for key, value in (raw.get("options") or {}).items()
    )
    return Question(
        slot=raw["slot"], ask=str(raw["ask"]), kind=raw["kind"], label=str(raw["label"]),
        personal=bool(raw.get("personal", False)), only_if=dict(raw.get("only_if") or {}),
        listen=bool(raw.get("listen", False)),
        listen_when=tuple(raw.get("listen_when") or ()),
        yes_when=_words(raw.get("yes_when")), no_when=_words(raw.get("no_when")),
        follow_ups=dict(raw.get("follow_ups") or {}), options=options,
        fallback=raw.get("fallback"), keep_text=bool(raw.get("keep_text", False)),
        danger=bool(raw.get("danger", False)),
        buttons=tuple(tuple(b) for b in raw.get("buttons") or ()),
    )


@lru_cache
def load_table(name: str, directory: Path = TABLES) -> Table:
    data = yaml.safe_load((directory / f"{name}.yml").read_text(encoding="utf-8"))
    return Table(data["name"], data["form"], tuple(_question(q) for q in data["questions"]))


# --------------------------------------------------------------------------- readers


class AdultError(ValueError):
    """The person is 18 or over: the guidance, and a referral, are for children."""


#: Longer than any name: a sentence given where a name was asked is not taken as one.
MAX_NAME_WORDS = 6


def _short(text: str) -> bool:
    return len(text.split()) <= 6


_NAME_PREFIX = re.compile(
    r"^\W*(?:(?:my|her|his|their|the child'?s) name(?:'s| is)|i'?m|i am|it'?s|its|this is|"
    r"(?:she|he|they)(?:'s| is| are|'re) called|call me|name:)\s+",
    re.IGNORECASE,
)
_NONE_RE = re.compile(r"^\W*(?:none|no|nope|nothing|none of (?:these|them|those)|no vehicles?|"
                      r"there (?:were|was) none|not that i saw)\b")


def read_text(q: Question, text: str, now: datetime) -> Any:
    if answers.is_not_known(text) and _short(text):
        return NOT_KNOWN
    return answers.free_text(text)


def read_name(q: Question, text: str, now: datetime) -> Any:
    if answers.is_not_known(text) and _short(text):
        return NOT_KNOWN
    name = _NAME_PREFIX.sub("", text.strip()).strip(" .!,")
    if len(name.split()) > MAX_NAME_WORDS or answers.yes_no(name).value is not None:
        # "no she's not in danger as far as I know" answers something else, not the name.
        return None
    return name[:120] or None


def read_yes_no(q: Question, text: str, now: datetime) -> Any:
    return answers.yes_no(text, q.yes_when, q.no_when).value


def read_choice(q: Question, text: str, now: datetime) -> Any:
    cleaned = answers.normalise(text)
    for option in q.options:
        if cleaned.strip(" .!") == option.label.lower():
            return option.key
    found = answers.choice(text, {o.key: o.words for o in q.options})
    if found is not None:
        return found
    if answers.is_not_known(text) and _short(text):
        return NOT_KNOWN
    if q.keep_text:
        return answers.free_text(text, 60)
    return q.fallback


def read_contact(q: Question, text: str, now: datetime) -> Any:
    return answers.find_contact(text)


def read_age(q: Question, text: str, now: datetime) -> Any:
    if answers.is_not_known(text) and _short(text):
        return {"age": NOT_KNOWN}
    age = answers.age_or_dob(text, now.date())
    if age is None or age.age is None or age.age < 0:
        return None
    if age.age >= answers.ADULT_AGE:
        raise AdultError()
    return age.as_payload()


def read_apparent_age(q: Question, text: str, now: datetime) -> Any:
    if answers.is_not_known(text) and _short(text):
        return NOT_KNOWN
    age = answers.age_or_dob(text, now.date())
    return f"about {age.age}" if age is not None and age.age is not None else \
        answers.free_text(text, 60)


def read_time(q: Question, text: str, now: datetime) -> Any:
    if answers.is_not_known(text) and _short(text):
        return NOT_KNOWN
    found = find_last_seen(text, now)
    if found is None or found.in_future:
        return None
    return found.when.astimezone(LONDON).isoformat()


def read_risks(q: Question, text: str, now: datetime) -> Any:
    keys = [o.key for o in q.options]
    if answers.is_not_known(text) and _short(text):
        return dict.fromkeys(keys, NOT_KNOWN)
    if _NONE_RE.match(answers.normalise(text)) and _short(text):
        return dict.fromkeys(keys, False)
    found = answers.choices(text, {o.key: o.words for o in q.options})
    if not found:
        return None
    return {key: True if key in found else NOT_KNOWN for key in keys}


def read_reference(q: Question, text: str, now: datetime) -> Any:
    found = answers.reference(text)
    if found:
        return found
    cleaned = answers.normalise(text)
    if answers.is_not_known(text) or re.search(
        r"\b(?:don'?t|do not|didn'?t|haven'?t|no)\b[^.]*\b(?:log|ref|reference|number)", cleaned
    ):
        return NOT_KNOWN
    return answers.free_text(text, 60) if re.search(r"\d", text) else None


def read_local_authority(q: Question, text: str, now: datetime) -> Any:
    if answers.is_not_known(text) and _short(text):
        return NOT_KNOWN
    return answers.local_authority(text) or answers.free_text(text, 120)


_REGISTRATION = re.compile(r"\b([A-Z]{2}[0-9?*]{2}\s?[A-Z?*]{0,3})(?![A-Z0-9?*])", re.IGNORECASE)


def vehicles(text: str) -> list[dict[str, str]]:
    """A vehicle and its registration, whole or partial ("FN67", "AB12 C??")."""
    if _NONE_RE.match(answers.normalise(text)) and _short(text):
        return []
    match = _REGISTRATION.search(text)
    registration = match.group(1).upper() if match else NOT_KNOWN
    description = (_REGISTRATION.sub("", text) if match else text).strip(" ,.-") or NOT_KNOWN
    return [{"description": description[:200], "registration": registration}]


def read_vehicles(q: Question, text: str, now: datetime) -> Any:
    if answers.is_not_known(text) and _short(text):
        return []
    return vehicles(text)


def read_step(q: Question, text: str, now: datetime) -> Any:
    result = answers.step_result(text)
    if result is None and len(text.split()) >= 3:
        # "we went round the park and the shops": what they did is the answer.
        result = "done"
    if result is None:
        return None
    note = text.strip()
    return result if not note or note.lower() in ("done", "couldn't", "skip") else \
        f"{result}: {note[:300]}"


READERS: dict[str, Callable[[Question, str, datetime], Any]] = {
    "text": read_text, "name": read_name, "yes_no": read_yes_no, "choice": read_choice,
    "contact": read_contact, "age": read_age, "apparent_age": read_apparent_age,
    "time": read_time, "risks": read_risks, "reference": read_reference,
    "local_authority": read_local_authority, "vehicles": read_vehicles, "step": read_step,
    # A place is read as free text: what matters is kept as the person wrote it.
    "place": read_text,
}


def read(question: Question, text: str, now: datetime) -> Any:
    """The answer to `question` in `text`, or None when there is none."""
    return READERS[question.kind](question, text, now)


def listen(question: Question, text: str, now: datetime) -> Any:
    """An answer to `question` given in passing, read only from unmistakable words."""
    if question.listen_when and not any(
        re.search(p, answers.normalise(text)) for p in question.listen_when
    ):
        return None
    if question.kind == "yes_no":
        cleaned = answers.normalise(text)
        for value, patterns in ((False, question.no_when), (True, question.yes_when)):
            if any(re.search(p, cleaned) for p in patterns):
                return value
        return None
    if question.kind == "age":
        age = answers.age_or_dob(text, now.date())
        if age is None or age.age is None or age.age >= answers.ADULT_AGE:
            return None
        if answers.date_of_birth(text) is None and not re.search(
            r"\b(?:aged?|years?|yrs?|y/?o|(?:she|he|they)(?:'s| is| are|'re))\b",
            answers.normalise(text),
        ):
            return None  # a bare number in passing is not an age
        return age.as_payload()
    if question.kind == "vehicles":
        return vehicles(text) if _REGISTRATION.search(text) else None
    if question.kind == "apparent_age":
        age = answers.age_or_dob(text, now.date())
        return f"about {age.age}" if age is not None and age.age is not None else None
    if question.kind == "time":
        found = find_last_seen(text, now, strict=True)
        return None if found is None or found.in_future else \
            found.when.astimezone(LONDON).isoformat()
    if question.kind == "local_authority":
        return answers.local_authority(text)
    if question.kind == "place":
        return answers.place(text)
    if question.kind == "reference":
        return answers.reference(text)
    value = read(question, text, now)
    return None if value in (None, NOT_KNOWN) else value


# --------------------------------------------------------------------------- read-back


def describe(question: Question | None, value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, dict) and AS_WRITTEN in value:
        return say("questions.read_back.as_written", text=value[AS_WRITTEN])
    if value is True:
        return say("questions.read_back.affirmed")
    if value is False:
        return say("questions.read_back.denied")
    if question is not None and question.options and isinstance(value, str):
        for option in question.options:
            if option.key == value:
                return option.label
    if question is not None and question.kind == "risks" and isinstance(value, dict):
        named = [o.label for o in question.options if value.get(o.key) is True]
        if named:
            return ", ".join(named)
        return say("questions.read_back.none") if all(v is False for v in value.values()) \
            else NOT_KNOWN
    if question is not None and question.kind == "age" and isinstance(value, dict):
        if "date_of_birth" in value:
            born = datetime.fromisoformat(value["date_of_birth"])
            return say("questions.read_back.born", date=born.strftime("%-d %B %Y"))
        return str(value.get("age", NOT_KNOWN))
    if isinstance(value, list):
        return "; ".join(f"{v['description']} ({v['registration']})" for v in value) or \
            say("questions.read_back.none")
    if isinstance(value, dict):
        return ", ".join(str(v) for v in value.values())
    if isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\dT", value):
        return datetime.fromisoformat(value).astimezone(LONDON).strftime("%A %-d %B %Y, %H:%M")
    return str(value)


def read_back(table: Table, slots: dict[str, Any]) -> str:
    return "\n".join(
        f"- {q.label}: {describe(q, slots.get(q.slot))}"
        for q in table.questions if slots.get(q.slot) is not None
    )


def known(value: Any) -> Any:
    """The value for the API: "not known" for a gap or an answer kept as written."""
    if value is None or (isinstance(value, dict) and AS_WRITTEN in value):
        return NOT_KNOWN
    return value


def as_text(value: Any) -> Any:
    """A free-text field for the API: an answer kept as written is still sent."""
    if isinstance(value, dict) and AS_WRITTEN in value:
        return value[AS_WRITTEN]
    return known(value)


# --------------------------------------------------------------------------- the form


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def typed_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def is_button(tracker: Tracker) -> bool:
    """A payload one of our buttons sends ("/affirm"), not words the person typed."""
    text = typed_text(tracker)
    return text.startswith("/") and latest_intent(tracker) in BUTTON_INTENTS


def now_uk() -> datetime:
    return datetime.now(LONDON)


class Questionnaire(OwnTurnFormValidation, ABC):
    """A form's validation action driven by a question table."""

    @property
    @abstractmethod
    def table(self) -> Table:
        """The question table; a subclass sets it as a class attribute."""

    def name(self) -> str:
        return f"validate_{self.table.form}"

    # Hooks for what is each form's own.
    def ended(self, tracker: Tracker) -> list[str] | None:
        """The (filled) slots that end the form early, or None."""
        return None

    def before(self, tracker: Tracker) -> list[str]:
        return []

    def after(self, tracker: Tracker) -> list[str]:
        return []

    def extra_questions(self, tracker: Tracker) -> list[Question]:
        return []

    def special(
        self, requested: str | None, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]] | None:
        """Handle a requested slot the table does not hold (a confirmation); None if not."""
        return None

    def carried_over(self, tracker: Tracker) -> dict[str, Any]:
        return {}

    def questions(self, tracker: Tracker) -> list[Question]:
        return [*self.table.applicable(tracker.slots), *self.extra_questions(tracker)]

    def question(self, slot: str | None, tracker: Tracker) -> Question | None:
        return next((q for q in self.questions(tracker) if q.slot == slot), None)

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot(STOPPED_SLOT) == self.form_name():
            return [STOPPED_SLOT]
        ended = self.ended(tracker)
        if ended is not None:
            return ended
        return [*self.before(tracker), *(q.slot for q in self.questions(tracker)),
                *self.after(tracker)]

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        # Our own extraction only: the SDK's validation would drop the engine's slots,
        # which no form lists as required.
        if tracker.latest_action_name != self.form_name():
            return []
        events = await self.get_extraction_events(dispatcher, tracker, domain)
        if not events:
            return []  # not an answer: the form rejects it and a rule takes the turn
        tracker.add_slots(events)
        required = await self.required_slots([], dispatcher, tracker, domain)
        missing = next((s for s in required if tracker.slots.get(s) is None), None)
        return [*events, SlotSet("requested_slot", missing)]

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        intent = latest_intent(tracker)
        text = typed_text(tracker)
        requested = tracker.get_slot("requested_slot")
        if intent in NOT_AN_ANSWER:
            return []
        events: list[dict[str, Any]] = [
            SlotSet(slot, value) for slot, value in self.carried_over(tracker).items()
        ]
        if not is_button(tracker) and answers.is_stop(text):
            return [*events, SlotSet(STOPPED_SLOT, self.form_name())]
        special = self.special(requested, dispatcher, tracker)
        if special is not None:
            return [*events, *special, *self.heard(requested, tracker, [*events, *special])]
        question = self.question(requested, tracker)
        if question is None:
            # The opening turn: nothing asked yet, but the first message may say a lot.
            return [*events, *self.heard(None, tracker, events),
                    SlotSet(MISSES_SLOT, tracker.get_slot(MISSES_SLOT) or {})]
        answered = [*events, *self.answer(question, dispatcher, tracker)]
        return [*answered, *self.heard(question.slot, tracker, answered)]

    # -- the answer to the question asked

    def answer(
        self, question: Question, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        text = typed_text(tracker)
        prefill = dict(tracker.get_slot(PREFILL_SLOT) or {})
        misses = dict(tracker.get_slot(MISSES_SLOT) or {})
        events: list[dict[str, Any]] = []
        try:
            value = self.value(question, tracker, prefill)
        except AdultError:
            dispatcher.utter_message(text=adult_reply())
            return [SlotSet(STOPPED_SLOT, self.form_name())]
        crisis = is_crisis(question, value, tracker)
        if crisis:
            denied = value is False and set(crisis_kinds(tracker)) <= DENIABLE_CRISES
            if not denied:
                # Danger, abuse or self-harm in an answer: the emergency route first,
                # then the answer is still kept (the form has the turn, so the crisis
                # rule does not run).
                dispatcher.utter_message(text=safety_reply(tracker))
                if question.danger and value in (None, NOT_KNOWN):
                    value = True  # danger described, not denied: it is a yes
                elif question.kind == "step":
                    value = None  # "he texted saying he wants to kill himself" ticks nothing
        prefill.pop(question.slot, None)
        if not crisis and answers.is_question(text) and (
            value is None or question.kind in ("text", "name")
        ):
            # "what is a return interview?" is a question, not a name: answer it, then
            # the same question again.
            self.answer_guidance(dispatcher, tracker)
            return [SlotSet(question.slot, None), SlotSet(PREFILL_SLOT, prefill)]
        if value is None:
            misses[question.slot] = misses.get(question.slot, 0) + 1
            if misses[question.slot] >= 2:
                # Never a third time: keep the words and move on.
                dispatcher.utter_message(
                    text=say("questions.kept_as_written", text=text.strip()[:200]))
                value = {AS_WRITTEN: text.strip()[:500]}
            events.append(SlotSet(MISSES_SLOT, misses))
        if value is not None:
            events.extend(self.follow_ups(question, value, text, tracker, prefill))
        events.extend([SlotSet(question.slot, value), SlotSet(PREFILL_SLOT, prefill)])
        if MISSES_SLOT not in {e["name"] for e in events}:
            events.append(SlotSet(MISSES_SLOT, misses))
        return events

    def value(self, question: Question, tracker: Tracker, prefill: dict[str, Any]) -> Any:
        text = typed_text(tracker)
        intent = latest_intent(tracker)
        if is_button(tracker):
            if question.kind == "step":
                return {"step_done": "done", "step_couldnt": "couldnt", "step_skip": "skipped",
                        "affirm": "done", "deny": "couldnt"}.get(intent or "")
            if intent == "not_known":
                return read(question, "not known", now_uk()) if question.kind != "yes_no" \
                    else NOT_KNOWN
            if question.kind == "yes_no":
                return PAYLOAD_VALUES.get(intent or "")
            if intent == "affirm" and question.slot in prefill:
                return prefill[question.slot]
            return None
        if question.slot in prefill and question.kind != "yes_no":
            reading = answers.yes_no(text)
            if reading.value is True:
                # "yes, that's right" keeps it; "yes, she's 14" is read from the rest.
                if not reading.rest or answers.is_confirmation(reading.rest):
                    return prefill[question.slot]
                found = read(question, reading.rest, now_uk())
                if found in (None, NOT_KNOWN, question.fallback):
                    return prefill[question.slot]
                if question.kind == "text" and isinstance(prefill[question.slot], str):
                    # "yes, and they were drinking" adds to the description heard.
                    return f"{prefill[question.slot]} {found}"
                return found
            if reading.value is False and len(text.split()) <= 2:
                return None  # "no": ask again plainly
        return read(question, text, now_uk())

    def follow_ups(
        self, question: Question, value: Any, text: str, tracker: Tracker,
        prefill: dict[str, Any],
    ) -> list[dict[str, Any]]:
        """Other questions this answer also answers, pre-filled to be confirmed."""
        rest = answers.yes_no(text).rest if question.kind == "yes_no" else text
        for slot in question.follow_ups:
            target = self.table.question(slot)
            if target is None or tracker.get_slot(slot) is not None or not rest:
                continue
            found = listen(target, rest, now_uk())
            if found is not None:
                prefill[slot] = found
        return []

    def heard(
        self, requested: str | None, tracker: Tracker, events: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Answers to other questions said in passing: kept to confirm, not asked cold."""
        text = typed_text(tracker)
        # A crisis told in answer to a question is not read for other answers; the
        # message that opened the form is ("I'm a youth worker and want to refer a 14
        # year old who is being groomed": the role and the age are offered to confirm).
        if not text or is_button(tracker) or (crisis_kinds(tracker) and requested is not None):
            return []
        set_now = {e["name"] for e in events}
        prefill = dict(tracker.get_slot(PREFILL_SLOT) or {})
        for e in events:
            if e["name"] == PREFILL_SLOT:
                prefill = dict(e["value"] or {})
        changed = False
        for question in self.table.questions:
            if (not question.listen or question.slot == requested or question.slot in prefill
                    or question.slot in set_now or tracker.get_slot(question.slot) is not None):
                continue
            found = listen(question, text, now_uk())
            if found is not None:
                prefill[question.slot] = found
                changed = True
        return [SlotSet(PREFILL_SLOT, prefill)] if changed else []

    def answer_guidance(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        # Imported here: the guidance actions load the corpus and its search index.
        from actions.guidance import answer_message, choose, selector_ranking

        who = audience.current(tracker)
        record, _also = choose(typed_text(tracker), who, selector_ranking(tracker.latest_message))
        if record is None:
            dispatcher.utter_message(text=say("questions.dont_know", who))
            return
        message = answer_message(record, who)
        dispatcher.utter_message(text=message["text"])


# Answers a classifier may mistake for a disclosure when they are plainly answers: a
# name, a number, a yes or no. A danger phrase the safety matcher found always counts.
PLAIN_KINDS = {"name", "contact", "age", "apparent_age", "yes_no", "choice", "reference",
               "local_authority", "time", "step"}


def is_crisis(question: Question, value: Any, tracker: Tracker) -> bool:
    if is_button(tracker):
        return False
    if crisis_kinds(tracker):
        return True
    if latest_intent(tracker) != "crisis":
        return False
    if value in (None, NOT_KNOWN):
        return True
    # A short answer ("Acme Fostering", "Hill School") names something; a longer one to
    # a descriptive question ("with older men who give her drugs") may be a disclosure.
    return not (question.kind in PLAIN_KINDS or len(typed_text(tracker).split()) <= 4)


def adult_reply() -> str:
    return say("questions.adult")


# --------------------------------------------------------------------------- asking


def buttons_for(question: Question) -> list[dict[str, str]]:
    if question.buttons:
        return [{"title": title, "payload": payload} for title, payload in question.buttons]
    if question.kind == "yes_no":
        return list(YES_NO_BUTTONS)
    if question.kind == "choice":
        return [{"title": o.label, "payload": o.label} for o in question.options]
    if question.kind == "contact":
        return []
    return [NOT_KNOWN_BUTTON]


def prompt(question: Question, slots: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    """The question once, with what is already known or what kind of answer is wanted."""
    misses = (slots.get(MISSES_SLOT) or {}).get(question.slot, 0)
    prefill = slots.get(PREFILL_SLOT) or {}
    buttons = buttons_for(question)
    if question.slot in prefill:
        heard = describe(question, prefill[question.slot])
        if question.kind == "yes_no":
            return say("questions.heard_yes_no", ask=question.ask, heard=heard), buttons
        if question.kind == "text":
            return (say("questions.heard_text", ask=question.ask, heard=heard),
                    [{"title": say("buttons.yes_right"), "payload": "/affirm"}])
        keep = [{"title": say("buttons.yes_right"), "payload": "/affirm"}]
        return (say("questions.heard", ask=question.ask, heard=heard),
                keep + [b for b in buttons if b != NOT_KNOWN_BUTTON])
    if misses == 1:
        return say("questions.again", hint=hint(question.kind), ask=question.ask), buttons
    return question.ask, buttons


class AskQuestion(Action, ABC):
    """`action_ask_<slot>` for one question of a table."""

    @property
    @abstractmethod
    def slot(self) -> str: ...

    @property
    @abstractmethod
    def table_name(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        question = load_table(self.table_name).question(self.slot)
        assert question is not None, self.slot
        text, buttons = prompt(question, tracker.slots)
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


def ask_actions(
    table: Table, module: str, own: frozenset[str] = frozenset()
) -> dict[str, type[AskQuestion]]:
    """One ask action per question but those the form asks with its ``own`` class. Kept
    in a dict by the caller: the SDK finds actions through __subclasses__(), which holds
    only weak references (so a class made and dropped here could still be found, until
    the garbage collector runs, and take the name of the form's own)."""
    return {
        q.slot: type(f"Ask_{q.slot}", (AskQuestion,),
                     {"slot": q.slot, "table_name": table.name, "__module__": module})
        for q in table.questions if q.slot not in own
    }


def cleared(slots: list[str]) -> list[dict[str, Any]]:
    """Forget every answer, and the engine's own notes on them."""
    return [SlotSet(name, None) for name in [*slots, *ENGINE_SLOTS]]
