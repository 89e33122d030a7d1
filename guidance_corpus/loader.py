"""Load and validate the guidance corpus (documents, contacts and records).

Pure Python 3.10+ and PyYAML; no pydantic, so it can be imported by both the Rasa
(pydantic 1) and API (pydantic 2) runtimes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

CORPUS_DIR = Path(__file__).resolve().parent

# Who the assistant talks to: the one list (the API's routes take the type; the bot's
# domain slot and actions/audience.py are checked against it by tests).
Audience = Literal["carer", "young_person", "licence_holder", "professional"]
AUDIENCES: frozenset[str] = frozenset(get_args(Audience))
TOPICS: frozenset[str] = frozenset(
    {
        "definitions",
        "before_reporting",
        "reporting",
        "looked_after",
        "police",
        "mash",
        "return",
        "out_of_area",
        "recording",
        "contacts",
        "resources",
        "charter",
        "licensing",
        "education",
        "young_people",
        "introduction",
    }
)
DEADLINE_UNITS: frozenset[str] = frozenset({"hours", "days", "working_days", "school_days"})

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SNAKE_ID_RE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
_WORD_RE = re.compile(r"[A-Za-z0-9'’]+")

ANSWER_MIN_WORDS = 40
ANSWER_MAX_WORDS = 180
# Each record names the questions it answers; fewer than this is too few to train on.
MIN_QUESTIONS = 8
MIN_HELDOUT_QUESTIONS = 1


class CorpusError(ValueError):
    """Raised when a corpus file is malformed. The message names file, field and problem."""

    def __init__(self, file: str | Path, field_name: str, problem: str) -> None:
        self.file = str(file)
        self.field = field_name
        self.problem = problem
        super().__init__(f"{self.file}: field '{field_name}': {problem}")


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    publisher: str
    date: str
    seed_file: str
    version: str | None = None
    document_dated: str | None = None
    review_date: str | None = None
    note: str | None = None

    def label(self) -> str:
        """Human-readable label, e.g. 'Title, February 2016 (v0.6)'."""
        text = f"{self.title}, {self.date}"
        if self.version:
            text += f" (v{self.version})"
        return text


@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    audiences: tuple[str, ...]
    description: str
    source_document: str
    source_section: str
    phone: str | None = None
    phone_note: str | None = None
    email: str | None = None
    email_note: str | None = None
    secure_email: str | None = None
    url: str | None = None
    hours: str | None = None
    not_in_seeds: bool = False


@dataclass(frozen=True)
class Deadline:
    unit: str  # hours | days | working_days | school_days
    amount: int
    start: str  # the event the deadline runs from ("from" in YAML)


@dataclass(frozen=True)
class KeyFact:
    text: str
    deadline: Deadline | None = None


@dataclass(frozen=True)
class Record:
    id: str
    title: str
    audiences: tuple[str, ...]
    topic: str
    source_document: str
    source_section: str
    answer: str
    young_person_answer: str | None = None
    key_facts: tuple[KeyFact, ...] = ()
    contacts: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    # Records always offered beside this one: the same moment told by another document
    # (the social worker's steps on a return, and the 2015 report's visit within 3 days).
    shown_with: tuple[str, ...] = ()
    # People's own questions this record answers: trained on and indexed...
    questions: tuple[str, ...] = ()
    # ...and ones kept back, never trained on or indexed, to measure record choice.
    heldout_questions: tuple[str, ...] = ()
    path: str = ""

    def answer_for(self, audience: str | None) -> str:
        """The answer text suited to ``audience`` (young people get the plain version)."""
        if audience == "young_person" and self.young_person_answer:
            return self.young_person_answer
        return self.answer


@dataclass(frozen=True)
class Corpus:
    records: dict[str, Record]
    contacts: dict[str, Contact]
    documents: dict[str, Document]
    root: Path = field(default=CORPUS_DIR)

    def citation(self, record_id: str) -> str:
        """E.g. "From: <document title>, February 2016 (v0.6), section 'Independent ...'"."""
        # Not in bot/copy: "From: " is also the marker the web chat reads to show a line as
        # the citation (api/static), so rewording it would break the page.
        record = self.records[record_id]
        doc = self.documents[record.source_document]
        return f"From: {doc.label()}, section '{record.source_section}'"

    def contacts_for(self, record_id: str) -> list[Contact]:
        return [self.contacts[c] for c in self.records[record_id].contacts]

    def deadline(self, record_id: str, unit: str, start: str) -> Deadline:
        """The one deadline in ``unit`` from ``start`` that the record states, for code that
        acts on it (missing_clock, the API's triage): the number is written only there."""
        record = self.records.get(record_id)
        if record is None:
            raise CorpusError(self.root / "records", record_id, "record is missing")
        matches = [
            f.deadline
            for f in record.key_facts
            if f.deadline is not None and f.deadline.unit == unit and f.deadline.start == start
        ]
        if len(matches) != 1:
            raise CorpusError(
                record.path, "key_facts",
                f"{len(matches)} deadlines in {unit} from {start!r} (expected exactly 1)",
            )  # fmt: skip
        return matches[0]


# --------------------------------------------------------------------------- helpers


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        raise CorpusError(path, "<yaml>", f"invalid YAML: {exc}") from exc
    except OSError as exc:
        raise CorpusError(path, "<file>", f"cannot read file: {exc}") from exc


def _check_keys(
    path: Path, data: dict[str, Any], required: set[str], optional: set[str], where: str = ""
) -> None:
    prefix = f"{where}." if where else ""
    for key in data:
        if key not in required | optional:
            raise CorpusError(path, f"{prefix}{key}", "unknown field")
    for key in sorted(required):
        if key not in data or data[key] is None:
            raise CorpusError(path, f"{prefix}{key}", "missing required field")


def _str(path: Path, name: str, value: Any, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise CorpusError(path, name, f"expected a string, got {type(value).__name__}")
    if not allow_empty and not value.strip():
        raise CorpusError(path, name, "must not be empty")
    return value


def _opt_str(path: Path, name: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return _str(path, name, value)


def _str_list(path: Path, name: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise CorpusError(path, name, f"expected a list, got {type(value).__name__}")
    out: list[str] = []
    for i, item in enumerate(value):
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)
        out.append(_str(path, f"{name}[{i}]", item))
    return tuple(out)


def _audiences(path: Path, name: str, value: Any) -> tuple[str, ...]:
    items = _str_list(path, name, value)
    if not items:
        raise CorpusError(path, name, "must be a non-empty list")
    for item in items:
        if item not in AUDIENCES:
            raise CorpusError(
                path, name, f"bad audience '{item}' (allowed: {', '.join(sorted(AUDIENCES))})"
            )
    if len(set(items)) != len(items):
        raise CorpusError(path, name, "duplicate audience")
    return items


def _source(path: Path, name: str, value: Any, documents: dict[str, Document]) -> tuple[str, str]:
    if not isinstance(value, dict):
        raise CorpusError(path, name, "expected a mapping with 'document' and 'section'")
    _check_keys(path, value, {"document", "section"}, set(), name)
    doc = _str(path, f"{name}.document", value["document"])
    section = _str(path, f"{name}.section", value["section"])
    if doc not in documents:
        raise CorpusError(path, f"{name}.document", f"unknown document id '{doc}'")
    return doc, section


def _word_count(text: str) -> int:
    return len(_WORD_RE.findall(text))


# --------------------------------------------------------------------------- loaders


def _load_documents(path: Path) -> dict[str, Document]:
    data = _read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
        raise CorpusError(path, "documents", "expected a top-level 'documents' list")
    docs: dict[str, Document] = {}
    required = {"id", "title", "publisher", "date", "seed_file"}
    optional = {"version", "document_dated", "review_date", "note"}
    for i, raw in enumerate(data["documents"]):
        where = f"documents[{i}]"
        if not isinstance(raw, dict):
            raise CorpusError(path, where, "expected a mapping")
        _check_keys(path, raw, required, optional, where)
        doc_id = _str(path, f"{where}.id", raw["id"])
        if not _SNAKE_ID_RE.match(doc_id):
            raise CorpusError(path, f"{where}.id", f"'{doc_id}' is not snake_case")
        if doc_id in docs:
            raise CorpusError(path, f"{where}.id", f"duplicate document id '{doc_id}'")
        docs[doc_id] = Document(
            id=doc_id,
            title=_str(path, f"{where}.title", raw["title"]),
            publisher=_str(path, f"{where}.publisher", raw["publisher"]),
            date=_str(path, f"{where}.date", str(raw["date"])),
            seed_file=_str(path, f"{where}.seed_file", raw["seed_file"]),
            version=_opt_str(path, f"{where}.version", raw.get("version")),
            document_dated=_opt_str(path, f"{where}.document_dated", raw.get("document_dated")),
            review_date=_opt_str(path, f"{where}.review_date", raw.get("review_date")),
            note=_opt_str(path, f"{where}.note", raw.get("note")),
        )
    return docs


def _load_contacts(path: Path, documents: dict[str, Document]) -> dict[str, Contact]:
    data = _read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("contacts"), list):
        raise CorpusError(path, "contacts", "expected a top-level 'contacts' list")
    contacts: dict[str, Contact] = {}
    required = {"id", "name", "audiences", "description", "source"}
    optional = {
        "phone",
        "phone_note",
        "email",
        "email_note",
        "secure_email",
        "url",
        "hours",
        "not_in_seeds",
    }
    for i, raw in enumerate(data["contacts"]):
        where = f"contacts[{i}]"
        if not isinstance(raw, dict):
            raise CorpusError(path, where, "expected a mapping")
        _check_keys(path, raw, required, optional, where)
        cid = _str(path, f"{where}.id", raw["id"])
        if not _SNAKE_ID_RE.match(cid):
            raise CorpusError(path, f"{where}.id", f"'{cid}' is not snake_case")
        if cid in contacts:
            raise CorpusError(path, f"{where}.id", f"duplicate contact id '{cid}'")
        doc, section = _source(path, f"{where}.source", raw["source"], documents)
        not_in_seeds = raw.get("not_in_seeds", False)
        if not isinstance(not_in_seeds, bool):
            raise CorpusError(path, f"{where}.not_in_seeds", "expected true or false")
        if not any(raw.get(k) for k in ("phone", "email", "secure_email", "url")):
            raise CorpusError(path, where, "a contact needs a phone, email or url")
        contacts[cid] = Contact(
            id=cid,
            name=_str(path, f"{where}.name", raw["name"]),
            audiences=_audiences(path, f"{where}.audiences", raw["audiences"]),
            description=_str(path, f"{where}.description", raw["description"]),
            source_document=doc,
            source_section=section,
            phone=_opt_str(path, f"{where}.phone", raw.get("phone")),
            phone_note=_opt_str(path, f"{where}.phone_note", raw.get("phone_note")),
            email=_opt_str(path, f"{where}.email", raw.get("email")),
            email_note=_opt_str(path, f"{where}.email_note", raw.get("email_note")),
            secure_email=_opt_str(path, f"{where}.secure_email", raw.get("secure_email")),
            url=_opt_str(path, f"{where}.url", raw.get("url")),
            hours=_opt_str(path, f"{where}.hours", raw.get("hours")),
            not_in_seeds=not_in_seeds,
        )
    return contacts


_RECORD_REQUIRED = {
    "id", "title", "audiences", "topic", "source", "answer", "questions", "heldout_questions"
}
_RECORD_OPTIONAL = {
    "young_person_answer", "key_facts", "contacts", "keywords", "related", "shown_with"
}


def _questions(path: Path, name: str, value: Any, minimum: int) -> tuple[str, ...]:
    items = tuple(" ".join(q.split()) for q in _str_list(path, name, value))
    if len(items) < minimum:
        raise CorpusError(path, name, f"has {len(items)} questions (expected at least {minimum})")
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.lower() in seen:
            raise CorpusError(path, f"{name}[{i}]", f"duplicate question '{item}'")
        seen.add(item.lower())
    return items


def _key_facts(path: Path, value: Any) -> tuple[KeyFact, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise CorpusError(path, "key_facts", f"expected a list, got {type(value).__name__}")
    facts: list[KeyFact] = []
    for i, raw in enumerate(value):
        where = f"key_facts[{i}]"
        if not isinstance(raw, dict):
            raise CorpusError(path, where, "expected a mapping with 'text'")
        _check_keys(path, raw, {"text"}, {"deadline"}, where)
        text = _str(path, f"{where}.text", raw["text"])
        deadline = None
        if raw.get("deadline") is not None:
            dl = raw["deadline"]
            dwhere = f"{where}.deadline"
            if not isinstance(dl, dict):
                raise CorpusError(path, dwhere, "expected a mapping like {hours: 72, from: return}")
            units = [k for k in dl if k in DEADLINE_UNITS]
            for key in dl:
                if key not in DEADLINE_UNITS | {"from"}:
                    raise CorpusError(path, f"{dwhere}.{key}", "unknown field")
            if len(units) != 1:
                raise CorpusError(
                    path, dwhere, f"needs exactly one of {', '.join(sorted(DEADLINE_UNITS))}"
                )
            amount = dl[units[0]]
            if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
                raise CorpusError(path, f"{dwhere}.{units[0]}", "expected a positive integer")
            if "from" not in dl:
                raise CorpusError(path, f"{dwhere}.from", "missing required field")
            start = _str(path, f"{dwhere}.from", dl["from"])
            deadline = Deadline(unit=units[0], amount=amount, start=start)
        facts.append(KeyFact(text=text, deadline=deadline))
    return tuple(facts)


def _load_record(path: Path, documents: dict[str, Document]) -> Record:
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise CorpusError(path, "<root>", "expected a mapping")
    _check_keys(path, raw, _RECORD_REQUIRED, _RECORD_OPTIONAL)
    rid = _str(path, "id", raw["id"])
    if not _ID_RE.match(rid):
        raise CorpusError(path, "id", f"'{rid}' is not kebab-case")
    if rid != path.stem:
        raise CorpusError(path, "id", f"id '{rid}' does not match file name '{path.stem}'")
    audiences = _audiences(path, "audiences", raw["audiences"])
    topic = _str(path, "topic", raw["topic"])
    if topic not in TOPICS:
        raise CorpusError(path, "topic", f"unknown topic '{topic}'")
    doc, section = _source(path, "source", raw["source"], documents)
    answer = _str(path, "answer", raw["answer"]).strip()
    words = _word_count(answer)
    if not ANSWER_MIN_WORDS <= words <= ANSWER_MAX_WORDS:
        raise CorpusError(
            path,
            "answer",
            f"has {words} words (expected {ANSWER_MIN_WORDS}-{ANSWER_MAX_WORDS})",
        )
    yp_answer = raw.get("young_person_answer")
    if yp_answer is not None:
        yp_answer = _str(path, "young_person_answer", yp_answer).strip()
    if "young_person" in audiences and not yp_answer:
        raise CorpusError(
            path, "young_person_answer", "required when audiences includes young_person"
        )
    return Record(
        id=rid,
        title=_str(path, "title", raw["title"]),
        audiences=audiences,
        topic=topic,
        source_document=doc,
        source_section=section,
        answer=answer,
        young_person_answer=yp_answer,
        key_facts=_key_facts(path, raw.get("key_facts")),
        contacts=_str_list(path, "contacts", raw.get("contacts")),
        keywords=_str_list(path, "keywords", raw.get("keywords")),
        related=_str_list(path, "related", raw.get("related")),
        shown_with=_str_list(path, "shown_with", raw.get("shown_with")),
        questions=_questions(path, "questions", raw["questions"], MIN_QUESTIONS),
        heldout_questions=_questions(
            path, "heldout_questions", raw["heldout_questions"], MIN_HELDOUT_QUESTIONS
        ),
        path=str(path),
    )


def _check_questions_unique(records: dict[str, Record]) -> None:
    """A question may name one record only, and a held-out one is never also trained on."""
    owner: dict[str, tuple[str, str, int]] = {}
    for record in records.values():
        for name, items in (("questions", record.questions),
                            ("heldout_questions", record.heldout_questions)):
            for i, item in enumerate(items):
                key = item.lower()
                if key in owner:
                    other, other_field, j = owner[key]
                    # A held-out question's text is never shown: whoever is writing
                    # questions must not learn the measuring set from an error.
                    shown = "it" if "heldout_questions" in (name, other_field) else f"'{item}'"
                    raise CorpusError(
                        record.path, f"{name}[{i}]",
                        f"{shown} is already in {other} ({other_field}[{j}])",
                    )
                owner[key] = (record.id, name, i)


def load_corpus_uncached(path: str | Path | None = None) -> Corpus:
    """Load and validate the corpus under ``path`` (default: this package directory)."""
    root = Path(path) if path is not None else CORPUS_DIR
    documents = _load_documents(root / "documents.yml")
    contacts = _load_contacts(root / "contacts.yml", documents)
    records: dict[str, Record] = {}
    record_files = sorted((root / "records").glob("*.yml"))
    if not record_files:
        raise CorpusError(root / "records", "<dir>", "no record files found")
    for file in record_files:
        record = _load_record(file, documents)
        if record.id in records:
            raise CorpusError(file, "id", f"duplicate id '{record.id}'")
        records[record.id] = record
    _check_questions_unique(records)
    for record in records.values():
        file = Path(record.path)
        for i, cid in enumerate(record.contacts):
            if cid not in contacts:
                raise CorpusError(file, f"contacts[{i}]", f"unknown contact id '{cid}'")
        for name in ("related", "shown_with"):
            for i, rel in enumerate(getattr(record, name)):
                if rel not in records:
                    raise CorpusError(file, f"{name}[{i}]", f"unknown record id '{rel}'")
                if rel == record.id:
                    raise CorpusError(file, f"{name}[{i}]", "a record cannot name itself")
    return Corpus(records=records, contacts=contacts, documents=documents, root=root)


@lru_cache(maxsize=8)
def _load_cached(root: str) -> Corpus:
    return load_corpus_uncached(root)


def load_corpus(path: str | Path | None = None) -> Corpus:
    """Load the corpus (cached per resolved directory). Raises :class:`CorpusError`."""
    root = Path(path) if path is not None else CORPUS_DIR
    return _load_cached(str(root.resolve()))
