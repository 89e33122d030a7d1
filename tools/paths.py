"""Where things live in the checkout."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RASA_VENV = ROOT / ".venv-rasa"
API_VENV = ROOT / ".venv-api"
RASA_BIN = RASA_VENV / "bin" / "rasa"
RASA_PYTHON = RASA_VENV / "bin" / "python"
API_PYTHON = API_VENV / "bin" / "python"
SPACY_PIPELINE = ROOT / "build" / "spacy_pipeline"
MODELS = ROOT / "models"
VAR = ROOT / "var"


def rasa_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for any Rasa command: never phone home.

    Rasa's telemetry and its Sentry error reports are on by default and would send
    usage data (and, in a crash report, possibly message text) off the machine.
    """
    env = dict(os.environ if base is None else base)
    env.update({"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "PYTHONPATH": str(ROOT)})
    return env
