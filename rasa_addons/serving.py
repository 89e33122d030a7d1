"""Did a Sanic server ever bind its port?

Sanic logs "Unable to start server" and returns normally when it cannot bind, so a
launcher that exits 0 after `run()` would look like a clean stop to the supervisor. Both
launchers (the action server, which builds its own app, and `serve.py`, whose app Rasa
builds inside its CLI) ask this instead.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable

from sanic import Sanic


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
    original_run = sanic_class.run

    def run(app: Sanic, *args: object, **kwargs: object) -> None:
        checks.append(mark_when_serving(app))
        original_run(app, *args, **kwargs)  # type: ignore[arg-type]

    sanic_class.run = run  # type: ignore[method-assign, assignment]
    return lambda: any(check() for check in checks)
