"""Record-level choice on the records' held-out questions, through the trained model.

The questions are the records' `heldout_questions:`, never trained on or indexed; the
record is chosen as action_answer_guidance chooses it (guidance_corpus/fusion.py).
The bars are a ratchet at the figures reached: raise them, never lower them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tools.record_eval import Score, evaluate

# 0.89 until 6 December 2026, when 21 trained questions that were reworded copies of
# held-out ones were removed (tests/corpus/test_heldout_unseen.py): the same data and
# model without them measured 0.883, so the old bar counted questions the model was taught.
# 0.87 until later that day: retrainings for two new records, new danger phrases and new
# NLU examples measured 0.870, 0.867 and 0.876 top-1 (0.967-0.971 top-3; 208-210 questions).
# The questions lost were the selector's alone (it flips between neighbouring records from
# one training to the next; the other voices did not move), and every fusion weight from 0
# to 0.75 for it gave 0.861-0.875, so a bar at one training's figure fails by the luck of
# the next. Training is repeatable (the CI clone's model parses identically), so the bar
# is checked against the model this commit trains: 0.876, three questions above it.
# 0.875 since the evening of 6 December 2026: 12 more questions a record and weights
# re-chosen by cross-validation measured 0.889 (0.963 top-3) on 216 questions; the bar
# is three questions below it, for the selector's flips.
# 0.91 since the night of 6 December 2026: 24 more questions a record and a fusion led by
# the classifier (the selector no longer in it) measured 0.918 (0.964) on 220 questions;
# the bar is two questions below it.
# 0.94 since 7 December 2026: 30 more questions a record measured 0.945 (0.973) on 220
# questions; each bar is one question below it.
FUSED_TOP1 = 0.94
FUSED_TOP3 = 0.965


@pytest.fixture(scope="module")
def scores(parse_data: Callable[[str], dict[str, Any]]) -> dict[str, Score]:
    return evaluate(parse_data)


def test_fused_choice_on_heldout_questions(scores: dict[str, Score]) -> None:
    fused = scores["fused"]
    misses = "\n".join(f"{q!r}: expected {want}, got {got}" for q, want, got in fused.misses)
    assert fused.top1 >= FUSED_TOP1, f"top-1 {fused.top1:.3f}\n{misses}"
    assert fused.top3 >= FUSED_TOP3, f"top-3 {fused.top3:.3f}\n{misses}"


# The same model ranks a few held-out questions differently from one process to the next
# (TensorFlow's threaded arithmetic in the selector): up to 3 of 206 questions. The lead
# was 0.015 for that. Since the night of 6 December 2026 the selector has no share in the
# fused ranking (guidance_corpus/fusion.py), so its flips no longer move it, and the lead
# is one question in a hundred: measured fused 0.918, the classifier alone 0.905, the
# others 0.58-0.76; by cross-validation on 6,188 trained questions the fusion is 1.0 point
# (top-3 1.3) above the classifier alone.
LEAD = 0.01


def test_fusion_beats_each_voice_alone(scores: dict[str, Score]) -> None:
    # Why the four are fused at all: if the fusion did not beat the best of them, one
    # voice would do and the others would be cost.
    voices = ("bm25", "neighbours", "selector", "classifier")
    best = max(scores[name].top1 for name in voices)
    assert scores["fused"].top1 >= best + LEAD, {name: s.top1 for name, s in scores.items()}
    assert scores["fused"].top3 >= max(scores[name].top3 for name in voices) - 0.01
