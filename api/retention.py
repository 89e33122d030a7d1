"""Retention of the API's own store: referrals, the audit trail, closed conversation ids.

- A referral is deleted REFERRAL_RETENTION_DAYS (default 90) after its last change
  (received, or its latest status change): the referral store is MASH's intake, and
  MASH keeps what it needs in its own case system.
- Audit rows are deleted AUDIT_RETENTION_DAYS (default 400) after they were written, so
  an administrator can still see who read a referral for a year after it was deleted.
- A closed conversation id is forgotten once any id of its age would be refused anyway
  (CONVERSATION_RETENTION_DAYS).

`python -m api.cli purge` runs this; the supervisor runs it at start-up and hourly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlalchemy.orm import Session

from api.core.config import get_settings
from api.models import AuditEvent, ClosedConversation, Referral, utcnow


@dataclass(frozen=True)
class Purged:
    referrals: int
    audit_events: int
    closed_conversations: int


def purge(session: Session, now: dt.datetime | None = None) -> Purged:
    settings = get_settings()
    now = now or utcnow()
    referral_cutoff = now - dt.timedelta(days=settings.referral_retention_days)
    audit_cutoff = now - dt.timedelta(days=settings.audit_retention_days)
    ids_cutoff = now - dt.timedelta(days=settings.conversation_retention_days + 1)
    last_change = func.coalesce(Referral.status_changed_at, Referral.created_at)
    referrals = session.execute(delete(Referral).where(last_change < referral_cutoff))
    audit_rows = session.execute(delete(AuditEvent).where(AuditEvent.at < audit_cutoff))
    closed = session.execute(
        delete(ClosedConversation).where(ClosedConversation.closed_at < ids_cutoff)
    )
    session.commit()
    return Purged(referrals.rowcount, audit_rows.rowcount, closed.rowcount)  # type: ignore[attr-defined]
