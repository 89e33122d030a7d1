"""`bm25s.BM25`, scoring a query's terms with one indexed addition per term.

bm25s (numpy backend; numba is not installed) scores a query by adding, for each query
term, the term's precomputed score to every document that holds it: `np.add.at(scores,
documents, term_scores)`. `np.add.at` is numpy's unbuffered addition for indices that may
repeat, and it is slow: for the character n-gram index (guidance_corpus/neighbours.py,
about a hundred terms per message, each held by hundreds of questions) it was 13% of the
action server's CPU in the profile of issue 13.

A term's documents never repeat in bm25s's index (a column of a scipy CSC matrix in
canonical form: sorted, duplicates summed), and for indices that do not repeat
`scores[documents] += term_scores` makes the same additions in the same order, so the
scores are the same to the last bit (the test compares them). A term whose documents are
not strictly increasing (not the index bm25s builds) gets `np.add.at` as before.
"""

from __future__ import annotations

from typing import Any

import bm25s
import numpy as np


class BM25(bm25s.BM25):
    @staticmethod
    def _compute_relevance_from_scores(
        data: np.ndarray,
        indptr: np.ndarray,
        indices: np.ndarray,
        num_docs: int,
        query_tokens_ids: np.ndarray,
        dtype: Any,
    ) -> np.ndarray:
        scores = np.zeros(num_docs, dtype=dtype)
        for start, end in zip(indptr[query_tokens_ids], indptr[query_tokens_ids + 1],
                              strict=True):
            documents = indices[start:end]
            if documents.size > 1 and not (documents[1:] > documents[:-1]).all():
                np.add.at(scores, documents, data[start:end])
            else:
                scores[documents] += data[start:end]
        return scores
