"""Did a Sanic server ever bind its port? And connections spread over Sanic's workers.

Sanic logs "Unable to start server" and returns normally when it cannot bind, so a
launcher that exits 0 after `run()` would look like a clean stop to the supervisor. Both
launchers (the action server, which builds its own app, and `serve.py`, whose app Rasa
builds inside its CLI) ask this instead.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable

from sanic import Request, Sanic


def mark_when_serving(app: Sanic) -> Callable[[], bool]:
    """A check that says whether `app` ever started serving (bound its port). The flag
    is in shared memory: with several workers, Sanic serves from forked processes."""
    state = multiprocessing.get_context("fork").Value("b", 0, lock=False)

    async def serving(_app: Sanic, _loop: object) -> None:
        state.value = 1

    app.register_listener(serving, "after_server_start")
    return lambda: bool(state.value)


def mark_every_app_when_serving(sanic_class: type[Sanic]) -> Callable[[], bool]:
    """For apps built where we cannot reach them (Rasa's CLI): mark each one as it runs."""
    checks: list[Callable[[], bool]] = []
    before_every_run(sanic_class, lambda app: checks.append(mark_when_serving(app)))
    return lambda: any(check() for check in checks)


def before_every_run(sanic_class: type[Sanic], prepare: Callable[[Sanic], object]) -> None:
    """Call `prepare(app)` as each app of `sanic_class` starts to run (the launcher never
    sees the app Rasa's CLI builds)."""
    original_run = sanic_class.run

    def run(app: Sanic, *args: object, **kwargs: object) -> None:
        prepare(app)
        original_run(app, *args, **kwargs)  # type: ignore[arg-type]

    sanic_class.run = run  # type: ignore[method-assign, assignment]


#: Replies per connection before Rasa asks the client to connect again.
REPLIES_PER_CONNECTION = 8


async def _reconnect_now_and_then(request: Request) -> None:
    # Sanic 21.12 reads no setting for this (its KEEP_ALIVE config is used by nothing):
    # the connection's Http object decides per request, from the request's headers, and
    # this runs after them. That reply then says "Connection: close" and the connection
    # ends once it is sent; the client's next request opens a new one.
    context = request.conn_info.ctx  # type: ignore[union-attr]
    context.replies = getattr(context, "replies", 0) + 1
    if context.replies >= REPLIES_PER_CONNECTION:
        request.stream.keep_alive = False  # type: ignore[union-attr]


def spread_connections_over_workers(sanic_class: type[Sanic]) -> None:
    """Make every app (Rasa's, built inside its CLI) end each connection after a few
    replies.

    Sanic's workers accept connections on one shared socket, so a new connection goes to
    a worker that is free to take it, but a kept-alive one stays with the worker that
    took it. Clients hold a few connections for all their requests (the API, a balancer,
    the bench), and the ones made while the second worker was still loading the model
    all went to the first: measured, 28.9 against 2.2 CPU-seconds, the second core
    idle. Ending every connection after each reply balanced the workers but cost a
    connection per message (about 2 ms of CPU between Rasa and the client); after
    every few replies, a connection made to a busy worker moves within seconds."""
    before_every_run(sanic_class,
                     lambda app: app.register_middleware(_reconnect_now_and_then, "request"))


async def _freeze_what_is_loaded(_app: Sanic, _loop: object) -> None:
    gc.collect()
    gc.freeze()


def freeze_after_loading(sanic_class: type[Sanic]) -> None:
    """Move everything a worker has loaded by the time it serves (the model: about a
    million objects) out of the garbage collector's reach.

    Python's collector runs a full collection now and then, walking every tracked object,
    and the loaded model's objects live for the whole process, so each of those walks
    costs most of a second for nothing (issue 13: seen as seconds of CPU under load in
    whichever function happened to allocate). `gc.freeze` moves the objects alive now to
    a generation the collector never walks, as Python's documentation suggests for
    long-lived servers; they are freed as usual when nothing refers to them. Rasa loads
    its model in a "before_server_start" listener, so this runs after it."""
    before_every_run(sanic_class, freeze_when_serving)


def freeze_when_serving(app: Sanic) -> None:
    """`freeze_after_loading` for an app the launcher builds itself (the action server)."""
    app.register_listener(_freeze_what_is_loaded, "after_server_start")
