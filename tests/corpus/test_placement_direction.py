"""Which way an out-of-area placement goes (guidance_corpus/placement_direction.py), read
from people's own sentences, and the twin records it reorders. The sentences are written
here, in the words of carers, social workers and residential staff; the records'
held-out questions stay unseen."""

from __future__ import annotations

import pytest

from guidance_corpus.fusion import Choice
from guidance_corpus.loader import load_corpus
from guidance_corpus.placement_direction import (
    direction_first,
    direction_rules,
    placement_direction,
)

OUT = "placed-by-birmingham-elsewhere"
IN = "placed-in-birmingham-by-another-authority"

PLACED_BY_BIRMINGHAM = [
    "a Birmingham child fostered in Worcestershire has gone missing",
    "LAC placed by us in Sandwell has not come back tonight",
    "our child placed out of area has gone missing again",
    "birmingham kid living in Walsall gone missing",
    "I'm a foster carer in Dudley looking after a Birmingham girl and she's missing",
    "We run a children's home in Stoke and one of our young people is a Birmingham "
    "looked after child. He's missing.",
    "Birmingham social worker here, my young person lives in a Coventry children's home",
    "child placed outside Birmingham by Birmingham children's trust is missing",
    "we placed her with an independent fostering agency in Staffordshire",
    "our lad is in a residential placement up north and has gone missing",
    "the placing authority is Birmingham and he's missing from a home in Telford",
    "brum lad in a sandwell children’s home has gone awol",
    "child in care to Birmingham, living in a children's home in Coventry, missing overnight",
]
PLACED_IN_BIRMINGHAM = [
    "a Sandwell child in a Birmingham children's home has gone missing",
    "Coventry council has placed a child with us and she's gone missing",
    "we're a Birmingham home with a child from Coventry, he's missing",
    "placed in birmingham by another LA, now missing",
    "a child from another council placed here has gone missing for the third time",
    "I foster in Kings Heath for Wolverhampton and my foster daughter is missing",
    "our resident was placed by Solihull and has run off",
    "registered manager in Handsworth, young person placed here by Walsall is missing",
    "Birmingham is the host authority, the placing council is Leicester",
    "Walsall placed a girl in our Erdington home and she is missing",
    "not a Birmingham child, placed here, missing again",
    "we're not the placing authority, she's gone missing from our home",
    "Solihull child placed with a Birmingham foster carer is missing",
    "we look after a boy for Walsall council and he's run away",
]
# No direction, or clues both ways: nothing is read, nothing is moved.
UNCLEAR = [
    "who do I tell when a child goes missing",
    "a looked after child has gone missing from her placement, what do we do?",
    "who do I notify when a child goes missing from an out of area placement?",
    "what is the difference between the host authority and the responsible authority?",
    "out of area children who go missing, what is the procedure",
    "one of our young people has gone missing from the home",
    "missing child in Birmingham, what do I do",
    # Both ways: a Sandwell placement in Walsall is neither record's.
    "a Sandwell child placed in Walsall has gone missing",
    # "Birmingham foster placement" sounds like a placement in Birmingham; the rest says not.
    "my birmingham foster placement is in another county, the child is missing",
]


@pytest.mark.parametrize("text", PLACED_BY_BIRMINGHAM)
def test_placed_by_birmingham_elsewhere_is_read(text: str) -> None:
    assert placement_direction(text) == "out"


@pytest.mark.parametrize("text", PLACED_IN_BIRMINGHAM)
def test_placed_in_birmingham_by_another_authority_is_read(text: str) -> None:
    assert placement_direction(text) == "in"


@pytest.mark.parametrize("text", UNCLEAR)
def test_no_clear_direction_is_read_as_none(text: str) -> None:
    assert placement_direction(text) is None


def test_strong_clues_outweigh_we_and_here() -> None:
    # "we placed" is a placing authority speaking; "in Birmingham" says which one it is not.
    assert placement_direction("we placed a child in Birmingham and she's gone missing") == "in"
    # "with us" is where the child lives; "a Birmingham child" says whose child it is.
    assert placement_direction("a Birmingham child placed with us in Wales is missing") == "out"
    # Only the weak clue: it decides.
    assert placement_direction("the girl placed with us has run off") == "in"


