"""One real stack per test session: trained model, action server, Rasa and the API.

The model is the one `tools.model` trains (reused when its fingerprint matches); the
services run on free ports with their own throw-away databases, and their logs are
kept in test-artifacts/logs for reading after a failure.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.api.postgres import postgres_server
from tools.model import ensure_model
from tools.paths import ROOT
from tools.stack import Ports, StackConfig, start_stack

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


@contextmanager
def running_stack(
    model: Path, tracker_db_url: str, database_url: str, log_dir: Path = LOG_DIR,
    extra_env: dict[str, str] | None = None,
) -> Iterator[StackConfig]:
    # Fresh ports on every attempt: start_stack retries when a port was taken between
    # choosing it and binding it.
    running = start_stack(
        lambda: StackConfig(model=model, ports=Ports.free(), tracker_db_url=tracker_db_url,
                            database_url=database_url, extra_env=dict(extra_env or {})),
        log_dir=log_dir,
    )
    try:
        yield running.config
    finally:
        running.stop()


@pytest.fixture(scope="session")
def stack(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackConfig]:
    data = tmp_path_factory.mktemp("stack-data")
    with running_stack(
        model, f"sqlite:///{data / 'tracker.db'}", f"sqlite:///{data / 'api.db'}"
    ) as config:
        yield config


@contextmanager
def stack_on_postgres(
    model: Path, log_dir: Path, extra_env: dict[str, str] | None = None
) -> Iterator[StackConfig]:
    """A stack with the tracker store and the API both on a real PostgreSQL server
    (started by the test run), in databases of its own that are dropped afterwards."""
    server = postgres_server()
    tracker_db, api_db = server.new_database(), server.new_database()
    try:
        with running_stack(
            model, server.url(tracker_db, "postgresql"), server.url(api_db),
            log_dir=log_dir, extra_env=extra_env,
        ) as config:
            yield config
    finally:
        server.drop_database(tracker_db)
        server.drop_database(api_db)


@pytest.fixture(scope="module")
def postgres_stack(model: Path) -> Iterator[StackConfig]:
    """Module-scoped, so it runs only beside the tests using it."""
    with stack_on_postgres(model, LOG_DIR / "postgresql") as config:
        yield config


@pytest.fixture
def chat(stack: StackConfig) -> Chat:
    return Chat(stack.rasa_url, f"test-{uuid.uuid4().hex}")
