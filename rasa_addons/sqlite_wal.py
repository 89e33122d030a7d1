"""SQLite settings shared by the tracker store and the retention purge.

- `sqlite_engine`: pooled connections, each running SQLITE_PRAGMAS when it is opened:
  `secure_delete` (deleted content is overwritten, not left in free pages), the
  write-ahead log (`journal_mode=WAL`, a setting kept in the file) and
  `synchronous=NORMAL` (the disk is synced at checkpoints, not at every commit: a power
  cut can lose the latest commits, never corrupt the file).
- `checkpoint`: copies the write-ahead log into the file and truncates the log to zero
  bytes, so that what a redaction or a purge removed is not left in the log's older
  frames.

Only SQLAlchemy here: the retention purge runs without loading Rasa.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import QueuePool

SQLITE_PRAGMAS = ("PRAGMA secure_delete = ON", "PRAGMA journal_mode = WAL",
                  "PRAGMA synchronous = NORMAL")
CHECKPOINT_ATTEMPTS = 5

logger = logging.getLogger(__name__)


def is_sqlite_file(url: Any) -> bool:
    """Whether ``url`` names a SQLite database kept in a file (not in memory)."""
    parsed = sa.engine.make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")


def sqlite_engine(url: Any) -> sa.engine.Engine:
    """An engine on a SQLite file whose connections are pooled and run SQLITE_PRAGMAS.

    A pooled connection is used by one thread at a time (it is checked out for a session
    and returned after), so Python's same-thread check, which refuses a connection used
    by a thread other than the one that opened it, is turned off, as SQLAlchemy 2 does
    for the files it pools."""
    engine = sa.create_engine(url, poolclass=QueuePool,
                              connect_args={"check_same_thread": False})
    sa.event.listen(engine, "connect", set_pragmas)
    return engine


def set_pragmas(connection: Any, _record: Any = None) -> None:
    cursor = connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def checkpoint(engine: sa.engine.Engine) -> bool:
    """Copy the write-ahead log into the file and empty the log; True once it is empty.

    Does nothing (True) for other databases or a file not in WAL mode. TRUNCATE waits,
    up to the driver's busy timeout, for readers of older snapshots and for a writer, in
    this process or another; if one outlasts that, this tries again a few times."""
    if engine.dialect.name != "sqlite":
        return True
    for attempt in range(CHECKPOINT_ATTEMPTS):
        with engine.connect() as connection:
            busy, _log, _copied = connection.exec_driver_sql(
                "PRAGMA wal_checkpoint(TRUNCATE)").one()
        if not busy:
            return True
        time.sleep(0.1 * (attempt + 1))
    logger.warning("SQLite write-ahead log not emptied after %d attempts (the database is "
                   "busy); the next redaction or retention run empties it.",
                   CHECKPOINT_ATTEMPTS)
    return False
