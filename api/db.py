"""Database engine and sessions; the schema itself comes from Alembic migrations."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from api.core.config import get_settings

MIGRATIONS = Path(__file__).with_name("migrations")


@lru_cache
def get_engine() -> Engine:
    url = get_settings().database_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters keeps bound values (names, addresses) out of database error text.
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def get_session() -> Iterator[Session]:
    with sessionmaker(get_engine(), expire_on_commit=False)() as session:
        yield session


def migrate() -> None:
    """Bring the schema to the newest migration (run at start-up)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with get_engine().begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def ping() -> None:
    with get_engine().connect() as connection:
        connection.execute(text("SELECT 1"))
