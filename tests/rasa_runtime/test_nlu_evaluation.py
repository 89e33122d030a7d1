"""NLU quality on the held-out file (tests/nlu/heldout.yml, never used in training).

Which record answers a guidance question: tests/rasa_runtime/test_record_choice.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rasa_runtime.conftest import ARTIFACTS
from tools.nlu_eval import Report, evaluate


@pytest.fixture(scope="module")
def reports(model: Path) -> Report:
    return evaluate(model, ARTIFACTS / "nlu")


def test_intent_macro_f1_is_at_least_0_95(reports: Report) -> None:
    intents = reports
    assert intents.macro >= 0.95, intents.f1


def test_no_intent_below_0_85(reports: Report) -> None:
    intents = reports
    assert intents.worst[1] >= 0.85, intents.worst
