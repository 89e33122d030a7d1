"""`rasa data validate` and the test stories, run exactly as a developer would."""

from __future__ import annotations

from pathlib import Path

from tests.rasa_runtime.conftest import ARTIFACTS, rasa_cli


def test_rasa_data_validate_reports_no_errors(model: Path) -> None:
    # `model` first: training generates the guidance examples from the corpus records.
    result = rasa_cli(
        "data", "validate", "--domain", "bot/domain", "--data", "bot/data",
        "--config", "config.yml",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert " ERROR " not in output, output[-4000:]


def test_test_stories_pass_with_no_prediction_errors(model: Path) -> None:
    out = ARTIFACTS / "core"
    result = rasa_cli(
        "test", "core", "--model", str(model), "--stories", "tests/stories",
        "--out", str(out), "--fail-on-prediction-errors",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    failed = out / "failed_test_stories.yml"
    assert not failed.exists() or "none of the test stories failed" in failed.read_text().lower()
