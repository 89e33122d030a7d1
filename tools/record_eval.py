"""Record-level choice on the records' held-out questions, through the trained model.

Usage: .venv-rasa/bin/python -m tools.record_eval [--model PATH]

Each held-out question (`heldout_questions:` in a record, never trained on or indexed) is
parsed by the whole NLU pipeline; the record is then chosen as action_answer_guidance
chooses it (guidance_corpus/fusion.py), with the audience the message itself shows.
Prints top-1 / top-3 for each voice alone and for the fusion, so the choice of method
stays measured.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tools.crisis_eval import parse_data_parser as selector_parser

Row = tuple[str, str, list[str]]  # question, expected record, records got (best first)


@dataclass(frozen=True)
class Score:
    top1: float
    top3: float
    misses: list[Row]


def evaluate(parse: Callable[[str], dict]) -> dict[str, Score]:
    from actions.guidance import rank_records, selector_ranking
    from actions.record_classifier import classifier_scores
    from actions.situation import audience_in
    from guidance_corpus.loader import load_corpus
    from guidance_corpus.neighbours import neighbour_scores
    from guidance_corpus.retrieval import search

    def best3(scores: dict[str, float]) -> list[str]:
        return sorted(scores, key=lambda rid: (-scores[rid], rid))[:3]

    rankings: dict[str, list[Row]] = {
        "bm25": [], "neighbours": [], "selector": [], "classifier": [], "fused": []
    }
    for record in load_corpus().records.values():
        for question in record.heldout_questions:
            selector = selector_ranking(parse(question))
            # As action_answer_guidance does when no audience was chosen.
            who = audience_in(question)
            got = {
                "bm25": [h.record_id for h in search(question, limit=3)],
                "neighbours": best3(neighbour_scores(question)),
                "selector": best3(selector),
                "classifier": best3(classifier_scores(question)),
                "fused": [c.record_id for c in rank_records(question, who, selector)[:3]],
            }
            for name, ranked in got.items():
                rankings[name].append((question, record.id, ranked))
    scores: dict[str, Score] = {}
    for name, rows in rankings.items():
        top1 = sum(bool(got) and got[0] == want for _q, want, got in rows) / len(rows)
        top3 = sum(want in got for _q, want, got in rows) / len(rows)
        misses = [row for row in rows if not row[2] or row[2][0] != row[1]]
        scores[name] = Score(top1, top3, misses)
    return scores


def main() -> int:
    from tools.model import ensure_model

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path)
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    scores = evaluate(selector_parser(args.model or ensure_model()))
    for name, score in scores.items():
        print(f"{name:9s} top-1 {score.top1:.3f}  top-3 {score.top3:.3f}")
    if args.misses:
        for question, want, got in scores["fused"].misses:
            print(f"  {question!r}: expected {want}, got {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
