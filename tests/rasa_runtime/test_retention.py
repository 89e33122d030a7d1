"""Old conversations are deleted from a real SQLite tracker store; recent ones stay."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_addons.retention import main, purge
from rasa_addons.tracker_store import UrlSQLTrackerStore

DAY = 86_400


def save(store: UrlSQLTrackerStore, sender: str, when: float) -> None:
    tracker = DialogueStateTracker(sender, slots=[])
    tracker.update(UserUttered("my son is missing", {"name": "report_missing"}, timestamp=when))
    asyncio.run(store.save(tracker))


def test_conversations_idle_past_retention_are_deleted(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = UrlSQLTrackerStore(domain=Domain.empty(), host=url)
    now = time.time()
    save(store, "old", now - 31 * DAY)
    save(store, "recent", now - 29 * DAY)
    assert main(["--days", "30", "--url", url]) == 0
    assert "deleted 1 conversation" in capsys.readouterr().out
    assert asyncio.run(store.retrieve("old")) is None
    assert asyncio.run(store.retrieve("recent")).latest_message.text == "my son is missing"
    assert purge(url, 30) == 0


def test_a_purge_leaves_nothing_in_the_write_ahead_log(tmp_path: Path) -> None:
    database = tmp_path / "tracker.db"
    url = f"sqlite:///{database}"
    store = UrlSQLTrackerStore(domain=Domain.empty(), host=url)  # keeps its connection open
    tracker = DialogueStateTracker("old", slots=[])
    tracker.update(UserUttered("Bartholomew Quennell ran off", {"name": "report_missing"},
                               timestamp=time.time() - 31 * DAY))
    asyncio.run(store.save(tracker))
    save(store, "recent", time.time())
    assert b"Bartholomew Quennell" in database.with_name("tracker.db-wal").read_bytes()
    assert purge(url, 30) == 1
    assert database.with_name("tracker.db-wal").stat().st_size == 0
    content = b"".join(p.read_bytes() for p in tmp_path.glob("tracker.db*"))
    assert b"Bartholomew Quennell" not in content
    assert asyncio.run(store.retrieve("recent")).latest_message.text == "my son is missing"


def test_an_empty_store_is_fine(tmp_path: Path) -> None:
    assert purge(f"sqlite:///{tmp_path / 'none.db'}", 30) == 0


def test_the_privacy_notice_states_the_retention_period() -> None:
    from rasa_addons.settings import Settings
    from tools.paths import ROOT

    page = (ROOT / "api" / "static" / "index.html").read_text(encoding="utf-8")
    days = f"{Settings().conversation_retention_days:g}"
    assert f'<span id="retention-days">{days}</span> days' in page
