"""Record-level choice on the records' held-out questions, through the trained model.

The questions are the records' `heldout_questions:`, never trained on or indexed; the
record is chosen as action_answer_guidance chooses it (ResponseSelector fused with BM25).
The bars are a ratchet at the figures reached: raise them, never lower them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.record_eval import Score, evaluate, selector_parser

FUSED_TOP1 = 0.65
FUSED_TOP3 = 0.84


@pytest.fixture(scope="module")
def scores(model: Path) -> dict[str, Score]:
    return evaluate(selector_parser(model))


def test_fused_choice_on_heldout_questions(scores: dict[str, Score]) -> None:
    fused = scores["fused"]
    misses = "\n".join(f"{q!r}: expected {want}, got {got}" for q, want, got in fused.misses)
    assert fused.top1 >= FUSED_TOP1, f"top-1 {fused.top1:.3f}\n{misses}"
    assert fused.top3 >= FUSED_TOP3, f"top-3 {fused.top3:.3f}\n{misses}"


# The same model ranks a few held-out questions differently from one process to the next
# (TensorFlow's threaded arithmetic): the fused top-1 on one model was measured at 0.660
# and 0.675 in two runs (3 of 206 questions). The margin is that plus the 2 questions the
# comparison allowed before; anything tighter fails by chance.
MARGIN = 5 / 206


def test_fusion_is_no_worse_than_either_half(scores: dict[str, Score]) -> None:
    # Why the two are fused at all: if one alone did clearly better, the fusion would be
    # wrong (the selector carries how people ask, which the dev set rewards).
    best = max(scores["bm25"].top1, scores["selector"].top1)
    assert scores["fused"].top1 >= best - MARGIN, (scores["fused"].top1, best)
    assert scores["fused"].top3 >= max(scores["bm25"].top3, scores["selector"].top3) - 0.01
