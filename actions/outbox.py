"""A durable local outbox for referrals the API could not take when they were submitted.

Why: a referral about a missing child must not be lost because the API or its database
was down for a minute. The action server writes it here (an SQLite file, stdlib only)
and retries until the API stores it. Every item is keyed by the referral's
``idempotency_key``, and the API answers a resubmission of the same key with the same
reference, so retrying can never make a second referral.

States::

    pending  --(201/200 from the API)-->  delivered            (payload deleted)
    pending  --(4xx except 408/429)--->   failed_permanently   (payload kept for an operator)

Personal data lives here only until delivery: on delivery the payload is deleted and only
the key, the reference and timestamps remain (so the bot can still tell the user the
reference). The file is created 0600 and SQLite's ``secure_delete`` overwrites deleted
payloads in the file instead of leaving them in free pages.

Nothing in this module logs; callers log keys, queue ids and status codes only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from rasa_addons.settings import get_settings

State = Literal["pending", "delivered", "failed_permanently"]
PENDING: Final = "pending"
DELIVERED: Final = "delivered"
FAILED_PERMANENTLY: Final = "failed_permanently"

FILE_MODE: Final = 0o600
DIR_MODE: Final = 0o700
# Another process (the action server and an operator's flush) may hold the write lock
# for a moment; wait rather than fail.
BUSY_TIMEOUT_SECONDS: Final = 10.0

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS outbox (
    idempotency_key TEXT PRIMARY KEY,
    queue_id        TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL
                    CHECK (state IN ('pending', 'delivered', 'failed_permanently')),
    payload         TEXT,             -- JSON; NULL once delivered
    reference       TEXT,             -- the API's MR-YYYY-NNNNNN once delivered
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,  -- epoch seconds
    last_status     INTEGER,          -- last HTTP status, NULL for a network error
    last_error      TEXT,             -- never personal data: status, error class, field names
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    delivered_at    TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_at);
"""


def default_path() -> Path:
    return get_settings().referral_outbox_path


def _now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def new_queue_id() -> str:
    """Short enough to read out on the phone to MASH; unique within one outbox file."""
    return "Q-" + secrets.token_hex(4).upper()


