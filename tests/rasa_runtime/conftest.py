"""Tests that need the Rasa runtime (Python 3.10 with Rasa 3.6 and rasa-sdk)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tools.model import ensure_model, ensure_spacy_pipeline
from tools.paths import RASA_BIN, ROOT, rasa_env

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def model() -> Path:
    return ensure_model()


@pytest.fixture(scope="session")
def parse_data(model: Path) -> Callable[[str], dict[str, Any]]:
    """The trained model's whole parse of a text, loaded once for every test that only
    parses (loading it is most of a minute on CI's two cores)."""
    from tools.crisis_eval import parse_data_parser

    return parse_data_parser(model)


@pytest.fixture(scope="session")
def spacy_pipeline() -> Path:
    return ensure_spacy_pipeline()


def rasa_cli(*args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RASA_BIN), *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
        env=rasa_env(),
    )
