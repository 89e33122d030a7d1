"""One real stack per test session: trained model, action server, Rasa and the API.

The model is the one `tools.model` trains (reused when its fingerprint matches); the
services run on free ports with their own throw-away databases, and their logs are
kept in test-artifacts/logs for reading after a failure.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tools.model import ensure_model
from tools.paths import ROOT
from tools.stack import Ports, Stack, StackConfig

LOG_DIR = ROOT / "test-artifacts" / "logs"


@dataclass
class Chat:
    """A person in one conversation, talking through Rasa's REST channel."""

    rasa_url: str
    sender: str

    def say(self, text: str) -> list[dict]:
        response = httpx.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        return response.json()

    def say_text(self, text: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(text))


@pytest.fixture(scope="session")
def model() -> Path:
    return ensure_model()


@pytest.fixture(scope="session")
def stack(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackConfig]:
    data = tmp_path_factory.mktemp("stack-data")
    config = StackConfig(
        model=model,
        ports=Ports.free(),
        tracker_db_url=f"sqlite:///{data / 'tracker.db'}",
        database_url=f"sqlite:///{data / 'api.db'}",
    )
    running = Stack(config, log_dir=LOG_DIR)
    running.start()
    try:
        running.wait_ready()
        yield config
    finally:
        running.stop()


@pytest.fixture
def chat(stack: StackConfig) -> Chat:
    return Chat(stack.rasa_url, f"test-{uuid.uuid4().hex}")
