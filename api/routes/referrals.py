"""Referrals to MASH: the action server submits, staff read and move them on, admins audit.

| route                              | who                    |
|------------------------------------|------------------------|
| GET   /referrals/schema            | anyone (JSON Schema)   |
| POST  /referrals                   | service key only       |
| GET   /referrals                   | staff, admin           |
| GET   /referrals/{ref}             | staff, admin           |
| PATCH /referrals/{ref}             | staff, admin           |
| GET   /referrals/{ref}/export.json | staff, admin           |
| GET   /referrals/{ref}/print       | staff, admin           |
| GET   /audit                       | admin                  |

Every read and change of a referral writes an audit row. Log lines name references only.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Final
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute

from api import audit, crud
from api.core.config import get_settings
from api.deps import Admin, DbSession, Service, Staff, service_configured
from api.models import Referral as ReferralRow
from api.models import utcnow
from api.schemas import (
    NOT_KNOWN,
    TRIAGE_LABEL,
    AuditEventOut,
    AuditList,
    Referral,
    ReferralCreated,
    ReferralDetail,
    ReferralList,
    ReferralSummary,
    Status,
    StatusChange,
    TriageLevel,
)
from guidance_corpus.loader import load_corpus

log = logging.getLogger(__name__)

REFERENCE_PATTERN: Final = r"^MR-\d{4}-\d{6,}$"
# Personal data: never cached by browsers or proxies.
NO_STORE: Final = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
# The print page loads nothing from anywhere and runs no script.
PRINT_CSP: Final = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def _errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Field names and messages only: the submitted values (personal data) are not echoed."""
    out = []
    for error in exc.errors():
        loc = [part for part in error["loc"] if part not in ("body", "query", "path")]
        extra = (error.get("ctx") or {}).get("field")
        if isinstance(extra, str):
            loc += extra.split(".")
        out.append(
            {
                "field": ".".join(str(part) for part in loc) or "body",
                "msg": error["msg"].removeprefix("Value error, "),
                "type": error["type"],
            }
        )
    return out


class _ReferralRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return JSONResponse({"detail": _errors(exc)}, status.HTTP_422_UNPROCESSABLE_CONTENT)

        return route


router = APIRouter(tags=["referrals"], route_class=_ReferralRoute)

Reference = Annotated[str, Path(pattern=REFERENCE_PATTERN, examples=["MR-2026-000123"])]


def _zone() -> ZoneInfo:
    return ZoneInfo(get_settings().referral_timezone)


def _detail(row: ReferralRow) -> ReferralDetail:
    return ReferralDetail(
        reference=row.reference,
        kind=row.kind,  # type: ignore[arg-type]
        status=row.status,  # type: ignore[arg-type]
        status_changed_by=row.status_changed_by,
        status_changed_at=row.status_changed_at,
        created_at=row.created_at,
        triage=crud.triage_out(row),
        referral=row.body,
    )


def _found(session: DbSession, reference: str, who: Any, action: str) -> ReferralRow:
    row = crud.get(session, reference)
    if row is None:
        # Looking for references that do not exist is worth seeing in the audit too.
        audit.record(session, who, action, reference, found=False)
        session.commit()
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no referral with that reference")
    audit.record(session, who, action, reference)
    session.commit()
    return row


@router.get("/referrals/schema", summary="JSON Schema of a referral (public)")
def referral_schema() -> dict[str, Any]:
    return Referral.model_json_schema()


@router.post(
    "/referrals",
    status_code=status.HTTP_201_CREATED,
    response_model=ReferralCreated,
    dependencies=[Depends(service_configured)],
    responses={200: {"model": ReferralCreated, "description": "Resubmission: same referral"}},
)
def submit_referral(
    referral: Referral, session: DbSession, who: Service, response: Response
) -> ReferralCreated:
    try:
        row, created = crud.create(session, referral, who)
    except crud.IdempotencyConflict:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            "this idempotency_key was already used for a different referral; "
            "make a new key for a new referral",
        ) from None
    if created:
        log.info("referral %s received (suggested triage %s)", row.reference, row.triage_level)
    else:
        response.status_code = status.HTTP_200_OK
        log.info("referral %s resubmitted; no new referral made", row.reference)
    response.headers.update(NO_STORE)
    return ReferralCreated(
        reference=row.reference,
        status=row.status,  # type: ignore[arg-type]
        triage=crud.triage_out(row),
    )


