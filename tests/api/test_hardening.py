"""The API's doors: body size, rate limits, docs, headers, caching, audit, retention."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api import db
from api.cli import create_user, disable_user, main
from api.core.config import get_settings
from api.models import AuditEvent, ClosedConversation, Referral
from tests.api.postgres import Api, api_on, missing_child


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    with api_on("sqlite", tmp_path, monkeypatch) as running:
        yield running


def _audit_actions() -> list[str]:
    with Session(db.get_engine()) as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_docs_and_openapi_are_off_by_default(client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert client.get(path).status_code == 404, path


def test_docs_can_be_turned_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_DOCS", "true")
    with api_on("sqlite", tmp_path, monkeypatch) as api:
        assert api.client.get("/openapi.json").status_code == 200


def test_an_oversized_body_is_413_whether_declared_or_streamed(client: TestClient) -> None:
    limit = get_settings().max_body_bytes
    big = b'{"message": "' + b"x" * (limit + 10) + b'"}'
    declared = client.post("/chat", content=big, headers={"Content-Type": "application/json"})
    assert declared.status_code == 413

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 65_536):
            yield big[start : start + 65_536]

    streamed = client.post("/chat", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    # A normal message still goes through (and gets the safe reply: Rasa is down here).
    assert client.post("/chat", json={"message": "hello"}).status_code == 200


def test_every_html_route_has_the_page_security_headers(api: Api) -> None:
    reference = api.submit(missing_child()).json()["reference"]
    for path, headers in (("/", {}), ("/static/index.html", {}),
                          (f"/referrals/{reference}/print", api.staff)):
        response = api.client.get(path, headers=headers)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html"), path
        # The page's own policy, or a stricter one (the printable referral loads nothing).
        assert re.search(r"default-src '(self|none)'",
                         response.headers["content-security-policy"]), path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
        assert response.headers["referrer-policy"] == "no-referrer", path
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["cache-control"] == "no-store", path


def test_chat_and_referral_answers_are_never_cached(api: Api) -> None:
    reference = api.submit(missing_child()).json()["reference"]
    for method, path, headers in (
        ("POST", "/chat", {}),
        ("GET", "/referrals", api.staff),
        ("GET", f"/referrals/{reference}", api.staff),
        ("GET", f"/referrals/{reference}/export.json", api.staff),
        ("GET", "/referrals", {}),  # a refusal too
    ):
        response = api.client.request(method, path, headers=headers,
                                      json={"message": "hi"} if method == "POST" else None)
        assert response.headers["cache-control"] == "no-store", (method, path)
    # Static assets may be cached.
    assert api.client.get("/static/chat.js").headers.get("cache-control") != "no-store"


def test_failed_authentication_is_audited_and_rate_limited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTH_FAILURE_RATE_PER_CLIENT", "5/minute")
    with api_on("sqlite", tmp_path, monkeypatch) as api:
        monkeypatch.setenv("AUTH_FAILURE_RATE_PER_CLIENT", "5/minute")
        get_settings.cache_clear()
        codes = [
            api.client.get("/referrals", headers={"Authorization": "Bearer mca_abcdefgh_wrong"})
            .status_code
            for _ in range(8)
        ]
        assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}, codes
        # While limited, even the right key waits: guessing cannot go on at speed.
        assert api.client.get("/referrals", headers=api.staff).status_code == 429
        failures = [a for a in _audit_actions() if a == "auth_failed"]
        assert len(failures) == 5
        with Session(db.get_engine()) as session:
            row = session.scalars(select(AuditEvent).where(AuditEvent.action == "auth_failed"))
            details = next(iter(row)).details
        assert details == {"reason": "invalid_key", "path": "/referrals"}


def test_creating_and_disabling_users_is_audited(api: Api) -> None:
    create_user("newcomer", "staff")
    assert disable_user("newcomer")
    with Session(db.get_engine()) as session:
        rows = list(session.scalars(select(AuditEvent).where(
            AuditEvent.action.in_(["user_created", "user_disabled"]))))
    created = [r for r in rows if r.details.get("username") == "newcomer"]
    assert [r.action for r in created] == ["user_created", "user_disabled"]
    assert all(r.actor.startswith("cli:") for r in created)


def test_purge_applies_each_retention_period(api: Api, capsys: pytest.CaptureFixture) -> None:
    old_ref = api.submit(missing_child()).json()["reference"]
    new_ref = api.submit(missing_child()).json()["reference"]
    now = dt.datetime.now(dt.UTC)
    settings = get_settings()
    with Session(db.get_engine()) as session:
        session.execute(update(Referral).where(Referral.reference == old_ref).values(
            created_at=now - dt.timedelta(days=settings.referral_retention_days + 1)))
        session.add(AuditEvent(actor="x", actor_role="staff", action="read", details={},
                               at=now - dt.timedelta(days=settings.audit_retention_days + 1)))
        session.add(ClosedConversation(id_digest="a" * 64, closed_at=now - dt.timedelta(
            days=settings.conversation_retention_days + 2)))
        session.add(ClosedConversation(id_digest="b" * 64, closed_at=now))
        session.commit()
    assert main(["purge"]) == 0
    assert "deleted 1 referral(s), 1 audit row(s), 1 closed conversation id(s)" in (
        capsys.readouterr().out)
    with Session(db.get_engine()) as session:
        left = set(session.scalars(select(Referral.reference)))
        assert left == {new_ref}
        assert set(session.scalars(select(ClosedConversation.id_digest))) == {"b" * 64}
