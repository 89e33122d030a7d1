"""SQL tracker store configured by one database URL.

Rasa's own SQLTrackerStore takes dialect, host, port and database as separate keys and
fails on an unset environment variable, which makes "SQLite by default, PostgreSQL when
TRACKER_DB_URL is set" awkward to express in endpoints.yml. This class takes the URL.
"""

from __future__ import annotations

from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy.engine.url import make_url

DEFAULT_URL = "sqlite:///var/tracker.db"


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


class UrlSQLTrackerStore(SQLTrackerStore):
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
