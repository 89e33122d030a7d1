from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import inspect

from api import db


def test_health_is_503_and_names_what_is_down(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"rasa": "down", "actions": "down", "database": "ok"}


def test_start_up_runs_the_migrations(client: TestClient) -> None:
    tables = inspect(db.get_engine()).get_table_names()
    assert "alembic_version" in tables