@router.get("/referrals", response_model=ReferralList)
def list_referrals(
    session: DbSession,
    who: Staff,
    response: Response,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    triage: TriageLevel | None = None,
    created_from: Annotated[dt.date | None, Query(description="UK date, inclusive")] = None,
    created_to: Annotated[dt.date | None, Query(description="UK date, inclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ReferralList:
    rows, total = crud.search(
        session,
        status=status_,
        triage=triage,
        created_from=created_from,
        created_to=created_to,
        zone=_zone(),
        limit=limit,
        offset=offset,
    )
    filters = {
        "status": status_,
        "triage": triage,
        "created_from": created_from.isoformat() if created_from else None,
        "created_to": created_to.isoformat() if created_to else None,
    }
    audit.record(
        session,
        who,
        "referral.listed",
        filters={k: v for k, v in filters.items() if v},
        returned=len(rows),
    )
    session.commit()
    response.headers.update(NO_STORE)
    items = [
        ReferralSummary(
            reference=row.reference,
            kind=row.kind,  # type: ignore[arg-type]
            status=row.status,  # type: ignore[arg-type]
            triage_level=row.triage_level,  # type: ignore[arg-type]
            created_at=row.created_at,
        )
        for row in rows
    ]
    return ReferralList(items=items, total=total)


@router.get("/referrals/{reference}", response_model=ReferralDetail)
def read_referral(
    reference: Reference, session: DbSession, who: Staff, response: Response
) -> ReferralDetail:
    row = _found(session, reference, who, "referral.read")
    response.headers.update(NO_STORE)
    return _detail(row)


@router.patch(
    "/referrals/{reference}",
    response_model=ReferralDetail,
    responses={409: {"description": "Not the next status (received -> in_progress -> closed)"}},
)
def change_status(
    reference: Reference,
    change: StatusChange,
    session: DbSession,
    who: Staff,
    response: Response,
) -> ReferralDetail:
    try:
        row = crud.change_status(session, reference, change.status, who)
    except LookupError:
        audit.record(session, who, "referral.status_refused", reference, found=False)
        session.commit()
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no referral with that reference") from None
    except crud.InvalidTransition as exc:
        audit.record(session, who, "referral.status_refused", reference, to=change.status)
        session.commit()
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    log.info("referral %s moved to %s", reference, row.status)
    response.headers.update(NO_STORE)
    return _detail(row)


@router.get("/referrals/{reference}/export.json")
def export_referral(reference: Reference, session: DbSession, who: Staff) -> JSONResponse:
    row = _found(session, reference, who, "referral.exported")
    document = {
        **_detail(row).model_dump(mode="json"),
        "exported_at": utcnow().isoformat(),
        "exported_by": who.username,
        "schema": "/referrals/schema",
    }
    headers = {
        **NO_STORE,
        "Content-Disposition": f'attachment; filename="{row.reference}.json"',
    }
    return JSONResponse(document, headers=headers)


@router.get("/referrals/{reference}/print", response_class=HTMLResponse)
def print_referral(reference: Reference, session: DbSession, who: Staff) -> HTMLResponse:
    row = _found(session, reference, who, "referral.printed")
    headers = {**NO_STORE, "Content-Security-Policy": PRINT_CSP}
    return HTMLResponse(render_print_page(row, _zone()), headers=headers)


@router.get("/audit", response_model=AuditList, tags=["audit"])
def read_audit(
    session: DbSession,
    who: Admin,
    reference: Annotated[str | None, Query(pattern=REFERENCE_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AuditList:
    rows, total = audit.events(session, reference=reference, limit=limit, offset=offset)
    items = [
        AuditEventOut(
            at=row.at,
            actor=row.actor,
            actor_role=row.actor_role,
            action=row.action,
            referral_reference=row.referral_reference,
            details=row.details,
        )
        for row in rows
    ]
    audit.record(session, who, "audit.read", reference, returned=len(items))
    session.commit()
    return AuditList(items=items, total=total)


# --------------------------------------------------------------------------- print page

_LABELS: Final = {
    "cse": "Child sexual exploitation (CSE)",
    "more_than_2_episodes": "More than 2 missing episodes",
    "address_or_placement": "Address or placement",
    "description_and_clothing": "Description and clothing",
}
_DATETIME_FIELDS: Final = {"missing_since", "when"}


def _label(name: str) -> str:
    return _LABELS.get(name, name.replace("_", " ").capitalize())


def _value(name: str, value: Any, zone: ZoneInfo) -> str:
    """Every value is HTML-escaped here; nothing submitted reaches the page unescaped."""
    if value is None:
        return "<span class=na>not applicable</span>"
    if value == NOT_KNOWN:
        return "<em>Not known</em>"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name in _DATETIME_FIELDS and isinstance(value, str):
        return html.escape(_local_time(dt.datetime.fromisoformat(value), zone))
    if isinstance(value, list):
        if not value:
            return "none"
        if all(isinstance(item, dict) for item in value):
            return "".join(_table(item, zone) for item in value)
        return html.escape(", ".join(str(item) for item in value))
    return html.escape(str(value))


def _table(section: dict[str, Any], zone: ZoneInfo) -> str:
    rows = "".join(
        f"<tr><th>{html.escape(_label(name))}</th><td>{_value(name, value, zone)}</td></tr>"
        for name, value in section.items()
    )
    return f"<table>{rows}</table>"


def _local_time(moment: dt.datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d %B %Y, %H:%M") + f" ({zone.key})"


def render_print_page(row: ReferralRow, zone: ZoneInfo) -> str:
    triage = crud.triage_out(row)
    reasons = "".join(
        f"<li>{html.escape(reason.text)} <small>({html.escape(reason.source)})</small></li>"
        for reason in triage.reasons
    )
    sections = "".join(
        f"<h2>{html.escape(_label(name))}</h2>{_table(value, zone)}"
        for name, value in row.body.items()
        if isinstance(value, dict)
    )
    mash = load_corpus().contacts["mash"]
    send_to = ", ".join(
        html.escape(part) for part in (mash.name, mash.phone, mash.secure_email) if part
    )
    changed = (
        f"{html.escape(row.status.replace('_', ' '))} "
        f"(by {html.escape(row.status_changed_by)}, "
        f"{html.escape(_local_time(row.status_changed_at, zone))})"
        if row.status_changed_by and row.status_changed_at
        else html.escape(row.status.replace("_", " "))
    )
    title = f"Referral {html.escape(row.reference)}"
    return f"""<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="robots" content="noindex">
<title>{title}</title>
<style>
body{{font:11pt/1.4 system-ui,sans-serif;margin:2em;color:#000}}
table{{border-collapse:collapse;width:100%;margin-bottom:1em}}
th,td{{border:1px solid #999;padding:4px 6px;text-align:left;vertical-align:top}}
th{{width:35%;background:#f2f2f2}} .na{{color:#666}}
.triage{{border:2px solid #000;padding:.5em 1em}} h2{{font-size:12pt;margin-top:1.2em}}
@media print{{body{{margin:0}}}}
</style></head><body>
<h1>{title}</h1>
<p>Kind: {html.escape(_label(row.kind))}. Received {html.escape(_local_time(row.created_at, zone))}.
Status: {changed}.</p>
<div class="triage"><strong>Triage: {html.escape(triage.level.upper())}
 &mdash; {html.escape(TRIAGE_LABEL)}</strong><ul>{reasons}</ul>
<p>{html.escape(triage.if_mash_agrees)}</p></div>
{sections}
<p><small>MASH: {send_to}. Contains personal data: keep it secure and shred it after use.
</small></p>
</body></html>
"""
