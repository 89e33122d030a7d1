"""API replicas share their rate counts through Redis (RATE_LIMIT_STORAGE_URL=redis://,
as deploy/compose.yml sets it): what one replica counted, the other one refuses."""

from __future__ import annotations

import uuid

from api.ratelimit import RateLimits
from tests.redis_server import redis_server


def test_two_replicas_count_against_one_limit() -> None:
    with redis_server() as server:
        first, second = RateLimits(server.url(db=2)), RateLimits(server.url(db=2))
        client = f"client-{uuid.uuid4().hex}"
        assert first.allow("3/minute", client)
        assert second.allow("3/minute", client)
        assert first.allow("3/minute", client)
        assert second.exceeded("3/minute", client)
        assert not second.allow("3/minute", client)
        # Another client's count is its own.
        assert second.allow("3/minute", f"client-{uuid.uuid4().hex}")
