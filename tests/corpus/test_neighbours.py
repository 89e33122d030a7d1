"""The question-neighbour voice of record choice (guidance_corpus/neighbours.py)."""

from __future__ import annotations

from guidance_corpus.loader import load_corpus
from guidance_corpus.neighbours import default_neighbours, grams, neighbour_scores


def best(text: str) -> str:
    scores = neighbour_scores(text)
    return max(scores, key=lambda rid: scores[rid])


def test_grams_pad_words_and_ignore_punctuation() -> None:
    assert grams("U?") == [" u", "u ", " u "]
    assert " wat" in grams("wat happens")
    assert grams("don't") == grams("dont")


def test_a_trained_question_with_typos_finds_its_record() -> None:
    corpus = load_corpus()
    question = corpus.records["police-missing-debrief"].questions[0]
    # Letters swapped and dropped, as people type in a hurry.
    mangled = question.replace("debrief", "debreif").replace("police", "polce")
    assert best(mangled) == "police-missing-debrief"


def test_held_out_questions_are_never_indexed() -> None:
    corpus = load_corpus()
    indexed = {text.lower() for text in default_neighbours().texts}
    heldout = [q for r in corpus.records.values() for q in r.heldout_questions]
    assert heldout and not [q for q in heldout if q.lower() in indexed]
    assert corpus.records["definition-trafficking"].questions[0].lower() in indexed


def test_text_with_no_letters_scores_nothing() -> None:
    assert neighbour_scores("?!") == {}


def test_a_record_scores_the_mean_of_its_two_best_questions() -> None:
    import numpy as np

    from guidance_corpus.neighbours import BEST_OF

    neighbours = default_neighbours()
    corpus = load_corpus()
    ids = sorted(corpus.records)
    owners = [index for index, record_id in enumerate(ids)
              for _ in (*corpus.records[record_id].questions, corpus.records[record_id].title)]
    queries = [record.heldout_questions[0] for record in corpus.records.values()
               if record.heldout_questions] + ["wat do i do", "u", "zzzz"]
    for text in queries:
        per_question = neighbours._bm25.get_scores(grams(text))
        expected = {}
        for index, record_id in enumerate(ids):
            mine = per_question[[i for i, owner in enumerate(owners) if owner == index]]
            score = float(np.sort(mine)[::-1][:BEST_OF].mean())
            if score > 0:
                expected[record_id] = score
        assert neighbours.scores(text) == expected, text
