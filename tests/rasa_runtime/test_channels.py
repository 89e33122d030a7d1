"""The REST channel used when Rasa listens beyond loopback needs the token."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from rasa_addons.channels import TokenRestInput
from rasa_addons.settings import get_settings


@pytest.fixture
def guard(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RASA_TOKEN", "the-token")
    get_settings.cache_clear()

    async def on_new_message(_message: object) -> None:
        return None

    blueprint = TokenRestInput().blueprint(on_new_message)
    (middleware,) = [m.middleware for m in blueprint._future_middleware
                     if m.attach_to == "request"]
    yield lambda headers: asyncio.run(middleware(SimpleNamespace(headers=headers)))
    get_settings.cache_clear()


def test_same_url_as_the_plain_channel() -> None:
    assert TokenRestInput.name() == "rest"


def test_a_call_without_the_token_is_refused(guard) -> None:
    assert guard({}).status == 401
    assert guard({"authorization": "Bearer wrong"}).status == 401
    assert guard({"authorization": "Bearer the-token"}) is None


def test_credentials_files_choose_the_channel() -> None:
    from rasa_addons.settings import ROOT, Settings

    assert not Settings(internal_host="127.0.0.1").internal_open
    assert Settings(internal_host="0.0.0.0").internal_open
    assert "socketio" not in (ROOT / "bot" / "credentials.yml").read_text()
    assert "TokenRestInput" in (ROOT / "bot" / "credentials-open.yml").read_text()
