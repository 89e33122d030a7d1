"""Evaluate retrieval: ``python -m guidance_corpus.evaluate``.

Two question sets: the records' own held-out questions (`heldout_questions:`, never
indexed or trained on; record-level top-1 / top-3), and tests/corpus/retrieval_questions.yml.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from guidance_corpus.loader import load_corpus
from guidance_corpus.retrieval import Retriever, default_retriever, is_confident

DEFAULT_QUESTIONS = (
    Path(__file__).resolve().parent.parent / "tests" / "corpus" / "retrieval_questions.yml"
)


@dataclass(frozen=True)
class EvalResult:
    total: int
    top1: int
    top3: int
    misses: list[tuple[str, list[str], list[str]]]  # question, expected, got (top 3)
    off_topic_total: int
    off_topic_confident: list[tuple[str, str, float]]

    @property
    def top1_accuracy(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_accuracy(self) -> float:
        return self.top3 / self.total if self.total else 0.0


def load_questions(path: Path = DEFAULT_QUESTIONS) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def evaluate(retriever: Retriever | None = None, path: Path = DEFAULT_QUESTIONS) -> EvalResult:
    retriever = retriever or default_retriever()
    data = load_questions(path)
    top1 = top3 = 0
    misses: list[tuple[str, list[str], list[str]]] = []
    questions = data.get("questions", [])
    for item in questions:
        expected = list(item["expected"])
        hits = retriever.search(item["q"], audience=item.get("audience"), limit=3)
        got = [h.record_id for h in hits]
        if got and got[0] in expected:
            top1 += 1
        if any(g in expected for g in got):
            top3 += 1
        if not got or got[0] not in expected:
            misses.append((item["q"], expected, got))
    confident: list[tuple[str, str, float]] = []
    off_topic = data.get("off_topic", [])
    for query in off_topic:
        hits = retriever.search(query, limit=1)
        if hits and is_confident(hits[0]):
            confident.append((query, hits[0].record_id, hits[0].confidence))
    return EvalResult(len(questions), top1, top3, misses, len(off_topic), confident)


def heldout_items() -> list[dict]:
    """The records' held-out questions in the shape of the question file's items."""
    return [
        {"q": question, "expected": [record.id]}
        for record in load_corpus().records.values()
        for question in record.heldout_questions
    ]


def evaluate_heldout(retriever: Retriever | None = None) -> EvalResult:
    retriever = retriever or default_retriever()
    top1 = top3 = 0
    misses: list[tuple[str, list[str], list[str]]] = []
    items = heldout_items()
    for item in items:
        got = [h.record_id for h in retriever.search(item["q"], limit=3)]
        top1 += bool(got) and got[0] in item["expected"]
        top3 += any(g in item["expected"] for g in got)
        if not got or got[0] not in item["expected"]:
            misses.append((item["q"], item["expected"], got))
    return EvalResult(len(items), top1, top3, misses, 0, [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--misses", action="store_true", help="list every top-1 miss")
    args = parser.parse_args(argv)
    heldout = evaluate_heldout()
    print(
        f"held-out record questions: {heldout.total}, top-1 {heldout.top1_accuracy:.3f}, "
        f"top-3 {heldout.top3_accuracy:.3f}"
    )
    if args.misses:
        for question, expected, got in heldout.misses:
            print(f"  {question!r}: expected {expected[0]}, got {got}")
    result = evaluate(path=args.questions)
    print(f"questions: {result.total}")
    print(f"top-1 accuracy: {result.top1_accuracy:.3f} ({result.top1}/{result.total})")
    print(f"top-3 accuracy: {result.top3_accuracy:.3f} ({result.top3}/{result.total})")
    print(
        f"off-topic queries with a confident hit: {len(result.off_topic_confident)}"
        f"/{result.off_topic_total}"
    )
    for query, rid, conf in result.off_topic_confident:
        print(f"  OFF-TOPIC CONFIDENT: {query!r} -> {rid} ({conf:.2f})")
    if result.misses:
        print("top-1 misses:")
        for question, expected, got in result.misses:
            mark = "top3" if any(g in expected for g in got) else "MISS"
            print(f"  [{mark}] {question!r}\n      expected {expected}\n      got      {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
