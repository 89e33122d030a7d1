"""Tables of the referral store. The schema itself is created by Alembic (0002)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Integer, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out, on PostgreSQL and SQLite alike.

    SQLite has no time zone type and hands back naive values; storing UTC and re-attaching
    UTC on the way out keeps comparisons and JSON output identical on both databases.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


class Referral(Base):
    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # MR-<year>-<zero-padded id>; set in the same transaction as the insert.
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(36), unique=True)
    # sha256 of the submitted body: a resubmission with the same key but a different body
    # is a client bug and is refused rather than silently dropped.
    body_sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True, default="received")
    status_changed_by: Mapped[str | None] = mapped_column(String(64))
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    triage_level: Mapped[str] = mapped_column(String(8), index=True)
    triage_reasons: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True, default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    # The first characters of the key, stored in clear to find the row; the rest of the
    # key is only ever stored as a salted scrypt hash.
    key_prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    # No foreign key: the audit trail must outlive (and never block) changes to referrals.
    referral_reference: Mapped[str | None] = mapped_column(String(32), index=True)
    # Never personal data: statuses, counts, filters, levels.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ClosedConversation(Base):
    """A conversation id the API no longer accepts (see api/conversations.py)."""

    __tablename__ = "closed_conversations"

    id_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    closed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True, default=utcnow)
