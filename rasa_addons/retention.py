"""Delete what the Rasa side keeps past its retention period.

- Conversations can hold what people told the assistant about a child. Whole
  conversations whose last event is older than CONVERSATION_RETENTION_DAYS (default 30)
  are deleted from the tracker store, so nothing is left half-kept.
- On SQLite the deletion is followed by a checkpoint that empties the write-ahead log
  (rasa_addons/sqlite_wal.py), so the deleted conversations are not left in it.
- The referral outbox: delivered rows (key, reference and times, no personal data) after
  OUTBOX_DELIVERED_RETENTION_DAYS (30); referrals the API refused for good, whose payload
  waits for an operator, after OUTBOX_FAILED_RETENTION_DAYS (14). Pending referrals are
  never deleted.

The supervisor runs this at start-up and every hour; run it by hand any time.

Usage: python -m rasa_addons.retention [--days 30] [--url sqlite:///var/tracker.db]
"""

from __future__ import annotations

import argparse
import sys
import time

import sqlalchemy as sa

from rasa_addons.settings import get_settings
from rasa_addons.sqlite_wal import checkpoint, is_sqlite_file, sqlite_engine


def purge(url: str, days: float, now: float | None = None) -> int:
    """Delete conversations idle for more than `days`; returns how many were deleted."""
    cutoff = (time.time() if now is None else now) - days * 86_400
    # On a SQLite file, the tracker store's own settings (secure_delete among them).
    engine = sqlite_engine(url) if is_sqlite_file(url) else sa.create_engine(url)
    if not sa.inspect(engine).has_table("events"):
        return 0
    events = sa.Table("events", sa.MetaData(), autoload_with=engine)
    with engine.begin() as connection:
        stale = (
            sa.select(events.c.sender_id)
            .group_by(events.c.sender_id)
            .having(sa.func.max(events.c.timestamp) < cutoff)
        )
        senders = [row[0] for row in connection.execute(stale)]
        for start in range(0, len(senders), 500):
            batch = senders[start : start + 500]
            connection.execute(events.delete().where(events.c.sender_id.in_(batch)))
    checkpoint(engine)
    engine.dispose()
    return len(senders)


def purge_outbox() -> int:
    from actions.outbox import Outbox

    settings = get_settings()
    if not settings.referral_outbox_path.exists():
        return 0
    return Outbox(settings.referral_outbox_path).purge(
        delivered_days=settings.outbox_delivered_retention_days,
        failed_days=settings.outbox_failed_retention_days,
    )


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=settings.conversation_retention_days)
    parser.add_argument("--url", default=settings.tracker_db_url)
    args = parser.parse_args(argv)
    deleted = purge(args.url, args.days)
    outbox = purge_outbox()
    # Counts only: sender ids are random, but nothing about a conversation is printed.
    print(f"retention: deleted {deleted} conversation(s) idle for more than {args.days:g} days"
          f" and {outbox} finished outbox item(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