@dataclass(frozen=True)
class OutboxItem:
    idempotency_key: str
    queue_id: str
    state: State
    payload: dict[str, Any] | None
    reference: str | None
    attempts: int
    next_attempt_at: float
    last_status: int | None
    last_error: str | None
    created_at: str
    updated_at: str
    delivered_at: str | None

    @classmethod
    def _from_row(cls, row: sqlite3.Row) -> OutboxItem:
        payload = json.loads(row["payload"]) if row["payload"] is not None else None
        return cls(
            idempotency_key=row["idempotency_key"],
            queue_id=row["queue_id"],
            state=row["state"],
            payload=payload,
            reference=row["reference"],
            attempts=row["attempts"],
            next_attempt_at=row["next_attempt_at"],
            last_status=row["last_status"],
            last_error=row["last_error"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            delivered_at=row["delivered_at"],
        )

    def __repr__(self) -> str:
        # The default repr would print the payload (personal data) into tracebacks and logs.
        return (
            f"OutboxItem(idempotency_key={self.idempotency_key!r}, queue_id={self.queue_id!r}, "
            f"state={self.state!r}, reference={self.reference!r}, attempts={self.attempts})"
        )


class Outbox:
    """The outbox file. Safe to share between threads and processes: every method opens
    its own short connection, and SQLite serialises writers."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._create_file()
        with self._connect() as connection:
            connection.executescript(_SCHEMA)

    def _create_file(self) -> None:
        if not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, mode=DIR_MODE, exist_ok=True)
        # Create the file ourselves with 0600 so that SQLite never creates it with the
        # umask's (often world-readable) mode; SQLite gives its journal the same mode.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        os.close(fd)
        # An existing file (made by an older version, or copied in) is tightened too.
        os.chmod(self.path, FILE_MODE)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS)
        try:
            connection.row_factory = sqlite3.Row
            # Deleted payloads are overwritten with zeros, not left readable in free pages.
            connection.execute("PRAGMA secure_delete = ON")
            # A referral written here must survive a power cut, not only a crash.
            connection.execute("PRAGMA synchronous = FULL")
            with connection:  # one transaction: commit on success, roll back on error
                yield connection
        finally:
            connection.close()

    # ------------------------------------------------------------------ writing

    def enqueue(
        self, idempotency_key: str, payload: dict[str, Any], *, replace_failed: bool = False
    ) -> OutboxItem:
        """Store a referral to send later. The same key twice keeps the first item (one
        key is one referral) - except that with ``replace_failed`` a corrected
        resubmission replaces an item the API refused, since the API stored nothing."""
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True)
        now = _now_iso()
        with self._connect() as connection:
            existing = self._row(connection, idempotency_key)
            if existing is not None and replace_failed and existing["state"] == FAILED_PERMANENTLY:
                connection.execute(
                    "UPDATE outbox SET state = ?, payload = ?, next_attempt_at = 0, "
                    "updated_at = ? WHERE idempotency_key = ?",
                    (PENDING, body, now, idempotency_key),
                )
                existing = self._row(connection, idempotency_key)
            if existing is not None:
                return OutboxItem._from_row(existing)
            for _ in range(10):  # a queue id collision is astronomically rare; retry anyway
                try:
                    connection.execute(
                        "INSERT INTO outbox (idempotency_key, queue_id, state, payload, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                        (idempotency_key, new_queue_id(), PENDING, body, now, now),
                    )
                    break
                except sqlite3.IntegrityError:
                    if self._row(connection, idempotency_key) is not None:
                        break  # another process queued the same key just now
            row = self._row(connection, idempotency_key)
        assert row is not None
        return OutboxItem._from_row(row)

    def record_delivered(self, idempotency_key: str, reference: str) -> OutboxItem:
        """Mark delivered (inserting a row if the referral never queued) and delete the
        payload. Keeping key and reference lets ``lookup`` answer later without the API."""
        now = _now_iso()
        with self._connect() as connection:
            cursor = connection.execute(
                "UPDATE outbox SET state = ?, reference = ?, payload = NULL, "
                "last_error = NULL, updated_at = ?, delivered_at = ? "
                "WHERE idempotency_key = ?",
                (DELIVERED, reference, now, now, idempotency_key),
            )
            if cursor.rowcount == 0:
                connection.execute(
                    "INSERT INTO outbox (idempotency_key, queue_id, state, reference, "
                    "attempts, created_at, updated_at, delivered_at) "
                    "VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
                    (idempotency_key, new_queue_id(), DELIVERED, reference, now, now, now),
                )
            row = self._row(connection, idempotency_key)
        assert row is not None
        return OutboxItem._from_row(row)

    def record_retry(
        self, idempotency_key: str, *, status: int | None, error: str, next_attempt_at: float
    ) -> None:
        """A failed attempt that is worth repeating (network, 5xx, 408, 429)."""
        with self._connect() as connection:
            connection.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_status = ?, last_error = ?, "
                "next_attempt_at = ?, updated_at = ? WHERE idempotency_key = ? AND state = ?",
                (status, error, next_attempt_at, _now_iso(), idempotency_key, PENDING),
            )

    def record_failed_permanently(
        self,
        idempotency_key: str,
        payload: dict[str, Any] | None,
        *,
        status: int | None,
        error: str,
    ) -> OutboxItem:
        """The API refused the referral for good. The payload is kept (so an operator can
        correct and ``requeue`` it, or phone it through) - it is the only copy left."""
        now = _now_iso()
        body = (
            json.dumps(payload, separators=(",", ":"), sort_keys=True)
            if payload is not None
            else None
        )
        with self._connect() as connection:
            cursor = connection.execute(
                "UPDATE outbox SET state = ?, attempts = attempts + 1, last_status = ?, "
                "last_error = ?, payload = COALESCE(?, payload), updated_at = ? "
                "WHERE idempotency_key = ? AND state != ?",
                (FAILED_PERMANENTLY, status, error, body, now, idempotency_key, DELIVERED),
            )
            if cursor.rowcount == 0 and self._row(connection, idempotency_key) is None:
                connection.execute(
                    "INSERT INTO outbox (idempotency_key, queue_id, state, payload, attempts, "
                    "last_status, last_error, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)",
                    (idempotency_key, new_queue_id(), FAILED_PERMANENTLY, body, status, error,
                     now, now),
                )  # fmt: skip
            row = self._row(connection, idempotency_key)
        assert row is not None
        return OutboxItem._from_row(row)

    def requeue(self, idempotency_key: str) -> bool:
        """Operator recovery (``python -m actions.outbox_operator requeue KEY``): send a
        failed item again, e.g. after fixing the service key."""
        with self._connect() as connection:
            cursor = connection.execute(
                "UPDATE outbox SET state = ?, next_attempt_at = 0, updated_at = ? "
                "WHERE idempotency_key = ? AND state = ? AND payload IS NOT NULL",
                (PENDING, _now_iso(), idempotency_key, FAILED_PERMANENTLY),
            )
            return cursor.rowcount == 1

    # ------------------------------------------------------------------ reading

    @staticmethod
    def _row(connection: sqlite3.Connection, idempotency_key: str) -> sqlite3.Row | None:
        return connection.execute(
            "SELECT * FROM outbox WHERE idempotency_key = ?", (idempotency_key,)
        ).fetchone()

    def get(self, idempotency_key: str) -> OutboxItem | None:
        with self._connect() as connection:
            row = self._row(connection, idempotency_key)
        return OutboxItem._from_row(row) if row is not None else None

    def pending(self, *, due_by: float | None = None) -> list[OutboxItem]:
        """Pending items, oldest first; with ``due_by`` only those whose backoff is over."""
        query = "SELECT * FROM outbox WHERE state = ?"
        params: tuple[Any, ...] = (PENDING,)
        if due_by is not None:
            query += " AND next_attempt_at <= ?"
            params += (due_by,)
        with self._connect() as connection:
            rows = connection.execute(query + " ORDER BY created_at, rowid", params).fetchall()
        return [OutboxItem._from_row(row) for row in rows]

    def purge(self, *, delivered_days: float, failed_days: float, at: float | None = None) -> int:
        """Delete delivered rows (no personal data) and items the API refused for good
        (payload kept for an operator) once older than their retention; pending items
        are never deleted: they are referrals still to be sent."""
        moment = dt.datetime.fromtimestamp(now() if at is None else at, dt.timezone.utc)

        def cutoff(days: float) -> str:
            return (moment - dt.timedelta(days=days)).isoformat(timespec="seconds")

        with self._connect() as connection:
            cursor = connection.execute(
                "DELETE FROM outbox WHERE (state = ? AND updated_at < ?) "
                "OR (state = ? AND updated_at < ?)",
                (DELIVERED, cutoff(delivered_days), FAILED_PERMANENTLY, cutoff(failed_days)),
            )
            return cursor.rowcount


def now() -> float:
    """Epoch seconds; one place, so the backoff arithmetic and the queries agree."""
    return time.time()
