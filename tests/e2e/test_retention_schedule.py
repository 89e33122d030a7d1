"""What the supervisor runs every hour: both sides' retention, against real files."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from tools.stack import StackConfig, apply_retention


def test_apply_retention_purges_old_conversations_and_old_referrals(
    tmp_path: Path, model: Path
) -> None:
    tracker_db, api_db = tmp_path / "tracker.db", tmp_path / "api.db"
    config = StackConfig(model=model, tracker_db_url=f"sqlite:///{tracker_db}",
                         database_url=f"sqlite:///{api_db}")
    apply_retention(config)  # creates the API's schema (migrations run first)
    with sqlite3.connect(tracker_db) as tracker:
        tracker.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, "
                        "type_name TEXT, timestamp REAL, intent_name TEXT, action_name TEXT, "
                        "data TEXT)")
        for sender, age_days in (("old", 31), ("recent", 1)):
            tracker.execute("INSERT INTO events (sender_id, type_name, timestamp, data) "
                            "VALUES (?, 'user', ?, ?)",
                            (sender, time.time() - age_days * 86_400, json.dumps({})))
    engine = create_engine(f"sqlite:///{api_db}")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=91)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO referrals (reference, idempotency_key, body_sha256, kind, status, "
            "triage_level, triage_reasons, body, created_by, created_at) VALUES "
            "('MR-2026-000009', 'k', 'h', 'missing_child', 'received', 'green', '[]', '{}', "
            "'service', :at)"), {"at": old})
    engine.dispose()
    apply_retention(config)
    with sqlite3.connect(tracker_db) as tracker:
        senders = {row[0] for row in tracker.execute("SELECT sender_id FROM events")}
    assert senders == {"recent"}
    with sqlite3.connect(api_db) as api:
        assert api.execute("SELECT COUNT(*) FROM referrals").fetchone()[0] == 0
