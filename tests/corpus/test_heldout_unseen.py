"""The records' held-out questions stay unseen: no trained question is a near-copy of one.

The loader already refuses a held-out question that is also in `questions:` word for word.
A trained question that differs only in a word or its order ("priority red triage
category" / "red category triage priority") measures the same thing, so the held-out
figure in tests/rasa_runtime/test_record_choice.py would count a question the model was
taught. Similarity is the cosine of tf-idf weighted character 3-5-grams of each word
(as scikit-learn's `char_wb` analyser builds them; scikit-learn is not in this
environment), which is high for reworded copies and low for questions that merely share
a subject.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from guidance_corpus.loader import load_corpus

#: At or above this, a trained question is a reworded copy of a held-out one. On the corpus
#: of 6 December 2026 the reworded copies then removed scored 0.85-1.00. Just below stay
#: the common short ways of asking for the same contact ("MASH contact details", "what is
#: the runaway helpline number": 0.83-0.84), which the assistant must keep learning.
NEAR_COPY = 0.85

_NOT_WORD = re.compile(r"[^a-z0-9 ]+")


def _grams(text: str) -> Counter[str]:
    grams: Counter[str] = Counter()
    for word in _NOT_WORD.sub(" ", text.lower()).split():
        padded = f" {word} "
        for n in range(3, 6):
            grams.update(padded[i : i + n] for i in range(max(len(padded) - n + 1, 1)))
    return grams


def _vectors(texts: list[str]) -> list[dict[str, float]]:
    counts = [_grams(text) for text in texts]
    df = Counter(gram for count in counts for gram in count)
    idf = {gram: math.log((1 + len(texts)) / (1 + n)) + 1 for gram, n in df.items()}
    vectors = []
    for count in counts:
        vector = {gram: (1 + math.log(tf)) * idf[gram] for gram, tf in count.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        vectors.append({gram: v / norm for gram, v in vector.items()})
    return vectors


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    small, large = (a, b) if len(a) < len(b) else (b, a)
    return sum(v * large.get(gram, 0.0) for gram, v in small.items())


def near_copies(threshold: float = NEAR_COPY) -> list[tuple[str, str, str, float]]:
    """(record, held-out question, trained question, similarity) at or above threshold."""
    records = list(load_corpus().records.values())
    texts = [q for r in records for q in (*r.questions, *r.heldout_questions)]
    vectors = dict(zip(texts, _vectors(texts), strict=True))
    found = []
    for record in records:
        for held in record.heldout_questions:
            for trained in record.questions:
                similarity = _cosine(vectors[held], vectors[trained])
                if similarity >= threshold:
                    found.append((record.id, held, trained, round(similarity, 2)))
    return found


def test_no_trained_question_is_a_near_copy_of_a_held_out_one() -> None:
    # The held-out text is not printed, so whoever fixes this does not learn the
    # measuring set from the failure; the record and the trained question are enough.
    found = [(record, trained, similarity) for record, _, trained, similarity in near_copies()]
    assert not found, found


def test_the_measure_finds_a_reworded_copy_and_passes_a_different_question() -> None:
    vectors = _vectors(["priority red triage category", "red category triage priority",
                        "secure email for CASS", "secure email for MASH", "what is a MASE"])
    assert _cosine(vectors[0], vectors[1]) > 0.99
    assert _cosine(vectors[2], vectors[3]) < NEAR_COPY
    assert _cosine(vectors[0], vectors[4]) < 0.1
