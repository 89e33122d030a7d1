"""Call the action server over kept-alive connections, encoding the tracker with ujson.

Rasa 3.6's `EndpointConfig.request` opens a new aiohttp session for every call, so every
call to the action server (each custom action, each form's slot validation and question:
two to four per message in a form) opens a new TCP connection, and aiohttp encodes the
request, the whole tracker, with the standard library's `json.dumps`. The profile in
issue 13 put about 8% of Rasa's CPU there: 6% encoding, the rest in making connections.

This makes the same request (method, URL, headers, query parameters, timeout,
compression, and the same answers to errors: `ClientResponseError` for a status of 400 or
more, None for a reply that is not JSON) through one session per endpoint and event loop,
which keeps its connections open between calls, and whose JSON encoder is ujson (already
installed with Rasa): the same JSON values, faster. The session is made on the event loop
that uses it (a Sanic worker has one) and made again if that loop is not the one it was
made on, or it was closed. An endpoint with basic auth or its own CA file goes through
Rasa's own code.

Kept-alive connections and a restarted action server: the action server (Sanic) closes
a connection idle for 5 s; this closes its own after `IDLE_SECONDS`, before the server
would, and a connection the server did close (it restarted) is seen as closed by aiohttp
and not reused.

`rasa_addons/serve.py` installs it in the Rasa process.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import ujson
from aiohttp import ContentTypeError
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

_original = EndpointConfig.request
ATTRIBUTE = "_addon_session"
#: Under the action server's own keep-alive timeout (Sanic's default, 5 s).
IDLE_SECONDS = 2.0
#: Rasa's own total timeout for a session (rasa.utils.endpoints.DEFAULT_REQUEST_TIMEOUT).
TOTAL_TIMEOUT = 60 * 5


def encode(value: Any) -> str:
    """JSON text of `value`: the same JSON values as `json.dumps` gives. ujson refuses a
    few values the standard library writes (NaN, integers beyond 64 bits): those go to
    `json.dumps` as before."""
    try:
        return ujson.dumps(value, ensure_ascii=True, escape_forward_slashes=False)
    except (OverflowError, TypeError, ValueError):
        return json.dumps(value)


def session_for(config: EndpointConfig) -> aiohttp.ClientSession:
    loop = asyncio.get_running_loop()
    kept: tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession] | None = getattr(
        config, ATTRIBUTE, None
    )
    if kept is not None and kept[0] is loop and not kept[1].closed:
        return kept[1]
    session = aiohttp.ClientSession(
        headers=config.headers,
        timeout=aiohttp.ClientTimeout(total=TOTAL_TIMEOUT),
        json_serialize=encode,
        connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_SECONDS),
    )
    setattr(config, ATTRIBUTE, (loop, session))
    return session


async def request(
    self: EndpointConfig,
    method: str = "post",
    subpath: str | None = None,
    content_type: str | None = "application/json",
    compress: bool = False,
    **kwargs: Any,
) -> Any:
    if self.basic_auth or self.cafile:
        return await _original(self, method, subpath, content_type, compress, **kwargs)
    # The same headers and parameters as Rasa's own `request`, in the same order.
    headers: dict[str, Any] = {}
    if content_type:
        headers["Content-Type"] = content_type
    if "headers" in kwargs:
        headers.update(kwargs.pop("headers"))
    if self.headers:
        headers.update(self.headers)
    params = self.combine_parameters(kwargs)
    async with session_for(self).request(
        method, concat_url(self.url, subpath), headers=headers, params=params,
        compress=compress, ssl=None, **kwargs,
    ) as response:
        if response.status >= 400:
            raise ClientResponseError(
                response.status, response.reason, await response.content.read()
            )
        try:
            return await response.json()
        except ContentTypeError:
            return None


def install() -> None:
    EndpointConfig.request = request


def uninstall() -> None:
    EndpointConfig.request = _original
