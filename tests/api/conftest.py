"""API tests run the real app against a real SQLite file, with Rasa and the action
server pointed at a port where nothing listens (so "down" is genuinely down)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import db
from api.core.config import get_settings
from tools.stack import free_port


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    nothing_here = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'api.db'}")
    monkeypatch.setenv("RASA_URL", nothing_here)
    monkeypatch.setenv("ACTIONS_URL", nothing_here)
    monkeypatch.setenv("HEALTH_TIMEOUT_SECONDS", "1")
    monkeypatch.setenv("CONVERSATION_SECRET", "test-secret-" + "x" * 32)
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    from api.main import create_app

    with TestClient(create_app()) as test_client:
        yield test_client
    get_settings.cache_clear()
    db.get_engine.cache_clear()
