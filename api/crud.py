"""Storing, finding and moving referrals; each change is audited in its own transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import audit
from api.core.security import Principal
from api.models import Referral as ReferralRow
from api.models import utcnow
from api.schemas import Referral, TriageOut, TriageReason
from api.triage import IF_MASH_AGREES, suggest

# Status only moves forward, one step at a time: received -> in_progress -> closed.
NEXT_STATUS: Final[dict[str, str]] = {"received": "in_progress", "in_progress": "closed"}


class IdempotencyConflict(Exception):
    """The idempotency key was already used for a different referral body."""


class InvalidTransition(Exception):
    def __init__(self, current: str, wanted: str) -> None:
        allowed = NEXT_STATUS.get(current)
        hint = f"the next status is '{allowed}'" if allowed else "the referral is closed"
        super().__init__(f"cannot move from '{current}' to '{wanted}': {hint}")


def reference_for(year: int, row_id: int) -> str:
    """E.g. MR-2026-000123: the year it arrived and a database sequence (unique forever)."""
    return f"MR-{year}-{row_id:06d}"


def _digest(body: dict[str, object]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _by_key(session: Session, key: str) -> ReferralRow | None:
    return session.scalar(select(ReferralRow).where(ReferralRow.idempotency_key == key))


def _same_submission(row: ReferralRow, digest: str) -> ReferralRow:
    if row.body_sha256 != digest:
        raise IdempotencyConflict
    return row


def create(session: Session, referral: Referral, who: Principal) -> tuple[ReferralRow, bool]:
    """Store a referral; returns (row, created). A resubmission returns the first row."""
    key = str(referral.idempotency_key)
    body = referral.body()
    digest = _digest(body)
    existing = _by_key(session, key)
    if existing is not None:
        row = _same_submission(existing, digest)
        audit.record(session, who, "referral.resubmitted", row.reference)
        session.commit()
        return row, False

    triage = suggest(referral)
    now = utcnow()
    row = ReferralRow(
        # The real reference needs the row id; a random placeholder keeps the column
        # NOT NULL and unique until it is set, in the same transaction.
        reference=f"pending-{secrets.token_hex(12)}",
        idempotency_key=key,
        body_sha256=digest,
        kind=referral.kind,
        status="received",
        triage_level=triage.level,
        triage_reasons=[reason.model_dump() for reason in triage.reasons],
        body=body,
        created_by=who.username,
        created_at=now,
    )
    try:
        session.add(row)
        session.flush()
        row.reference = reference_for(now.year, row.id)
        audit.record(
            session, who, "referral.created", row.reference, kind=row.kind, triage=triage.level
        )
        session.commit()
    except IntegrityError:
        # Two submissions with the same key raced; the other one won. Answer with it.
        session.rollback()
        existing = _by_key(session, key)
        if existing is None:
            raise
        return _same_submission(existing, digest), False
    return row, True


def get(session: Session, reference: str) -> ReferralRow | None:
    return session.scalar(select(ReferralRow).where(ReferralRow.reference == reference))


def search(
    session: Session,
    *,
    status: str | None,
    triage: str | None,
    created_from: dt.date | None,
    created_to: dt.date | None,
    zone: ZoneInfo,
    limit: int,
    offset: int,
) -> tuple[list[ReferralRow], int]:
    """Newest first. Dates are whole local days (MASH works on UK time), both inclusive."""
    query = select(ReferralRow)
    if status:
        query = query.where(ReferralRow.status == status)
    if triage:
        query = query.where(ReferralRow.triage_level == triage)
    if created_from:
        start = dt.datetime.combine(created_from, dt.time.min, tzinfo=zone)
        query = query.where(ReferralRow.created_at >= start)
    if created_to:
        end = dt.datetime.combine(created_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        query = query.where(ReferralRow.created_at < end)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(ReferralRow.created_at.desc(), ReferralRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def change_status(session: Session, reference: str, wanted: str, who: Principal) -> ReferralRow:
    """Move a referral one step forward; raises InvalidTransition otherwise."""
    # FOR UPDATE (PostgreSQL) stops two people moving the same referral at once.
    row = session.scalar(
        select(ReferralRow).where(ReferralRow.reference == reference).with_for_update()
    )
    if row is None:
        raise LookupError(reference)
    if NEXT_STATUS.get(row.status) != wanted:
        error = InvalidTransition(row.status, wanted)
        session.rollback()
        raise error
    previous = row.status
    row.status = wanted
    row.status_changed_by = who.username
    row.status_changed_at = utcnow()
    audit.record(
        session, who, "referral.status_changed", reference, **{"from": previous, "to": wanted}
    )
    session.commit()
    return row


def triage_out(row: ReferralRow) -> TriageOut:
    level = row.triage_level
    return TriageOut(
        level=level,  # type: ignore[arg-type]
        reasons=[TriageReason.model_validate(reason) for reason in row.triage_reasons],
        if_mash_agrees=IF_MASH_AGREES[level],
    )
