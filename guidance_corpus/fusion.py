"""Choose the record that answers a question: the ResponseSelector's ranking fused with BM25.

The selector (trained on each record's `questions:`) knows how people ask; BM25 knows the
words of the records themselves, and still works for a record whose questions miss a
phrasing. Each gives a 0-1 score per record; the fused score is a weighted sum. The
weights were chosen on the records' held-out questions (see tests/rasa_runtime).
"""

from __future__ import annotations

from dataclasses import dataclass

from guidance_corpus.loader import Corpus
from guidance_corpus.retrieval import AUDIENCE_PENALTY, Hit

#: Weight of the BM25 score (divided by the best BM25 score) beside the selector's confidence.
BM25_WEIGHT = 0.5
#: Below this fused score, nothing is close enough to answer from.
ANSWER_THRESHOLD = 0.45
#: A runner-up this close to the best is offered beside it (a button), not hidden.
CLOSE_RATIO = 0.8


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


def best_and_close(ranked: list[Choice]) -> tuple[Choice | None, list[Choice]]:
    """The answer (if any is good enough) and the runners-up close enough to offer."""
    if not ranked or ranked[0].score < ANSWER_THRESHOLD:
        return None, []
    best = ranked[0]
    close = [c for c in ranked[1:3] if c.score >= CLOSE_RATIO * best.score]
    return best, close
