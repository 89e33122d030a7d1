"""No personal data in any log line, with every logger at DEBUG and a real uvicorn server
(so uvicorn's own error and access loggers run too), on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from tests.api.postgres import PERSONAL, SERVICE_KEY, Api, api_on, missing_child
from tools.stack import free_port

LOGGERS = (
    None,  # root
    "sqlalchemy",
    "sqlalchemy.engine",
    "sqlalchemy.engine.Engine",
    "sqlalchemy.pool",
    "sqlalchemy.orm",
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "uvicorn.asgi",
    "fastapi",
    "httpx",
    "httpcore",
    "alembic",
    "psycopg",
    "api",
)


@pytest.fixture(params=["sqlite", "postgresql"])
def api(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Api]:
    with api_on(request.param, tmp_path, monkeypatch) as running:
        yield running


@pytest.fixture
def server_url(api: Api) -> Iterator[str]:
    """The same app (same database and settings) served by a real uvicorn."""
    from api.main import create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(), host="127.0.0.1", port=port, log_config=None, access_log=True, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_no_personal_data_in_any_log_line(
    api: Api, server_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)

    payload = missing_child()
    with httpx.Client(base_url=server_url, timeout=30) as http:
        created = http.post("/referrals", json=payload, headers=api.service)
        assert created.status_code == 201, created.text
        reference = created.json()["reference"]
        assert http.post("/referrals", json=payload, headers=api.service).status_code == 200
        changed = dict(payload, episode={**payload["episode"], "last_seen_where": "elsewhere"})
        assert http.post("/referrals", json=changed, headers=api.service).status_code == 409
        invalid = missing_child()
        invalid["referrer"]["email"] = PERSONAL["referrer_name"]  # a name where an e-mail goes
        assert http.post("/referrals", json=invalid, headers=api.service).status_code == 422
        assert http.get(f"/referrals/{reference}", headers=api.staff).status_code == 200
        assert http.get("/referrals", headers=api.staff).status_code == 200
        patched = http.patch(
            f"/referrals/{reference}", json={"status": "in_progress"}, headers=api.staff
        )
        assert patched.status_code == 200
        assert http.get(f"/referrals/{reference}/export.json", headers=api.staff).status_code == 200
        assert http.get(f"/referrals/{reference}/print", headers=api.staff).status_code == 200
        assert http.get("/audit", headers=api.admin).status_code == 200

    lines = [record.getMessage() for record in caplog.records]
    text = "\n".join(lines)
    # The capture really saw SQL, uvicorn's access log and our own lines.
    assert any(
        r.name == "sqlalchemy.engine.Engine" and r.levelno == logging.DEBUG for r in caplog.records
    )
    assert any(r.name == "uvicorn.access" for r in caplog.records)
    assert f"referral {reference} received" in text
    assert "INSERT INTO referrals" in text

    secrets_and_personal = {
        **PERSONAL,
        "phone_digits": PERSONAL["referrer_phone"].replace(" ", ""),
        "surname": "Zebedee",
        "street": "Quillfeather",
        "service_key": SERVICE_KEY,
        "staff_key": api.staff["Authorization"].removeprefix("Bearer "),
        "admin_key": api.admin["X-API-Key"],
    }
    for label, value in secrets_and_personal.items():
        assert value not in text, f"{label} appears in a log line"
