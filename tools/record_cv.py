"""Choose the fusion weights by cross-validation, not on the held-out questions.

Usage: .venv-rasa/bin/python -m tools.record_cv [--folds 5]

The questions after each record's first TRAINED_PER_RECORD are never the selector's
(tools/guidance_nlu.py), so they can be held out in turn from the other three voices: in
each fold the word search, the question neighbours and the record classifier are rebuilt
without that fold's questions, and every weighting in the grid below ranks the fold's
questions. Prints each voice alone, the current weights and the best weightings by top-1
(top-3 beside it). The held-out questions (tools/record_eval.py) then measure the choice.
About six minutes on one core.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

Weights = tuple[float, float, float, float]  # selector, BM25, neighbours, classifier
GRID: list[Weights] = [
    (s, b, n, 1.0) for s, b, n in itertools.product(
        (0, 0.25, 0.5, 0.75), (0, 0.25, 0.5, 0.75, 1), (0, 0.25, 0.5, 0.75))
]
VOICES: dict[str, Weights] = {
    "selector": (1, 0, 0, 0), "bm25": (0, 1, 0, 0), "neighbours": (0, 0, 1, 0),
    "classifier": (0, 0, 0, 1),
}


@dataclasses.dataclass(frozen=True)
class Row:
    want: str
    who: str | None
    selector: dict[str, float]
    hits: list[Any]
    neighbours: dict[str, float]
    classifier: dict[str, float]


def fold_rows(parse: Callable[[str], dict], folds: int) -> list[Row]:
    from actions.guidance import selector_ranking
    from actions.record_classifier import RecordClassifier
    from actions.situation import audience_in
    from guidance_corpus.loader import load_corpus
    from guidance_corpus.neighbours import QuestionNeighbours
    from guidance_corpus.retrieval import Retriever
    from tools.guidance_nlu import TRAINED_PER_RECORD

    corpus = load_corpus()
    pool = [(rid, i) for rid in sorted(corpus.records)
            for i in range(TRAINED_PER_RECORD, len(corpus.records[rid].questions))]
    order = np.random.default_rng(0).permutation(len(pool))
    rows: list[Row] = []
    for k in range(folds):
        fold = [pool[j] for j in order[k::folds]]
        out: dict[str, set[int]] = {}
        for rid, i in fold:
            out.setdefault(rid, set()).add(i)
        records = {rid: dataclasses.replace(r, questions=tuple(
            q for i, q in enumerate(r.questions) if i not in out.get(rid, set())))
            for rid, r in corpus.records.items()}
        without = dataclasses.replace(corpus, records=records)
        retriever, near, classifier = (
            Retriever(without), QuestionNeighbours(without), RecordClassifier(without))
        for rid, i in fold:
            question = corpus.records[rid].questions[i]
            who = audience_in(question)
            rows.append(Row(rid, who, selector_ranking(parse(question)),
                            retriever.search(question, audience=who, limit=10),
                            near.scores(question), classifier.scores(question)))
        print(f"fold {k + 1}/{folds}: {len(rows)} questions", file=sys.stderr, flush=True)
    return rows


def score(rows: list[Row], weights: Weights) -> tuple[float, float]:
    from guidance_corpus.fusion import fuse
    from guidance_corpus.loader import load_corpus

    corpus = load_corpus()
    top1 = top3 = 0
    for row in rows:
        ranked = [c.record_id for c in fuse(
            corpus, row.selector, row.hits, audience=row.who, neighbours=row.neighbours,
            classifier=row.classifier, weights=weights)[:3]]
        top1 += bool(ranked) and ranked[0] == row.want
        top3 += row.want in ranked
    return top1 / len(rows), top3 / len(rows)


def main() -> int:
    from guidance_corpus.fusion import WEIGHTS
    from tools.crisis_eval import parse_data_parser
    from tools.model import ensure_model

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    rows = fold_rows(parse_data_parser(ensure_model()), args.folds)
    print(f"{len(rows)} questions in {args.folds} folds (selector, BM25, neighbours, classifier)")
    for name, weights in VOICES.items():
        top1, top3 = score(rows, weights)
        print(f"{name:10s} alone  top-1 {top1:.3f}  top-3 {top3:.3f}")
    current = score(rows, WEIGHTS)
    print(f"current {WEIGHTS}  top-1 {current[0]:.3f}  top-3 {current[1]:.3f}")
    ranked = sorted(((score(rows, w), w) for w in GRID), reverse=True)
    for (top1, top3), weights in ranked[:10]:
        print(f"  {weights}  top-1 {top1:.3f}  top-3 {top3:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
