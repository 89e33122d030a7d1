"""Young people's answers must be plain: Flesch reading ease >= 60."""

from __future__ import annotations

import re

import pytest

from guidance_corpus.loader import load_corpus

MIN_FLESCH = 60.0

_WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’@./-]*")
_SENTENCE_END_RE = re.compile(r"[.!?]+(?=\s|$)|\n+")


def count_syllables(word: str) -> int:
    """Heuristic English syllable count (vowel groups, silent e, minimum one)."""
    if any(ch.isdigit() for ch in word):
        return 2  # numbers such as "999" or "0800 1111" read as a short spoken unit
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return 1
    groups = re.findall(r"[aeiouy]+", w)
    count = len(groups)
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    if w.endswith("ed") and not w.endswith(("ted", "ded")) and count > 1:
        count -= 1
    return max(1, count)


def flesch_reading_ease(text: str) -> float:
    sentences = [s for s in _SENTENCE_END_RE.split(text) if s and s.strip()]
    words = _WORD_RE.findall(text)
    if not words or not sentences:
        return 0.0
    syllables = sum(count_syllables(w) for w in words)
    return 206.835 - 1.015 * (len(words) / len(sentences)) - 84.6 * (syllables / len(words))


def test_syllable_counter_sanity() -> None:
    assert count_syllables("cat") == 1
    assert count_syllables("safe") == 1
    assert count_syllables("people") == 2
    assert count_syllables("interview") == 3
    assert count_syllables("exploitation") == 4


def test_formula_on_known_texts() -> None:
    assert flesch_reading_ease("The cat sat on the mat. It was warm.") > 90
    hard = (
        "Multi-agency safeguarding arrangements necessitate comprehensive interdisciplinary "
        "communication regarding exploitation vulnerabilities."
    )
    assert flesch_reading_ease(hard) < 30


_RECORDS = sorted(
    (r for r in load_corpus().records.values() if r.young_person_answer),
    key=lambda r: r.id,
)


def test_young_person_answers_exist() -> None:
    assert len(_RECORDS) >= 10


@pytest.mark.parametrize("record", _RECORDS, ids=[r.id for r in _RECORDS])
def test_young_person_answer_is_readable(record) -> None:
    score = flesch_reading_ease(record.young_person_answer)
    assert score >= MIN_FLESCH, f"{record.id}: Flesch {score:.1f} < {MIN_FLESCH}"


# A time limit in hours or days ("within 72 hours", "5 working days").
_TIME_LIMIT_RE = re.compile(r"\b\d+ (?:working )?(?:hours|days)\b")


@pytest.mark.parametrize(
    "record",
    [r for r in load_corpus().records.values() if r.young_person_answer],
    ids=lambda r: r.id,
)
def test_young_person_answer_keeps_the_time_limits(record) -> None:
    """Plainer, not thinner: a young person is told the same time limits as an adult
    (yp-reported-missing once dropped the 72 hours before a return interview)."""
    missing = set(_TIME_LIMIT_RE.findall(record.answer)) - set(
        _TIME_LIMIT_RE.findall(record.young_person_answer)
    )
    assert not missing, f"{record.id}: young_person_answer drops {sorted(missing)}"
