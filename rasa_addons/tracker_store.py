"""SQL tracker store configured by one URL, which forgets a report once it is sent.

Two jobs:
- Rasa's own SQLTrackerStore takes dialect, host, port and database as separate keys
  and fails on an unset environment variable, which makes "SQLite by default,
  PostgreSQL when TRACKER_DB_URL is set" awkward in endpoints.yml. This takes the URL.
- Once a MASH referral or a licence holder's concern has been sent, its details must
  live only in the API's referral store. Clearing slots only *appends* events: the
  person's own messages, the slot values and the bot's read-back stay in the table. So
  after saving a turn in which a report was submitted, this rewrites that conversation's
  stored events in place: the text of every user message and bot reply up to the
  submission is removed (intents and action names stay, so the dialogue goes on), entity
  values are removed, and every slot value except the few that steer the conversation
  (who is asking, and similar) is set to null. Rewriting in place keeps the number of
  events, which is how Rasa knows what it has already stored. On SQLite,
  `secure_delete` makes SQLite overwrite the old bytes instead of leaving them in free
  pages of the file, and a checkpoint after the rewrite (below) leaves none of them in the
  write-ahead log either.

On SQLite (issue 13: the tracker read and write were about 14% of Rasa's CPU) the store
keeps its connections open in a pool instead of opening the file for every read and
write (SQLAlchemy 1.4 gives a file database no pool), and uses SQLite's write-ahead log
(`journal_mode=WAL`, kept in the file) with `synchronous=NORMAL`: a turn's write appends
to the log and syncs the disk only at checkpoints, and readers do not wait for a writer.
A power cut can lose the last turns written before it, never corrupt the file. The log
holds the latest writes until SQLite copies them into the file, so after rewriting a
submitted report (and after the retention purge, rasa_addons/retention.py) the store
runs `PRAGMA wal_checkpoint(TRUNCATE)` (rasa_addons/sqlite_wal.py): the rewritten pages
go into the file, and the log, which still holds the report's first writes, is emptied
to zero bytes.

Why redact the tracker rather than keep answers out of it: the forms are Rasa forms,
whose answers are slots by design; keeping them elsewhere would mean re-implementing
form state. Redacting after submission removes everything with one well-tested step,
whatever the form asked.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine.url import make_url

from rasa_addons.sqlite_wal import checkpoint, is_sqlite_file, sqlite_engine

DEFAULT_URL = "sqlite:///var/tracker.db"

# Actions after which a report has left the conversation for the referral store.
SUBMIT_ACTIONS = frozenset({"action_submit_referral", "action_submit_licence_concern"})
# Slots kept after a report: they say who is asking and steer what comes next, and hold
# nothing about a child or the person.
KEPT_SLOTS = frozenset({"audience", "requested_slot", "session_started_metadata"})
REMOVED = "[removed after the report was sent]"


def url_to_kwargs(url: str) -> dict[str, Any]:
    """Split a SQLAlchemy URL into SQLTrackerStore's keyword arguments."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {
        "dialect": parsed.drivername,
        "host": parsed.host,
        "port": parsed.port,
        "db": parsed.database,
        "username": parsed.username,
        "password": parsed.password,
    }
    if parsed.query:
        kwargs["query"] = dict(parsed.query)
    return kwargs


def submitted_this_turn(tracker: DialogueStateTracker) -> bool:
    """Did a submit action run since the person's latest message?"""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name in SUBMIT_ACTIONS:
            return True
    return False


def redact_event(data: dict[str, Any]) -> dict[str, Any]:
    """One stored event without conversation content (see the module docstring)."""
    kind = data.get("event")
    if kind == "user":
        data["text"] = REMOVED
        data["metadata"] = {}
        parse = data.get("parse_data") or {}
        parse["text"] = REMOVED
        for entity in data.get("entities") or []:
            entity["value"] = REMOVED
        for entity in parse.get("entities") or []:
            entity["value"] = REMOVED
            entity.pop("text", None)
        parse.pop("text_tokens", None)
        data["parse_data"] = parse
    elif kind == "bot":
        data["text"] = REMOVED
        data["data"] = {}
        data["metadata"] = {}
    elif kind == "slot" and data.get("name") not in KEPT_SLOTS:
        data["value"] = None
    return data


class UrlSQLTrackerStore(SQLTrackerStore):
    engine: sa.engine.Engine  # set by Rasa's __init__ (and replaced below for SQLite)

    # Rasa hands the endpoint's `url:` value to custom tracker stores as `host`.
    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            domain=domain, event_broker=event_broker, **url_to_kwargs(host or DEFAULT_URL), **kwargs
        )
        if is_sqlite_file(self.engine.url):
            # Rasa's engine has no pool for a file and no pragmas: a new engine on the
            # same URL (Rasa has created the tables), and Rasa's session factory on it.
            url = self.engine.url
            self.engine.dispose()
            self.engine = sqlite_engine(url)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        if submitted_this_turn(tracker):
            self.redact(tracker.sender_id)

    def redact(self, sender_id: str) -> int:
        """Remove the content of every stored event of `sender_id` up to its latest
        submission (all of it if none); returns how many events were rewritten."""
        event = self.SQLEvent
        with self.session_scope() as session:
            rows = session.query(event).filter(event.sender_id == sender_id).order_by(event.id)
            rows = rows.all()
            last = max(
                (r.id for r in rows if r.action_name in SUBMIT_ACTIONS), default=rows[-1].id
                if rows else 0,
            )
            changed = 0
            for row in rows:
                if row.id > last or row.type_name not in ("user", "bot", "slot"):
                    continue
                redacted = json.dumps(redact_event(json.loads(row.data)))
                if redacted != row.data:
                    row.data = redacted
                    changed += 1
            session.commit()
        checkpoint(self.engine)
        return changed
