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

Reading and writing a turn (issue 13): Rasa builds its event query with the ORM on every
read and again to count what is stored before every write, and SQLAlchemy works out a
cache key for each of those query objects, walking them whole: with the ORM's loading of
each row, about 7% of Rasa's CPU. This store runs the same SQL as Rasa's query (the
conversation's events from its latest `session_started` on, or all when there is none,
in id order), written once as text, and writes a turn's new events as one insert of
plain rows: the same rows, columns and values as Rasa's `save`.

Why redact the tracker rather than keep answers out of it: the forms are Rasa forms,
whose answers are slots by design; keeping them elsewhere would mean re-implementing
form state. Redacting after submission removes everything with one well-tested step,
whatever the form asked.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine.url import make_url
from sqlalchemy.sql.elements import TextClause

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


def latest_session_queries(engine: sa.engine.Engine, table: sa.Table
                           ) -> tuple[TextClause, TextClause]:
    """Rasa's query for the events of a conversation's latest session (`_event_query`),
    as SQL text: the events' data in order, and how many there are."""
    quote = engine.dialect.identifier_preparer.quote
    events, stamp = quote(table.name), quote("timestamp")
    latest = (
        f"FROM {events} AS e, "
        f"(SELECT max({stamp}) AS session_start FROM {events} "
        f"WHERE sender_id = :sender_id AND type_name = :session_started) AS s "
        f"WHERE e.sender_id = :sender_id "
        f"AND (e.{stamp} >= s.session_start OR s.session_start IS NULL)"
    )
    return sa.text(f"SELECT e.data {latest} ORDER BY e.id"), sa.text(f"SELECT count(*) {latest}")


def event_row(sender_id: str, event: Any) -> dict[str, Any]:
    """One stored event's columns, as Rasa's `SQLTrackerStore.save` fills them."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


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

        self._latest_data, self._latest_count = latest_session_queries(
            self.engine, self.SQLEvent.__table__
        )

    @staticmethod
    def _run(session: sa.orm.Session, query: TextClause, sender_id: str
             ) -> sa.engine.Result:
        return session.execute(
            query, {"sender_id": sender_id, "session_started": SessionStarted.type_name}
        )

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        if fetch_events_from_all_sessions:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        with self.session_scope() as session:
            stored = self._run(session, self._latest_data, sender_id).scalars().all()
        events = [json.loads(data) for data in stored]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    def _additional_events(self, session: sa.orm.Session, tracker: DialogueStateTracker
                           ) -> itertools.islice:
        stored = self._run(session, self._latest_count, tracker.sender_id).scalar()
        return itertools.islice(tracker.events, stored or 0, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = [event_row(tracker.sender_id, event)
                    for event in self._additional_events(session, tracker)]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()
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
