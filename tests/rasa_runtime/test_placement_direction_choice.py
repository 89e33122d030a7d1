"""The out-of-area twins chosen the right way round, through the trained model and the
real choice (actions/guidance.py `choose`, guidance_corpus/placement_direction.py).

The sentences are written here in carers', social workers' and residential staff's words,
not taken from the records' held-out questions. Several of them the fusion alone answers
with the twin record ("a Walsall kid in our Birmingham foster placement", "I foster in
Kings Heath for Wolverhampton"), which is why the direction step exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from actions import guidance
from actions.situation import audience_in
from guidance_corpus.placement_direction import placement_direction

OUT = "placed-by-birmingham-elsewhere"
IN = "placed-in-birmingham-by-another-authority"

DIRECTED = [
    (OUT, "We run a children's home in Stoke and one of our young people is a Birmingham "
          "looked after child. He's missing."),
    (OUT, "brum lad in a sandwell children's home has gone awol, what do we do"),
    (OUT, "LAC placed by us in Sandwell has not come back tonight, what should the social "
          "worker do?"),
    (OUT, "birmingham kid living in walsall gone missing"),
    (OUT, "Birmingham child missing from a foster home in Solihull, who informs who"),
    (OUT, "child in care to Birmingham, living in a children's home in Coventry, missing "
          "overnight"),
    (IN, "Walsall placed a girl in our Erdington home and she is missing"),
    (IN, "I foster in Kings Heath for Wolverhampton and my foster daughter is missing"),
    (IN, "a Walsall kid in our Birmingham foster placement is missing, who do we tell"),
    (IN, "Solihull child placed with a Birmingham foster carer is missing, who gets told"),
    (IN, "the placing authority is Sandwell, the child lives in a Birmingham home and has gone "
         "missing"),
    (IN, "Coventry council has placed a child with us and she's gone missing"),
    (IN, "we're a Birmingham home with a child from Coventry, he's missing"),
    (IN, "placed in birmingham by another LA, now missing"),
]
# Nothing says which way: the choice is the fusion's alone, exactly.
UNDIRECTED = [
    "a looked after child has gone missing from her placement, what do we do?",
    "who do I notify when a child goes missing from an out of area placement?",
    "out of area children who go missing, what is the procedure",
    "a Sandwell child placed in Walsall has gone missing",
    "what is the difference between the host authority and the responsible authority?",
]


def ranked(
    parse_data: Callable[[str], dict[str, Any]], text: str, step: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> list[str]:
    with monkeypatch.context() as patch:
        if not step:
            patch.setattr(guidance, "direction_first", lambda fused, _text: fused)
        selector = guidance.selector_ranking(parse_data(text))
        return [c.record_id for c in guidance.rank_records(text, audience_in(text), selector)]


@pytest.mark.parametrize(("expected", "text"), DIRECTED)
def test_the_record_for_the_placements_direction_is_the_answer(
    parse_data: Callable[[str], dict[str, Any]], expected: str, text: str
) -> None:
    selector = guidance.selector_ranking(parse_data(text))
    record, _also = guidance.choose(text, audience_in(text), selector)
    assert record is not None and record.id == expected


@pytest.mark.parametrize("text", UNDIRECTED)
def test_without_a_direction_the_fusion_is_left_alone(
    parse_data: Callable[[str], dict[str, Any]], text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert placement_direction(text) is None
    fused = ranked(parse_data, text, step=False, monkeypatch=monkeypatch)
    # The twins are near the top, so the step would have had something to move.
    assert {OUT, IN} & set(fused[:3])
    assert ranked(parse_data, text, step=True, monkeypatch=monkeypatch) == fused


def test_a_return_interview_question_keeps_its_record(
    parse_data: Callable[[str], dict[str, Any]]
) -> None:
    # The direction is clear, but the question is about the return interview: the step
    # only orders the twins, it never pushes them past another record.
    text = "who does the return interview for a Birmingham child placed in Walsall?"
    assert placement_direction(text) == "out"
    selector = guidance.selector_ranking(parse_data(text))
    record, _also = guidance.choose(text, audience_in(text), selector)
    assert record is not None and record.id == "out-of-area-return-interviews"
