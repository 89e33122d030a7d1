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


def test_a_submitted_report_leaves_no_content_in_the_file(tmp_path: Path) -> None:
    import asyncio

    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet

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
    assert name.encode() in (tmp_path / "tracker.db").read_bytes()  # not sent yet: kept

    tracker.update(UserUttered("send it", {"name": "affirm", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_submit_referral"))
    tracker.update(BotUttered("Sent: reference MR-2026-000001"))
    asyncio.run(store.save(tracker))
    assert name.encode() not in (tmp_path / "tracker.db").read_bytes()
    after = asyncio.run(store.retrieve("carer"))
    assert after.get_slot("audience") == "carer"  # who is asking is kept
    assert after.get_slot("child_name") is None
    assert len(after.events) == len(tracker.events)  # rewritten in place, nothing lost
    assert [e.text for e in after.events if isinstance(e, BotUttered)][-1] == (
        "Sent: reference MR-2026-000001")
