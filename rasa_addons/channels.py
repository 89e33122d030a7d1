"""Rasa's REST channel behind a token, for a deployment where Rasa listens beyond loopback.

On one machine Rasa listens on 127.0.0.1 only and the plain REST channel is used (the
API, the tests and the outside evaluation talk to it there). When INTERNAL_HOST opens
Rasa to other hosts, `rasa_addons.serve` uses bot/credentials-open.yml instead, whose
channel is this one: the same URL (/webhooks/rest/webhook) and behaviour, but a request
without `Authorization: Bearer <RASA_TOKEN>` is refused, so only our API can talk to it.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_addons.settings import get_settings


class TokenRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        token = get_settings().rasa_token

        @blueprint.middleware("request")
        async def require_token(request: Request) -> HTTPResponse | None:
            presented = request.headers.get("authorization", "").encode()
            if not token or not hmac.compare_digest(presented, f"Bearer {token}".encode()):
                return response.json({"error": "unauthorised"}, status=401)
            return None

        return blueprint
