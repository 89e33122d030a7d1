"""Rate limits: per conversation and per client on /chat, and on failed authentication.

Built on the `limits` library (moving windows). Counts live in memory per API process by
default, or in Redis when RATE_LIMIT_STORAGE_URL says so, so that several API replicas
share them. Keys are a conversation's digest or the client's address; neither is logged.
"""

from __future__ import annotations

from functools import lru_cache

from fastapi import HTTPException, Request, status
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


@lru_cache
def _item(rate: str) -> RateLimitItem:
    return parse(rate)


class RateLimits:
    """One per app (app.state.rate_limits), so each app instance counts afresh."""

    def __init__(self, storage_url: str) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_url))

    def allow(self, rate: str, *keys: str) -> bool:
        """Count one event against `rate` for `keys`; False once the limit is reached."""
        return self._limiter.hit(_item(rate), *keys)

    def exceeded(self, rate: str, *keys: str) -> bool:
        """Whether `keys` are at the limit already, without counting an event."""
        return not self._limiter.test(_item(rate), *keys)


def of(request: Request) -> RateLimits:
    return request.app.state.rate_limits


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def too_many(retry_after_seconds: int = 60) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        "too many requests: please wait a minute and try again",
        headers={"Retry-After": str(retry_after_seconds)},
    )
