"""The URL-configured tracker store, against a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_addons.tracker_store import UrlSQLTrackerStore, url_to_kwargs


def test_postgres_url_is_split_for_rasa() -> None:
    kwargs = url_to_kwargs("postgresql://bot:s3cret@db.internal:5433/tracker?sslmode=require")
    assert kwargs == {
        "dialect": "postgresql", "host": "db.internal", "port": 5433, "db": "tracker",
        "username": "bot", "password": "s3cret", "query": {"sslmode": "require"},
    }


async def _save_and_read(store: UrlSQLTrackerStore) -> DialogueStateTracker | None:
    tracker = DialogueStateTracker("someone", slots=[])
    tracker.update(UserUttered("hello", {"name": "greet", "confidence": 1.0}))
    await store.save(tracker)
    return await store.retrieve("someone")


def test_conversations_survive_in_the_sqlite_file(tmp_path: Path) -> None:
    import asyncio

    domain = Domain.from_yaml("version: '3.1'\nintents: [greet]")
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = UrlSQLTrackerStore(domain=domain, host=url)
    loaded = asyncio.run(_save_and_read(store))
    assert loaded is not None
    assert loaded.latest_message.text == "hello"
    # A new store on the same file (as after a restart) sees the same conversation.
    again = UrlSQLTrackerStore(domain=domain, host=url)
    assert asyncio.run(again.retrieve("someone")).latest_message.text == "hello"
    assert (tmp_path / "tracker.db").stat().st_size > 0
