"""guidance_corpus/bm25_index.py scores exactly as bm25s scores, on the real indexes."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest

from guidance_corpus.bm25_index import BM25
from guidance_corpus.loader import load_corpus
from guidance_corpus.neighbours import default_neighbours, grams


def bm25s_scores(index: BM25, query_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The scores of `query_ids` by bm25s's own code and by ours, from the same index."""
    arrays = index.scores
    arguments = (arrays["data"], arrays["indptr"], arrays["indices"], arrays["num_docs"],
                 query_ids, np.dtype(index.dtype))
    return (bm25s.BM25._compute_relevance_from_scores(*arguments),
            BM25._compute_relevance_from_scores(*arguments))


def test_the_question_index_scores_every_question_as_bm25s_does() -> None:
    index = default_neighbours()._bm25
    assert isinstance(index, BM25)
    corpus = load_corpus()
    queries = [text for record in corpus.records.values()
               for text in (*record.questions, *record.heldout_questions, record.title)]
    queries += ["wat do i do if my kid is missin", "debreif", "u", "aaaa aaaa aaaa"]
    compared = 0
    for text in queries:
        ids = np.asarray(index.get_tokens_ids(grams(text)))
        if ids.size == 0:
            continue
        theirs, ours = bm25s_scores(index, ids)
        assert ours.dtype == theirs.dtype
        assert ours.tobytes() == theirs.tobytes(), text
        compared += 1
    assert compared > 500
    # And through the index's own query path.
    query = grams("my foster son hasn't come home and it's 11pm")
    theirs, _ = bm25s_scores(index, np.asarray(index.get_tokens_ids(query)))
    assert index.get_scores(query).tobytes() == theirs.tobytes()


def test_terms_whose_documents_repeat_are_added_as_numpy_adds_them() -> None:
    # Not an index bm25s builds: a term's documents repeat or are out of order.
    data = np.array([0.5, 0.25, 1.0, 0.125, 2.0, 0.1], dtype=np.float32)
    indices = np.array([0, 0, 2, 3, 1, 3])
    indptr = np.array([0, 2, 4, 6])
    for query in ([0], [1, 2], [2, 2, 0], [0, 1, 2]):
        ids = np.array(query)
        expected = bm25s.BM25._compute_relevance_from_scores(
            data, indptr, indices, 4, ids, np.dtype("float32"))
        ours = BM25._compute_relevance_from_scores(data, indptr, indices, 4, ids,
                                                   np.dtype("float32"))
        assert ours.tobytes() == expected.tobytes()
        assert expected[0] == pytest.approx(0.75) or 0 not in query