def test_the_rules_name_the_twin_records() -> None:
    rules = direction_rules()
    assert rules.records == {"out": OUT, "in": IN}
    corpus = load_corpus()
    assert all(rid in corpus.records for rid in rules.records.values())


@pytest.mark.parametrize(("record_id", "direction"), [(OUT, "out"), (IN, "in")])
def test_the_records_own_questions_are_never_read_the_wrong_way(
    record_id: str, direction: str
) -> None:
    questions = load_corpus().records[record_id].questions
    read = {q: placement_direction(q) for q in questions}
    wrong = [q for q, got in read.items() if got not in (direction, None)]
    assert not wrong
    # ...and most of them are read: the rules know how these questions are asked.
    assert sum(got == direction for got in read.values()) >= len(questions) // 2


def ranking(*ids: str) -> list[Choice]:
    return [Choice(rid, score) for rid, score in zip(ids, (0.9, 0.7, 0.5, 0.3, 0.2), strict=False)]


def ids(ranked: list[Choice]) -> list[str]:
    return [c.record_id for c in ranked]


def test_the_right_record_goes_ahead_of_its_twin_and_scores_stay_in_order() -> None:
    fused = ranking(IN, "definition-responsible-host-authority", OUT, "return-interview")
    moved = direction_first(fused, "a Birmingham child fostered in Worcestershire is missing")
    assert ids(moved) == [OUT, IN, "definition-responsible-host-authority", "return-interview"]
    assert [c.score for c in moved] == [c.score for c in fused]


def test_a_twin_outside_the_best_three_moves_nothing() -> None:
    fused = ranking("return-interview", "definition-responsible-host-authority",
                    "out-of-area-return-interviews", IN, OUT)
    assert direction_first(fused, "birmingham kid living in Walsall gone missing") == fused


@pytest.mark.parametrize(
    ("fused", "text"),
    [
        # Already right.
        ([OUT, IN, "return-interview"], "birmingham kid living in Walsall gone missing"),
        # Another record first: only the twins' order is the step's business.
        (["out-of-area-return-interviews", OUT, IN],
         "who does the return interview for a Birmingham child placed in Walsall?"),
        # No direction.
        ([IN, OUT, "return-interview"], "out of area placement, child missing"),
    ],
)
def test_nothing_moves_when_there_is_nothing_to_put_right(fused: list[str], text: str) -> None:
    assert direction_first(ranking(*fused), text) == ranking(*fused)


def test_records_ahead_of_the_twin_keep_their_places() -> None:
    fused = ranking("out-of-area-return-interviews", IN, "return-interview", OUT)
    moved = direction_first(fused, "placed by us in Sandwell, he's missing, who does the RHI?")
    assert ids(moved) == ["out-of-area-return-interviews", OUT, IN, "return-interview"]


def test_put_first_moves_one_record_and_keeps_the_scores_in_order() -> None:
    from guidance_corpus.fusion import put_first

    ranked = [Choice("a", 0.9), Choice("b", 0.7), Choice("c", 0.5)]
    assert put_first(ranked, "c") == [Choice("c", 0.9), Choice("a", 0.7), Choice("b", 0.5)]
    assert put_first(ranked, "a") == ranked
    assert put_first(ranked, None) == ranked
    assert put_first([], "a") == []  # nothing close enough: still no answer
    # A record no voice ranked at all still comes first.
    assert [c.record_id for c in put_first(ranked, "z")] == ["z", "a", "b", "c"]


def test_a_named_placement_goes_ahead_of_a_record_about_no_placement() -> None:
    text = "child in care to Birmingham, living in a children's home in Coventry, missing"
    fused = ranking("guidance-scope", OUT, "return-interview", IN)
    assert ids(direction_first(fused, text))[:2] == [OUT, "guidance-scope"]
    # Only with a strong clue: "placed with us" alone leaves the fusion's answer.
    weak = ranking("guidance-scope", IN, "return-interview", OUT)
    assert direction_first(weak, "the girl placed with us is missing") == weak
    # Another question about such a placement keeps its answer.
    rhi = ranking("out-of-area-return-interviews", OUT, IN)
    assert direction_first(rhi, text + ", who does the return interview?") == rhi


def test_the_records_about_placements_are_in_the_corpus() -> None:
    records = load_corpus().records
    assert direction_rules().about_placements <= set(records)
