"""Choose the record that answers a question: the ResponseSelector's ranking fused with BM25.

The selector (trained on each record's `questions:`) knows how people ask; BM25 knows the
words of the records themselves, and still works for a record whose questions miss a
phrasing. Each gives a 0-1 score per record; the fused score is a weighted sum. The
weights were chosen on the records' held-out questions (see tests/rasa_runtime).
"""

from __future__ import annotations

from dataclasses import dataclass

from guidance_corpus.loader import Corpus
from guidance_corpus.retrieval import AUDIENCE_PENALTY, CONFIDENCE_THRESHOLD, Hit, is_confident

#: Weight of the BM25 score (divided by the best BM25 score) beside the selector's
#: confidence. Measured on the 206 held-out questions (tools/record_eval.py, model of
#: 1 December 2026): top-1 0.45 selector alone, 0.67 BM25 alone, fused 0.66 / 0.66 / 0.68
#: at weights 0.5 / 1.0 / 1.5 (top-3 0.85-0.86).
BM25_WEIGHT = 1.5
#: A message the classifier did not place (nlu_fallback) is answered only when BM25 is
#: confident of its best record (retrieval.is_confident) or the selector is this sure.
SELECTOR_SURE = 0.5
#: A message classified as a guidance question is answered unless neither half has any
#: real signal: no BM25 hit and the selector's best below this.
SELECTOR_ANY = 0.2
#: A question the classifier could not place is answered from BM25 at this lower bar.
QUESTION_CONFIDENCE = 0.2
#: A runner-up this close to the best is shown beside it, not hidden...
CLOSE_RATIO = 0.8
#: ...and when the question compares two things ("absent vs missing"), one this close.
COMPARE_RATIO = 0.5


@dataclass(frozen=True)
class Choice:
    record_id: str
    score: float


def fuse(
    corpus: Corpus,
    selector: dict[str, float],
    hits: list[Hit],
    audience: str | None = None,
) -> list[Choice]:
    """Records ranked by fused score, best first (ties broken by id, so it is stable)."""
    top_bm25 = max((h.score for h in hits), default=0.0)
    fused: dict[str, float] = {rid: conf for rid, conf in selector.items() if rid in corpus.records}
    for hit in hits:
        if top_bm25 > 0:
            fused[hit.record_id] = fused.get(hit.record_id, 0.0) + BM25_WEIGHT * (
                hit.score / top_bm25
            ) * hit.confidence ** 0.5
    if audience is not None:
        for rid in fused:
            if audience not in corpus.records[rid].audiences:
                fused[rid] *= AUDIENCE_PENALTY
    ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))
    return [Choice(rid, round(score, 6)) for rid, score in ranked]


def answerable(
    selector: dict[str, float], hits: list[Hit], asked: bool, question: bool = False
) -> bool:
    """Whether anything is close enough to answer from, rather than guess. ``asked``:
    the intent classifier already placed the message as a guidance question;
    ``question``: it reads as a question even though the classifier did not place it."""
    best_selector = max(selector.values(), default=0.0)
    if asked:
        return bool(hits) or best_selector >= SELECTOR_ANY
    threshold = QUESTION_CONFIDENCE if question else CONFIDENCE_THRESHOLD
    return bool(hits and is_confident(hits[0], threshold)) or best_selector >= SELECTOR_SURE


def best_and_close(
    ranked: list[Choice], compares: bool = False
) -> tuple[Choice | None, list[Choice]]:
    """The answer and the runners-up close enough to offer beside it."""
    if not ranked:
        return None, []
    best = ranked[0]
    ratio = COMPARE_RATIO if compares else CLOSE_RATIO
    close = [c for c in ranked[1:3] if c.score >= ratio * best.score]
    return best, close
