"""The URL-configured tracker store, against a real SQLite file."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_addons.tracker_store import UrlSQLTrackerStore, url_to_kwargs


def stored_bytes(database: Path) -> bytes:
    """The database file and its write-ahead log and shared-memory index, if any."""
    return b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))


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


def test_a_submitted_report_leaves_no_content_in_the_file(tmp_path: Path) -> None:
    import asyncio

    domain = Domain.from_yaml(
        "version: '3.1'\nintents: [greet, inform]\n"
        "slots:\n  audience: {type: text, mappings: [{type: custom}]}\n"
        "  child_name: {type: text, mappings: [{type: custom}]}\n"
    )
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = UrlSQLTrackerStore(domain=domain, host=url)
    name = "Bartholomew Quennell"
    tracker = DialogueStateTracker("carer", slots=domain.slots)
    tracker.update(SlotSet("audience", "carer"))
    tracker.update(UserUttered(name, {"name": "inform", "confidence": 1.0},
                               entities=[{"entity": "name", "value": name}]))
    tracker.update(SlotSet("child_name", name))
    tracker.update(BotUttered(f"Here is the referral: {name}"))
    asyncio.run(store.save(tracker))
    assert name.encode() in stored_bytes(tmp_path / "tracker.db")  # not sent yet: kept

    tracker.update(UserUttered("send it", {"name": "affirm", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_submit_referral"))
    tracker.update(BotUttered("Sent: reference MR-2026-000001"))
    asyncio.run(store.save(tracker))
    assert name.encode() not in stored_bytes(tmp_path / "tracker.db")
    after = asyncio.run(store.retrieve("carer"))
    assert after.get_slot("audience") == "carer"  # who is asking is kept
    assert after.get_slot("child_name") is None
    assert len(after.events) == len(tracker.events)  # rewritten in place, nothing lost
    assert [e.text for e in after.events if isinstance(e, BotUttered)][-1] == (
        "Sent: reference MR-2026-000001")


REPORT_DOMAIN = (
    "version: '3.1'\nintents: [greet, inform, affirm]\n"
    "slots:\n  audience: {type: text, mappings: [{type: custom}]}\n"
    "  child_name: {type: text, mappings: [{type: custom}]}\n"
)


def test_sqlite_uses_a_pool_and_the_write_ahead_log(tmp_path: Path) -> None:
    import asyncio

    store = UrlSQLTrackerStore(domain=Domain.from_yaml(REPORT_DOMAIN),
                               host=f"sqlite:///{tmp_path / 'tracker.db'}")
    opened = []
    sa.event.listen(store.engine, "connect", lambda *_: opened.append(1))
    for turn in range(5):
        tracker = DialogueStateTracker("someone", slots=[])
        for _ in range(turn + 1):
            tracker.update(UserUttered("hello", {"name": "greet", "confidence": 1.0}))
        asyncio.run(store.save(tracker))
        assert len(asyncio.run(store.retrieve("someone")).events) == turn + 1
    assert len(opened) <= 1  # one connection, kept open between turns
    with store.engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert pragma("PRAGMA secure_delete").scalar() == 1
    assert (tmp_path / "tracker.db-wal").stat().st_size > 0  # writes go to the log


def test_a_redaction_leaves_no_content_in_the_write_ahead_log(tmp_path: Path) -> None:
    """The log holds every page written since the last checkpoint, the report's first
    writes included; after the redaction it is empty, and the file holds no content,
    even with another process reading the database while the redaction runs."""
    import asyncio

    database = tmp_path / "tracker.db"
    domain = Domain.from_yaml(REPORT_DOMAIN)
    store = UrlSQLTrackerStore(domain=domain, host=f"sqlite:///{database}")
    name, place = "Bartholomew Quennell", "Wolverhampton Street"
    tracker = DialogueStateTracker("carer", slots=domain.slots)
    tracker.update(SlotSet("audience", "carer"))
    for text in (name, f"last seen on {place}"):
        tracker.update(UserUttered(text, {"name": "inform", "confidence": 1.0},
                                   entities=[{"entity": "name", "value": name}]))
        tracker.update(SlotSet("child_name", name))
        tracker.update(BotUttered(f"Thanks. So far: {name}, {place}"))
        asyncio.run(store.save(tracker))  # one write per turn, as Rasa does
    log = database.with_name("tracker.db-wal")
    assert name.encode() in log.read_bytes()  # in the log before the report is sent

    # Another process reading (a second Rasa worker): the checkpoint waits for it.
    reader = sqlite3.connect(database, check_same_thread=False)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM events").fetchone()  # holds a read snapshot
    threading.Thread(target=lambda: (time.sleep(0.5), reader.rollback()), daemon=True).start()

    tracker.update(UserUttered("send it", {"name": "affirm", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_submit_referral"))
    tracker.update(BotUttered("Sent: reference MR-2026-000001"))
    asyncio.run(store.save(tracker))
    reader.close()
    assert log.stat().st_size == 0  # checkpointed into the file and truncated
    content = stored_bytes(database)
    for value in (name, place, "Bartholomew", "Quennell"):
        assert value.encode() not in content, value
    after = asyncio.run(store.retrieve("carer"))
    assert after.get_slot("audience") == "carer"
    assert len(after.events) == len(tracker.events)
    # The store goes on writing to the log after the checkpoint.
    tracker.update(UserUttered("thanks", {"name": "greet", "confidence": 1.0}))
    asyncio.run(store.save(tracker))
    assert asyncio.run(store.retrieve("carer")).latest_message.text == "thanks"


def _rows(database: Path) -> list[tuple]:
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data "
            "FROM events ORDER BY id"
        ).fetchall()


def test_reads_and_writes_are_rasas_own(tmp_path: Path) -> None:
    """The store's own SQL (issue 13) stores the same rows as Rasa's SQLTrackerStore and
    reads back the same latest session, turn by turn, across two session starts."""
    import asyncio

    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import SessionStarted

    domain = Domain.from_yaml(
        "version: '3.1'\nintents: [greet, inform]\n"
        "slots:\n  audience: {type: text, mappings: [{type: custom}]}\n"
    )
    ours = UrlSQLTrackerStore(domain=domain, host=f"sqlite:///{tmp_path / 'ours.db'}")
    rasas = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    turns = [
        [UserUttered("hello", {"name": "greet", "confidence": 1.0}, timestamp=1.0),
         ActionExecuted("utter_greet", timestamp=1.5), BotUttered("hi", timestamp=1.6)],
        [SessionStarted(timestamp=10.0), ActionExecuted("action_listen", timestamp=10.1),
         SlotSet("audience", "carer", timestamp=10.2)],
        [UserUttered("my foster son/ is 14", {"name": "inform", "confidence": 0.9},
                     timestamp=11.0), ActionExecuted("action_listen", timestamp=11.1)],
        [SessionStarted(timestamp=20.0), UserUttered("é and ü", {"name": "greet"},
                                                     timestamp=20.5)],
    ]
    for sender in ("two-sessions", "other"):
        ours_tracker = DialogueStateTracker(sender, slots=domain.slots)
        rasas_tracker = DialogueStateTracker(sender, slots=domain.slots)
        for turn in turns:
            for event in turn:
                ours_tracker.update(event)
                rasas_tracker.update(event)
            asyncio.run(ours.save(ours_tracker))
            asyncio.run(rasas.save(rasas_tracker))
            got = asyncio.run(ours.retrieve(sender))
            want = asyncio.run(rasas.retrieve(sender))
            assert got is not None and want is not None
            assert [e.as_dict() for e in got.events] == [e.as_dict() for e in want.events]
    # The same rows, including Rasa's own way of counting what is already stored (from
    # the latest session start, so a tracker holding older sessions stores some again).
    assert _rows(tmp_path / "ours.db") == _rows(tmp_path / "rasa.db")
    # The latest session only: from the second session start on.
    latest = asyncio.run(ours.retrieve("two-sessions"))
    assert latest is not None and latest.events[0].type_name == "session_started"
    assert asyncio.run(ours.retrieve("nobody")) is None
    full = asyncio.run(ours.retrieve_full_tracker("two-sessions"))
    rasas_full = asyncio.run(rasas.retrieve_full_tracker("two-sessions"))
    assert full is not None and rasas_full is not None
    assert [e.as_dict() for e in full.events] == [e.as_dict() for e in rasas_full.events]
