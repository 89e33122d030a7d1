"""The action server: rasa-sdk's app, answering no one but our Rasa.

rasa-sdk's own server listens on every interface, takes any caller, inflates
deflate-compressed bodies of any size, allows every CORS origin and answers an exception
with the whole request body. Anyone who could reach it could run `action_submit_referral`
with made-up slots and so create a referral signed with the action server's own key.
So this wraps the same app (same executor, same actions) and:
- listens on INTERNAL_HOST (loopback unless a multi-host deployment opens it);
- refuses every call but `/health` without `Authorization: Bearer <ACTION_SERVER_TOKEN>`
  (bot/endpoints.yml makes Rasa send it), and refuses to start without a token;
- refuses compressed bodies and caps the body size (ACTION_SERVER_MAX_BODY_BYTES);
- allows no CORS origin, keeps no access log, and answers an error with its type only.

Usage: python -m rasa_addons.action_server --port 5055   (ACTION_SERVER_TOKEN set)
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_addons import log_privacy
from rasa_addons.serving import freeze_when_serving, mark_when_serving
from rasa_addons.settings import Settings, get_settings

log = logging.getLogger(__name__)
OPEN_PATHS = frozenset({"/health"})


def authorised(request: Request, token: str) -> bool:
    presented = request.headers.get("authorization", "")
    return bool(token) and hmac.compare_digest(presented.encode(), f"Bearer {token}".encode())


def create_app(settings: Settings, actions_package: str = "actions") -> Sanic:
    from rasa_sdk.endpoint import create_app as create_sdk_app

    # An empty origin list: no browser page may call the action server.
    app = create_sdk_app(actions_package, cors_origins="")
    app.config.REQUEST_MAX_SIZE = settings.action_server_max_body_bytes

    @app.on_request
    async def guard(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        if not authorised(request, settings.action_server_token):
            log.warning("action server: refused a call without the right token")
            return response.json({"error": "unauthorised"}, status=401)
        encoding = request.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            return response.json({"error": "compressed bodies are not accepted"}, status=415)
        return None

    async def on_error(request: Request, exception: Exception) -> HTTPResponse:
        # rasa-sdk's handler answers with the request body (the whole tracker) and logs
        # the request; this one says what kind of error it was, and logs no content.
        status = getattr(exception, "status_code", 500) or 500
        if status >= 500:
            log.error("action server: %s while running an action", type(exception).__name__,
                      exc_info=(type(exception), exception, exception.__traceback__))
        return response.json({"error": type(exception).__name__}, status=status)

    app.error_handler.add(Exception, on_error)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="the project's action server")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    os.umask(0o077)
    settings = get_settings()
    if not settings.action_server_token:
        sys.exit("ACTION_SERVER_TOKEN is not set: refusing to start an action server anyone "
                 "could call.")
    log_privacy.install()
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    app = create_app(settings, args.actions)
    app.config.MOTD = False
    started = mark_when_serving(app)
    freeze_when_serving(app)  # the corpus and the actions, loaded above
    log.info("action server on %s:%d", settings.internal_host, args.port)
    app.run(host=settings.internal_host, port=args.port, workers=1, access_log=False)
    # Sanic logs "Unable to start server" and returns normally when it cannot bind the
    # port: that is a failure, and the supervisor must see it as one.
    return 0 if started() else 1


if __name__ == "__main__":
    sys.exit(main())
