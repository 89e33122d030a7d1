"""The real corpus loads, and malformed records are rejected with file and field named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from guidance_corpus.loader import (
    AUDIENCES,
    TOPICS,
    CorpusError,
    load_corpus,
    load_corpus_uncached,
)

CORPUS_DIR = Path(__file__).resolve().parents[2] / "guidance_corpus"

GOOD_RECORD = {
    "id": "sample-record",
    "title": "Sample record",
    "audiences": ["carer"],
    "topic": "return",
    "source": {"document": "practice_guidance", "section": "Independent Return Interview"},
    "answer": " ".join(["Return interviews should take place within 72 hours."] * 6),
    "key_facts": [{"text": "Within 72 hours.", "deadline": {"hours": 72, "from": "return"}}],
    "contacts": ["mash"],
    "keywords": ["RHI"],
    "related": [],
    "questions": [f"sample question {i} about the sample record" for i in range(8)],
    "heldout_questions": ["a held-out sample question"],
}


def test_real_corpus_loads() -> None:
    corpus = load_corpus()
    assert 60 <= len(corpus.records) <= 120
    assert {"practice_guidance", "runaways_charter", "licence_letter", "cme_procedure"} <= set(
        corpus.documents
    )
    assert "police_emergency" in corpus.contacts
    for record in corpus.records.values():
        assert set(record.audiences) <= AUDIENCES
        assert record.topic in TOPICS
        assert record.source_document in corpus.documents
        if "young_person" in record.audiences:
            assert record.young_person_answer


def test_load_corpus_is_cached() -> None:
    assert load_corpus() is load_corpus()


def test_citation_format() -> None:
    corpus = load_corpus()
    citation = corpus.citation("return-interview")
    assert citation.startswith("From: Missing from Home or Care")
    assert "February 2016" in citation
    assert "(v0.6)" in citation
    assert "section 'Independent Return Interview'" in citation


def test_every_topic_used_is_valid_and_core_topics_present() -> None:
    topics = {r.topic for r in load_corpus().records.values()}
    for needed in ("definitions", "looked_after", "return", "licensing", "education", "charter"):
        assert needed in topics


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "records").mkdir(parents=True)
    shutil.copy(CORPUS_DIR / "documents.yml", root / "documents.yml")
    shutil.copy(CORPUS_DIR / "contacts.yml", root / "contacts.yml")
    return root


def _write(root: Path, record: dict, name: str | None = None) -> Path:
    path = root / "records" / f"{name or record['id']}.yml"
    path.write_text(yaml.safe_dump(record, sort_keys=False), encoding="utf-8")
    return path


def test_good_sample_record_loads(corpus_copy: Path) -> None:
    _write(corpus_copy, GOOD_RECORD)
    corpus = load_corpus_uncached(corpus_copy)
    assert list(corpus.records) == ["sample-record"]
    assert corpus.records["sample-record"].key_facts[0].deadline.amount == 72


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"colour": "blue"}, "colour", "unknown field"),
        ({"answer": None}, "answer", "missing"),
        ({"audiences": "carer"}, "audiences", "expected a list"),
        ({"audiences": ["carer", "parent"]}, "audiences", "bad audience 'parent'"),
        ({"audiences": []}, "audiences", "non-empty"),
        ({"topic": "weather"}, "topic", "unknown topic"),
        ({"title": 42}, "title", "expected a string"),
        ({"source": {"document": "nope", "section": "X"}}, "source.document", "unknown document"),
        ({"source": {"document": "practice_guidance"}}, "source.section", "missing"),
        ({"contacts": ["pizza_hut"]}, "contacts[0]", "unknown contact"),
        ({"related": ["no-such-record"]}, "related[0]", "unknown record"),
        ({"shown_with": ["no-such-record"]}, "shown_with[0]", "unknown record"),
        ({"audiences": ["young_person"]}, "young_person_answer", "required"),
        ({"answer": "Too short."}, "answer", "words"),
        (
            {"key_facts": [{"text": "x", "deadline": {"hours": "72", "from": "r"}}]},
            "key_facts[0].deadline.hours",
            "positive integer",
        ),
        ({"key_facts": [{"txt": "x"}]}, "key_facts[0].txt", "unknown field"),
        ({"keywords": "RHI"}, "keywords", "expected a list"),
        ({"questions": ["only one question"]}, "questions", "at least 8"),
        ({"heldout_questions": None}, "heldout_questions", "missing"),
        (
            {"questions": ["same question"] * 8},
            "questions[1]",
            "duplicate question",
        ),
        # A held-out question that is also trained on would measure nothing.
        (
            {"heldout_questions": ["sample question 3 about the sample record"]},
            "heldout_questions[0]",
            "already in sample-record",
        ),
    ],
)
def test_malformed_record_rejected(
    corpus_copy: Path, change: dict, field: str, problem: str
) -> None:
    record = {**GOOD_RECORD, **change}
    record = {k: v for k, v in record.items() if v is not None}
    path = _write(corpus_copy, record)
    with pytest.raises(CorpusError) as excinfo:
        load_corpus_uncached(corpus_copy)
    message = str(excinfo.value)
    assert path.name in message
    assert f"'{field}'" in message
    assert problem in message


def test_id_must_match_file_name(corpus_copy: Path) -> None:
    path = _write(corpus_copy, GOOD_RECORD, name="other-name")
    with pytest.raises(CorpusError) as excinfo:
        load_corpus_uncached(corpus_copy)
    assert path.name in str(excinfo.value)
    assert "'id'" in str(excinfo.value)
    assert "does not match file name" in str(excinfo.value)


def test_invalid_yaml_rejected(corpus_copy: Path) -> None:
    path = corpus_copy / "records" / "broken.yml"
    path.write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(CorpusError) as excinfo:
        load_corpus_uncached(corpus_copy)
    assert "broken.yml" in str(excinfo.value)


def test_duplicate_contact_id_rejected(corpus_copy: Path) -> None:
    contacts_path = corpus_copy / "contacts.yml"
    data = yaml.safe_load(contacts_path.read_text(encoding="utf-8"))
    data["contacts"].append(dict(data["contacts"][0]))
    contacts_path.write_text(yaml.safe_dump(data), encoding="utf-8")
    _write(corpus_copy, GOOD_RECORD)
    with pytest.raises(CorpusError) as excinfo:
        load_corpus_uncached(corpus_copy)
    assert "contacts.yml" in str(excinfo.value)
    assert "duplicate contact id" in str(excinfo.value)


def test_duplicate_record_id_rejected(corpus_copy: Path) -> None:
    # Same id in two files: the loader must refuse (reported as a mismatch or duplicate).
    _write(corpus_copy, GOOD_RECORD)
    _write(corpus_copy, GOOD_RECORD, name="sample-record-copy")
    with pytest.raises(CorpusError) as excinfo:
        load_corpus_uncached(corpus_copy)
    assert "sample-record-copy.yml" in str(excinfo.value)


def test_a_question_names_one_record_only(corpus_copy: Path) -> None:
    _write(corpus_copy, GOOD_RECORD)
    other = {**GOOD_RECORD, "id": "sample-two", "heldout_questions": ["another held-out one"]}
    path = _write(corpus_copy, other)
    with pytest.raises(CorpusError) as excinfo:
        load_corpus_uncached(corpus_copy)
    assert path.name in str(excinfo.value)
    assert "'questions[0]'" in str(excinfo.value)
    assert "already in sample-record (questions[0])" in str(excinfo.value)


def test_a_clash_with_a_held_out_question_does_not_show_its_text(corpus_copy: Path) -> None:
    _write(corpus_copy, GOOD_RECORD)
    held_out = GOOD_RECORD["heldout_questions"][0]
    other = {**GOOD_RECORD, "id": "sample-two", "heldout_questions": ["another held-out one"],
             "questions": [held_out, *GOOD_RECORD["questions"][1:]]}
    _write(corpus_copy, other)
    with pytest.raises(CorpusError) as excinfo:
        load_corpus_uncached(corpus_copy)
    assert "already in sample-record (heldout_questions[0])" in str(excinfo.value)
    assert held_out.lower() not in str(excinfo.value).lower()
