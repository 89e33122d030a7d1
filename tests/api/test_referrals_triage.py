"""The advisory Red/Amber/Green suggestion, rule by rule (no database needed)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from api.schemas import Referral
from api.triage import DEADLINES, IF_MASH_AGREES, if_mash_agrees, load_triage_deadlines, suggest
from guidance_corpus.loader import CORPUS_DIR, load_corpus_uncached
from tests.api.postgres import low_risk, missing_child

NOW = dt.datetime(2026, 1, 11, 12, 0, tzinfo=dt.UTC)


def _triage(payload: dict[str, Any]) -> tuple[str, set[str]]:
    result = suggest(Referral.model_validate(payload), now=NOW)
    return result.level, {reason.code for reason in result.reasons}


def _with(payload: dict[str, Any], **indicators: Any) -> dict[str, Any]:
    payload["risk_indicators"].update(indicators)
    return payload


def test_looked_after_child_with_cse_and_repeat_episodes_is_red() -> None:
    level, codes = _triage(missing_child())
    assert level == "red"
    assert {"cse", "several_indicators", "more_than_2_episodes"} <= codes


def test_every_indicator_answered_no_is_green() -> None:
    assert _triage(low_risk()) == ("green", {"no_indicators"})


def test_one_indicator_is_amber_but_exploitation_alone_is_red() -> None:
    assert _triage(_with(low_risk(), substance_misuse=True)) == ("amber", {"substance_misuse"})
    assert _triage(_with(low_risk(), gang_affiliation=True))[0] == "red"
    assert _triage(_with(low_risk(), cse=True))[0] == "red"


def test_two_indicators_are_red() -> None:
    level, codes = _triage(_with(low_risk(), mental_health=True, domestic_violence=True))
    assert level == "red"
    assert {"several_indicators", "mental_health", "domestic_violence"} <= codes


def test_looked_after_raises_the_level() -> None:
    payload = low_risk()
    payload["child"]["looked_after"] = True
    assert _triage(payload) == ("amber", {"looked_after"})
    payload = _with(payload, disability=True)
    assert _triage(payload)[0] == "red"


def test_looked_after_child_missing_longer_than_the_escalation_deadline_is_red() -> None:
    assert DEADLINES.lac_escalation == 48  # what the corpus says today
    payload = low_risk()
    payload["child"]["looked_after"] = True
    payload["episode"]["missing_since"] = (NOW - dt.timedelta(hours=49)).isoformat()
    level, codes = _triage(payload)
    assert level == "red" and "looked_after_missing_48h" in codes
    payload["episode"]["missing_since"] = (NOW - dt.timedelta(hours=47)).isoformat()
    assert _triage(payload)[0] == "amber"


def test_the_hours_come_from_the_corpus(tmp_path: Path) -> None:
    assert "within 4 hours" in IF_MASH_AGREES["red"]
    assert "within 24 hours" in IF_MASH_AGREES["amber"]
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    record = root / "records" / "mash-rag-rating.yml"
    text = record.read_text(encoding="utf-8")
    for old, new in (("{hours: 4, from: red rating}", "{hours: 6, from: red rating}"),
                     ("{hours: 24, from: amber rating}", "{hours: 36, from: amber rating}")):
        assert old in text
        text = text.replace(old, new)
    record.write_text(text, encoding="utf-8")
    lac = root / "records" / "lac-not-found-48-hours.yml"
    lac.write_text(lac.read_text(encoding="utf-8").replace("{hours: 48,", "{hours: 12,"),
                   encoding="utf-8")
    deadlines = load_triage_deadlines(load_corpus_uncached(root))
    assert (deadlines.lac_escalation, deadlines.red_strategy_meeting,
            deadlines.amber_discussion) == (12, 6, 36)
    said = if_mash_agrees(deadlines)
    assert "within 6 hours" in said["red"] and "within 36 hours" in said["amber"]


def test_not_known_is_never_green() -> None:
    level, codes = _triage(_with(low_risk(), mental_health="not known"))
    assert (level, codes) == ("amber", {"indicators_not_known"})


def test_suspected_significant_harm_is_red() -> None:
    payload = low_risk()
    payload["consent"]["significant_harm_suspected"] = True
    assert _triage(payload) == ("red", {"significant_harm"})


def test_a_young_child_counts_as_the_age_indicator() -> None:
    payload = low_risk()
    payload["child"]["date_of_birth"] = (dt.date.today() - dt.timedelta(days=365 * 9)).isoformat()
    result = suggest(Referral.model_validate(payload), now=NOW)
    assert result.level == "amber"
    assert "threshold" in result.reasons[0].source  # says the threshold is ours, not the seed's


def test_reasons_cite_their_source_and_the_answer_is_labelled() -> None:
    out = suggest(Referral.model_validate(missing_child()), now=NOW).out()
    assert out.label == "Suggestion for MASH, not a decision"
    assert all(reason.source for reason in out.reasons)
    assert any("12 October 2016" in reason.source for reason in out.reasons)
    assert "4 hours" in out.if_mash_agrees
