"""API keys: hashing, the service key, and the create-user / disable-user commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import cli, db
from api.core.security import (
    hash_api_key,
    is_service_key,
    key_prefix,
    new_api_key,
    verify_api_key,
)
from api.models import User
from tests.api.postgres import api_on


def test_keys_are_stored_as_salted_hashes() -> None:
    key, prefix = new_api_key()
    assert key_prefix(key) == prefix
    first, second = hash_api_key(key), hash_api_key(key)
    assert first != second  # a fresh salt each time
    assert key not in first and key.split("_", 2)[2] not in first
    assert first.startswith("scrypt$")
    assert verify_api_key(key, first) and verify_api_key(key, second)
    assert not verify_api_key(key + "x", first)
    assert not verify_api_key(key, "garbage")


def test_key_prefix_rejects_foreign_formats() -> None:
    for key in ("", "nonsense", "mca_", "mca_prefix", "abc_prefix_secret"):
        assert key_prefix(key) is None


def test_service_key_check() -> None:
    assert is_service_key("s3cret", "s3cret")
    assert not is_service_key("s3cret", "other")
    assert not is_service_key("", "")  # unset never matches, not even an empty key


def test_create_user_prints_a_working_key_once_and_stores_only_its_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with api_on("sqlite", tmp_path, monkeypatch) as api:
        assert cli.main(["create-user", "--username", "first.admin", "--role", "admin"]) == 0
        key = capsys.readouterr().out.strip().splitlines()[-1]
        assert api.client.get("/audit", headers={"X-API-Key": key}).status_code == 200

        with Session(db.get_engine()) as session:
            user = session.scalar(select(User).where(User.username == "first.admin"))
            assert user is not None and user.role == "admin"
            assert key not in (user.key_hash, user.key_prefix)
            assert key.split("_", 2)[2] not in user.key_hash

        assert cli.main(["create-user", "--username", "first.admin", "--role", "staff"]) == 1
        assert "already exists" in capsys.readouterr().err

        assert cli.main(["disable-user", "--username", "first.admin"]) == 0
        assert api.client.get("/audit", headers={"X-API-Key": key}).status_code == 401
        assert cli.main(["disable-user", "--username", "nobody"]) == 1


def test_create_user_migrates_an_empty_database_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from api.core.config import get_settings

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh' / 'api.db'}")
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    try:
        assert cli.main(["create-user", "--username", "ops", "--role", "staff"]) == 0
        assert capsys.readouterr().out.strip().splitlines()[-1].startswith("mca_")
    finally:
        db.get_engine().dispose()
        get_settings.cache_clear()
        db.get_engine.cache_clear()


def test_cli_refuses_unknown_roles() -> None:
    with pytest.raises(SystemExit):
        cli.main(["create-user", "--username", "x", "--role", "service"])
