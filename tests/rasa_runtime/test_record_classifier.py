"""The record classifier voice of record choice (actions/record_classifier.py)."""

from __future__ import annotations

from actions.record_classifier import (
    RecordClassifier,
    classifier_scores,
    default_classifier,
)
from guidance_corpus.loader import load_corpus


def best(scores: dict[str, float]) -> str:
    return max(scores, key=lambda rid: scores[rid])


def test_scores_cover_every_record_and_sum_to_one() -> None:
    scores = classifier_scores("who do I tell when my foster child goes missing")
    assert set(scores) == set(load_corpus().records)
    assert abs(sum(scores.values()) - 1.0) < 1e-6
    assert all(0.0 <= s <= 1.0 for s in scores.values())


def test_a_trained_question_with_typos_finds_its_record() -> None:
    corpus = load_corpus()
    question = corpus.records["police-missing-debrief"].questions[0]
    mangled = question.replace("debrief", "debreif").replace("police", "polce")
    assert best(classifier_scores(mangled)) == "police-missing-debrief"


def test_fitting_twice_gives_the_same_scores() -> None:
    # Fitted when the action server starts: two replicas must rank alike.
    again = RecordClassifier(load_corpus())
    text = "how long until the return interview"
    assert again.scores(text) == default_classifier().scores(text)


def test_held_out_questions_place_mostly_right_on_their_own() -> None:
    # Never trained on: the classifier alone measured 0.82 top-1 (2 December 2026).
    corpus = load_corpus()
    rows = [(q, r.id) for r in corpus.records.values() for q in r.heldout_questions]
    right = sum(best(classifier_scores(q)) == want for q, want in rows)
    assert right / len(rows) >= 0.78, f"{right}/{len(rows)}"


def test_text_with_nothing_in_it_scores_nothing() -> None:
    assert classifier_scores("   ") == {}
