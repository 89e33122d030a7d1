"""Request dependencies of the referral routes: a database session and who is calling."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import audit, db, ratelimit
from api.core.config import get_settings
from api.core.security import (
    ANONYMOUS,
    SERVICE_PRINCIPAL,
    Principal,
    Role,
    is_service_key,
    key_prefix,
    verify_api_key,
)
from api.models import User


class _RedactValues(logging.Filter):
    """SQLAlchemy logs bound parameters and result rows at INFO/DEBUG: for this API those
    are children's names, addresses and dates of birth. Keep the SQL text, drop values."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, Mapping):
            record.args = {key: "[redacted]" for key in record.args}
        elif record.args:
            record.args = tuple("[redacted]" for _ in record.args)
        return True


# Attached to the logger SQLAlchemy's engines log through (a logger filter runs before
# any handler, so whatever the logging configuration, values never reach a log line).
logging.getLogger("sqlalchemy.engine.Engine").addFilter(_RedactValues())


def get_db() -> Iterator[Session]:
    # Also keeps values out of database exception messages, which may end up in logs.
    db.get_engine().hide_parameters = True
    yield from db.get_session()


DbSession = Annotated[Session, Depends(get_db)]

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="Or X-API-Key: <key>")


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"}
    )


def _refuse(session: Session, request: Request, reason: str, message: str) -> HTTPException:
    """Count and audit a failed authentication (never the key itself)."""
    ratelimit.of(request).allow(get_settings().auth_failure_rate_per_client, "auth-failure",
                                ratelimit.client_address(request))
    audit.record(session, ANONYMOUS, "auth_failed", reason=reason, path=request.url.path)
    session.commit()
    return _unauthorised(message)


def current_principal(
    session: DbSession,
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    if ratelimit.of(request).exceeded(get_settings().auth_failure_rate_per_client,
                                      "auth-failure", ratelimit.client_address(request)):
        # Too many wrong keys from this address: stop checking for a while, so keys
        # cannot be guessed at speed (scrypt also makes every check slow).
        raise ratelimit.too_many()
    presented = bearer.credentials if bearer else header_key
    if not presented:
        raise _refuse(session, request, "no_key",
                      "an API key is needed (Authorization: Bearer <key> or X-API-Key)")
    if is_service_key(presented, get_settings().service_api_key.get_secret_value()):
        return SERVICE_PRINCIPAL
    prefix = key_prefix(presented)
    user = (
        session.scalar(select(User).where(User.key_prefix == prefix, User.disabled_at.is_(None)))
        if prefix
        else None
    )
    if user is None or not verify_api_key(presented, user.key_hash):
        raise _refuse(session, request, "invalid_key", "the API key is not valid")
    return Principal(username=user.username, role=user.role)  # type: ignore[arg-type]


def require(*roles: Role) -> Callable[[Principal], Principal]:
    def check(who: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if who.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"needs the role {' or '.join(roles)}")
        return who

    return check


def service_configured() -> None:
    """Referral intake is refused, never open, while SERVICE_API_KEY is unset."""
    if not get_settings().service_api_key.get_secret_value():
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "referral intake is not configured: set SERVICE_API_KEY on the API and the "
            "action server",
        )


Staff = Annotated[Principal, Depends(require("staff", "admin"))]
Admin = Annotated[Principal, Depends(require("admin"))]
Service = Annotated[Principal, Depends(require("service"))]
