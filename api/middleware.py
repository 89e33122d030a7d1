"""What every response of the API gets, whatever route made it.

- A body larger than MAX_BODY_BYTES is refused with 413, from its Content-Length before
  reading, or as soon as a streamed body passes the limit.
- Every HTML page gets the page's security headers (nothing loads from anywhere else,
  no framing, no referrer), static files included.
- Nothing but the static assets may be cached: answers in the chat and every referral
  route hold what people said, so `Cache-Control: no-store`.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Nothing loads from anywhere else: no CDN, fonts or analytics, and no inline script.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
CACHEABLE_PREFIX = "/static/"


class _TooLarge(Exception):
    pass


class ResponsePolicy:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await _too_large(send)
            return
        received = 0
        started = too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    too_large = True
                    raise _TooLarge
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if too_large:
                # The app turned the interrupted read into an answer of its own (FastAPI
                # answers 400); the person gets the 413 that says what happened instead.
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await _too_large(send)
                return
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = _with_policy(scope["path"], list(message["headers"]))
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _TooLarge:
            if not started:
                await _too_large(send)


def _with_policy(path: str, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
    wanted: dict[str, str] = {"X-Content-Type-Options": "nosniff"}
    if content_type.startswith(b"text/html"):
        wanted.update(PAGE_HEADERS)
    if not path.startswith(CACHEABLE_PREFIX):
        wanted["Cache-Control"] = "no-store"
    for name, value in wanted.items():
        if name.lower().encode() not in present:
            headers.append((name.lower().encode(), value.encode()))
    return headers


async def _too_large(send: Send) -> None:
    body: dict[str, Any] = {"detail": "the request is too large"}
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
        (b"cache-control", b"no-store"), (b"connection", b"close"),
    ]})
    await send({"type": "http.response.body", "body": payload})
