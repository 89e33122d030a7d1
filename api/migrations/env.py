"""Alembic environment: runs on the connection api.db.migrate() hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from api.db import get_engine

connection = context.config.attributes.get("connection")


def run(connection: Connection) -> None:
    context.configure(connection=connection, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is None:
    with get_engine().begin() as new_connection:
        run(new_connection)
else:
    run(connection)
