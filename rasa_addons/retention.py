"""Delete conversation data older than the retention period from the tracker store.

Conversations can hold what people told the assistant about a child. They are kept
only as long as they are useful (default 30 days, `CONVERSATION_RETENTION_DAYS`) and
then deleted: whole conversations whose last message is older than that, so nothing
is left half-kept. `make run` runs this at start-up; schedule it daily in production.

Usage: python -m rasa_addons.retention [--days 30] [--url sqlite:///var/tracker.db]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import sqlalchemy as sa

from rasa_addons.tracker_store import DEFAULT_URL

DEFAULT_DAYS = 30


def purge(url: str, days: float, now: float | None = None) -> int:
    """Delete conversations idle for more than `days`; returns how many were deleted."""
    cutoff = (time.time() if now is None else now) - days * 86_400
    engine = sa.create_engine(url)
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
    engine.dispose()
    return len(senders)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--days", type=float,
        default=float(os.environ.get("CONVERSATION_RETENTION_DAYS", DEFAULT_DAYS)),
    )
    parser.add_argument("--url", default=os.environ.get("TRACKER_DB_URL", DEFAULT_URL))
    args = parser.parse_args(argv)
    deleted = purge(args.url, args.days)
    # A count only: sender ids are random, but nothing about a conversation is printed.
    print(f"retention: deleted {deleted} conversation(s) idle for more than {args.days:g} days")
    return 0


if __name__ == "__main__":
    sys.exit(main())
