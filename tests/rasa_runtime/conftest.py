"""Tests that need the Rasa runtime (Python 3.10 with Rasa 3.6 and rasa-sdk)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tools.model import ensure_model, ensure_spacy_pipeline
from tools.paths import RASA_BIN, ROOT, rasa_env

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def model() -> Path:
    return ensure_model()


@pytest.fixture(scope="session")
def spacy_pipeline() -> Path:
    return ensure_spacy_pipeline()


def rasa_cli(*args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RASA_BIN), *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
        env=rasa_env(),
    )
