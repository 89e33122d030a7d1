"""Which record's own questions look most like a message, letter by letter.

BM25 (the `bm25s` library) over character n-grams of each record's `questions:` and title,
one document per question. A record scores the mean of its two best questions, so one
lucky question does not carry it. Character n-grams meet people's spelling where word
search cannot: "debreif", "exploitaton", "wat", "u" share most of their n-grams with the
words they stand for, and nothing is stemmed or looked up.

It is the third voice in guidance_corpus/fusion.py beside word-level BM25 over the whole
record (which knows the answer's words) and the ResponseSelector (which learnt the
questions' wording). Held-out questions are never indexed.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from guidance_corpus.bm25_index import BM25
from guidance_corpus.loader import Corpus, load_corpus

#: n-gram lengths, chosen on the held-out questions: 2-4 beat 3-5 and 4-5 (0.74 / 0.71 /
#: 0.70 top-1 alone, model of 2 December 2026).
MIN_N, MAX_N = 2, 4
#: A record's score is the mean of this many of its best-matching questions.
BEST_OF = 2

_NOT_WORD = re.compile(r"[^a-z0-9 ]+")


def grams(text: str) -> list[str]:
    """Character n-grams of each word, padded with a space so word starts and ends count."""
    words = _NOT_WORD.sub(" ", text.lower().replace("'", "").replace("’", "")).split()
    out: list[str] = []
    for word in words:
        padded = f" {word} "
        for n in range(MIN_N, min(MAX_N, len(padded)) + 1):
            out.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return out


class QuestionNeighbours:
    def __init__(self, corpus: Corpus) -> None:
        self._ids = sorted(corpus.records)
        texts: list[str] = []
        owners: list[int] = []
        for index, record_id in enumerate(self._ids):
            record = corpus.records[record_id]
            for text in (*record.questions, record.title):
                texts.append(text)
                owners.append(index)
        self.texts = tuple(texts)
        self._bm25 = BM25(k1=1.2, b=0.75)
        self._bm25.index([grams(text) for text in texts], show_progress=False)
        # Each record's question positions, worked out once rather than on every query:
        # one row per record, padded with the position of a score that is never the best
        # (every record has at least BEST_OF texts, so padding never reaches the mean).
        owner_of = np.array(owners)
        groups = [np.flatnonzero(owner_of == i) for i in range(len(self._ids))]
        if min(len(group) for group in groups) < BEST_OF:
            raise ValueError(f"every record needs at least {BEST_OF} questions and title")
        self._rows = np.full((len(groups), max(len(group) for group in groups)), len(texts))
        for row, group in zip(self._rows, groups, strict=True):
            row[: len(group)] = group

    def scores(self, text: str) -> dict[str, float]:
        """Record id -> score (0 when no n-gram is shared); higher is closer."""
        query = grams(text)
        if not query:
            return {}
        per_question = self._bm25.get_scores(query)
        padded = np.append(per_question, per_question.dtype.type(-np.inf))
        best = np.sort(padded[self._rows], axis=1)[:, ::-1][:, :BEST_OF]
        return {record_id: float(score)
                for record_id, score in zip(self._ids, best.mean(axis=1), strict=True)
                if score > 0}


@lru_cache(maxsize=1)
def default_neighbours() -> QuestionNeighbours:
    return QuestionNeighbours(load_corpus())


def neighbour_scores(text: str) -> dict[str, float]:
    return default_neighbours().scores(text)
