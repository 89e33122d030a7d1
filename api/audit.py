"""The audit trail: who read or changed which referral, and when.

Details hold only non-personal facts (statuses, counts, filters, triage levels), so the
audit can be shown to an administrator without exposing any child's details.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.core.security import Principal
from api.models import AuditEvent


def record(
    session: Session,
    who: Principal,
    action: str,
    reference: str | None = None,
    **details: Any,
) -> None:
    """Add an audit row to the caller's transaction (committed with the change it records)."""
    session.add(
        AuditEvent(
            actor=who.username,
            actor_role=who.role,
            action=action,
            referral_reference=reference,
            details=details,
        )
    )


def events(
    session: Session, *, reference: str | None, limit: int, offset: int
) -> tuple[list[AuditEvent], int]:
    query = select(AuditEvent)
    if reference:
        query = query.where(AuditEvent.referral_reference == reference)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), total
